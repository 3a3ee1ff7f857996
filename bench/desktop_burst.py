"""The workstation at a 618 peak: event-loop lag and memory of the real window under a burst.

Setup: a relay process seeded with a shop of 600 buyers; 500 of them (in child processes) open a
conversation and write once, so a supervisor's workstation lists 500 open conversations; its
local history already holds 1,000,000 messages of past conversations (built once, cached with
`bench/history_search.py`'s builder). The real main window runs offscreen in this process on
qasync, one conversation open. Phases: the idle window (the baseline, same run), then the
buyers send 200 messages/s for 30 s in all. A 5 ms sleeper measures the loop's lag (how late it
wakes); RSS is sampled every 0.5 s.

Targets: lag p99 < 16 ms during the burst, RSS < 250 MB.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench.harness import new_loop, open_buyer, percentile, raise_file_limit, rss_kib, start, stop_processes

BUYERS = 500
PROCESSES = 2
RATE = 200.0
BURST_S = 30.0
IDLE_S = 10.0
HISTORY_FIRST_ID = 1_000_001
SHOP_BUYERS = 600
PASSWORD = "kefu-demo"
TEXTS = ["这款油烟机的安装高度是多少？", "什么时候发货呀", "能开发票吗", "路由器怎么设置", "钢琴有现货吗", "好的谢谢"]


def buyers_process(url: str, buyer_ids: list[str], ready: Any, go: Any, out: Any) -> None:
    """Open the buyers' conversations and write once; on `go`, send at this process's share of RATE."""
    raise_file_limit()
    loop = new_loop()

    async def main() -> None:
        # limit=0: aiohttp's default pool of 100 connections would hold the 101st buyer forever.
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            conns = []
            for buyer_id in buyer_ids:
                async with http.post(url + "/api/buyer/session", json={"buyer_id": buyer_id}) as resp:
                    token = (await resp.json())["token"]
                ws, conv = await open_buyer(http, url, token)
                conns.append((ws, conv))

            async def drain(ws: Any) -> None:
                async for _ in ws:
                    pass

            readers = [asyncio.create_task(drain(ws)) for ws, _ in conns]
            n = 0

            async def say(ws: Any, conv: int) -> None:
                nonlocal n
                n += 1
                text = TEXTS[n % len(TEXTS)]
                await ws.send_str(json.dumps({"type": "send", "id": f"s{n}", "conversation_id": conv,
                                              "client_msg_id": f"{os.getpid()}-{n}", "text": text},
                                             ensure_ascii=False))

            for ws, conv in conns:
                await say(ws, conv)
            ready.set()
            await loop.run_in_executor(None, go.wait)
            rate = RATE / PROCESSES
            start_at = time.perf_counter()
            sent = 0
            while (elapsed := time.perf_counter() - start_at) < BURST_S:
                due = int(elapsed * rate) - sent
                for _ in range(due):
                    ws, conv = conns[(sent + n) % len(conns)]
                    await say(ws, conv)
                    sent += 1
                await asyncio.sleep(0.005)
            out.put(sent)
            await asyncio.sleep(1.0)
            for ws, _ in conns:
                await ws.close()
            await asyncio.gather(*readers, return_exceptions=True)

    loop.run_until_complete(main())


async def seed(data_dir: Path) -> None:
    """The demo shops, with SHOP_BUYERS buyers in the main shop (the standard demo has 200)."""
    from relay.clock import SystemClock
    from relay.demo_data import DEMO_DIR, build_demo_dataset
    from relay.seeding import seed_demo
    from relay.store.sqlite import SqliteStore

    tmp = Path(tempfile.mkdtemp(prefix="kefu-bench-demo-"))
    try:
        demo = tmp / "demo"
        shutil.copytree(DEMO_DIR, demo)
        shops = json.loads((demo / "shops.json").read_text(encoding="utf-8"))
        for shop in shops["shops"]:
            if shop["slug"] == "jiadian":
                shop["buyer_count"] = SHOP_BUYERS
        (demo / "shops.json").write_text(json.dumps(shops, ensure_ascii=False), encoding="utf-8")
        store = SqliteStore(data_dir / "relay.sqlite3")
        await store.open()
        try:
            await seed_demo(store, SystemClock().now_ms(), build_demo_dataset(demo))
        finally:
            await store.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class LagProbe:
    """How late a 5 ms sleep wakes up, again and again, on the running loop."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self.rss: list[int] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        last_rss = 0.0
        while True:
            t0 = loop.time()
            await asyncio.sleep(0.005)
            self.samples.append((loop.time() - t0 - 0.005) * 1000)
            if t0 - last_rss >= 0.5:
                last_rss = t0
                self.rss.append(rss_kib(os.getpid()))

    def start(self) -> None:
        self.samples, self.rss = [], []
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> tuple[list[float], list[int]]:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        return self.samples, self.rss


