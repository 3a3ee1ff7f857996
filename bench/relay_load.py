"""Durable chat throughput through the real relay, against a bare echo server and a bare SQLite writer.

Setup: the relay as its own process (uvloop, synchronous=FULL, demo data), 50 buyer connections in
2 client processes, 2 agents in a third process receiving every message (each relayed message
costs a receive, an ack, a send to the agent and a row). Phases: closed loop with 1 and 10 frames
in flight per buyer, then open loop at doubling offered rates. Baselines in the same run: a bare
aiohttp WebSocket echo server (same client harness, same loop kind) and a bare group-committed
SQLite writer (synchronous=FULL) acking 50 concurrent submitters.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import queue
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from app.client import KefuClient, buyer_session, login
from app.relay_process import spawn_relay
from bench.harness import (
    Phase,
    PhaseResult,
    buyer_process,
    new_loop,
    percentile,
    raise_file_limit,
    start,
)
from wire import frames as f

BUYERS = 50
PROCESSES = 2
PHASE_S = 5.0
OPEN_RATES = [1250, 2500, 5000, 10000, 20000]
EXTRA_RELAY_ARGS: list[str] = []


def agent_process(url: str, tokens: list[str], stop: Any, out: Any) -> None:
    """Two agents that read every message pushed to them until told to stop."""
    loop = new_loop()

    async def main() -> None:
        counts = [0] * len(tokens)
        async with aiohttp.ClientSession() as http:

            async def read(i: int, token: str) -> None:
                ws = await http.ws_connect(url.replace("http", "ws", 1) + "/ws?v=1", compress=0, max_msg_size=0,
                                           headers={"Authorization": f"Bearer {token}"})
                await ws.send_str('{"type":"sync","id":"s"}')
                async for msg in ws:
                    if msg.type is not aiohttp.WSMsgType.TEXT:
                        break
                    if msg.data.startswith('{"type":"message"') and '"kind":"buyer"' in msg.data:
                        counts[i] += 1

            tasks = [asyncio.create_task(read(i, t)) for i, t in enumerate(tokens)]
            while not stop.is_set():
                await asyncio.sleep(0.1)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        out.put(("agents", sum(counts)))

    loop.run_until_complete(main())


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


def run_clients(url: str, tokens: list[str | None], phases: list[Phase]) -> dict[str, PhaseResult]:
    """Run the phases from PROCESSES client processes; merge their results per phase."""
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    barrier = ctx.Barrier(PROCESSES)
    share = len(tokens) // PROCESSES
    procs = [start(buyer_process, url, tokens[i * share:(i + 1) * share], phases, len(tokens), chr(97 + i),
                   barrier, out) for i in range(PROCESSES)]
    merged: dict[str, PhaseResult] = {p.name: PhaseResult() for p in phases}
    for _ in range(len(phases) * PROCESSES):
        name, result = out.get(timeout=120)
        merged[name].acks += result.acks
        merged[name].errors += result.errors
        merged[name].latencies_ms.extend(result.latencies_ms)
    for proc in procs:
        proc.join(timeout=30)
    return merged


def bare_sqlite(seconds: float, submitters: int = BUYERS) -> PhaseResult:
    """A bare group-committed writer: one thread, executemany + COMMIT per batch, synchronous=FULL."""
    tmp = tempfile.mkdtemp(prefix="kefu-bench-sqlite-")
    db = sqlite3.connect(Path(tmp) / "bare.sqlite3", isolation_level=None, check_same_thread=False)
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
                loop.call_soon_threadsafe(lambda b=batch: [fut.set_result(None) for _, fut in b])

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

    new_loop().run_until_complete(main())
    return result


async def prepare_relay(data_dir: Path) -> tuple[Any, list[str | None], list[str]]:
    relay = await spawn_relay(data_dir, "--demo", "--buyer-rate", "1000000/1000000", "--agent-rate", "1000000/1000000",
                              *EXTRA_RELAY_ARGS)
    supervisor = KefuClient(relay.url, (await login(relay.url, "jiadian", "super1", "kefu-demo")).token)
    await supervisor.connect()
    for agent_id in ("1", "2"):
        await supervisor.call(f.SetCap, agent_id=agent_id, cap=50)
    await supervisor.close()
    agents = [(await login(relay.url, "jiadian", u, "kefu-demo")).token for u in ("agent1", "agent2")]
    buyers: list[str | None] = [(await buyer_session(relay.url, f"b-jiadian-{i + 1:04d}")).token
                                for i in range(BUYERS)]
    return relay, buyers, agents


def row(name: str, r: PhaseResult, seconds: float, offered: float | None = None) -> dict[str, Any]:
    return {"phase": name, "offered": offered, "rate": r.acks / seconds, "p50": percentile(r.latencies_ms, 0.5),
            "p99": percentile(r.latencies_ms, 0.99), "errors": r.errors, "acks": r.acks}


def main() -> None:
    raise_file_limit()
    data_dir = Path(tempfile.mkdtemp(prefix="kefu-bench-relay-"))
    loop = asyncio.new_event_loop()
    relay, buyers, agents = loop.run_until_complete(prepare_relay(data_dir))
    ctx = mp.get_context("spawn")
    stop, agent_out = ctx.Event(), ctx.Queue()
    agent_proc = start(agent_process, relay.url, agents, stop, agent_out)
    time.sleep(1.0)
    phases = [Phase("warm-up", 2.0, inflight=1), Phase("closed loop, 1 in flight", PHASE_S, inflight=1),
              Phase("closed loop, 10 in flight", PHASE_S, inflight=10)]
    phases += [Phase(f"open loop {rate:,}/s", 4.0, rate=float(rate)) for rate in OPEN_RATES]
    try:
        relayed = run_clients(relay.url, buyers, phases)
        time.sleep(1.0)
        stop.set()
        _, received = agent_out.get(timeout=30)
        agent_proc.join(timeout=10)
    finally:
        loop.run_until_complete(relay.stop())
    with sqlite3.connect(data_dir / "relay.sqlite3") as db:
        stored = db.execute("SELECT COUNT(*) FROM messages WHERE kind = 'text'").fetchone()[0]
    acked = sum(r.acks for r in relayed.values())

    port_q = ctx.Queue()
    echo = start(echo_process, port_q)
    echo_url = f"http://127.0.0.1:{port_q.get(timeout=30)}"
    echo_phases = [Phase("warm-up", 1.0, inflight=1), Phase("echo 1 in flight", PHASE_S, inflight=1),
                   Phase("echo 10 in flight", PHASE_S, inflight=10)]
    echoed = run_clients(echo_url, [None] * BUYERS, echo_phases)
    echo.terminate()
    sqlite_result = bare_sqlite(PHASE_S)

    rows = [row(p.name, relayed[p.name], p.seconds, p.rate or None) for p in phases[1:]]
    rows += [row(p.name, echoed[p.name], p.seconds) for p in echo_phases[1:]]
    rows.append(row("bare SQLite group commit, 50 submitters", sqlite_result, PHASE_S))
    text = table(rows, acked, stored, received)
    print(text)
    from bench.report import write_section

    write_section("relay_load", "Relay throughput (`bench/relay_load.py`)", text, "python -m bench relay_load")


def table(rows: list[dict[str, Any]], acked: int, stored: int, received: int) -> str:
    by = {r["phase"]: r for r in rows}
    closed1 = by["closed loop, 1 in flight"]
    echo1 = by["echo 1 in flight"]
    at5k = by["open loop 5,000/s"]
    best = max(r["rate"] for r in rows if r["phase"].startswith(("closed", "open")))
    lines = [
        f"{BUYERS} buyers in {PROCESSES} processes, 2 agents receiving everything; relay with uvloop and"
        " synchronous=FULL; ~200-byte messages.", "",
        "| phase | offered msgs/s | acked msgs/s | p50 ms | p99 ms | errors |", "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        offered = f"{r['offered']:,.0f}" if r["offered"] else "-"
        lines.append(f"| {r['phase']} | {offered} | {r['rate']:,.0f} | {r['p50']:.2f} | {r['p99']:.2f} |"
                     f" {r['errors']} |")
    ratio = closed1["rate"] / echo1["rate"] if echo1["rate"] else float("nan")
    lines += [
        "",
        f"- Relay vs bare echo, closed loop: **{ratio:.2f}×** (target ≥ 0.25×).",
        f"- Best durable rate: **{best:,.0f} msgs/s** (target ≥ 15,000, floor 5,000).",
        f"- p99 ack at 5,000 msgs/s offered: **{at5k['p99']:.1f} ms** (target < 20 ms).",
        f"- Integrity: {acked:,} acks, {stored:,} messages stored, {received:,} delivered to agents.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
