"""User-supplied text in places where Qt guesses between plain and rich text."""

from __future__ import annotations

from PySide6.QtGui import Qt


def plain_tooltip(text: str) -> str:
    """A tooltip that shows `text` as typed: Qt renders a tooltip as HTML when it merely looks like
    markup (`Qt::mightBeRichText`), so a buyer's `<img src=x>` would otherwise become an image."""
    return Qt.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal) if text else ""


def plain_mnemonic(text: str) -> str:
    """`text` for a button's or a menu item's label: Qt reads `&x` there as the shortcut Alt+X and hides
    the `&`, so a name like `M&M` would show as `MM` and add a shortcut; `&&` shows one `&`."""
    return text.replace("&", "&&")


def plain_title(text: str) -> str:
    """`text` for a window title: Qt reads `[*]` there as the "unsaved changes" mark and removes it, so
    a buyer named `a[*]b` would show as `ab`; `[*][*]` shows one `[*]`."""
    return text.replace("[*]", "[*][*]")
