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
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from app.relay_process import kill_leftovers
from bench.harness import (
    TEXT,
    AgentReport,
    ClientRun,
    Integrity,
    Phase,
    PhaseResult,
    agent_process,
    check_integrity,
    new_loop,
    percentile,
    prepare_relay,
    raise_file_limit,
    rss_kib,
    run_clients,
    start,
    stop_processes,
)

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
        relay, buyers, agents = loop.run_until_complete(prepare_relay(data_dir, *EXTRA_RELAY_ARGS))
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
