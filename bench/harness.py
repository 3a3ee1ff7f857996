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
- Every ack's (client_msg_id, seq) is kept, so the caller can check them against the database
  (`check_integrity`, on SQLite or PostgreSQL), together with what the agents (`agent_process`) received.
- Delivery latency (buyer's send to agent's receipt), when asked for (`record_sent`, `timestamps`): the
  buyers keep when each acked frame was sent (due), the agents when each buyer message reached them, both
  on `time.perf_counter()`, which on Linux is CLOCK_MONOTONIC, one clock for every process on the machine.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import resource
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
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
    cpu_by: dict[str, float] = field(default_factory=dict)
    """The same for each of `run_clients`' `cpu` probes (e.g. the relay, the database server), by name."""
    sent_at: dict[tuple[int, int], float] = field(default_factory=dict)
    """With `record_sent`: (conversation_id, seq) of each first send acked in the phase -> when it was due."""

    def merge(self, other: PhaseResult) -> None:
        for name in ("sent", "unsent", "acks", "duplicates", "errors", "unacked", "dropped", "cut", "resent",
                     "failed_reconnects"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.latencies_ms.extend(other.latencies_ms)
        self.span_s = max(self.span_s, other.span_s)
        self.sent_at.update(other.sent_at)

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
        self.record_sent = False
        """Keep when each acked first send was due, by (conversation_id, seq), in `result.sent_at`."""

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
                    if self.record_sent and reply.seq is not None:
                        result.sent_at[(self.conversation_id, reply.seq)] = started
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
                  first_index: int, barrier: Any, out: Any, record_sent: bool = False) -> None:
    """Child process: open the connections, then run each phase in step with the others."""
    raise_file_limit()
    loop = new_loop()

    async def main() -> None:
        async with aiohttp.ClientSession() as http:
            senders = [Sender(http, url, token, f"{tag}{i}", first_index + i) for i, token in enumerate(tokens)]
            for s in senders:
                s.record_sent = record_sent
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
                server_pid: int | None = None, *, cpu: dict[str, Callable[[], float]] | None = None,
                record_sent: bool = False) -> ClientRun:
    """Run the phases from `processes` client processes; merge their results per phase.

    With `server_pid`, each phase also records the CPU time that process used during it (`cpu_s`); with
    `cpu`, the CPU seconds each of these functions counts (`cpu_by`). `record_sent`: see `PhaseResult.sent_at`.
    """
    probes = cpu or {}
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
                               chr(97 + i), i * share, barrier, out, record_sent))
        for phase in phases:
            barrier.wait(timeout=RESULT_TIMEOUT_S)
            cpu_before = cpu_seconds(server_pid) if server_pid else 0.0
            probes_before = {name: probe() for name, probe in probes.items()}
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
            result.cpu_by = {name: probe() - probes_before[name] for name, probe in probes.items()}
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


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of a server and its children so far: its own user + system time, what its children that
    have exited used (cutime + cstime: it reaped them), and the user + system time of those still running
    (e.g. a PostgreSQL postmaster: its backends, one per connection, the WAL writer, the checkpointer...)."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rpartition(")")[2].split()
        except OSError:  # gone meanwhile
            continue
        if int(entry.name) == pid:
            total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
        elif int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


# --- agents -----------------------------------------------------------------------------------


class _Who(msgspec.Struct):
    kind: str = ""


class _Conv(msgspec.Struct):
    conversation_id: int = 0


class AgentFrame(msgspec.Struct):
    """What the agents read of a pushed frame."""

    type: str
    conversation_id: int | None = None
    seq: int | None = None
    sender: _Who | None = None
    conversation: _Conv | None = None


@dataclass
class AgentReport:
    """Buyer messages the agents received, by conversation, and how often they had to reconnect."""

    received: dict[int, list[int]] = field(default_factory=dict)
    repeats: int = 0
    """Buyer messages received a second time (never expected: cursors and `sync` prevent it)."""
    reconnects: int = 0
    close_codes: list[int | None] = field(default_factory=list)
    received_at: dict[tuple[int, int], float] = field(default_factory=dict)
    """With `timestamps`: (conversation_id, seq) of each buyer message -> when it first reached an agent
    (`time.perf_counter()`, taken as its frame arrived, before decoding it)."""


