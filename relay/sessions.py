"""Per-connection state: who is connected, what they have seen, and their bounded send queue."""

from __future__ import annotations

import asyncio
import logging
import struct
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web
from aiohttp.abc import AbstractStreamWriter
from aiohttp.base_protocol import BaseProtocol

from wire.errors import ErrorCode, WebSocketClose
from wire.pacing import TokenBucket

logger = logging.getLogger(__name__)

_closing: set[asyncio.Task[bool]] = set()
"""Close handshakes in flight; kept referenced so they are not garbage-collected mid-way."""

MAX_PENDING_WRITES = 64
"""Writes (sends) of one connection waiting for their commit; above this the relay stops reading
from that connection until some are committed, so a client that sends faster than the store
commits is held back by TCP instead of growing the relay's memory without bound."""

_FLUSH_FRAMES = 256
"""Frames queued in one loop iteration after which they are written at once."""

_PACK2 = struct.Struct("!BBH").pack
_PACK8 = struct.Struct("!BBQ").pack


def text_frame_header(length: int) -> bytes:
    """The header of an unmasked, final WebSocket text frame (RFC 6455 5.2) of `length` bytes."""
    if length < 126:
        return bytes((0x81, length))
    if length < 65536:
        return _PACK2(0x81, 126, length)
    return _PACK8(0x81, 127, length)


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated party: a shop account, or a platform buyer."""

    role: str  # "agent" | "supervisor" | "buyer"
    user_id: str
    display_name: str
    shop_id: int | None = None
    shop_slug: str | None = None
    token_hash: str | None = None
    expires_at: int | None = None
    """When the token or buyer session runs out (unix ms): its connections are closed then."""

    @property
    def is_buyer(self) -> bool:
        return self.role == "buyer"


MAX_REFUSED = 1000
"""Refused sends remembered per conversation and connection (beyond them, later sends go ahead)."""


class Connection:
    """One WebSocket. Frames go out through a bounded queue.

    Frames queued during one loop iteration are written to the socket together, at the end of
    the iteration, as one write: a batch of acks and messages costs one system call, and no task
    is created while the socket accepts data. Only while the socket is full (the peer does not
    read) does a task wait for it to drain. `send_queue_frames` frames waiting make the
    connection a slow consumer: it is closed with 4008.

    Delivery of chat messages goes through `deliver`, which keeps a per-conversation cursor so a
    message is never sent twice on this connection, and holds live messages while the
    connection is catching up (`sync`), so the gap arrives first and in order. A message that
    skips seqs after the cursor (several relays: another relay's earlier one is late, or was lost)
    is handed to `fill_gap`, which holds the connection while it sends the ones between.
    """

    __slots__ = (
        "_held",
        "_limit",
        "_loop",
        "_protocol",
        "_pump",
        "_queue",
        "_relief",
        "_scheduled",
        "_writer",
        "bucket",
        "catching_up",
        "closed",
        "cursors",
        "fill_gap",
        "pending_writes",
        "principal",
        "refused",
        "refused_ahead",
        "synced",
        "ws",
    )

    def __init__(
        self, ws: web.WebSocketResponse, principal: Principal, bucket: TokenBucket, queue_limit: int, *,
        writer: AbstractStreamWriter, protocol: BaseProtocol,
    ) -> None:
        self.ws = ws
        self.principal = principal
        self.bucket = bucket
        self.cursors: dict[int, int] = {}
        self.catching_up = 0
        self.fill_gap: Callable[[Connection, int], None] | None = None
        """Called, with the conversation, for a message that skips seqs; it must `start_catch_up` at once."""
        self.synced = False
        self._held: list[tuple[int, int, bytes]] | None = None
        self._queue: list[bytes] = []
        self._limit = queue_limit
        self._loop = asyncio.get_running_loop()
        # The HTTP stream under the WebSocket: its socket is written directly (see the class doc).
        self._writer = writer
        self._protocol = protocol
        self._pump: asyncio.Task[None] | None = None
        self._scheduled = False
        self._relief: asyncio.Future[None] | None = None
        self.pending_writes = 0
        self.refused: dict[int, list[str]] = {}
        """conversation -> client_msg_ids of sends refused as unavailable, in the order sent (see
        `held_back`)."""
        self.refused_ahead: dict[int, str] = {}
        """conversation -> the refused send last let go ahead (if it fails again, it stays first)."""
        self.closed = False

    # outgoing -------------------------------------------------------------------------------

    def send(self, data: bytes) -> None:
        """Queue a frame; a connection whose queue is full is closed as a slow consumer."""
        if self.closed:
            return
        queue = self._queue
        if len(queue) >= self._limit:
            logger.warning("closing slow consumer %s (%d frames queued)", self.principal.user_id, len(queue))
            self.close(WebSocketClose.SLOW_CONSUMER, ErrorCode.SLOW_CONSUMER.value)
            return
        queue.append(data)
        if self._pump is None:
            if len(queue) >= _FLUSH_FRAMES:
                self._flush()  # a long burst (a catch-up): write what we have while the socket takes it
            elif not self._scheduled:
                self._scheduled = True
                self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        """Write every queued frame in one go, unless the socket is full (then a task waits)."""
        self._scheduled = False
        queue = self._queue
        if self.closed or self._pump is not None or not queue:
            return
        transport = self._writer.transport
        if transport is None or transport.is_closing() or self.ws.closed:
            self._lost()
            return
        if self._protocol.writing_paused:
            self._pump = self._loop.create_task(self._drain())
            return
        if len(queue) == 1:
            data = queue[0]
            transport.write(text_frame_header(len(data)) + data)
        else:
            parts = []
            for data in queue:
                parts.append(text_frame_header(len(data)))
                parts.append(data)
            transport.write(b"".join(parts))
        queue.clear()

    async def _drain(self) -> None:
        """Wait until the socket takes data again, then write what queued up meanwhile."""
        try:
            await self._writer.drain()
        except (ConnectionError, RuntimeError) as exc:  # peer went away
            logger.debug("send failed: %s", exc)
            self._lost()
        finally:
            self._pump = None
        self._flush()
        self._relieve()

    def _lost(self) -> None:
        self.closed = True
        self._queue.clear()
        self._relieve()

    # Sends stay in the order sent across a refusal: after a send into a conversation is refused as
    # unavailable (the database away), the later sends into it on this connection are refused too,
    # unattempted, until the refused one is sent again. (Pipelined behind it, they would otherwise be
    # stored before its resend, once the database is back.)

    def held_back(self, conversation_id: int, client_msg_id: str) -> bool:
        """Whether this send must wait for an earlier refused one (recorded, to be refused now); when it
        is the earliest refused one, it goes ahead."""
        refused = self.refused.get(conversation_id)
        if not refused:
            return False
        if refused[0] == client_msg_id:
            refused.pop(0)
            self.refused_ahead[conversation_id] = client_msg_id
            return False
        if client_msg_id not in refused and len(refused) < MAX_REFUSED:
            refused.append(client_msg_id)
        return True

    def send_failed(self, conversation_id: int, client_msg_id: str) -> None:
        """A send into the conversation was refused as unavailable: in its place among the refused ones
        (refusals come in the order sent; one that went ahead and failed again goes first again)."""
        refused = self.refused.setdefault(conversation_id, [])
        if client_msg_id in refused or len(refused) >= MAX_REFUSED:
            return
        if self.refused_ahead.get(conversation_id) == client_msg_id:
            refused.insert(0, client_msg_id)
        else:
            refused.append(client_msg_id)

    def deliver(self, conversation_id: int, seq: int, data: bytes) -> None:
        """Send message `seq` of a conversation unless this connection already has it."""
        if self.catching_up:
            if self._held is None:
                self._held = []
            self._held.append((conversation_id, seq, data))
            return
        cursor = self.cursors.get(conversation_id)
        if cursor is not None and seq > cursor + 1 and self.fill_gap is not None and not self.closed:
            self.fill_gap(self, conversation_id)
            if self.catching_up:
                self.deliver(conversation_id, seq, data)  # held until the seqs between are sent
                return
        if seq <= (cursor or 0):
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
        held, self._held = self._held, None
        for conversation_id, seq, data in held or ():
            self.deliver(conversation_id, seq, data)

    async def flush(self) -> None:
        """Wait until the queue is sent (used before closing on shutdown)."""
        self._flush()
        pump = self._pump
        if pump is not None:
            await asyncio.shield(pump)

    # back-pressure ----------------------------------------------------------------------------

    def write_done(self) -> None:
        """One of this connection's writes was committed (or failed)."""
        self.pending_writes -= 1
        if self._relief is not None and self.pending_writes < MAX_PENDING_WRITES // 2:
            self._relieve()

    def backlogged(self) -> bool:
        """True when the relay should stop reading from this connection for now."""
        return self.pending_writes >= MAX_PENDING_WRITES or self._pump is not None

    async def relieved(self) -> None:
        """Wait until enough writes are committed and the socket takes data again."""
        while self.backlogged() and not self.closed:
            self._relief = self._loop.create_future()
            await self._relief

    def _relieve(self) -> None:
        relief, self._relief = self._relief, None
        if relief is not None and not relief.done():
            relief.set_result(None)

    def close_unless_synced(self) -> None:
        """The sync deadline: a connection that has not synced by now is closed."""
        if not self.synced:
            self.close(WebSocketClose.POLICY, "expected sync")

    def close(self, code: int, reason: str) -> None:
        """Close the connection without waiting for queued frames."""
        if self.closed:
            return
        self._lost()
        task = self._loop.create_task(self.ws.close(code=code, message=reason.encode()))
        _closing.add(task)
        task.add_done_callback(_closing.discard)
