"""Memory of idle connections: 10,000 buyers in the relay against 10,000 bare aiohttp WebSockets.

Each relay connection is a real buyer session: a signed buyer token from the platform stand-in
(`POST /api/buyer/session`), the handshake, `sync`, and `open` of the buyer's conversation with
the demo shop, so the relay holds everything an idle buyer costs: the Connection, its aiohttp
WebSocket, its heartbeat timer, its place in the hub, and the conversation's routing state. The
baseline is a bare aiohttp server (same loop kind) holding as many WebSockets that only wait.

The demo has 200 buyers per shop; the 10,000 buyers are added to the relay's database before it
starts, through the store API (`seed_demo` with a dataset of just those buyers), as a platform
would have them. Clients run in several processes (a process may open ~20,000 files here).
RSS is read from /proc before the connections and once they have all been idle for a moment.
"""

from __future__ import annotations

import asyncio
import gc
import json
import multiprocessing as mp
import shutil
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from app.relay_process import spawn_relay
from bench.harness import new_loop, open_buyer, raise_file_limit, rss_kib, start

CONNECTIONS = 10_000
PROCESSES = 4
CONCURRENT_OPENS = 50
"""Handshakes in flight per client process (the listen backlog is 128)."""
IDLE_S = 5.0
SETUP_TIMEOUT_S = 180.0
BUYER_PREFIX = "b-idle-"
TARGET_RATIO = 3.0
TARGET_MB = 400


def bench_buyers(count: int) -> list[str]:
    return [f"{BUYER_PREFIX}{i:05d}" for i in range(1, count + 1)]


async def seed_buyers(data_dir: Path, buyer_ids: list[str]) -> None:
    """Add the benchmark's buyers to the relay database through the store, before the relay runs."""
    from relay.demo_data import DemoBuyer, DemoDataset, DemoShop, load_demo_dataset
    from relay.store.sqlite import SqliteStore

    demo = load_demo_dataset().shop("jiadian")
    buyers = tuple(DemoBuyer(buyer_id, f"闲置买家{buyer_id[-5:]}", "上海", False) for buyer_id in buyer_ids)
    shop = DemoShop(slug=demo.slug, name=demo.name, accounts=(), products=(), buyers=buyers, orders=(), logistics=(),
                    after_sales=())
    store = SqliteStore(data_dir / "relay.sqlite3")
    await store.open()
    try:
        await store.seed_demo(DemoDataset(demo_password="", shops=(shop,)), lambda password: "")
    finally:
        await store.close()


def idle_process(url: str, buyer_ids: list[str | None], ready: Any, release: Any, out: Any) -> None:
    """Child process: open these connections (buyers, or bare sockets for None), hold them, close."""
    raise_file_limit()
    loop = new_loop()

    async def main() -> None:
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as http:
            gate = asyncio.Semaphore(CONCURRENT_OPENS)
            sockets: list[Any] = []
            failures: list[str] = []

            async def one(buyer_id: str | None) -> None:
                async with gate:
                    try:
                        token = None
                        if buyer_id is not None:
                            async with http.post(url + "/api/buyer/session", json={"buyer_id": buyer_id}) as resp:
                                resp.raise_for_status()
                                token = (await resp.json())["token"]
                        ws, _ = await open_buyer(http, url, token)
                        sockets.append(ws)
                    except Exception as exc:  # reported, not hidden
                        failures.append(f"{type(exc).__name__}: {exc}")

            started = time.perf_counter()
            await asyncio.gather(*(one(b) for b in buyer_ids))
            out.put(("ready", len(sockets), failures[:3], len(failures), time.perf_counter() - started))
            # Hold them, answering pings, until the parent has measured.
            while not release.is_set():
                await asyncio.sleep(0.1)
            alive = sum(1 for ws in sockets if not ws.closed)
            for ws in sockets:
                await ws.close()
            out.put(("closed", alive))

    loop.run_until_complete(main())


def bare_process(port_out: Any) -> None:
    """A bare aiohttp server whose WebSockets only wait for frames."""
    loop = new_loop()
    asyncio.set_event_loop(loop)

    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(compress=False)
        await ws.prepare(request)
        async for _ in ws:
            pass
        return ws

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/ws", handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        port_out.put(runner.addresses[0][1])
        await asyncio.Event().wait()

    raise_file_limit()
    loop.run_until_complete(main())