def agent_process(url: str, tokens: list[str], stop: Any, out: Any, timestamps: bool = False) -> None:
    """Agents that read every message pushed to them until told to stop.

    An agent the relay drops (e.g. as a slow consumer) reconnects and resumes with `sync` and its
    cursors, like the workstation does, so every buyer message must reach it exactly once.
    With `timestamps`, the report also says when each buyer message arrived (`AgentReport.received_at`).
    """
    loop = new_loop()
    decode = msgspec.json.Decoder(AgentFrame).decode

    async def main() -> None:
        report = AgentReport()
        seen: dict[int, set[int]] = defaultdict(set)
        async with aiohttp.ClientSession() as http:

            async def agent(token: str) -> None:
                cursors: dict[int, int] = {}  # this agent's: the last seq it saw of each of its chats
                mine: dict[int, set[int]] = defaultdict(set)
                try:
                    while not stop.is_set():
                        ws = await http.ws_connect(url.replace("http", "ws", 1) + "/ws?v=1", compress=0, max_msg_size=0,
                                                   headers={"Authorization": f"Bearer {token}"})
                        await ws.send_str(msgspec.json.encode({"type": "sync", "id": "s", "cursors": cursors}).decode())
                        async for msg in ws:
                            arrived = time.perf_counter()
                            if msg.type is not aiohttp.WSMsgType.TEXT:
                                break
                            frame = decode(msg.data)
                            if frame.type == "message" and frame.conversation_id is not None and frame.seq is not None:
                                conv = frame.conversation_id
                                cursors[conv] = max(cursors.get(conv, 0), frame.seq)
                                if frame.sender is not None and frame.sender.kind == "buyer":
                                    if frame.seq in mine[conv]:
                                        report.repeats += 1
                                    elif timestamps:
                                        report.received_at.setdefault((conv, frame.seq), arrived)
                                    mine[conv].add(frame.seq)
                            elif frame.type == "assignment" and frame.conversation is not None:
                                cursors.setdefault(frame.conversation.conversation_id, 0)
                        report.close_codes.append(ws.close_code)
                        if not stop.is_set():
                            report.reconnects += 1
                            await asyncio.sleep(0.1)
                finally:
                    for conv, seqs in mine.items():
                        seen[conv] |= seqs

            tasks = [asyncio.create_task(agent(t)) for t in tokens]
            while not stop.is_set():
                await asyncio.sleep(0.1)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        report.received = {conv: sorted(seqs) for conv, seqs in seen.items()}
        out.put(report)

    loop.run_until_complete(main())


# --- the relay and its database -----------------------------------------------------------------


UNLIMITED = ("--buyer-rate", "1000000/1000000", "--agent-rate", "1000000/1000000")
"""A relay's arguments for no rate limits (the load is the benchmark's to set)."""


async def prepare_relay(data_dir: Path, *relay_args: str, buyers: int = 50) -> tuple[Any, list[str | None], list[str]]:
    """A demo relay (`relay_args` added to its command line) with no rate limits, agent1 and agent2 of
    jiadian at cap 50; returns (the relay process, `buyers` buyer tokens, the two agents' tokens)."""
    from app.client import KefuClient, buyer_session, login
    from app.relay_process import spawn_relay
    from wire import frames as f

    relay = await spawn_relay(data_dir, "--demo", *UNLIMITED, *relay_args)
    try:
        supervisor = KefuClient(relay.url, (await login(relay.url, "jiadian", "super1", "kefu-demo")).token)
        await supervisor.connect()
        for agent_id in ("1", "2"):
            await supervisor.call(f.SetCap, agent_id=agent_id, cap=50)
        await supervisor.close()
        agents = [(await login(relay.url, "jiadian", u, "kefu-demo")).token for u in ("agent1", "agent2")]
        tokens: list[str | None] = [(await buyer_session(relay.url, f"b-jiadian-{i + 1:04d}")).token
                                    for i in range(buyers)]
    except BaseException:
        await relay.stop()
        raise
    return relay, tokens, agents


