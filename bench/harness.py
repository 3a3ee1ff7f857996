"""Load-generating clients in child processes, shared by the relay benchmarks.

Each child process runs its own event loop (uvloop when available) with many WebSocket
connections, and reports back through a multiprocessing queue. Everything targets 127.0.0.1.

Measuring honestly under overload:
- Open-loop latency is measured from the moment a frame was *due* (its place in the offered
  schedule), not from when the client got round to sending it: when the relay pushes back
  through TCP, the wait counts (no coordinated omission). Frames still not sent when the phase
  ends are counted as `unsent`, not silently dropped.
- After each phase the clients wait until every frame sent in it is answered (`drain`). A
  connection the relay closed is reopened and its unanswered frames are sent again with the same
  `client_msg_id`, as a real client would; the relay answers `duplicate` for those it had stored.
  Whatever is still unanswered after that is reported as `unacked`.
- Every ack's (client_msg_id, seq) is kept, so the caller can check them against the database.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import msgspec

TEXT = "亲，这款油烟机的安装高度是多少？我家灶台到吊柜只有七十公分，能装吗？" * 2  # ~200 bytes
DRAIN_S = 20.0
"""How long, after a phase, clients wait for the answers to what they sent in it."""
RESULT_TIMEOUT_S = 300.0
HANDSHAKE_TIMEOUT_S = 10.0
RECONNECT_TRIES = 5


class Reply(msgspec.Struct):
    """What the load clients read of any reply: its type, request id, and an ack's fields."""

    type: str
    id: str | None = None
    seq: int | None = None
    duplicate: bool = False


_reply = msgspec.json.Decoder(Reply)


def raise_file_limit() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop

        return uvloop.new_event_loop()
    except ImportError:
        return asyncio.new_event_loop()


@dataclass
class Phase:
    """One measured phase: closed loop with `inflight` outstanding, or open loop at `rate` msgs/s in all."""

    name: str
    seconds: float
    inflight: int = 0
    rate: float = 0.0
    cut_after: float = 0.0
    """Closed loop: this many seconds in, every client closes its connection with frames in flight,
    reopens it and resends what was not answered (the relay must store each exactly once)."""


