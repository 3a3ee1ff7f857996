"""A TCP proxy on loopback that injures the connections passing through it, for chaos tests.

Clients connect to the proxy (`ChaosProxy.url`) instead of the relay; every connection is piped to
the relay's port. The faults, each switched on by the test or by a seeded schedule (`run_schedule`):

- delay: every chunk waits a jittered time before it is forwarded (order within a connection is kept,
  as TCP keeps it);
- cut: a connection forwards exactly N more bytes in one direction, then is closed, so a WebSocket
  frame arrives cut in half (the peer reads the first part of the frame, then end of stream);
- refuse: for a while, new connections are closed as soon as they are accepted;
- drop: for a while, new connections are accepted and then swallowed (nothing is forwarded, nothing
  is answered), like a network that loses every packet;
- blackhole: an open connection stops forwarding without closing; only a timeout or a heartbeat of one
  of its ends can tell. What it is sent, its close included, is read and thrown away (the sender is not
  slowed down: the bytes are lost, not queued); the proxy lets go of it once both ends have closed.

`heal` ends every fault: no delay, no refusing or dropping, armed cuts disarmed, and blackholed
connections closed (they cannot carry on: bytes were thrown away). Loopback only, never anything else.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

logger = logging.getLogger(__name__)

Direction = Literal["up", "down"]
"""`up`: client to relay; `down`: relay to client."""
CHUNK = 65536
LOOPBACK = "127.0.0.1"


@dataclass(eq=False)
class Pipe:
    """One client connection and its connection to the relay."""

    number: int
    client: asyncio.StreamWriter
    upstream: asyncio.StreamWriter | None = None
    forwarded: dict[Direction, int] = field(default_factory=lambda: {"up": 0, "down": 0})
    cut_at: dict[Direction, int | None] = field(default_factory=lambda: {"up": None, "down": None})
    """Per direction, the count of forwarded bytes at which the pipe is cut (None: not armed)."""
    blackholed: bool = False
    closed: bool = False
    ended: set[Direction] = field(default_factory=set)
    """The directions whose sender closed (or reset) its end."""
    head: bytes = b""
    """The first bytes the client sent (`GET /ws?v=1 HTTP/1.1`...): which kind of connection this is."""
    cut_mid_chunk: bool = False
    """The cut fell inside a chunk read from the sender: its first part was forwarded, the rest was not."""

    def abort(self) -> None:
        """Close both ends at once, dropping whatever is still buffered."""
        self.closed = True
        for writer in (self.client, self.upstream):
            if writer is not None:
                writer.transport.abort()

    def close(self) -> None:
        """Close both ends after what was written reaches them (FIN, not RST)."""
        self.closed = True
        for writer in (self.client, self.upstream):
            if writer is not None and not writer.is_closing():
                writer.close()


class ChaosProxy:
    """Forwards 127.0.0.1:<random port> to 127.0.0.1:`upstream_port`, with the faults of the module doc."""

    def __init__(self, upstream_port: int, *, seed: int) -> None:
        self.upstream_port = upstream_port
        self.seed = seed
        self.rng = random.Random(seed)
        """Draws the schedule's faults and the connections they hit."""
        self._jitter = random.Random(seed + 1)  # apart, so that traffic does not shift the schedule's draws
        self.port = 0
        self.delay: tuple[float, float] = (0.0, 0.0)
        """Seconds a chunk waits before it is forwarded, uniformly between the two."""
        self.pipes: list[Pipe] = []
        """The open connections, oldest first."""
        self.stats: Counter[str] = Counter()
        self._refuse_until = 0.0
        self._drop_until = 0.0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._numbers = 0

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, LOOPBACK, 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        """Stop listening and close every connection."""
        if self._server is not None:
            self._server.close()
        for pipe in list(self.pipes):
            pipe.abort()  # their pumps end by themselves (a cancelled connection task would be logged)
        if self._tasks:
            _, stuck = await asyncio.wait(list(self._tasks), timeout=5)
            for task in stuck:
                task.cancel()
        if self._server is not None:
            await self._server.wait_closed()

    # faults ---------------------------------------------------------------------------------

    def _now(self) -> float:
        return asyncio.get_running_loop().time()

    def set_delay(self, low: float, high: float) -> None:
        """Every chunk from now on waits between `low` and `high` seconds (0, 0: none)."""
        self.delay = (low, high)

    def websockets(self) -> list[Pipe]:
        """The open connections that began with a WebSocket upgrade to the relay's /ws (not blackholed)."""
        return [p for p in self.pipes if p.head.startswith(b"GET /ws") and not p.blackholed]

    def cut_after(self, nbytes: int, direction: Direction = "down", pipe: Pipe | None = None) -> list[Pipe]:
        """Cut `pipe` (every open connection when None) once it has forwarded `nbytes` more bytes in
        `direction`; returns the pipes armed."""
        armed = [pipe] if pipe is not None else list(self.pipes)
        for p in armed:
            p.cut_at[direction] = p.forwarded[direction] + nbytes
        self.stats["cuts_armed"] += len(armed)
        return armed

    def cut_random_after(self, nbytes: int, direction: Direction = "down") -> Pipe | None:
        """Arm a cut on one open connection, chosen by the seeded generator."""
        if not self.pipes:
            return None
        pipe = self.rng.choice(self.pipes)
        self.cut_after(nbytes, direction, pipe)
        return pipe

    def cut_all(self) -> None:
        """Reset every open connection now."""
        self.stats["reset"] += len(self.pipes)
        for pipe in list(self.pipes):
            pipe.abort()

    def refuse(self, seconds: float) -> None:
        """Close new connections as soon as they are accepted, for `seconds`."""
        self._refuse_until = self._now() + seconds

    def drop(self, seconds: float) -> None:
        """Accept new connections and swallow them (no answer, no close), for `seconds`."""
        self._drop_until = self._now() + seconds

    def blackhole(self, pipe: Pipe | None = None) -> Pipe | None:
        """Stop forwarding on `pipe` (one chosen by the seeded generator when None) without closing it."""
        if pipe is None:
            if not self.pipes:
                return None
            pipe = self.rng.choice(self.pipes)
        pipe.blackholed = True
        self.stats["blackholed"] += 1
        return pipe

    def heal(self) -> None:
        """End every fault; blackholed connections are closed (their streams lost bytes)."""
        self.delay = (0.0, 0.0)
        self._refuse_until = self._drop_until = 0.0
        for pipe in list(self.pipes):
            pipe.cut_at = {"up": None, "down": None}
            if pipe.blackholed:
                pipe.abort()

    async def run_schedule(self, duration: float, *, pause: tuple[float, float] = (0.15, 0.6),
                           max_cut: int = 3000) -> list[str]:
        """Faults drawn from the seeded generator, one after another for `duration` seconds, then `heal`.
        Returns what it did, in order (for the failure message of a test)."""
        log: list[str] = []
        end = self._now() + duration
        rng = self.rng
        try:
            while self._now() < end:
                kind = rng.choices(["delay", "cut_one", "cut_all", "refuse", "drop", "blackhole", "calm"],
                                   weights=[3, 5, 1, 1, 1, 1, 2])[0]
                if kind == "delay":
                    high = rng.uniform(0.0, 0.05)
                    self.set_delay(0.0, high)
                    log.append(f"delay<={high:.3f}")
                elif kind == "cut_one":
                    n, direction = rng.randint(1, max_cut), rng.choice(["up", "down"])
                    pipe = self.cut_random_after(n, direction)  # type: ignore[arg-type]
                    log.append(f"cut#{pipe.number if pipe else '-'}:{direction}+{n}")
                elif kind == "cut_all":
                    n = rng.randint(1, max_cut)
                    self.cut_after(n, "down")
                    log.append(f"cut_all:down+{n}")
                elif kind == "refuse":
                    self.refuse(seconds := rng.uniform(0.1, 0.5))
                    log.append(f"refuse {seconds:.2f}s")
                elif kind == "drop":
                    self.drop(seconds := rng.uniform(0.1, 0.4))
                    log.append(f"drop {seconds:.2f}s")
                elif kind == "blackhole":
                    pipe = self.blackhole()
                    log.append(f"blackhole#{pipe.number if pipe else '-'}")
                else:
                    self.set_delay(0.0, 0.0)
                    log.append("calm")
                await asyncio.sleep(rng.uniform(*pause))
        finally:
            self.heal()
            log.append("heal")
        return log

    # forwarding -----------------------------------------------------------------------------

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._numbers += 1
        pipe = Pipe(self._numbers, writer)
        now = self._now()
        if now < self._refuse_until:
            self.stats["refused"] += 1
            writer.transport.abort()
            return
        self.stats["connections"] += 1
        self.pipes.append(pipe)
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)  # close() waits for it
        try:
            if now < self._drop_until:  # swallowed: never reaches the relay, read until the client gives up
                self.stats["dropped"] += 1
                pipe.blackholed = True
                await self._pump(pipe, "up", reader, writer)
                return
            try:
                up_reader, pipe.upstream = await asyncio.open_connection(LOOPBACK, self.upstream_port)
            except OSError:
                writer.transport.abort()
                return
            await asyncio.gather(self._pump(pipe, "up", reader, pipe.upstream),
                                 self._pump(pipe, "down", up_reader, writer))
        finally:
            pipe.close()
            self._tasks.discard(task)
            if pipe in self.pipes:
                self.pipes.remove(pipe)

    async def _pump(self, pipe: Pipe, direction: Direction, reader: asyncio.StreamReader,
                    writer: asyncio.StreamWriter) -> None:
        try:
            while not pipe.closed:
                chunk = await reader.read(CHUNK)
                if not chunk:
                    pipe.ended.add(direction)
                    break
                if direction == "up" and not pipe.head:
                    pipe.head = chunk[:256]
                if pipe.blackholed:
                    continue  # read and thrown away: neither end is told
                low, high = self.delay
                if high > 0:
                    await asyncio.sleep(self._jitter.uniform(low, high))
                if pipe.closed or pipe.blackholed:
                    continue
                limit = pipe.cut_at[direction]
                if limit is not None and pipe.forwarded[direction] + len(chunk) >= limit:
                    part = chunk[: max(0, limit - pipe.forwarded[direction])]
                    pipe.cut_mid_chunk = 0 < len(part) < len(chunk)
                    self.stats["cuts_mid_chunk"] += pipe.cut_mid_chunk
                    writer.write(part)
                    pipe.forwarded[direction] += len(part)
                    self.stats["cuts"] += 1
                    with contextlib.suppress(ConnectionError):
                        await writer.drain()  # the first part of the frame reaches the peer, then the end
                    break
                writer.write(chunk)
                pipe.forwarded[direction] += len(chunk)
                self.stats[f"bytes_{direction}"] += len(chunk)
                await writer.drain()
        except (ConnectionError, OSError) as exc:
            pipe.ended.add(direction)
            logger.debug("pipe %d %s: %s", pipe.number, direction, exc)
        finally:
            if not pipe.blackholed:
                pipe.close()  # the end of one direction ends the other; a blackhole does not pass it on