@dataclass
class Integrity:
    """The database against what the buyers and the agents saw."""

    acks: int = 0
    acked_ids: int = 0
    acked_missing: int = 0
    acked_wrong_seq: int = 0
    stored_buyer: int = 0
    stored_system: int = 0
    stored_unacked: int = 0
    conversations: int = 0
    seq_gaps: int = 0
    last_seq_wrong: int = 0
    delivered: int = 0
    not_delivered: int = 0
    delivered_unknown: int = 0
    agent_repeats: int = 0
    agent_reconnects: int = 0

    @property
    def ok(self) -> bool:
        """No broken guarantee. A message stored whose ack the client never saw is not one: the client
        gave up waiting (a resend with the same client_msg_id would be answered `duplicate`)."""
        return not (self.acked_missing or self.acked_wrong_seq or self.seq_gaps or self.last_seq_wrong
                    or self.not_delivered or self.delivered_unknown or self.agent_repeats)


def stored_messages(database: Path | str, conversations: list[int]) -> tuple[list[Any], dict[int, int]]:
    """(conversation_id, seq, sender_kind, client_msg_id) of these conversations' messages, and their last_seq:
    from a SQLite file (a path), or from PostgreSQL (a postgresql:// URL, read through psycopg)."""
    if isinstance(database, str) and database.startswith(("postgresql://", "postgres://")):
        import psycopg

        with psycopg.connect(database) as pg:
            rows = pg.execute("SELECT conversation_id, seq, sender_kind, client_msg_id FROM messages"
                              " WHERE conversation_id = ANY(%s)", (conversations,)).fetchall()
            last_seqs: dict[int, int] = dict(pg.execute("SELECT id, last_seq FROM conversations"
                                                        " WHERE id = ANY(%s)", (conversations,)).fetchall())
        return rows, last_seqs
    with sqlite3.connect(database) as db:
        marks = ",".join("?" * len(conversations))
        rows = db.execute(f"SELECT conversation_id, seq, sender_kind, client_msg_id FROM messages"
                          f" WHERE conversation_id IN ({marks})", conversations).fetchall()
        last_seqs = dict(db.execute(f"SELECT id, last_seq FROM conversations WHERE id IN ({marks})",
                                    conversations).fetchall())
    return rows, last_seqs


def check_integrity(database: Path | str, run: ClientRun, agents: AgentReport) -> Integrity:
    """Every acked message stored exactly once with the acked seq; seqs dense; every buyer message delivered.

    `database`: the relay's SQLite file, or its PostgreSQL database's URL."""
    result = Integrity(agent_repeats=agents.repeats, agent_reconnects=agents.reconnects)
    conversations = sorted({conv for conv, _, _ in run.acked})
    result.conversations = len(conversations)
    rows, last_seqs = stored_messages(database, conversations)
    by_conv: dict[int, list[int]] = defaultdict(list)
    buyer_rows: dict[tuple[int, str], int] = {}
    for conv, seq, kind, client_msg_id in rows:
        by_conv[conv].append(seq)
        if kind == "buyer":
            buyer_rows[(conv, client_msg_id)] = seq
        elif kind == "system":
            result.stored_system += 1
    result.stored_buyer = len(buyer_rows)
    for conv in conversations:
        seqs = sorted(by_conv.get(conv, []))
        if seqs != list(range(1, len(seqs) + 1)):
            result.seq_gaps += 1
        if last_seqs.get(conv) != len(seqs):
            result.last_seq_wrong += 1
    acked: set[tuple[int, str]] = set()
    for conv, tag, pairs in run.acked:
        result.acks += len(pairs)
        for n, seq in pairs:
            key = (conv, f"{tag}-{n}")
            acked.add(key)
            stored = buyer_rows.get(key)
            if stored is None:
                result.acked_missing += 1
            elif stored != seq:
                result.acked_wrong_seq += 1
    result.acked_ids = len(acked)
    result.stored_unacked = len(set(buyer_rows) - acked)
    stored_pairs = {(conv, seq) for (conv, _), seq in buyer_rows.items()}
    delivered = {(conv, seq) for conv, seqs in agents.received.items() for seq in seqs}
    result.delivered = len(delivered & stored_pairs)
    result.not_delivered = len(stored_pairs - delivered)
    result.delivered_unknown = len(delivered - stored_pairs)
    return result
