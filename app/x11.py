"""The windows on an X11 display that a call can share (through libX11, read-only).

With a window manager, its `_NET_CLIENT_LIST` names the application windows (their frames are what
sits under the root); without one (a bare Xvfb), the root's mapped children are the windows. A
window's title is its `_NET_WM_NAME` (UTF-8), else `WM_NAME`. Blocking: call it in a thread.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import sys
import threading
from dataclasses import dataclass

logger = logging.getLogger(__name__)

MIN_SIZE = 64
"""Smaller windows (tooltips, helpers, 1x1 owners) are not offered."""

_IS_VIEWABLE = 2
_ANY_PROPERTY_TYPE = 0
_Window = ctypes.c_ulong
_Atom = ctypes.c_ulong


@dataclass(frozen=True, slots=True)
class X11Window:
    window_id: int
    title: str
    width: int
    height: int


class _Attributes(ctypes.Structure):
    """XWindowAttributes (Xlib.h), all fields, in order."""

    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int), ("width", ctypes.c_int), ("height", ctypes.c_int),
                ("border_width", ctypes.c_int), ("depth", ctypes.c_int), ("visual", ctypes.c_void_p),
                ("root", _Window), ("class_", ctypes.c_int), ("bit_gravity", ctypes.c_int),
                ("win_gravity", ctypes.c_int), ("backing_store", ctypes.c_int),
                ("backing_planes", ctypes.c_ulong), ("backing_pixel", ctypes.c_ulong),
                ("save_under", ctypes.c_int), ("colormap", ctypes.c_ulong), ("map_installed", ctypes.c_int),
                ("map_state", ctypes.c_int), ("all_event_masks", ctypes.c_long),
                ("your_event_mask", ctypes.c_long), ("do_not_propagate_mask", ctypes.c_long),
                ("override_redirect", ctypes.c_int), ("screen", ctypes.c_void_p)]


def _xlib() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("X11") or "libX11.so.6"
    try:
        x = ctypes.CDLL(name)
    except OSError:
        return None
    x.XOpenDisplay.restype = ctypes.c_void_p
    x.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x.XCloseDisplay.argtypes = [ctypes.c_void_p]
    x.XDefaultRootWindow.restype = _Window
    x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    x.XInternAtom.restype = _Atom
    x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x.XQueryTree.argtypes = [ctypes.c_void_p, _Window, ctypes.POINTER(_Window), ctypes.POINTER(_Window),
                             ctypes.POINTER(ctypes.POINTER(_Window)), ctypes.POINTER(ctypes.c_uint)]
    x.XGetWindowAttributes.argtypes = [ctypes.c_void_p, _Window, ctypes.POINTER(_Attributes)]
    x.XGetWindowProperty.argtypes = [
        ctypes.c_void_p, _Window, _Atom, ctypes.c_long, ctypes.c_long, ctypes.c_int, _Atom,
        ctypes.POINTER(_Atom), ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_ulong),
        ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_void_p)]
    x.XFree.argtypes = [ctypes.c_void_p]
    x.XSetErrorHandler.restype = ctypes.c_void_p
    x.XSetErrorHandler.argtypes = [ctypes.c_void_p]
    return x


_LOCK = threading.Lock()
"""Xlib's error handler is process-wide: one listing at a time sets and restores it."""

_ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)(lambda _d, _e: 0)
"""Ignores X errors (a window that closes while it is being read): Xlib's default handler exits."""


def _property(x: ctypes.CDLL, display: int, window: int, atom: int) -> tuple[bytes, int]:
    """A window property's raw bytes and item format (8 or 32), or (b"", 0)."""
    actual_type, fmt = _Atom(), ctypes.c_int()
    count, after, data = ctypes.c_ulong(), ctypes.c_ulong(), ctypes.c_void_p()
    status = x.XGetWindowProperty(display, window, atom, 0, 1 << 16, 0, _ANY_PROPERTY_TYPE, ctypes.byref(actual_type),
                                  ctypes.byref(fmt), ctypes.byref(count), ctypes.byref(after), ctypes.byref(data))
    if status != 0 or not data.value:
        return b"", 0
    try:
        size = {8: 1, 16: ctypes.sizeof(ctypes.c_short), 32: ctypes.sizeof(ctypes.c_long)}.get(fmt.value, 0)
        return ctypes.string_at(data.value, count.value * size), fmt.value
    finally:
        x.XFree(data)


def _title(x: ctypes.CDLL, display: int, window: int, atoms: dict[str, int]) -> str:
    raw, _ = _property(x, display, window, atoms["_NET_WM_NAME"])
    if not raw:
        raw, _ = _property(x, display, window, atoms["WM_NAME"])
    return raw.decode("utf-8", "replace").strip()


def _ids(raw: bytes) -> list[int]:
    width = ctypes.sizeof(ctypes.c_long)
    return [int.from_bytes(raw[i:i + width], sys.byteorder) for i in range(0, len(raw) - width + 1, width)]


def list_windows(display_name: str | None = None) -> list[X11Window]:
    """The shareable windows of the display ($DISPLAY by default): viewable, titled, at least 64x64."""
    display_name = display_name or os.environ.get("DISPLAY", "")
    x = _xlib() if display_name else None
    if x is None:
        return []
    with _LOCK:
        return _list(x, display_name)


def _list(x: ctypes.CDLL, display_name: str) -> list[X11Window]:
    previous = x.XSetErrorHandler(_ERROR_HANDLER)
    display = x.XOpenDisplay(display_name.encode())
    if not display:
        x.XSetErrorHandler(previous)
        return []
    try:
        atoms = {name: x.XInternAtom(display, name.encode(), 0) for name in ("_NET_CLIENT_LIST", "_NET_WM_NAME",
                                                                              "WM_NAME")}
        root = x.XDefaultRootWindow(display)
        raw, fmt = _property(x, display, root, atoms["_NET_CLIENT_LIST"])
        # A window manager's list, even empty, is the truth; its frames under the root are not windows.
        candidates = _ids(raw) if fmt == 32 else _children(x, display, root)
        found = []
        for window in candidates:
            attributes = _Attributes()
            if not x.XGetWindowAttributes(display, window, ctypes.byref(attributes)):
                continue
            if attributes.map_state != _IS_VIEWABLE or min(attributes.width, attributes.height) < MIN_SIZE:
                continue
            title = _title(x, display, window, atoms)
            if title:
                found.append(X11Window(window, title, attributes.width, attributes.height))
        return found
    finally:
        x.XCloseDisplay(display)
        x.XSetErrorHandler(previous)


def _children(x: ctypes.CDLL, display: int, root: int) -> list[int]:
    parent, root_out = _Window(), _Window()
    children, count = ctypes.POINTER(_Window)(), ctypes.c_uint()
    if not x.XQueryTree(display, root, ctypes.byref(root_out), ctypes.byref(parent), ctypes.byref(children),
                        ctypes.byref(count)):
        return []
    try:
        return [children[i] for i in range(count.value)]
    finally:
        if children:
            x.XFree(children)
