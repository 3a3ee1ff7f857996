"""A plain X11 client window, for the tests of window sharing (the display: `x_display` in conftest)."""

from __future__ import annotations

import ctypes

from app.x11 import _xlib


class XClient:
    """A plain X11 client (libX11 only) with one titled window, as an application would show."""

    def __init__(self, display: str, title: str, width: int, height: int) -> None:
        x = _xlib()
        assert x is not None, "libX11 is missing"
        self.x = x
        x.XCreateSimpleWindow.restype = ctypes.c_ulong
        x.XCreateSimpleWindow.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int, ctypes.c_uint,
                                          ctypes.c_uint, ctypes.c_uint, ctypes.c_ulong, ctypes.c_ulong]
        x.XChangeProperty.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_int,
                                      ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        x.XMapWindow.argtypes = x.XDestroyWindow.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
        x.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
        self.display = x.XOpenDisplay(display.encode())
        assert self.display, f"cannot open {display}"
        root = x.XDefaultRootWindow(self.display)
        self.window = x.XCreateSimpleWindow(self.display, root, 10, 10, width, height, 0, 0, 0xFF8800)
        name = title.encode()
        utf8 = x.XInternAtom(self.display, b"UTF8_STRING", 0)
        x.XChangeProperty(self.display, self.window, x.XInternAtom(self.display, b"_NET_WM_NAME", 0), utf8, 8, 0,
                          name, len(name))
        x.XMapWindow(self.display, self.window)
        x.XSync(self.display, 0)

    def close(self) -> None:
        self.x.XDestroyWindow(self.display, self.window)
        self.x.XCloseDisplay(self.display)