def hold(url: str, buyer_ids: list[str | None], pid: int, probe: Callable[[], Any] | None = None) -> dict[str, Any]:
    """Open the connections from PROCESSES children, let them idle, read the server's RSS, close."""
    ctx = mp.get_context("spawn")
    out, release = ctx.Queue(), ctx.Event()
    share = -(-len(buyer_ids) // PROCESSES)
    before = rss_kib(pid)
    procs = [start(idle_process, url, buyer_ids[i * share:(i + 1) * share], None, release, out)
             for i in range(PROCESSES)]
    opened, failures, failed, setup_s = 0, [], 0, 0.0
    try:
        for _ in procs:
            _, n, sample, nfailed, seconds = out.get(timeout=SETUP_TIMEOUT_S)
            opened += n
            failures += sample
            failed += nfailed
            setup_s = max(setup_s, seconds)
        time.sleep(IDLE_S)
        during = rss_kib(pid)
        probed = probe() if probe is not None else None
        release.set()
        alive = sum(out.get(timeout=60)[1] for _ in procs)
    finally:
        release.set()
        for proc in procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.terminate()
    return {"before": before, "during": during, "opened": opened, "alive": alive, "failed": failed,
            "failures": failures, "setup_s": setup_s, "probed": probed}


def main() -> None:
    raise_file_limit()
    gc.collect()
    data_dir = Path(tempfile.mkdtemp(prefix="kefu-bench-idle-"))
    buyers = bench_buyers(CONNECTIONS)
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(seed_buyers(data_dir, buyers))
        relay = loop.run_until_complete(spawn_relay(data_dir, "--demo"))
        try:
            relayed = hold(relay.url, list(buyers), relay.proc.pid, probe=lambda: _health(relay.url))
        finally:
            loop.run_until_complete(relay.stop())
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)

    ctx = mp.get_context("spawn")
    port_q = ctx.Queue()
    bare = start(bare_process, port_q)
    try:
        bare_url = f"http://127.0.0.1:{port_q.get(timeout=30)}"
        assert bare.pid is not None
        bared = hold(bare_url, [None] * CONNECTIONS, bare.pid)
    finally:
        bare.terminate()
        bare.join(timeout=10)

    text = table(relayed, bared)
    print(text)
    from bench.report import write_section

    write_section("relay_idle", "Idle connections (`bench/relay_idle.py`)", text, "python -m bench relay_idle")


def _health(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url + "/healthz", timeout=10) as resp:
        body: dict[str, Any] = json.loads(resp.read())
        return body


def table(relayed: dict[str, Any], bared: dict[str, Any]) -> str:
    def mib(kib: int) -> str:
        return f"{kib / 1024:,.0f}"

    def per_conn(r: dict[str, Any]) -> str:
        return f"{(r['during'] - r['before']) / max(1, r['opened']):.1f}"

    ratio = relayed["during"] / bared["during"] if bared["during"] else float("nan")
    relay_mb = relayed["during"] / 1024
    verdict = "meets" if ratio <= TARGET_RATIO and relay_mb < TARGET_MB else "misses"
    lines = [
        f"{CONNECTIONS:,} idle connections from {PROCESSES} client processes to each server, one after the other."
        " Relay: each is a buyer with a signed session that has sent `sync` and opened its conversation with the"
        " demo shop (relay with uvloop, demo data plus the benchmark's buyers). Bare: aiohttp WebSockets that"
        " only wait. RSS of the server process from /proc, before connecting and after"
        f" {IDLE_S:.0f} s idle.",
        "",
        "| server | connections held | RSS before MiB | RSS idle MiB | KiB per connection | set-up s | failed |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| relay | {relayed['alive']:,} | {mib(relayed['before'])} | {mib(relayed['during'])} | {per_conn(relayed)} |"
        f" {relayed['setup_s']:.1f} | {relayed['failed']} |",
        f"| bare aiohttp | {bared['alive']:,} | {mib(bared['before'])} | {mib(bared['during'])} | {per_conn(bared)} |"
        f" {bared['setup_s']:.1f} | {bared['failed']} |",
        "",
        f"Relay RSS **{relay_mb:,.0f} MiB = {ratio:.2f}× the bare server's** (target ≤ {TARGET_RATIO:.0f}× and"
        f" < {TARGET_MB} MB): {verdict}. The relay's /healthz counted"
        f" {(relayed['probed'] or {}).get('connections', '?'):,} connections while they idled.",
        "",
        "Where the difference goes (tracemalloc on an in-process relay with 2,000 buyers, 2026-11-25): the relay's"
        " own state per buyer (Connection, token bucket, hub entry, the conversation's routing state and owner,"
        " the heartbeat timer) is ~2.5 KiB; aiohttp's request, parser, reader queue and handler task (~10 KiB) are"
        " paid by both servers. Of the ~76 MiB baseline difference, ~56 MiB is pypinyin's phrase dictionary"
        " (template initials); the rest is the demo data, SQLite page caches and the relay's modules.",
    ]
    failures = relayed["failures"] + bared["failures"]
    if failures:
        lines.append(f"First failures: {'; '.join(failures)}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
