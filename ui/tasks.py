"""Running coroutines from Qt slots: references kept, errors shown, everything cancelled on close.

A widget never awaits in a slot; it hands the coroutine to a `Tasks` group, which keeps the
task referenced until it ends (asyncio holds only weak references), reports its exception
through one function, and cancels what is left when the widget goes away.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

logger = logging.getLogger(__name__)

ErrorSink = Callable[[BaseException], None]


class Tasks:
    """A group of running tasks owned by one widget or window."""

    def __init__(self, on_error: ErrorSink | None = None) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._on_error = on_error

    def run(self, coro: Coroutine[Any, Any, Any], on_error: ErrorSink | None = None) -> asyncio.Task[Any]:
        task = asyncio.get_event_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(lambda t: self._done(t, on_error))
        return task

    def _done(self, task: asyncio.Task[Any], on_error: ErrorSink | None) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is None:
            return
        sink = on_error or self._on_error
        if sink is None:
            logger.error("background task failed", exc_info=exc)
        else:
            sink(exc)

    def __len__(self) -> int:
        return len(self._tasks)

    async def cancel_all(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
