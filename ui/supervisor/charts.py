"""The wallboard's trend charts (QtCharts): the 3-minute reply rate by hour today, and by day over
the last 7 or 30 days, each with the platform's 80% bar drawn across.

Points exist only where the rate does (an hour with no decided round has no rate: a gap, not 0).
Updating replaces the series' points in one call (`QLineSeries.replace`), cheap enough for each push.
"""

from __future__ import annotations

from PySide6.QtCharts import QCategoryAxis, QChart, QChartView, QLineSeries, QScatterSeries, QValueAxis
from PySide6.QtCore import QMargins, QPointF, Qt
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QWidget

from ui import theme
from wire import figures as w


class RateChart(QChartView):
    """One rate series against its bar. `set_buckets` takes the report's hours or days."""

    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        """"hours" (x = hour of the day, 0-23) or "days" (x = day index in the window)."""
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(180)
        chart = QChart()
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.setMargins(QMargins(0, 0, 22, 0))  # room for the last x label ("24:00", a date)
        self.rate = QLineSeries()
        self.dots = QScatterSeries()  # a lone hour between gaps still shows
        self.dots.setMarkerSize(6)
        self.bar = QLineSeries()
        pen = QPen(theme.OVERDUE)
        pen.setStyle(Qt.PenStyle.DashLine)
        pen.setWidth(2)
        self.bar.setPen(pen)
        self.rate.setPen(QPen(theme.CHART_RATE, 2))
        self.dots.setColor(theme.CHART_RATE)
        self.dots.setBorderColor(theme.CHART_RATE)
        for series in (self.rate, self.dots, self.bar):
            chart.addSeries(series)
        # Hours: a tick every 3 hours of 0-24. Days: the dates, at most 8 of them written.
        self.x_axis = QCategoryAxis()
        self.x_axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        self.y_axis = QValueAxis()
        self.y_axis.setRange(0, 100)
        self.y_axis.setLabelFormat("%d%%")
        chart.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        for series in (self.rate, self.dots, self.bar):
            series.attachAxis(self.x_axis)
            series.attachAxis(self.y_axis)
        self.dots.setVisible(True)
        chart.legend().markers(self.dots)[0].setVisible(False)
        self.setChart(chart)
        self.labels: list[str] = []
        self.retranslate()

    def retranslate(self) -> None:
        self.rate.setName(self.tr("3-minute reply rate"))
        self.bar.setName(self.tr("Platform bar (80%)"))
        self.chart().setTitle(self.tr("Today by hour") if self.kind == "hours" else self.tr("By day"))

    def set_buckets(self, buckets: list[w.Bucket]) -> None:
        """The shop's buckets (per-agent ones are skipped), in time order."""
        shop = [b for b in buckets if b.agent_id is None]
        self.labels = [b.label for b in shop]
        points = []
        for i, bucket in enumerate(shop):
            value = bucket.figures.reply_rate_3min
            if value is not None:
                x = int(bucket.label[-5:-3]) if self.kind == "hours" else i
                points.append(QPointF(x, value * 100))
        self.rate.replace(points)
        self.dots.replace(points)
        last = 24 if self.kind == "hours" else max(1, len(shop) - 1)
        self._label_axis(last)
        bar = w.REPLY_RATE_BAR * 100
        self.bar.replace([QPointF(-1, bar), QPointF(last + 1, bar)])  # across the whole axis, clipped to it

    def _label_axis(self, last: int) -> None:
        pad = 0 if self.kind == "hours" else 0.3  # a point on the first or last day is not cut in half
        if self.kind == "hours":
            marks = [(f"{h:02d}:00", h) for h in range(0, 25, 3)]
        else:
            step = max(1, -(-len(self.labels) // 8))
            marks = [(self.labels[i][5:], i) for i in range(len(self.labels) - 1, -1, -step)][::-1]  # MM-DD
        if [(label, value) for label, value in zip(self.x_axis.categoriesLabels(),
                                                   map(self.x_axis.endValue, self.x_axis.categoriesLabels()),
                                                   strict=True)] == marks and self.x_axis.max() == last + pad:
            return
        for label in self.x_axis.categoriesLabels():
            self.x_axis.remove(label)
        for label, value in marks:
            self.x_axis.append(label, value)
        self.x_axis.setRange(-pad, last + pad)

    def points(self) -> list[tuple[float, float]]:
        """The drawn rate points (x, percent): what tests and the screenshot check."""
        return [(p.x(), p.y()) for p in self.rate.points()]
