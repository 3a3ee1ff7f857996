"""The wallboard: the shop right now and today, against the platforms' bars, updated by each push.

Top: tiles for the queue (length, longest wait, chats near or past 180 s) and today's figures
(3-minute rate against 80%, PDD-style rate, first response, video connect rate, complaints, CSAT);
a click on a figure's tile opens the facts behind it. Middle: the chats near or past the bar, and
the agents table (a double-click drills into that agent's rounds). Bottom: today's rate by hour and
the last 7 or 30 days by day.

A push is applied in one pass over already-decoded structs: labels' texts, the table model's
dataChanged, the hourly series' points (bench/wallboard.py measures it with 50 agents). The days
chart is read over the HTTP API when shown and every few minutes, never on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.events import FiguresChanged
from app.supervision import Supervision
from ui.errors import error_text
from ui.supervisor.charts import RateChart
from ui.supervisor.wallboard_model import COLUMNS, AgentsModel, DueModel, below_bar, rate, seconds
from ui.tasks import Tasks
from wire import figures as w
from wire import frames as f

DAYS_REFRESH_MS = 5 * 60_000
CHART_REFRESH_MS = 5_000
"""The hourly chart redraws at most this often: a trend, not a ticker."""
DUE_TICK_MS = 5_000
"""The waits in the due list tick this often; a chat joining, leaving or passing 180 s shows at once."""


class Throttle(QObject):
    """Calls `apply(value)` with the latest offered value at once, then at most every `interval_ms`."""

    def __init__(self, interval_ms: int, apply: Callable[[Any], None], parent: QObject) -> None:
        super().__init__(parent)
        self._apply = apply
        self._pending: Any = None
        self._has = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._fire)

    def offer(self, value: Any, *, now: bool = False) -> None:
        self._pending, self._has = value, True
        if now or not self._timer.isActive():
            self._fire()

    def flush(self) -> None:
        if self._has:
            self._fire()

    def _fire(self) -> None:
        if self._has:
            value, self._pending, self._has = self._pending, None, False
            self._apply(value)
            self._timer.start()


@dataclass(frozen=True)
class TileSpec:
    key: str
    drill: str | None
    """The figure GET /api/supervisor/drill opens from this tile (None: nothing behind it to list)."""


TILES = (
    TileSpec("queued", None),
    TileSpec("longest_wait", None),
    TileSpec("near_due", None),
    TileSpec("overdue", None),
    TileSpec("rate", "rounds_late"),
    TileSpec("pdd", "rounds_late"),
    TileSpec("frt", "first_responses"),
    TileSpec("connect", "calls"),
    TileSpec("complaints", "complaints"),
    TileSpec("csat", "ratings"),
    TileSpec("abandoned", "abandoned"),
    TileSpec("transfers", "transfers"),
)


class Tile(QFrame):
    """A figure's name, its value, and a line of context under it."""

    clicked = Signal(str)  # the tile's key

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName("tile")
        self.title = QLabel(self)
        self.title.setObjectName("tileTitle")
        self.value = QLabel("—", self)
        self.value.setObjectName(f"tile_{key}")
        self.value.setProperty("tileValue", True)
        self.note = QLabel(self)
        self.note.setObjectName("tileNote")
        for label in (self.title, self.value, self.note):
            label.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(0)
        layout.addWidget(self.title)
        layout.addWidget(self.value)
        layout.addWidget(self.note)

    def show_value(self, value: str, note: str = "", alarm: bool = False) -> None:
        if value != self.value.text():
            self.value.setText(value)
        if note != self.note.text():
            self.note.setText(note)
        if bool(self.property("alarm")) != alarm:
            for widget in (self, self.value):  # the frame's border and the value's colour
                widget.setProperty("alarm", alarm)
                widget.style().unpolish(widget)
                widget.style().polish(widget)

    def mouseReleaseEvent(self, event: Any) -> None:
        self.clicked.emit(self.key)
        super().mouseReleaseEvent(event)


