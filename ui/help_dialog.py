"""The keyboard shortcuts, listed where the agent can find them (F1)."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

SHORTCUTS = (
    ("Alt+Down", "Next chat with unread messages"),
    ("Ctrl+/", "Quick reply templates"),
    ("Ctrl+F", "Search the history"),
    ("Ctrl+T", "Transfer the chat"),
    ("Ctrl+Shift+R", "Resolve the chat"),
    ("Enter", "Send"),
    ("Shift+Enter", "New line"),
    ("F1", "This help"),
)


class HelpDialog(QDialog):
    """A table of shortcuts."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("helpDialog")
        self.table = QTableWidget(len(SHORTCUTS), 2, self)
        self.table.setObjectName("shortcutTable")
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(440, 340)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.table.setHorizontalHeaderLabels([self.tr("Keys"), self.tr("Action")])
        names = {
            "Next chat with unread messages": self.tr("Next chat with unread messages"),
            "Quick reply templates": self.tr("Quick reply templates"),
            "Search the history": self.tr("Search the history"),
            "Transfer the chat": self.tr("Transfer the chat"),
            "Resolve the chat": self.tr("Resolve the chat"),
            "Send": self.tr("Send"),
            "New line": self.tr("New line"),
            "This help": self.tr("This help"),
        }
        for row, (keys, action) in enumerate(SHORTCUTS):
            self.table.setItem(row, 0, QTableWidgetItem(keys))
            self.table.setItem(row, 1, QTableWidgetItem(names[action]))
