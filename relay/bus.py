"""Live events between relays: one Redis Stream, read by every relay from the last id it saw.

What crosses relays is only what is live (a committed message's frame, receipts, routing and call
frames); PostgreSQL stays the truth (docs/architecture.md, "Several relays"). So the bus never
blocks the relay and never has to be perfect, but it must say when it may have lost something:
`on_gap` is called whenever events may have been missed, and the relay then catches its
connections up from the database by seq.

A gap is declared when
- Redis restarted (its `run_id` changed: the stream came back empty),
- the stream was trimmed past the last id this relay read (it was away too long; see
  `_check_for_gap`),
- this relay could not publish (Redis unreachable for longer than its queue holds): it tells the
  others with a `gap` event once Redis is back, since they cannot know,
- a peer's `gap` event arrives.

Events are (kind, payload bytes). Publishing only queues: one task sends the queue in order, what
has gathered since its last write as one stream entry (up to BATCH events or BATCH_BYTES: one
`XADD`, one encoding, one entry for each reader to decode, however busy the relay), and keeps what
it could not send for when Redis returns. An entry's fields: `r` the relay, `e` a msgpack array of
[kind, payload] pairs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import msgspec
import redis.asyncio as aioredis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

STREAM = "kefu:events"
MAXLEN = 200_000
"""Entries the stream keeps (approximately): minutes of a peak; a relay away longer catches up."""
MAX_PENDING = 50_000
"""Events queued while Redis is unreachable; beyond, the oldest are dropped and a gap is announced."""
BATCH = 500
"""Events at most in one stream entry."""
BATCH_BYTES = 1 << 20
"""Payload bytes at most in one stream entry (one larger event goes alone)."""
READ_ENTRIES = 100
BLOCK_MS = 1000
RETRY_S = (0.1, 0.2, 0.5, 1.0, 2.0)
GAP = "gap"


def _redacted(url: str) -> str:
    """The URL without its password (redis://:secret@host or redis://user:secret@host), for logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit(parts._replace(netloc=user + (parts.hostname or "") + (f":{parts.port}" if parts.port else "")))


_encode_batch = msgspec.msgpack.Encoder().encode
_decode_batch = msgspec.msgpack.Decoder(list[tuple[str, bytes]]).decode


def _id(value: bytes | str) -> tuple[int, int]:
    text = value.decode() if isinstance(value, bytes) else value
    ms, _, seq = text.partition("-")
    return int(ms), int(seq or 0)


class Bus:
    """One relay's end of the stream (see the module's docstring)."""

    def __init__(self, url: str, relay_id: str, on_event: Callable[[str, bytes], None],
                 on_gap: Callable[[], Awaitable[None]], *, stream: str = STREAM, maxlen: int = MAXLEN) -> None:
        self.url = url
        self.relay_id = relay_id
        self.on_event = on_event
        self.on_gap = on_gap
        self.stream = stream
        self.maxlen = maxlen
        self._redis: aioredis.Redis | None = None
        self._pending: deque[tuple[str, bytes]] = deque()
        self._wake = asyncio.Event()
        self._drained = asyncio.Event()
        self._drained.set()
        self._tasks: list[asyncio.Task[None]] = []
        self._last_id: Any = None
        """The id of the last entry read (bytes); None until first connected."""
        self._run_id: str | None = None
        self._dropped = False
        self._gap_task: asyncio.Task[None] | None = None
        self._closing = False
        self.connected = False
        self.published = 0
        self.received = 0
        self.gaps = 0
        self.last_error: str | None = None

    async def start(self) -> None:
        self._redis = aioredis.Redis.from_url(self.url, socket_timeout=BLOCK_MS / 1000 + 5,
                                              socket_connect_timeout=2.0, health_check_interval=0)
        self._tasks = [asyncio.create_task(self._read_loop(), name="bus-read"),
                       asyncio.create_task(self._write_loop(), name="bus-write")]

    async def close(self) -> None:
        self._closing = True  # the loops end even if a cancellation is swallowed inside the client
        self._wake.set()
        for task in [*self._tasks, *([self._gap_task] if self._gap_task else [])]:
            task.cancel()
        await asyncio.wait(self._tasks, timeout=BLOCK_MS / 1000 + 1)
        self._tasks = []
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None

    async def flush(self, timeout: float) -> bool:
        """Wait (up to `timeout`) until everything published so far is on the stream; whether it is."""
        if self._tasks:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._drained.wait(), timeout)
        return not self._pending

    def health(self) -> dict[str, Any]:
        return {"connected": self.connected, "pending": len(self._pending), "published": self.published,
                "received": self.received, "gaps": self.gaps, "last_error": self.last_error}

    def publish(self, kind: str, payload: bytes) -> None:
        """Queue an event for the other relays; never blocks, never raises."""
        if len(self._pending) >= MAX_PENDING:
            self._pending.popleft()
            self._dropped = True
        self._pending.append((kind, payload))
        self._drained.clear()
        self._wake.set()

    # sending ---------------------------------------------------------------------------------

    async def _write_loop(self) -> None:
        assert self._redis is not None
        failures = 0
        while not self._closing:
            if not self._pending and not self._dropped:
                self._wake.clear()
                await self._wake.wait()
            if self._dropped:
                self._pending.appendleft((GAP, b""))  # the others may have missed what was dropped
                self._dropped = False
            batch = self._next_batch()
            try:
                await self._redis.xadd(self.stream, {"r": self.relay_id, "e": _encode_batch(batch)},
                                       maxlen=self.maxlen, approximate=True)
            except (RedisError, OSError) as exc:
                self.last_error = f"publish: {exc}"
                await asyncio.sleep(RETRY_S[min(failures, len(RETRY_S) - 1)])
                failures += 1
                continue
            failures = 0
            for _ in batch:
                self._pending.popleft()
            self.published += len(batch)
            if not self._pending:
                self._drained.set()

    def _next_batch(self) -> list[tuple[str, bytes]]:
        batch: list[tuple[str, bytes]] = []
        size = 0
        for event in self._pending:
            size += len(event[1])
            if len(batch) == BATCH or (batch and size > BATCH_BYTES):
                break
            batch.append(event)
        return batch

    # reading ---------------------------------------------------------------------------------

    async def _read_loop(self) -> None:
        assert self._redis is not None
        failures = 0
        while not self._closing:
            try:
                await self._check_for_gap()
                self.connected = True
                failures = 0
                while not self._closing:
                    assert self._last_id is not None
                    answer: Any = await self._redis.xread({self.stream: self._last_id}, count=READ_ENTRIES,
                                                          block=BLOCK_MS)
                    for _, entries in answer or ():
                        for entry_id, fields in entries:
                            self._last_id = entry_id
                            self._deliver(fields)
            except (RedisError, OSError) as exc:
                if self.connected:
                    logger.warning("lost Redis at %s: %s; this relay's own clients are unaffected",
                                   _redacted(self.url), exc)
                self.connected = False
                self.last_error = f"read: {exc}"
                await asyncio.sleep(RETRY_S[min(failures, len(RETRY_S) - 1)])
                failures += 1

    def _deliver(self, fields: Any) -> None:
        if fields.get(b"r", b"").decode() == self.relay_id:
            return
        try:
            events = _decode_batch(fields.get(b"e", b""))
        except msgspec.DecodeError:
            self._gap("an unreadable entry on the stream (a relay of another version?)")
            return
        for kind, payload in events:
            self.received += 1
            if kind == GAP:
                self._gap("a peer could not publish everything")
                continue
            try:
                self.on_event(kind, payload)
            except Exception:
                logger.exception("a bus event (%s) could not be handled", kind)

    async def _check_for_gap(self) -> None:
        """On (re)connecting: whether anything may have been missed since the last id read."""
        assert self._redis is not None
        run_id = str((await self._redis.info("server"))["run_id"])
        newest: Any = await self._redis.xrevrange(self.stream, count=1)
        if self._last_id is None:  # first connection: start from now (clients sync from the database)
            self._run_id = run_id
            self._last_id = newest[0][0] if newest else b"0-0"
            return
        if run_id != self._run_id:
            self._run_id = run_id
            self._last_id = b"0-0"  # the stream is new: all of it is since the restart
            self._gap("Redis restarted")
            return
        if not newest:
            return
        # Trimming drops the oldest entries first: if even the oldest one left is newer than the last one
        # read, entries after it may be gone. (That may be a false alarm, when none lay between: a catch-up
        # that finds nothing costs little; missing a gap would cost messages on screens.)
        info: Any = await self._redis.xinfo_stream(self.stream)
        oldest = info["first-entry"][0]
        trimmed_any = int(info["entries-added"]) > int(info["length"])
        if _id(oldest) > _id(self._last_id) and (_id(self._last_id) != (0, 0) or trimmed_any):
            self._gap("the stream was trimmed past what this relay read")

    def declare_gap(self, why: str, handler: Callable[[], Awaitable[None]] | None = None) -> None:
        """Events may have been missed for a reason the bus cannot see (a peer relay died with events
        it had not published): run `handler` (by default `on_gap`), once at a time."""
        self._gap(why, handler)

    def _gap(self, why: str, handler: Callable[[], Awaitable[None]] | None = None) -> None:
        self.gaps += 1
        logger.info("may have missed live events (%s): catching up from the database", why)
        if self._gap_task is None or self._gap_task.done():
            self._gap_task = asyncio.create_task(self._run_gap(handler or self.on_gap), name="bus-gap")

    async def _run_gap(self, handler: Callable[[], Awaitable[None]]) -> None:
        try:
            await handler()
        except Exception:
            logger.exception("catching up after a gap failed")