class Wallboard(QWidget):
    """The supervisor's wallboard over one `Supervision`."""

    drill_requested = Signal(str, object)  # figure (w.DRILL_FIGURES), agent id or None
    open_conversation = Signal(int)

    def __init__(self, supervision: Supervision, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wallboard")
        self.supervision = supervision
        self.tasks = Tasks()
        self.update_: f.FiguresUpdate | None = None
        self.tiles = {spec.key: Tile(spec.key, self) for spec in TILES}
        grid = QGridLayout()
        grid.setSpacing(8)
        for i, spec in enumerate(TILES):
            grid.addWidget(self.tiles[spec.key], i // 6, i % 6)
            self.tiles[spec.key].clicked.connect(self._tile_clicked)
            if spec.drill is not None:  # a click lists the facts behind it
                self.tiles[spec.key].setCursor(Qt.CursorShape.PointingHandCursor)
        self.due_title = QLabel(self)
        self.due = QListView(self)
        self.due.setObjectName("dueList")
        self.due_model = DueModel(self)
        self.due.setModel(self.due_model)
        self.due.setUniformItemSizes(True)
        self.due.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.due.activated.connect(
            lambda item: self.open_conversation.emit(int(item.data(Qt.ItemDataRole.UserRole)))
        )
        due_box = QWidget(self)
        due_layout = QVBoxLayout(due_box)
        due_layout.setContentsMargins(0, 0, 0, 0)
        due_layout.addWidget(self.due_title)
        due_layout.addWidget(self.due, 1)
        self.model = AgentsModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("agentsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)  # the names take what is left
        header.setStretchLastSection(False)
        self.table.doubleClicked.connect(self._agent_activated)
        self.hours_chart = RateChart("hours", self)
        self.days_chart = RateChart("days", self)
        self.days_box = QComboBox(self)
        self.days_box.setObjectName("daysBox")
        self.days_box.addItem("7", 7)
        self.days_box.addItem("30", 30)
        self.days_box.currentIndexChanged.connect(lambda _i: self.refresh_days())
        days_box = QWidget(self)
        days_layout = QVBoxLayout(days_box)
        days_layout.setContentsMargins(0, 0, 0, 0)
        days_row = QHBoxLayout()
        self.days_label = QLabel(self)
        days_row.addWidget(self.days_label)
        days_row.addWidget(self.days_box)
        days_row.addStretch(1)
        days_layout.addLayout(days_row)
        days_layout.addWidget(self.days_chart, 1)

        middle = QSplitter(Qt.Orientation.Horizontal, self)
        middle.addWidget(due_box)
        middle.addWidget(self.table)
        middle.setSizes([260, 900])
        bottom = QSplitter(Qt.Orientation.Horizontal, self)
        bottom.addWidget(self.hours_chart)
        bottom.addWidget(days_box)
        self.updated = QLabel(self)
        self.updated.setObjectName("wallboardUpdated")
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(middle, 1)
        layout.addWidget(bottom, 1)
        layout.addWidget(self.updated)
        self._hours = Throttle(CHART_REFRESH_MS, self.hours_chart.set_buckets, self)
        self._due = Throttle(DUE_TICK_MS, lambda due: self.due_model.set_due(*due), self)
        self._due_keys: list[tuple[int, bool]] = []
        self._days_timer = QTimer(self)
        self._days_timer.setInterval(DAYS_REFRESH_MS)
        self._days_timer.timeout.connect(self.refresh_days)
        self._days_timer.start()
        self.days_report: w.FiguresReport | None = None
        self.retranslate()
        if supervision.live is not None:
            self.apply(supervision.live)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.model.retranslate()  # a model has no changeEvent: its headers and cells follow the board
        titles = {
            "queued": self.tr("Queue"),
            "longest_wait": self.tr("Longest wait"),
            "near_due": self.tr("Near 3 min"),
            "overdue": self.tr("Past 3 min"),
            "rate": self.tr("3-minute reply rate"),
            "pdd": self.tr("PDD-style reply rate"),
            "frt": self.tr("First response (mean)"),
            "connect": self.tr("Video connect rate"),
            "complaints": self.tr("Complaints"),
            "csat": self.tr("Satisfaction (CSAT)"),
            "abandoned": self.tr("Abandoned chats"),
            "transfers": self.tr("Transfers"),
        }
        for key, tile in self.tiles.items():
            tile.title.setText(titles[key])
        self.days_label.setText(self.tr("Days shown:"))
        self.due_title.setText(self.tr("Chats waiting for a reply"))
        self.hours_chart.retranslate()
        self.days_chart.retranslate()
        if self.update_ is not None:
            self.apply(self.update_)
        self._size_columns()

    def _size_columns(self) -> None:
        """Each column as wide as its header or its widest likely value (not measured per push:
        ResizeToContents would re-measure every row on every update)."""
        metrics = self.table.fontMetrics()
        widest = {"status": self.tr("Offline"), "chats": "50 / 50", "rate": "100.0%",
                  "frt": self.tr("{0} min {1:02d} s").format(59, 59), "calls": "99 / 99", "complaints": "99",
                  "csat": "100.0%"}
        widest["reply"] = widest["frt"]
        for column, key in enumerate(COLUMNS[1:], start=1):
            header = str(self.model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole))
            width = max(metrics.horizontalAdvance(header), metrics.horizontalAdvance(widest[key]))
            self.table.setColumnWidth(column, width + 24)

    # the push ------------------------------------------------------------------------------

    def on_figures(self, event: FiguresChanged) -> None:
        self.apply(event.update)

    def apply(self, update: f.FiguresUpdate) -> None:
        """Show one push: every tile, the due list, the agents table, the hourly chart."""
        self.update_ = update
        q, t = update.queue, update.today.total
        now = update.today.generated_at
        tile = self.tiles
        tile["queued"].show_value(
            str(q.queued),
            self.tr("%n agent(s) online", "", q.agents_online) + ", " + self.tr("%n chat(s) open", "", q.active_chats),
        )
        tile["longest_wait"].show_value(seconds(q.longest_wait_s), alarm=(q.longest_wait_s or 0) >= w.REPLY_BAR_S)
        tile["near_due"].show_value(str(q.near_due), self.tr("waiting 100-180 s"), alarm=False)
        tile["overdue"].show_value(str(q.overdue), self.tr("waiting 180 s or more"), alarm=q.overdue > 0)
        tile["rate"].show_value(
            rate(t.reply_rate_3min),
            self.tr("{0} of {1} rounds on time · bar 80%").format(t.rounds_on_time, t.rounds),
            alarm=below_bar(t.reply_rate_3min),
        )
        tile["pdd"].show_value(
            rate(t.pdd_reply_rate),
            self.tr("{0} of {1} buyers answered on time").format(t.buyer_days_ok, t.buyer_days),
            alarm=below_bar(t.pdd_reply_rate),
        )
        tile["frt"].show_value(
            seconds(t.frt_mean_s), self.tr("median {0} · p90 {1}").format(seconds(t.frt_p50_s), seconds(t.frt_p90_s))
        )
        tile["connect"].show_value(
            rate(t.connect_rate_invited),
            self.tr("{0} connected of {1} invited, {2} accepted").format(
                t.calls_connected, t.calls_invited, t.calls_accepted
            ),
        )
        per_100 = "—" if t.complaints_per_100 is None else f"{t.complaints_per_100:.1f}"
        tile["complaints"].show_value(
            str(t.complaints), self.tr("{0} per 100 calls").format(per_100), alarm=t.complaints > 0
        )
        tile["csat"].show_value(
            rate(t.csat), self.tr("{0} of {1} ratings are 4-5 stars").format(t.ratings_positive, t.ratings)
        )
        tile["abandoned"].show_value(str(t.abandoned), self.tr("{0} chats today").format(t.sessions))
        tile["transfers"].show_value(str(t.transfers), self.tr("{0} taken over").format(t.takeovers))
        keys = [(d.conversation_id, now - d.since >= w.REPLY_BAR_S * 1000) for d in q.due]
        self._due.offer((q.due, now), now=keys != self._due_keys)  # a chat in, out or past 180 s: at once
        self._due_keys = keys
        self.model.set_agents(update.today.agents)
        self._hours.offer(update.today.hours)
        self.updated.setText(
            self.tr("Today {0}, shop time ({1}) · live").format(update.today.end, update.today.timezone)
        )

    def flush(self) -> None:
        """Draw what the throttles hold back now (tests, screenshots)."""
        self._hours.flush()
        self._due.flush()

    # the days chart --------------------------------------------------------------------------

    def refresh_days(self) -> None:
        self.tasks.run(self._load_days(), on_error=lambda exc: self.days_label.setText(error_text(exc)))

    async def _load_days(self) -> None:
        days = int(self.days_box.currentData() or 7)
        end = date.fromisoformat(self.update_.today.end) if self.update_ else date.today()
        self.days_report = await self.supervision.report(end - timedelta(days=days - 1), end, by="day")
        self.days_chart.set_buckets(self.days_report.days)
        self.days_label.setText(self.tr("Days shown:"))

    def showEvent(self, event: Any) -> None:
        if self.days_report is None:
            self.refresh_days()
        super().showEvent(event)

    # drills --------------------------------------------------------------------------------

    def _tile_clicked(self, key: str) -> None:
        spec = next(s for s in TILES if s.key == key)
        if spec.drill is not None:
            self.drill_requested.emit(spec.drill, None)

    def _agent_activated(self, index: QModelIndex) -> None:
        agent_id = self.model.data(index, Qt.ItemDataRole.UserRole)
        column = index.column()
        figure = {6: "calls", 7: "complaints", 8: "ratings", 4: "first_responses"}.get(column, "rounds")
        self.drill_requested.emit(figure, agent_id)

    def tile_text(self, key: str) -> str:
        """A tile's value as shown (tests, screenshots)."""
        return self.tiles[key].value.text()

    async def stop(self) -> None:
        """Stop the refresh and cancel a load in flight (the window awaits it before the service closes)."""
        self._days_timer.stop()
        await self.tasks.cancel_all()