@dataclass
class PhaseResult:
    sent: int = 0
    """Frames sent during the phase (open loop: at most what was offered)."""
    unsent: int = 0
    """Open loop: frames due before the phase ended that could not be sent by then (back-pressure)."""
    acks: int = 0
    duplicates: int = 0
    """Acks marked `duplicate`: resends of frames the relay had stored before a connection dropped."""
    errors: int = 0
    unacked: int = 0
    """Frames never answered, even after reconnecting and resending."""
    dropped: int = 0
    """Connections the relay closed during the phase (reopened before the next one)."""
    cut: int = 0
    """Connections the clients closed on purpose (`Phase.cut_after`) and reopened."""
    failed_reconnects: int = 0
    """Connections that could not be reopened (the relay refused or closed them during set-up)."""
    resent: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    span_s: float = 0.0
    """From the phase's start to the last ack of a frame sent in it (first sends only)."""
    cpu_s: float = 0.0
    """CPU time the server process used from the phase's start until all its answers were in."""

    def merge(self, other: PhaseResult) -> None:
        for name in ("sent", "unsent", "acks", "duplicates", "errors", "unacked", "dropped", "cut", "resent",
                     "failed_reconnects"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.latencies_ms.extend(other.latencies_ms)
        self.span_s = max(self.span_s, other.span_s)

    def rate(self, seconds: float) -> float:
        """Acked msgs/s: acks over the time from the start to the last ack (at least the phase)."""
        return self.acks / max(seconds, self.span_s)


async def open_buyer(http: aiohttp.ClientSession, url: str, token: str | None) -> tuple[Any, int]:
    """A buyer connection through the relay's handshake, sync and open; returns (ws, conversation_id)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    ws = await http.ws_connect(url.replace("http", "ws", 1) + "/ws?v=1", headers=headers, compress=0,
                               max_msg_size=0, autoping=True)
    if token is None:  # the bare echo server: no protocol
        return ws, 1

    async def text() -> str:
        msg = await ws.receive(timeout=HANDSHAKE_TIMEOUT_S)
        if msg.type is not aiohttp.WSMsgType.TEXT:
            await ws.close()
            raise ConnectionError(f"relay closed the connection during set-up ({msg.type.name}, {ws.close_code})")
        return str(msg.data)

    await text()  # welcome
    await ws.send_str('{"type":"sync","id":"sync"}')
    while _reply.decode(await text()).id != "sync":
        pass
    await ws.send_str('{"type":"open","id":"open","shop":"jiadian"}')
    while True:
        data = await text()
        if _reply.decode(data).id == "open":
            return ws, int(msgspec.json.decode(data)["conversation"]["conversation_id"])


class Sender:
    """One buyer connection sending `send` frames and timing their acks."""

    def __init__(self, http: aiohttp.ClientSession, url: str, token: str | None, tag: str, index: int) -> None:
        self.http = http
        self.url = url
        self.token = token
        self.tag = tag
        self.index = index
        self.ws: Any = None
        self.conversation_id = 0
        self.n = 0
        self.outstanding: dict[str, float] = {}
        """Request id -> when it was due (negative for a resend: no latency is recorded)."""
        self.result = PhaseResult()
        self.refill_until = 0.0  # closed loop: each ack sends the next frame until then
        self.phase_start = 0.0
        self.acked: list[tuple[int, int]] = []
        """(n of client_msg_id "<tag>-<n>", seq) of every ack from the relay."""
        self.dropped = False
        self.close_codes: list[int | None] = []
        self.reader: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        self.ws, self.conversation_id = await open_buyer(self.http, self.url, self.token)
        self.dropped = False
        self.reader = asyncio.get_running_loop().create_task(self.read())

    def frame(self, rid: str) -> str:
        return (f'{{"type":"send","id":"{rid}","conversation_id":{self.conversation_id},'
                f'"client_msg_id":"{rid}","text":"{TEXT}"}}')

    async def send_one(self, due: float | None = None) -> None:
        self.n += 1
        rid = f"{self.tag}-{self.n}"
        self.outstanding[rid] = due if due is not None else time.perf_counter()
        self.result.sent += 1
        await self._send(rid)

    async def _send(self, rid: str) -> None:
        if self.dropped:
            return  # stays outstanding: resent after reconnecting
        try:
            await self.ws.send_str(self.frame(rid))
        except (ConnectionError, RuntimeError, aiohttp.ClientError):
            self.dropped = True

    async def read(self) -> None:
        ws = self.ws
        async for msg in ws:
            if msg.type is not aiohttp.WSMsgType.TEXT:
                break
            reply = _reply.decode(msg.data)
            rid = reply.id
            started = self.outstanding.pop(rid, None) if rid else None
            if started is None:
                continue
            now = time.perf_counter()
            result = self.result
            if reply.type == "error":
                result.errors += 1
            else:
                result.acks += 1
                if reply.duplicate:
                    result.duplicates += 1
                if started >= 0:
                    result.latencies_ms.append((now - started) * 1000)
                    result.span_s = max(result.span_s, now - self.phase_start)
                if reply.seq is not None and rid is not None:
                    self.acked.append((int(rid.rpartition("-")[2]), reply.seq))
            if now < self.refill_until and not self.dropped:
                await self.send_one()
        self.dropped = True
        self.close_codes.append(ws.close_code)

    async def reconnect_and_resend(self, *, cut: bool = False, count: bool = True) -> None:
        """Reopen a closed connection and send its unanswered frames again (same ids)."""
        if cut:
            self.result.cut += 1
        elif count:
            self.result.dropped += 1
        self.dropped = True
        try:
            await self.ws.close()
        except Exception:  # already gone
            pass
        if self.reader is not None:
            await asyncio.gather(self.reader, return_exceptions=True)
        for attempt in range(RECONNECT_TRIES):
            try:
                await self.connect()
                break
            except (ConnectionError, TimeoutError, aiohttp.ClientError):
                await asyncio.sleep(0.2 * 2**attempt)
        else:
            self.result.failed_reconnects += 1
            return  # stays dropped: what it had outstanding is reported as unacked
        for rid in list(self.outstanding):
            self.outstanding[rid] = -1.0
            self.result.resent += 1
            await self._send(rid)


async def open_loop(s: Sender, start: float, deadline: float, interval: float, offset: float) -> None:
    """Send on schedule: one frame every `interval`, each timed from when it was due."""
    k = 0
    while True:
        due = start + offset + k * interval
        if due >= deadline:
            return
        now = time.perf_counter()
        if now >= deadline or s.dropped:
            s.result.unsent += int((deadline - due) / interval) + 1
            return
        if due > now:
            await asyncio.sleep(due - now)
        await s.send_one(due)
        k += 1


async def drain(senders: list[Sender], timeout: float) -> None:
    """Wait until every live connection has its answers (or the timeout)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline and any(s.outstanding and not s.dropped for s in senders):
        await asyncio.sleep(0.02)


async def run_phase(senders: list[Sender], phase: Phase, total_connections: int) -> PhaseResult:
    """Run one phase on these connections, then collect every answer to it (see the module doc)."""
    for s in senders:
        s.result = PhaseResult()
        if s.dropped:  # could not be reopened after an earlier phase: try again
            await s.reconnect_and_resend(count=False)
    start = time.perf_counter()
    deadline = start + phase.seconds
    for s in senders:
        s.phase_start = start
    if phase.inflight:
        for s in senders:
            s.refill_until = deadline
            for _ in range(phase.inflight):
                await s.send_one()
        if phase.cut_after:
            await asyncio.sleep(phase.cut_after)
            await asyncio.gather(*(s.reconnect_and_resend(cut=True) for s in senders))
        await asyncio.sleep(max(0.0, deadline - time.perf_counter()))
    else:
        interval = total_connections / phase.rate
        await asyncio.gather(*(open_loop(s, start, deadline, interval, interval * (s.index % 97) / 97)
                               for s in senders))
    for s in senders:
        s.refill_until = 0.0
    await drain(senders, DRAIN_S)
    if any(s.dropped for s in senders):
        for s in senders:
            if s.dropped:
                await s.reconnect_and_resend()
        await drain(senders, DRAIN_S)
    merged = PhaseResult()
    for s in senders:
        s.result.unacked += len(s.outstanding)
        s.outstanding.clear()  # given up on: the integrity check finds them stored or not
        merged.merge(s.result)
    return merged


def buyer_process(url: str, tokens: list[str | None], phases: list[Phase], total: int, tag: str,
                  first_index: int, barrier: Any, out: Any) -> None:
    """Child process: open the connections, then run each phase in step with the others."""
    raise_file_limit()
    loop = new_loop()

    async def main() -> None:
        async with aiohttp.ClientSession() as http:
            senders = [Sender(http, url, token, f"{tag}{i}", first_index + i) for i, token in enumerate(tokens)]
            for s in senders:
                await s.connect()
            for phase in phases:
                await loop.run_in_executor(None, barrier.wait)
                out.put((phase.name, await run_phase(senders, phase, total)))
            out.put(("acked", [(s.conversation_id, s.tag, s.acked) for s in senders]))
            for s in senders:
                await s.ws.close()
            await asyncio.gather(*(s.reader for s in senders if s.reader), return_exceptions=True)

    loop.run_until_complete(main())


@dataclass
class ClientRun:
    """What `run_clients` brings back: results per phase, and every ack per conversation."""

    phases: dict[str, PhaseResult]
    acked: list[tuple[int, str, list[tuple[int, int]]]]
    """(conversation_id, sender tag, [(n, seq), ...]): client_msg_id is "<tag>-<n>"."""


def run_clients(url: str, tokens: list[str | None], phases: list[Phase], processes: int,
                server_pid: int | None = None) -> ClientRun:
    """Run the phases from `processes` client processes; merge their results per phase.

    With `server_pid`, each phase also records the CPU time that process used during it.
    """
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    barrier = ctx.Barrier(processes + 1)
    share = len(tokens) // processes
    procs: list[mp.process.BaseProcess] = []
    merged: dict[str, PhaseResult] = {}
    acked: list[tuple[int, str, list[tuple[int, int]]]] = []
    finished = 0
    done = False
    try:
        for i in range(processes):
            procs.append(start(buyer_process, url, tokens[i * share:(i + 1) * share], phases, len(tokens),
                               chr(97 + i), i * share, barrier, out))
        for phase in phases:
            barrier.wait(timeout=RESULT_TIMEOUT_S)
            cpu_before = cpu_seconds(server_pid) if server_pid else 0.0
            result = PhaseResult()
            parts = 0
            while parts < processes:
                name, part = out.get(timeout=RESULT_TIMEOUT_S)
                if name == "acked":  # a process done with its last phase while another is not
                    acked.extend(part)
                    finished += 1
                    continue
                assert name == phase.name, (name, phase.name)
                result.merge(part)
                parts += 1
            result.cpu_s = (cpu_seconds(server_pid) - cpu_before) if server_pid else 0.0
            merged[phase.name] = result
        while finished < processes:
            name, part = out.get(timeout=RESULT_TIMEOUT_S)
            assert name == "acked", name
            acked.extend(part)
            finished += 1
        done = True
    finally:
        if done:  # they are closing their connections: let them
            for proc in procs:
                proc.join(timeout=30)
        stop_processes(procs)  # on failure or Ctrl-C, at once
    return ClientRun(merged, acked)


def start(target: Callable[..., Any], *args: Any) -> mp.process.BaseProcess:
    proc = mp.get_context("spawn").Process(target=target, args=args, daemon=True)
    proc.start()
    return proc


def stop_processes(procs: list[mp.process.BaseProcess], timeout: float = 5.0) -> None:
    """End child processes still running: SIGTERM, then SIGKILL for any still there after `timeout`."""
    for proc in procs:
        if proc.pid is not None and proc.is_alive():
            proc.terminate()
    for proc in procs:
        if proc.pid is None:
            continue
        proc.join(timeout)
        if proc.is_alive():
            proc.kill()
            proc.join(timeout)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far, from /proc."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
