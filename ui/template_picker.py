"""The quick-reply picker: a popup list of templates that filters as the agent types.

Typing `/` in an empty composer (or Ctrl+/) opens it; what follows the slash filters the list by
Chinese text, shortcut or pinyin initials (`thh` finds 退换货). Enter or a click picks the
highlighted template; the composer then asks the relay to fill its variables and puts the text
in the composer for the agent to edit before sending.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QFrame, QLabel, QListView, QVBoxLayout, QWidget

from ui.text import plain_tooltip
from wire import frames as f

logger = logging.getLogger(__name__)

TemplateRole = Qt.ItemDataRole.UserRole + 1
BODY_PREVIEW = 48
Index = QModelIndex | QPersistentModelIndex


class TemplatePicker(QFrame):
    """An overlay above the composer (a child widget, not a window); it never takes the keyboard
    from the composer, which forwards the keys it needs."""

    picked = Signal(object)  # f.Template

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("templatePicker")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.model = QStandardItemModel(self)
        self.list = QListView(self)
        self.list.setModel(self.model)
        self.list.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setSpacing(2)
        self.list.clicked.connect(self._on_clicked)
        self.hint = QLabel(self)
        self.hint.setObjectName("hint")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list)
        layout.addWidget(self.hint)
        self.resize(460, 280)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.hint.setText(self.tr("↑↓ choose · Enter use · Esc close · type to filter (pinyin initials work)"))

    def show_templates(self, templates: list[f.Template]) -> None:
        self.model.clear()
        for template in templates:
            body = " ".join(template.body.split())
            if len(body) > BODY_PREVIEW:
                body = body[:BODY_PREVIEW] + "…"
            shortcut = f"   /{template.shortcut}" if template.shortcut else ""
            item = QStandardItem(f"{template.group} · {template.title}{shortcut}\n{body}")  # shown as plain text
            item.setData(template, TemplateRole)
            item.setToolTip(plain_tooltip(template.body))
            self.model.appendRow(item)
        if self.model.rowCount():
            self.list.setCurrentIndex(self.model.index(0, 0))

    def preferred_height(self) -> int:
        """Tall enough for the matches (a few at most), plus the hint line."""
        rows = min(self.model.rowCount(), 6)
        row_height = self.list.sizeHintForRow(0) + 2 * self.list.spacing() if rows else 0
        return rows * row_height + self.hint.sizeHint().height() + 24

    def count(self) -> int:
        return self.model.rowCount()

    def current(self) -> f.Template | None:
        index = self.list.currentIndex()
        return index.data(TemplateRole) if index.isValid() else None

    def step(self, step: int) -> None:
        rows = self.model.rowCount()
        if not rows:
            return
        row = (self.list.currentIndex().row() + step) % rows
        self.list.setCurrentIndex(self.model.index(row, 0))

    def _on_clicked(self, index: Index) -> None:
        template = index.data(TemplateRole)
        if template is not None:
            self.picked.emit(template)

    def handle_key(self, event: QKeyEvent) -> bool:
        """Keys the composer forwards while the picker is open; True if the picker used it."""
        key = event.key()
        if key == Qt.Key.Key_Up:
            self.step(-1)
            return True
        if key == Qt.Key.Key_Down:
            self.step(1)
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab):
            template = self.current()
            if template is not None:
                self.picked.emit(template)
            return True
        if key == Qt.Key.Key_Escape:
            self.hide()
            return True
        return False

    def data_of(self, row: int) -> Any:
        return self.model.index(row, 0).data(TemplateRole)
