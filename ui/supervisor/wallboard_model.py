"""The wallboard's numbers as text, and its agents table as a Qt model.

Formatting is the same everywhere on the wallboard (tiles, table, drill): a rate as a percentage
with one decimal (exact figures from the relay, rounded only here), seconds as "2 min 05 s" from a
minute on, a missing figure (no round yet, no call yet) as "—", never as 0.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

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


class DueModel(QAbstractListModel):
    """The chats near or past 180 s, longest waiting first, with how long each buyer has waited."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[int, str, bool]] = []
        """(conversation id, the line shown, past the bar)."""

    def set_due(self, due: list[w.DueChat], now: int) -> None:
        rows = []
        for chat in due:
            waited = max(0, now - chat.since) / 1000
            who = chat.agent_name or QCoreApplication.translate("Wallboard", "queue")
            line = QCoreApplication.translate("Wallboard", "{0} · {1} · {2}").format(chat.buyer_name, seconds(waited),
                                                                                    who)
            rows.append((chat.conversation_id, line, waited >= w.REPLY_BAR_S))
        if len(rows) != len(self.rows):
            self.beginResetModel()
            self.rows = rows
            self.endResetModel()
            return
        old, self.rows = self.rows, rows
        for i, (before, now_row) in enumerate(zip(old, rows, strict=True)):
            if before != now_row:
                self.dataChanged.emit(self.index(i), self.index(i))

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        cid, line, overdue = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return line
        if role == Qt.ItemDataRole.UserRole:
            return cid
        if role == Qt.ItemDataRole.ForegroundRole and overdue:
            return theme.OVERDUE
        return None


COLUMNS = ("name", "status", "chats", "rate", "frt", "reply", "calls", "complaints", "csat")
"""The agents table's columns, in order (header texts in `AgentsModel.headerData`)."""
RATE_COLUMN = COLUMNS.index("rate")
DISPLAY, FOREGROUND, ALIGN, USER = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole,
                                    Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.UserRole)
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class AgentsModel(QAbstractTableModel):
    """Today's figures of each agent, with their live state; replaced whole by each push (50 agents
    × 9 columns is nothing to diff) but the rows keep their order, so the view does not jump."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.agents: list[w.AgentFigures] = []
        self._texts: list[list[str]] = []
        """Each row's cells as shown, made once per push: a paint asks for them many times."""
        self._low: list[bool] = []
        self._headers: list[str] = []
        self.retranslate()

    def retranslate(self) -> None:
        self._headers = [self._header(column) for column in COLUMNS]
        self._render()
        if self.agents:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.agents) - 1, len(COLUMNS) - 1))

    def _render(self) -> None:
        self._texts = [[self.text(agent, column) for column in COLUMNS] for agent in self.agents]
        self._low = [below_bar(agent.figures.reply_rate_3min) for agent in self.agents]

    def set_agents(self, agents: list[w.AgentFigures]) -> bool:
        """Take a push's agents; True when the rows were reset (the view may resize its columns).
        Only the rows that changed are announced, so only they are repainted."""
        if [a.agent_id for a in agents] == [a.agent_id for a in self.agents]:
            old, self.agents = self.agents, agents
            self._render()
            changed = [row for row, (before, now) in enumerate(zip(old, agents, strict=True)) if before != now]
            for row in changed:  # only those rows repaint
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
            return False
        self.beginResetModel()
        self.agents = agents
        self._render()
        self.endResetModel()
        return True

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.agents)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return self._headers[section]

    @staticmethod
    def _header(column: str) -> str:
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
        }[column]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == DISPLAY:
            return self._texts[index.row()][index.column()]
        if role == FOREGROUND:
            return theme.OVERDUE if index.column() == RATE_COLUMN and self._low[index.row()] else None
        if role == ALIGN:
            return None if index.column() == 0 else RIGHT
        if role == USER:
            return self.agents[index.row()].agent_id
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