async def run_window(relay_url: str, data_dir: Path, history_db: Path, go: Any, sent_q: Any) -> dict[str, Any]:
    from app.account import Accounts
    from app.config import DeskConfig, PreferenceStore
    from app.credentials import TokenVault
    from app.events import MessagesAdded
    from app.services import DeskService
    from ui.i18n import Languages
    from ui.main_window import MainWindow

    config = DeskConfig(data_dir=data_dir)
    accounts = Accounts(config, TokenVault(), PreferenceStore(data_dir / "settings.json"))
    await accounts.load()
    logged = await accounts.login(relay_url, "jiadian", "super1", PASSWORD, remember=False)
    target = config.account_dir(relay_url, "jiadian", logged.session.user_id) / "history.sqlite3"
    target.parent.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(shutil.copyfile, history_db, target)
    service = await DeskService.open(config, logged.relay_url, logged.token, logged.session)
    window: Any = None
    try:
        received = [0]

        def count(event: Any) -> None:
            if isinstance(event, MessagesAdded):
                received[0] += len(event.messages)

        service.events.subscribe(count)
        languages = Languages()
        languages.use("zh_CN")
        window = MainWindow(service, accounts, languages)
        return await _burst(window, service, received, go, sent_q)
    finally:
        await _close(window, service)


async def _close(window: Any, service: Any) -> None:
    """Close the window (which closes the service first) or, without one, the service."""
    if window is None:
        await service.close()
        return
    window.close()
    deadline = time.monotonic() + 30
    while not window._closed and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    if not window._closed:
        await service.close()


async def _burst(window: Any, service: Any, received: list[int], go: Any, sent_q: Any) -> dict[str, Any]:
    """The idle window, then the burst; `received[0]` counts the messages the service has received."""
    window.resize(1440, 900)
    window.show()
    await service.start()
    try:
        await asyncio.wait_for(service.link.online.wait(), 60)
    except TimeoutError:
        raise RuntimeError(f"the window did not connect: {service.connection}") from None
    deadline = time.monotonic() + 60
    while window.queue_panel.model.rowCount() < BUYERS and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    listed = window.queue_panel.model.rowCount()
    print(f"  window lists {listed} conversations; idle {IDLE_S:.0f} s, then the burst", flush=True)
    first = window.queue_panel.model.views()[0].conversation_id
    window.open_conversation(first)
    await asyncio.sleep(2.0)

    probe = LagProbe()
    probe.start()
    await asyncio.sleep(IDLE_S)
    idle_lag, idle_rss = await probe.stop()
    before = received[0]
    probe.start()
    go.set()
    await asyncio.sleep(BURST_S + 1.0)
    burst_lag, burst_rss = await probe.stop()
    got = received[0] - before
    sent = sum(await asyncio.to_thread(lambda: [sent_q.get(timeout=30) for _ in range(PROCESSES)]))
    await asyncio.sleep(2.0)
    got_late = received[0] - before
    return {"listed": listed, "idle": (idle_lag, idle_rss), "burst": (burst_lag, burst_rss), "sent": sent,
            "received": got, "received_all": got_late}


def main() -> None:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia*=false;qt.qpa.*=false")
    raise_file_limit()
    from bench.history_search import ensure_built

    history_db, figures, _ = ensure_built(False, HISTORY_FIRST_ID)
    tmp = Path(tempfile.mkdtemp(prefix="kefu-bench-desk-"))
    try:
        result = run_in_window(tmp, history_db)
    finally:  # also on failure or Ctrl-C: the relay's database and the desk's copy of the history
        shutil.rmtree(tmp, ignore_errors=True)
    text = table(result, figures)
    print(text)
    from bench.report import write_section

    write_section("desktop_burst", "The workstation under a burst (`bench/desktop_burst.py`)", text,
                  "python -m bench desktop_burst")


