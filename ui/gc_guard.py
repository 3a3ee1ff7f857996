"""Python's cyclic garbage collector, run on the GUI thread only.

Automatic collection runs in whichever thread happens to allocate when a threshold is crossed:
here, the history's SQLite worker threads. If it then frees a Qt object caught in a reference
cycle (a window whose lambdas refer to it), the C++ destructor runs on that thread; Qt cannot
stop the object's timers from there, and a later timer event lands on freed memory (a
segfault). So automatic collection is off and a timer on the GUI thread collects instead,
generation by generation, as often as the thresholds would have (qutebrowser does the same).
"""

from __future__ import annotations

import gc
import logging

from PySide6.QtCore import QObject, QTimer

logger = logging.getLogger(__name__)

INTERVAL_MS = 1000


class GuiThreadCollector(QObject):
    """Owns the collection: create it once on the GUI thread, after the QApplication."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def check(self) -> None:
        """Collect the oldest generation whose count passed its threshold."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self._thresholds[generation]:
                gc.collect(generation)
                return

    def collect_now(self) -> int:
        return gc.collect()

    def stop(self) -> None:
        self._timer.stop()
        gc.enable()
