"""Writing a reply: Enter sends, Shift+Enter starts a new line, `/` opens the template picker.

The composer has two modes, like a help desk's private notes: "Reply" (to the buyer) and "Internal
note" (a tinted box; Enter stores a note only staff see, never a message). It only edits text;
sending, notes, filling template variables and cards go through the conversation panel, which owns
the service calls.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QEvent, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.template_picker import TemplatePicker
from wire import frames as f

logger = logging.getLogger(__name__)

PICKER_HEIGHT = 300
NOTE_STYLE = "QPlainTextEdit#composerInput { background: #fff4d6; border: 1px solid #d9a520; }"
"""The note mode's box is tinted like the notes in the chat: what is typed there stays among staff."""
EMOJI = ("😊", "👍", "🙏", "❤️", "😄", "😅", "👌", "🎉", "🌹", "💪", "😂", "🤝", "📦", "🚚", "✅", "⏰")


class ComposerEdit(QPlainTextEdit):
    """The text box. Forwards keys to the picker while it is open."""

    send_requested = Signal()

    def __init__(self, picker: TemplatePicker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.picker = picker
        self.setObjectName("composerInput")
        self.setTabChangesFocus(True)
        self.setMinimumHeight(64)
        self.setMaximumHeight(110)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.picker.isVisible() and self.picker.handle_key(event):
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.insertPlainText("\n")
            else:
                self.send_requested.emit()
            return
        super().keyPressEvent(event)

    def insertFromMimeData(self, source: object) -> None:
        """Pasted rich text arrives as its plain text."""
        text = source.text() if hasattr(source, "text") else ""  # type: ignore[attr-defined]
        self.insertPlainText(text)


class Composer(QWidget):
    """Text box, send button, template and emoji buttons, and a hint line (missing variables...)."""

    send_requested = Signal(str)
    note_requested = Signal(str)  # an internal note (staff only), typed in the note mode
    template_chosen = Signal(object)  # f.Template
    card_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composer")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        # The picker floats over whatever is above the composer (the chat), so it is the parent's child.
        self.picker = TemplatePicker(parent if parent is not None else self)
        self.picker.hide()
        self.picker.picked.connect(self._on_picked)
        self.edit = ComposerEdit(self.picker, self)
        self.edit.send_requested.connect(self._send)
        self.edit.textChanged.connect(self._on_text_changed)
        self.templates_button = QToolButton(self)
        self.templates_button.setObjectName("templatesButton")
        self.templates_button.clicked.connect(self.open_picker)
        self.emoji_button = QToolButton(self)
        self.emoji_button.setObjectName("emojiButton")
        self.emoji_button.setText("😊")
        self.emoji_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.emoji_button)
        for emoji in EMOJI:
            menu.addAction(emoji, partial(self.edit.insertPlainText, emoji))
        self.emoji_button.setMenu(menu)
        self.card_button = QToolButton(self)
        self.card_button.setObjectName("cardButton")
        self.card_button.clicked.connect(self.card_requested)
        self.send_button = QPushButton(self)
        self.send_button.setObjectName("sendButton")
        self.send_button.clicked.connect(self._send)
        self.hint = QLabel(self)
        self.hint.setObjectName("hint")
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.reply_mode = QToolButton(self)
        self.reply_mode.setObjectName("replyModeButton")
        self.note_mode = QToolButton(self)
        self.note_mode.setObjectName("noteModeButton")
        self._modes = QButtonGroup(self)
        for button in (self.reply_mode, self.note_mode):
            button.setCheckable(True)
            button.setAutoRaise(True)
            self._modes.addButton(button)
        self.reply_mode.setChecked(True)
        self._modes.buttonToggled.connect(lambda _b, _on: self._show_mode())
        tools = QHBoxLayout()
        tools.addWidget(self.reply_mode)
        tools.addWidget(self.note_mode)
        tools.addWidget(self.templates_button)
        tools.addWidget(self.emoji_button)
        tools.addWidget(self.card_button)
        tools.addWidget(self.hint, 1)
        tools.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 8)
        layout.addLayout(tools)
        layout.addWidget(self.edit)
        self._templates: list[f.Template] = []
        self._filter: Callable[[str], list[f.Template]] | None = None
        shortcut = QShortcut(QKeySequence("Ctrl+/"), self)
        shortcut.activated.connect(self.open_picker)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.templates_button.setText(self.tr("Templates"))
        self.templates_button.setToolTip(self.tr("Quick replies (Ctrl+/)"))
        self.emoji_button.setToolTip(self.tr("Emoji"))
        self.card_button.setText(self.tr("Card"))
        self.card_button.setToolTip(self.tr("Send a product or order card"))
        self.reply_mode.setText(self.tr("Reply"))
        self.reply_mode.setToolTip(self.tr("Write to the buyer"))
        self.note_mode.setText(self.tr("Internal note"))
        self.note_mode.setToolTip(self.tr("Write a note only staff see; the buyer never sees it"))
        self._show_mode()

    # reply or note ---------------------------------------------------------------------------

    def in_note_mode(self) -> bool:
        return self.note_mode.isChecked()

    def set_note_mode(self, on: bool) -> None:
        (self.note_mode if on else self.reply_mode).setChecked(True)

    def allow_notes(self, allowed: bool) -> None:
        """Whether this desk can write notes at all (the mode buttons are hidden otherwise)."""
        self.reply_mode.setVisible(allowed)
        self.note_mode.setVisible(allowed)
        if not allowed:
            self.set_note_mode(False)

    def _show_mode(self) -> None:
        note = self.in_note_mode()
        self.edit.setStyleSheet(NOTE_STYLE if note else "")
        self.edit.setProperty("mode", "note" if note else "reply")
        if note:
            self.edit.setPlaceholderText(self.tr("Internal note: only staff see it · Enter to save"))
            self.send_button.setText(self.tr("Add note"))
        else:
            self.edit.setPlaceholderText(
                self.tr("Type a reply · Enter to send · Shift+Enter for a new line · / for templates"))
            self.send_button.setText(self.tr("Send"))
        self.card_button.setEnabled(not note and not self.edit.isReadOnly())

    # template picking ------------------------------------------------------------------------

    def set_template_source(self, find: Callable[[str], list[f.Template]]) -> None:
        """Where the picker's list comes from: `find(query)`."""
        self._filter = find

    def open_picker(self) -> None:
        if not self.edit.toPlainText():
            self.edit.setPlainText("/")
            self.edit.moveCursor(QTextCursor.MoveOperation.End)
        self._show_picker(self._query())
        self.edit.setFocus()

    def _query(self) -> str:
        text = self.edit.toPlainText()
        return text[1:] if text.startswith("/") else ""

    def _on_text_changed(self) -> None:
        text = self.edit.toPlainText()
        if text.startswith("/") and "\n" not in text and len(text) <= 30:
            self._show_picker(text[1:])
        elif self.picker.isVisible():
            self.picker.hide()

    def _show_picker(self, query: str) -> None:
        if self._filter is None:
            return
        templates = self._filter(query)
        self.picker.show_templates(templates)
        if not templates:
            self.picker.hide()
            self.hint.setText(self.tr("No template matches “{0}”").format(query))
            return
        self.hint.clear()
        host = self.picker.parentWidget()
        top_left = self.mapTo(host, QPoint(0, 0)) if host is not None and host is not self else QPoint(0, 0)
        wanted = self.picker.preferred_height()
        height = min(PICKER_HEIGHT, wanted, max(120, top_left.y() - 8))
        self.picker.setGeometry(top_left.x() + 8, max(0, top_left.y() - height - 4), self.width() - 16, height)
        self.picker.show()
        self.picker.raise_()

    def _on_picked(self, template: f.Template) -> None:
        self.picker.hide()
        self.template_chosen.emit(template)

    def put_back(self, text: str) -> None:
        """Give back a text that could not be sent or stored, unless something else was typed since."""
        if not self.edit.toPlainText().strip():
            self.edit.setPlainText(text)
            self.edit.moveCursor(QTextCursor.MoveOperation.End)

    def fill(self, text: str, missing: list[str]) -> None:
        """Put a filled template in the box, for the agent to edit before sending."""
        self.edit.setPlainText(text)
        self.edit.moveCursor(QTextCursor.MoveOperation.End)
        self.edit.setFocus()
        if missing:
            names = ", ".join("{" + m + "}" for m in missing)
            self.hint.setText(self.tr("No value for {0}: please fill it in").format(names))
        else:
            self.hint.clear()

    # sending ---------------------------------------------------------------------------------

    def _send(self) -> None:
        text = self.edit.toPlainText().strip()
        if not text or (text.startswith("/") and self.picker.isVisible()):
            return
        if self.in_note_mode():
            self.note_requested.emit(text)
        else:
            self.send_requested.emit(text)
        self.edit.clear()
        self.hint.clear()

    def set_enabled(self, enabled: bool, reason: str = "") -> None:
        self.edit.setReadOnly(not enabled)
        for widget in (self.send_button, self.templates_button, self.card_button, self.emoji_button,
                       self.reply_mode, self.note_mode):
            widget.setEnabled(enabled)
        self.card_button.setEnabled(enabled and not self.in_note_mode())
        self.hint.setText(reason if not enabled else "")
