"""Per-connection state: who is connected, what they have seen, and their bounded send queue."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass

from aiohttp import WSMsgType, web

from wire.errors import ErrorCode, WebSocketClose
from wire.pacing import TokenBucket

logger = logging.getLogger(__name__)

_closing: set[asyncio.Task[bool]] = set()
"""Close handshakes in flight; kept referenced so they are not garbage-collected mid-way."""


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated party: a shop account, or a platform buyer."""

    role: str  # "agent" | "supervisor" | "buyer"
    user_id: str
    display_name: str
    shop_id: int | None = None
    shop_slug: str | None = None
    token_hash: str | None = None

    @property
    def is_buyer(self) -> bool:
        return self.role == "buyer"


class Connection:
    """One WebSocket. Frames go out through a bounded queue drained by a short-lived pump task.

    Delivery of chat messages goes through `deliver`, which keeps a per-conversation cursor so a
    message is never sent twice on this connection, and holds live messages while the
    connection is catching up (`sync`), so the gap arrives first and in order.
    """

    __slots__ = (
        "_held",
        "_limit",
        "_pump",
        "_queue",
        "bucket",
        "catching_up",
        "closed",
        "cursors",
        "principal",
        "synced",
        "ws",
    )

    def __init__(
        self, ws: web.WebSocketResponse, principal: Principal, bucket: TokenBucket, queue_limit: int
    ) -> None:
        self.ws = ws
        self.principal = principal
        self.bucket = bucket
        self.cursors: dict[int, int] = {}
        self.catching_up = 0
        self.synced = False
        self._held: list[tuple[int, int, bytes]] = []
        self._queue: deque[bytes] = deque()
        self._limit = queue_limit
        self._pump: asyncio.Task[None] | None = None
        self.closed = False

    # outgoing -------------------------------------------------------------------------------

    def send(self, data: bytes) -> None:
        """Queue a frame; a connection whose queue is full is closed as a slow consumer."""
        if self.closed:
            return
        if len(self._queue) >= self._limit:
            logger.warning("closing slow consumer %s (%d frames queued)", self.principal.user_id, len(self._queue))
            self.close(WebSocketClose.SLOW_CONSUMER, ErrorCode.SLOW_CONSUMER.value)
            return
        self._queue.append(data)
        if self._pump is None:
            self._pump = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        try:
            while self._queue and not self.closed:
                await self.ws.send_frame(self._queue.popleft(), WSMsgType.TEXT)
        except (ConnectionError, RuntimeError) as exc:  # peer went away mid-send
            logger.debug("send failed: %s", exc)
            self.closed = True
        finally:
            self._pump = None

    def deliver(self, conversation_id: int, seq: int, data: bytes) -> None:
        """Send message `seq` of a conversation unless this connection already has it."""
        if self.catching_up:
            self._held.append((conversation_id, seq, data))
            return
        if seq <= self.cursors.get(conversation_id, 0):
            return
        self.cursors[conversation_id] = seq
        self.send(data)

    def start_catch_up(self) -> None:
        """Hold live messages until the matching `finish_catch_up` (catch-ups may nest)."""
        self.catching_up += 1

    def finish_catch_up(self) -> None:
        """Release what arrived live during catch-up, minus what the catch-up already sent."""
        self.catching_up -= 1
        if self.catching_up:
            return
        held, self._held = self._held, []
        for conversation_id, seq, data in held:
            self.deliver(conversation_id, seq, data)

    async def flush(self) -> None:
        """Wait until the queue is sent (used before closing on shutdown)."""
        pump = self._pump
        if pump is not None:
            await asyncio.shield(pump)

    def close(self, code: int, reason: str) -> None:
        """Close the connection without waiting for queued frames."""
        if self.closed:
            return
        self.closed = True
        self._queue.clear()
        task = asyncio.get_running_loop().create_task(
            self.ws.close(code=code, message=reason.encode())
        )
        _closing.add(task)
        task.add_done_callback(_closing.discard)
