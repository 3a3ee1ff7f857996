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
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from app.relay_process import kill_leftovers, spawn_relay
from bench.harness import new_loop, open_buyer, raise_file_limit, rss_kib, start, stop_processes

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
    procs: list[Any] = []
    opened, failures, failed, setup_s = 0, [], 0, 0.0
    try:
        for i in range(PROCESSES):
            procs.append(start(idle_process, url, buyer_ids[i * share:(i + 1) * share], None, release, out))
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
        stop_processes(procs)
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
        relay = None
        try:
            relay = loop.run_until_complete(spawn_relay(data_dir, "--demo"))
            url = relay.url
            relayed = hold(url, list(buyers), relay.proc.pid, probe=lambda: _health(url))
        finally:
            if relay is not None:
                loop.run_until_complete(relay.stop())
            kill_leftovers()  # a relay whose start was interrupted
    finally:
        loop.close()
        shutil.rmtree(data_dir, ignore_errors=True)

    ctx = mp.get_context("spawn")
    port_q = ctx.Queue()
    bare = start(bare_process, port_q)
    try:
        bare_url = f"http://127.0.0.1:{port_q.get(timeout=30)}"
        assert bare.pid is not None
        bared = hold(bare_url, [None] * CONNECTIONS, bare.pid)
    finally:
        stop_processes([bare])

    text = table(relayed, bared, pinyin_kib())
    print(text)
    from bench.report import write_section

    write_section("relay_idle", "Idle connections (`bench/relay_idle.py`)", text, "python -m bench relay_idle")


def _health(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url + "/healthz", timeout=10) as resp:
        body: dict[str, Any] = json.loads(resp.read())
        return body


PINYIN = "from pypinyin import Style, lazy_pinyin; lazy_pinyin('安装师傅', style=Style.FIRST_LETTER)"
"""What the relay's template initials load (relay/templates.py)."""


def pinyin_kib() -> int:
    """RSS a bare interpreter gains importing pypinyin and using it once (its dictionaries), in KiB."""
    code = ("import sys\n"
            "def rss():\n"
            "    with open('/proc/self/status') as status:\n"
            "        return next(int(line.split()[1]) for line in status if line.startswith('VmRSS:'))\n"
            f"before = rss()\n{PINYIN}\nprint(rss() - before)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    return int(done.stdout.split()[-1])


def table(relayed: dict[str, Any], bared: dict[str, Any], pinyin: int) -> str:
    def mib(kib: int) -> str:
        return f"{kib / 1024:,.0f}"

    def per_conn_kib(r: dict[str, Any]) -> float:
        held: int = max(1, r["opened"])
        return float(r["during"] - r["before"]) / held

    def per_conn(r: dict[str, Any]) -> str:
        return f"{per_conn_kib(r):.1f}"

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
        f"Where the difference goes, as measured in this run: per connection the relay holds"
        f" {per_conn_kib(relayed) - per_conn_kib(bared):.1f} KiB more than the bare server"
        f" ({per_conn(relayed)} against {per_conn(bared)} KiB); before any connection its RSS is"
        f" {(relayed['before'] - bared['before']) / 1024:,.0f} MiB above the bare server's, of which pypinyin"
        f" (imported and used once for template initials, in a bare interpreter) takes {pinyin / 1024:,.0f} MiB.",
    ]
    failures = relayed["failures"] + bared["failures"]
    if failures:
        lines.append(f"First failures: {'; '.join(failures)}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
