"""Searching the local history: results as you type, newest first; opening one shows it in its chat."""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.history import SearchHit
from app.services import DeskService
from ui.tasks import Tasks

logger = logging.getLogger(__name__)

HitRole = Qt.ItemDataRole.UserRole + 1


class SearchDialog(QDialog):
    """Search box and results; `open_hit` carries (conversation_id, seq)."""

    open_hit = Signal(int, int)
    error = Signal(object)

    def __init__(self, service: DeskService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("searchDialog")
        self.service = service
        self.tasks = Tasks(self.error.emit)
        self.query = QLineEdit(self)
        self.query.setObjectName("searchQuery")
        self.query.setClearButtonEnabled(True)
        self.results = QListWidget(self)
        self.results.setObjectName("searchResults")
        self.results.itemActivated.connect(self._activate)
        self.status = QLabel(self)
        self.status.setObjectName("hint")
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(self.run_search)
        self.query.textChanged.connect(lambda _: self._debounce.start())
        self.query.returnPressed.connect(self._open_first)
        self._generation = 0
        layout = QVBoxLayout(self)
        layout.addWidget(self.query)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.status)
        self.resize(560, 480)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Search history"))
        self.query.setPlaceholderText(self.tr("Words from any message (one Chinese character is enough)"))

    def run_search(self) -> None:
        text = self.query.text().strip()
        self._generation += 1
        generation = self._generation
        if not text:
            self.results.clear()
            self.status.clear()
            return
        self.status.setText(self.tr("Searching…"))

        async def search() -> None:
            hits = await self.service.search(text)
            if generation == self._generation:  # a newer query has not started meanwhile
                self.show_hits(hits)

        self.tasks.run(search())

    def show_hits(self, hits: list[SearchHit]) -> None:
        self.results.clear()
        for hit in hits:
            when = dt.datetime.fromtimestamp(hit.ts / 1000).strftime("%Y-%m-%d %H:%M")
            text = " ".join(hit.text.split())
            item = QListWidgetItem(f"{hit.buyer_name} · {hit.sender_name} · {when}\n{text}")
            item.setData(HitRole, (hit.conversation_id, hit.seq))
            self.results.addItem(item)
        self.status.setText(self.tr("%n result(s)", "", len(hits)))

    def _activate(self, item: QListWidgetItem) -> None:
        conversation_id, seq = item.data(HitRole)
        self.open_hit.emit(conversation_id, seq)

    def _open_first(self) -> None:
        if self.results.count():
            self._activate(self.results.item(0))
