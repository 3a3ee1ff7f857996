"""The relay's one source of time, injectable so tests can move it.

Timers (SLA warnings, grace periods, exclusive-agent waits, auto-close) are scheduled through
the clock too, so a test that advances a `FakeClock` fires them exactly on time.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections.abc import Callable
from typing import Protocol

logger = logging.getLogger(__name__)


class TimerHandle(Protocol):
    """What `call_later` returns."""

    def cancel(self) -> None: ...


class Clock(Protocol):
    """Wall time for records and expiries, monotonic time for rates and timers."""

    def now_ms(self) -> int:
        """Unix time in milliseconds."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin; never goes back."""

    def call_later(self, delay: float, callback: Callable[[], None]) -> TimerHandle:
        """Run `callback` (synchronously, on the event loop) after `delay` seconds."""


class SystemClock:
    """The real clock; timers are the event loop's."""

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000

    def monotonic(self) -> float:
        return time.monotonic()

    def call_later(self, delay: float, callback: Callable[[], None]) -> TimerHandle:
        return asyncio.get_running_loop().call_later(max(0.0, delay), callback)


class _FakeTimer:
    __slots__ = ("cancelled",)

    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class FakeClock:
    """A clock that moves only when told to; `advance` fires due timers in order (tests)."""

    def __init__(self, start_ms: int = 1_793_584_800_000) -> None:
        """Starts at 2026-11-02 10:00 Asia/Shanghai, inside default service hours, unless told otherwise."""
        self._ms = start_ms
        self._mono = 1000.0
        self._timers: list[tuple[float, int, _FakeTimer, Callable[[], None]]] = []
        self._seq = itertools.count()

    def now_ms(self) -> int:
        return self._ms

    def monotonic(self) -> float:
        return self._mono

    def call_later(self, delay: float, callback: Callable[[], None]) -> TimerHandle:
        timer = _FakeTimer()
        heapq.heappush(self._timers, (self._mono + max(0.0, delay), next(self._seq), timer, callback))
        return timer

    def advance(self, seconds: float) -> None:
        """Move time forward, firing each due timer at its own due time."""
        target = self._mono + seconds
        while self._timers and self._timers[0][0] <= target:
            due, _, timer, callback = heapq.heappop(self._timers)
            self._ms += round((due - self._mono) * 1000)
            self._mono = due
            if not timer.cancelled:
                callback()
        self._ms += round((target - self._mono) * 1000)
        self._mono = target
