"""Durable chat throughput through the real relay, against a bare echo server and a bare SQLite writer.

Setup: the relay as its own process (uvloop, synchronous=FULL, demo data), 50 buyer connections in
2 client processes, 2 agents in a third process receiving every message (each relayed message
costs a receive, an insert, a share of a commit, an ack, and a send to the agent). Phases: closed
loop with 1 and 10 frames in flight per buyer, then open loop at doubling offered rates until the
relay is past saturation, then the lowest rate again to show it recovers. Baselines in the same
run: a bare aiohttp WebSocket echo server (same client harness, same loop kind) and a bare
group-committed SQLite writer (synchronous=FULL) acking 50 concurrent submitters.

Afterwards the database is checked against what the clients saw (`integrity`).
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import queue
import shutil
import sqlite3
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import msgspec
from aiohttp import web

from app.client import KefuClient, buyer_session, login
from app.relay_process import kill_leftovers, spawn_relay
from bench.harness import (
    TEXT,
    ClientRun,
    Phase,
    PhaseResult,
    new_loop,
    percentile,
    raise_file_limit,
    rss_kib,
    run_clients,
    start,
    stop_processes,
)
from wire import frames as f

BUYERS = 50
PROCESSES = 2
PHASE_S = 5.0
OPEN_S = 4.0
OPEN_RATES = [1250, 2500, 5000, 10000, 20000, 40000, 80000]
RECOVERY_RATE = 2500
EXTRA_RELAY_ARGS: list[str] = []
CUT_PHASE = "closed loop, 10 in flight, every connection cut once"
PHASES = [Phase("warm-up", 2.0, inflight=1), Phase("closed loop, 1 in flight", PHASE_S, inflight=1),
          Phase("closed loop, 10 in flight", PHASE_S, inflight=10),
          Phase(CUT_PHASE, PHASE_S, inflight=10, cut_after=PHASE_S / 2)]
PHASES += [Phase(f"open loop {rate:,}/s", OPEN_S, rate=float(rate)) for rate in OPEN_RATES]
PHASES.append(Phase(f"open loop {RECOVERY_RATE:,}/s after overload", OPEN_S, rate=float(RECOVERY_RATE)))
ECHO_PHASES = [Phase("warm-up", 1.0, inflight=1), Phase("echo 1 in flight", PHASE_S, inflight=1),
               Phase("echo 10 in flight", PHASE_S, inflight=10)]


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


def agent_process(url: str, tokens: list[str], stop: Any, out: Any) -> None:
    """Agents that read every message pushed to them until told to stop.

    An agent the relay drops (e.g. as a slow consumer) reconnects and resumes with `sync` and its
    cursors, like the workstation does, so every buyer message must reach it exactly once.
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
                            if msg.type is not aiohttp.WSMsgType.TEXT:
                                break
                            frame = decode(msg.data)
                            if frame.type == "message" and frame.conversation_id is not None and frame.seq is not None:
                                conv = frame.conversation_id
                                cursors[conv] = max(cursors.get(conv, 0), frame.seq)
                                if frame.sender is not None and frame.sender.kind == "buyer":
                                    if frame.seq in mine[conv]:
                                        report.repeats += 1
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


# --- baselines ----------------------------------------------------------------------------------


def echo_process(port_out: Any) -> None:
    """A bare aiohttp WebSocket server that sends every frame straight back."""
    loop = new_loop()
    asyncio.set_event_loop(loop)

    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(compress=False, max_msg_size=0)
        await ws.prepare(request)
        async for msg in ws:
            if msg.type is aiohttp.WSMsgType.TEXT:
                await ws.send_str(msg.data)
        return ws

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/ws", handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port_out.put(runner.addresses[0][1])
        await asyncio.Event().wait()

    loop.run_until_complete(main())


