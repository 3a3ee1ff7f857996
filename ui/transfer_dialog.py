"""Handing a chat to a colleague (or back to the queue) with a note the next agent sees."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ui.text import plain_title
from wire import frames as f

logger = logging.getLogger(__name__)

QUEUE = ""
"""The list entry that sends the chat back to the queue."""


class TransferDialog(QDialog):
    """Choose an agent (online ones with room first) or the queue; write a note."""

    def __init__(self, agents: list[f.AgentInfo], me: str, buyer: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transferDialog")
        self.setWindowTitle(self.tr("Transfer {0}").format(plain_title(buyer)))
        self.list = QListWidget(self)
        self.list.setObjectName("transferTargets")
        statuses = {"online": self.tr("online"), "busy": self.tr("busy"), "away": self.tr("away"),
                    "offline": self.tr("offline")}
        queue_item = QListWidgetItem(self.tr("Back to the queue (the next free agent takes it)"))
        queue_item.setData(Qt.ItemDataRole.UserRole, QUEUE)
        self.list.addItem(queue_item)
        ranked = sorted((a for a in agents if a.agent_id != me and a.role == "agent"),
                        key=lambda a: (a.status != "online" or a.active >= a.cap, a.active, a.name))
        for agent in ranked:
            room = agent.status == "online" and agent.active < agent.cap
            text = self.tr("{0} · {1} · {2}/{3} chats").format(agent.name, statuses.get(agent.status, agent.status),
                                                               agent.active, agent.cap)
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, agent.agent_id)
            if not room:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                item.setToolTip(self.tr("Only an online agent with room can take the chat"))
            self.list.addItem(item)
        self.list.setCurrentRow(1 if self.list.count() > 1 and self.list.item(1).flags() & Qt.ItemFlag.ItemIsEnabled
                                else 0)
        self.note = QPlainTextEdit(self)
        self.note.setObjectName("transferNote")
        self.note.setPlaceholderText(self.tr("Note for the next agent (what the buyer needs, what you tried)"))
        self.note.setMaximumHeight(90)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Transfer to:")))
        layout.addWidget(self.list)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        self.resize(420, 360)

    def target(self) -> str | None:
        """The chosen agent's id, or None for the queue."""
        item = self.list.currentItem()
        value = item.data(Qt.ItemDataRole.UserRole) if item is not None else QUEUE
        return value or None

    def choose(self, agent_id: str | None) -> None:
        for row in range(self.list.count()):
            if (self.list.item(row).data(Qt.ItemDataRole.UserRole) or None) == agent_id:
                self.list.setCurrentRow(row)
                return

    def note_text(self) -> str:
        return self.note.toPlainText().strip()[:500]
