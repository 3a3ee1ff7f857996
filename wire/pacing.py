"""The token bucket the relay enforces, shared so clients can pace themselves by the same arithmetic."""

from __future__ import annotations

from collections.abc import Callable


class TokenBucket:
    """`rate` tokens per second, at most `burst` saved up; one token per frame."""

    __slots__ = ("_burst", "_now", "_rate", "_stamp", "_tokens")

    def __init__(self, rate: float, burst: int, now: Callable[[], float]) -> None:
        self._now = now
        self._rate = rate
        self._burst = float(burst)
        self._tokens = float(burst)
        self._stamp = now()

    def take(self) -> float | None:
        """Take one token: None if granted, else the seconds until one will be available."""
        now = self._now()
        self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return None
        return (1.0 - self._tokens) / self._rate