def run_in_window(tmp: Path, history_db: Path) -> dict[str, Any]:
    """Seed and start the relay, start the buyers, run the window on qasync; stop them all in any case."""
    asyncio.run(seed(tmp / "relay"))

    import qasync
    from PySide6.QtWidgets import QApplication

    from app.relay_process import kill_leftovers, spawn_relay
    from ui import theme
    from ui.gc_guard import GuiThreadCollector

    ctx = mp.get_context("spawn")
    ready = [ctx.Event() for _ in range(PROCESSES)]
    go, sent_q = ctx.Event(), ctx.Queue()
    app: Any = QApplication.instance() or QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    theme.apply(app)

    async def run() -> dict[str, Any]:
        relay = None
        procs: list[Any] = []
        try:
            relay = await spawn_relay(tmp / "relay", "--buyer-rate", "1000/1000", "--agent-rate", "1000/1000")
            share = BUYERS // PROCESSES
            ids = [f"b-jiadian-{i + 1:04d}" for i in range(BUYERS)]
            for i in range(PROCESSES):
                procs.append(start(buyers_process, relay.url, ids[i * share:(i + 1) * share], ready[i], go, sent_q))
            for event in ready:
                if not await asyncio.to_thread(event.wait, 120):
                    raise RuntimeError("buyers did not get ready in 120 s")
            print(f"  {BUYERS} buyers have written; starting the window", flush=True)
            result = await run_window(relay.url, tmp / "desk", history_db, go, sent_q)
            for proc in procs:
                await asyncio.to_thread(proc.join, 30)
            return result
        finally:
            await asyncio.to_thread(stop_processes, procs)
            if relay is not None:
                await relay.stop()
            kill_leftovers()  # a relay whose start was interrupted

    collector = GuiThreadCollector(app)
    try:
        with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
            return runner.run(run())
    finally:
        collector.stop()


def table(result: dict[str, Any], figures: dict[str, Any]) -> str:
    def row(name: str, lag: list[float], rss: list[int]) -> str:
        return (f"| {name} | {percentile(lag, 0.5):.2f} | {percentile(lag, 0.99):.2f} | {max(lag):.1f} |"
                f" {max(rss) / 1024:.0f} |")

    idle_lag, idle_rss = result["idle"]
    burst_lag, burst_rss = result["burst"]
    p99 = percentile(burst_lag, 0.99)
    rss_mb = max(burst_rss) / 1024
    lines = [
        f"Supervisor's window offscreen, {result['listed']} open conversations listed, one open; local history"
        f" of {figures['messages']:,} messages ({figures['db_bytes'] / 2**20:.0f} MB); buyers in {PROCESSES}"
        f" processes paced at {RATE:.0f} msgs/s in all for {BURST_S:.0f} s"
        f" ({result['sent'] / BURST_S:,.0f} msgs/s sent) through a relay process.", "",
        "| phase | loop lag p50 ms | p99 ms | max ms | RSS MB |", "|---|---:|---:|---:|---:|",
        row(f"idle window, {IDLE_S:.0f} s (baseline)", idle_lag, idle_rss),
        row(f"burst, paced at {RATE:.0f} msgs/s", burst_lag, burst_rss),
        "",
        f"- Lag p99 during the burst: **{p99:.1f} ms** (target < 16 ms) — {'meets' if p99 < 16 else 'misses'};"
        f" {p99 / max(percentile(idle_lag, 0.99), 0.01):.1f}× the idle window's p99.",
        f"- RSS: **{rss_mb:.0f} MB** (target < 250 MB) — {'meets' if rss_mb < 250 else 'misses'};"
        f" idle {max(idle_rss) / 1024:.0f} MB.",
        f"- Messages: {result['sent']:,} sent by buyers; the workstation's service received"
        f" {result['received']:,} (in MessagesAdded events) during the burst, {result['received_all']:,} by 2 s"
        " after it.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
