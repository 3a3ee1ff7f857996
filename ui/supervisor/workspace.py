"""The supervisor's workspace: the chats (the agent's three panels, where a supervisor monitors,
whispers and takes over), the wallboard and the complaints, as tabs of the main window; drills open
beside them. An agent's window never builds it (`MainWindow` checks the session's role).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QPushButton, QTabWidget, QWidget

from app.events import FiguresChanged
from ui.bridge import DeskBridge
from ui.supervisor.complaints import ComplaintsPanel
from ui.supervisor.drill import DrillDialog, keep
from ui.supervisor.export_dialog import ExportDialog
from ui.supervisor.wallboard import Wallboard


class SupervisorWorkspace(QTabWidget):
    """Tabs: Chats (`chats`, the window's usual panels), Wallboard, Complaints; Export… in the corner."""

    open_conversation = Signal(int)

    def __init__(self, bridge: DeskBridge, chats: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        assert bridge.supervision is not None, "the supervisor's workspace is for supervisors"
        self.setObjectName("supervisorWorkspace")
        self.bridge = bridge
        self.supervision = bridge.supervision
        self.dialogs: list[Any] = []
        self.chats = chats
        self.wallboard = Wallboard(self.supervision, self)
        self.addTab(chats, "")
        self.addTab(self.wallboard, "")
        self.complaints = ComplaintsPanel(bridge, self)
        self.complaints.open_conversation.connect(self._open)
        self.addTab(self.complaints, "")
        self.export_button = QPushButton(self)
        self.export_button.setObjectName("exportFiguresButton")
        self.export_button.clicked.connect(self.open_export)
        self.setCornerWidget(self.export_button, Qt.Corner.TopRightCorner)
        self.exports: list[ExportDialog] = []
        bridge.figures_changed.connect(self._on_figures)
        self.wallboard.drill_requested.connect(self.drill)
        self.wallboard.open_conversation.connect(self._open)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setTabText(0, self.tr("Chats"))
        self.setTabText(1, self.tr("Wallboard"))
        self.setTabText(2, self.tr("Complaints"))
        self.export_button.setText(self.tr("Export figures…"))
        self.export_button.setToolTip(self.tr("Write the shop's figures for a date range to a CSV file"))

    def _on_figures(self, event: FiguresChanged) -> None:
        self.wallboard.on_figures(event)
        overdue = event.update.queue.overdue
        self.setTabText(1, self.tr("Wallboard") + (f" ({overdue})" if overdue else ""))

    def today(self) -> date:
        """The shop's today (the relay's clock and time zone), this machine's until the first push."""
        live = self.supervision.live
        return date.fromisoformat(live.today.end) if live is not None else date.today()

    def drill(self, figure: str, agent_id: str | None = None, days: int = 1) -> DrillDialog:
        """Open the facts behind `figure` (today, or the last `days` days) in a non-modal dialog."""
        end = self.today()
        live = self.supervision.live
        name = ""
        if agent_id is not None and live is not None:
            name = next((a.name for a in live.today.agents if a.agent_id == agent_id), agent_id)
        dialog = DrillDialog(self.supervision, figure, end - timedelta(days=days - 1), end, agent_id, name, self)
        dialog.open_conversation.connect(self._open)
        keep(self.dialogs, dialog)
        dialog.show()
        return dialog

    def open_export(self) -> ExportDialog:
        """The export dialog (non-modal; one at a time, raised again if it is open)."""
        for dialog in self.exports:
            if dialog.isVisible():
                dialog.raise_()
                dialog.activateWindow()
                return dialog
        dialog = ExportDialog(self.bridge, self)
        self.exports[:] = [dialog]
        dialog.open()
        return dialog

    def _open(self, conversation_id: int) -> None:
        self.setCurrentWidget(self.chats)
        self.open_conversation.emit(conversation_id)

    async def stop(self) -> None:
        for dialog in list(self.dialogs):
            dialog.close()
        await self.wallboard.stop()
        await self.complaints.stop()
        for export in self.exports:
            await export.stop()
            export.close()
