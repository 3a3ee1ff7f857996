"""User-supplied text in places where Qt guesses between plain and rich text."""

from __future__ import annotations

from PySide6.QtGui import Qt


def plain_tooltip(text: str) -> str:
    """A tooltip that shows `text` as typed: Qt renders a tooltip as HTML when it merely looks like
    markup (`Qt::mightBeRichText`), so a buyer's `<img src=x>` would otherwise become an image."""
    return Qt.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal) if text else ""
