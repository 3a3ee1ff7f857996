"""The wallboard's numbers as text, and its agents table as a Qt model.

Formatting is the same everywhere on the wallboard (tiles, table, drill): a rate as a percentage
with one decimal (exact figures from the relay, rounded only here), seconds as "2 min 05 s" from a
minute on, a missing figure (no round yet, no call yet) as "—", never as 0.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt

from ui import theme
from wire import figures as w

NONE = "—"


def rate(value: float | None) -> str:
    return NONE if value is None else f"{value * 100:.1f}%"


def seconds(value: float | None) -> str:
    if value is None:
        return NONE
    whole = round(value)
    if whole < 60:
        return QCoreApplication.translate("Wallboard", "{0} s").format(whole)
    return QCoreApplication.translate("Wallboard", "{0} min {1:02d} s").format(whole // 60, whole % 60)


def below_bar(value: float | None) -> bool:
    return value is not None and value < w.REPLY_RATE_BAR


def status_text(status: str, connected: bool) -> str:
    if not connected:
        return QCoreApplication.translate("Wallboard", "Offline")
    return {
        "online": QCoreApplication.translate("Wallboard", "Online"),
        "busy": QCoreApplication.translate("Wallboard", "Busy"),
        "away": QCoreApplication.translate("Wallboard", "Away"),
    }.get(status, QCoreApplication.translate("Wallboard", "Offline"))


COLUMNS = ("name", "status", "chats", "rate", "frt", "reply", "calls", "complaints", "csat")
"""The agents table's columns, in order (header texts in `AgentsModel.headerData`)."""


class AgentsModel(QAbstractTableModel):
    """Today's figures of each agent, with their live state; replaced whole by each push (50 agents
    × 9 columns is nothing to diff) but the rows keep their order, so the view does not jump."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.agents: list[w.AgentFigures] = []

    def set_agents(self, agents: list[w.AgentFigures]) -> None:
        if [a.agent_id for a in agents] == [a.agent_id for a in self.agents]:
            self.agents = agents
            if agents:
                self.dataChanged.emit(self.index(0, 0), self.index(len(agents) - 1, len(COLUMNS) - 1))
            return
        self.beginResetModel()
        self.agents = agents
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.agents)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return {
            "name": QCoreApplication.translate("Wallboard", "Agent"),
            "status": QCoreApplication.translate("Wallboard", "Status"),
            "chats": QCoreApplication.translate("Wallboard", "Chats / cap"),
            "rate": QCoreApplication.translate("Wallboard", "3-min rate"),
            "frt": QCoreApplication.translate("Wallboard", "First response"),
            "reply": QCoreApplication.translate("Wallboard", "Avg reply"),
            "calls": QCoreApplication.translate("Wallboard", "Calls connected / invited"),
            "complaints": QCoreApplication.translate("Wallboard", "Complaints"),
            "csat": QCoreApplication.translate("Wallboard", "CSAT"),
        }[COLUMNS[section]]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        agent = self.agents[index.row()]
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(agent, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == "rate" and below_bar(agent.figures.reply_rate_3min):
            return theme.OVERDUE
        if role == Qt.ItemDataRole.UserRole:
            return agent.agent_id
        if role == Qt.ItemDataRole.TextAlignmentRole and column != "name":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def text(agent: w.AgentFigures, column: str) -> str:
        fig = agent.figures
        if column == "name":
            return (
                agent.name
                if agent.role == "agent"
                else QCoreApplication.translate("Wallboard", "{0} (supervisor)").format(agent.name)
            )
        if column == "status":
            return status_text(agent.status, agent.connected)
        if column == "chats":
            return f"{agent.active} / {agent.cap}"
        if column == "rate":
            return rate(fig.reply_rate_3min)
        if column == "frt":
            return seconds(fig.frt_mean_s)
        if column == "reply":
            return seconds(fig.avg_reply_s)
        if column == "calls":
            return f"{fig.calls_connected} / {fig.calls_invited}"
        if column == "complaints":
            return str(fig.complaints)
        return rate(fig.csat)