def bare_sqlite(seconds: float, submitters: int = BUYERS) -> PhaseResult:
    """A bare group-committed writer: one thread, executemany + COMMIT per batch, synchronous=FULL."""
    tmp = tempfile.mkdtemp(prefix="kefu-bench-sqlite-")
    try:
        return _bare_sqlite(Path(tmp), seconds, submitters)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _bare_sqlite(tmp: Path, seconds: float, submitters: int) -> PhaseResult:
    db = sqlite3.connect(tmp / "bare.sqlite3", isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE m (conv INTEGER, seq INTEGER, text TEXT, PRIMARY KEY (conv, seq))")
    work: queue.SimpleQueue[Any] = queue.SimpleQueue()
    result = PhaseResult()

    async def main() -> None:
        loop = asyncio.get_running_loop()

        def writer() -> None:
            seqs: dict[int, int] = {}
            while True:
                batch = [work.get()]
                if batch[0] is None:
                    return
                while True:
                    try:
                        batch.append(work.get_nowait())
                    except queue.Empty:
                        break
                rows = []
                for conv, _fut in batch:
                    seqs[conv] = seqs.get(conv, 0) + 1
                    rows.append((conv, seqs[conv], "x" * 200))
                db.execute("BEGIN")
                db.executemany("INSERT INTO m VALUES (?, ?, ?)", rows)
                db.execute("COMMIT")
                loop.call_soon_threadsafe(_settle, batch)

        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        deadline = time.perf_counter() + seconds

        async def submitter(conv: int) -> None:
            while time.perf_counter() < deadline:
                fut = loop.create_future()
                started = time.perf_counter()
                work.put((conv, fut))
                await fut
                result.acks += 1
                result.latencies_ms.append((time.perf_counter() - started) * 1000)

        await asyncio.gather(*(submitter(c) for c in range(submitters)))
        work.put(None)
        thread.join()

    loop = new_loop()
    loop.run_until_complete(main())
    loop.close()
    db.close()
    return result


def _settle(batch: list[tuple[int, asyncio.Future[None]]]) -> None:
    for _, fut in batch:
        fut.set_result(None)


# --- the relay ---------------------------------------------------------------------------------


async def prepare_relay(data_dir: Path) -> tuple[Any, list[str | None], list[str]]:
    relay = await spawn_relay(data_dir, "--demo", "--buyer-rate", "1000000/1000000", "--agent-rate", "1000000/1000000",
                              *EXTRA_RELAY_ARGS)
    try:
        supervisor = KefuClient(relay.url, (await login(relay.url, "jiadian", "super1", "kefu-demo")).token)
        await supervisor.connect()
        for agent_id in ("1", "2"):
            await supervisor.call(f.SetCap, agent_id=agent_id, cap=50)
        await supervisor.close()
        agents = [(await login(relay.url, "jiadian", u, "kefu-demo")).token for u in ("agent1", "agent2")]
        buyers: list[str | None] = [(await buyer_session(relay.url, f"b-jiadian-{i + 1:04d}")).token
                                    for i in range(BUYERS)]
    except BaseException:
        await relay.stop()
        raise
    return relay, buyers, agents


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


def check_integrity(db_path: Path, run: ClientRun, agents: AgentReport) -> Integrity:
    """Every acked message stored exactly once with the acked seq; seqs dense; every buyer message delivered."""
    result = Integrity(agent_repeats=agents.repeats, agent_reconnects=agents.reconnects)
    conversations = sorted({conv for conv, _, _ in run.acked})
    result.conversations = len(conversations)
    with sqlite3.connect(db_path) as db:
        marks = ",".join("?" * len(conversations))
        rows = db.execute(f"SELECT conversation_id, seq, sender_kind, client_msg_id FROM messages"
                          f" WHERE conversation_id IN ({marks})", conversations).fetchall()
        last_seqs = dict(db.execute(f"SELECT id, last_seq FROM conversations WHERE id IN ({marks})",
                                    conversations).fetchall())
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


# --- report ------------------------------------------------------------------------------------


def row(phase: Phase, r: PhaseResult) -> dict[str, Any]:
    return {"phase": phase.name, "offered": phase.rate or None, "sent": r.sent / phase.seconds if phase.rate else None,
            "rate": r.rate(phase.seconds), "p50": percentile(r.latencies_ms, 0.5),
            "p99": percentile(r.latencies_ms, 0.99), "errors": r.errors, "dropped": r.dropped, "unsent": r.unsent,
            "unacked": r.unacked, "cpu_us": r.cpu_s / r.acks * 1e6 if r.acks and r.cpu_s else None,
            "cut": r.cut, "resent": r.resent, "duplicates": r.duplicates, "failed_reconnects": r.failed_reconnects}


def main() -> None:
    raise_file_limit()
    data_dir = Path(tempfile.mkdtemp(prefix="kefu-bench-relay-"))
    try:
        relayed, report, relay_rss, integrity = run_relay(data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)

    ctx = mp.get_context("spawn")
    port_q = ctx.Queue()
    echo = start(echo_process, port_q)
    try:
        echo_url = f"http://127.0.0.1:{port_q.get(timeout=30)}"
        assert echo.pid is not None
        echoed = run_clients(echo_url, [None] * BUYERS, ECHO_PHASES, PROCESSES, server_pid=echo.pid)
    finally:
        stop_processes([echo])
    sqlite_result = bare_sqlite(PHASE_S)

    rows = [row(p, relayed.phases[p.name]) for p in PHASES[1:]]
    rows += [row(p, echoed.phases[p.name]) for p in ECHO_PHASES[1:]]
    rows.append(row(Phase(f"bare SQLite group commit, {BUYERS} submitters", PHASE_S), sqlite_result))
    text = table(rows, integrity, report, relay_rss)
    print(text)
    from bench.report import write_section

    write_section("relay_load", "Relay throughput (`bench/relay_load.py`)", text, "python -m bench relay_load")


def run_relay(data_dir: Path) -> tuple[ClientRun, AgentReport, int, Integrity]:
    """The relay phases, then the integrity check of its database."""
    loop = asyncio.new_event_loop()
    ctx = mp.get_context("spawn")
    stop, agent_out = ctx.Event(), ctx.Queue()
    relay = None
    agent_procs: list[Any] = []
    try:
        relay, buyers, agents = loop.run_until_complete(prepare_relay(data_dir))
        agent_procs.append(start(agent_process, relay.url, agents, stop, agent_out))
        agent_proc = agent_procs[0]
        time.sleep(1.0)
        relayed = run_clients(relay.url, buyers, PHASES, PROCESSES, server_pid=relay.proc.pid)
        relay_rss = rss_kib(relay.proc.pid)
        time.sleep(1.0)
        stop.set()
        report: AgentReport = agent_out.get(timeout=60)
        agent_proc.join(timeout=10)
    finally:
        stop.set()
        stop_processes(agent_procs)
        if relay is not None:
            loop.run_until_complete(relay.stop())
        kill_leftovers()  # a relay whose start was interrupted
        loop.close()
    return relayed, report, relay_rss, check_integrity(data_dir / "relay.sqlite3", relayed, report)


def _ms(value: float) -> str:
    return "-" if value != value else (f"{value:,.0f}" if value >= 100 else f"{value:.2f}")


def table(rows: list[dict[str, Any]], integrity: Integrity, agents: AgentReport, relay_rss: int) -> str:
    by = {r["phase"]: r for r in rows}
    closed1, closed10 = by["closed loop, 1 in flight"], by["closed loop, 10 in flight"]
    echo1, echo10 = by["echo 1 in flight"], by["echo 10 in flight"]
    at5k = by["open loop 5,000/s"]
    relay_rows = [r for r in rows if r["phase"].startswith(("closed", "open"))]
    best = max(relay_rows, key=lambda r: r["rate"])
    opens = [r for r in relay_rows if r["offered"] and "after" not in r["phase"]]
    top = opens[-1]
    recovery = next(r for r in relay_rows if "after overload" in r["phase"])
    cut = by[CUT_PHASE]
    lines = [
        f"{BUYERS} buyers in {PROCESSES} processes, 2 agents in a third receiving every message; relay with uvloop"
        f" and synchronous=FULL; message texts of {len(TEXT.encode()):,} bytes (UTF-8). Open-loop latency counts"
        " from when a frame was due, so time"
        " spent held back by the relay (TCP back-pressure) counts; *unsent* are frames due before the phase ended"
        " that the client could not send by then. Acked msgs/s = acks ÷ (phase start → last ack). Dropped: connections"
        " the relay closed (the client reopens them and resends what was unanswered).",
        "",
        "| phase | offered msgs/s | sent msgs/s | acked msgs/s | p50 ms | p99 ms | errors | unsent | unacked |"
        " dropped conns | server CPU µs/msg |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        offered = f"{r['offered']:,.0f}" if r["offered"] else "-"
        sent = f"{r['sent']:,.0f}" if r["sent"] is not None else "-"
        cpu = f"{r['cpu_us']:.1f}" if r["cpu_us"] else "-"
        dropped = f"{r['dropped']}" + (f" ({r['failed_reconnects']} not reopened)" if r["failed_reconnects"] else "")
        lines.append(f"| {r['phase']} | {offered} | {sent} | {r['rate']:,.0f} | {_ms(r['p50'])} | {_ms(r['p99'])} |"
                     f" {r['errors']} | {r['unsent']:,} | {r['unacked']:,} | {dropped} | {cpu} |")
    ratio1 = closed1["rate"] / echo1["rate"] if echo1["rate"] else float("nan")
    ratio10 = closed10["rate"] / echo10["rate"] if echo10["rate"] else float("nan")
    i = integrity
    lines += [
        "",
        f"- Relay vs bare echo: **{ratio1:.2f}×** with 1 in flight, **{ratio10:.2f}×** with 10 (target ≥ 0.25×).",
        f"- Best durable rate: **{best['rate']:,.0f} msgs/s** ({best['phase']}; target ≥ 15,000, floor 5,000).",
        f"- p99 ack at 5,000 msgs/s offered: **{at5k['p99']:.1f} ms** (target < 20 ms).",
        f"- Past saturation ({top['phase']}): {top['rate']:,.0f} acked msgs/s, p99 {_ms(top['p99'])} ms,"
        f" {top['unsent']:,} frames held back, {top['dropped']} connections dropped; afterwards"
        f" ({recovery['phase']}) p99 is back to {_ms(recovery['p99'])} ms. Relay RSS at the end:"
        f" {relay_rss / 1024:,.0f} MiB.",
        f"- Integrity ({'**ok**' if i.ok else '**FAILED**'}): {i.acks:,} acks for {i.acked_ids:,} distinct messages"
        f" in {i.conversations} conversations; {i.stored_buyer:,} buyer messages stored;"
        f" acked but not stored: {i.acked_missing}; stored under another seq than acked: {i.acked_wrong_seq};"
        f" stored but the client gave up on its ack: {i.stored_unacked}; conversations with a gap in their seqs:"
        f" {i.seq_gaps};"
        f" last_seq off: {i.last_seq_wrong}. Delivered to an agent: {i.delivered:,} of {i.stored_buyer:,}"
        f" (missing {i.not_delivered}, unknown {i.delivered_unknown}, twice {i.agent_repeats};"
        f" agent reconnects {i.agent_reconnects}).",
        f"- Exactly once across lost acks ({CUT_PHASE}): {cut['cut']} connections closed by their clients with"
        f" frames in flight, reopened, {cut['resent']} unanswered frames resent with the same `client_msg_id`;"
        f" {cut['duplicates']} of them came back as `duplicate` (stored before the cut, not stored again).",
        f"- Counts that differ by design: acks can exceed distinct messages (a resend after a dropped connection"
        f" is acked again as `duplicate`); the {i.stored_system:,} system messages (welcome, agent joined) are"
        " stored in the same conversations and take seqs but are neither acked to buyers nor counted as buyer"
        " messages; the echo and bare-SQLite rows store nothing in the relay.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
