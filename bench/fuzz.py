"""Fuzzing a relay process: 1,000,000 frames from the generator of tests/fuzz_strategies.py.

The cases are those of tests/relay/test_fuzz.py (valid frames of every client type, drawn from the wire
types, and their mutations), sent by a buyer, an agent and a supervisor of the demo shop from client
processes, each frame's answer read back. Hypothesis draws the cases in a thread of each client
process; the connections pipeline them (WINDOW in flight each), so answers are counted, not matched:
by error code, and every frame must get exactly one. A crash is anything that should never happen: the
relay process gone, /healthz not ok afterwards, an `internal` or `unavailable` answer or a code the
protocol does not document, a connection the relay dropped, a frame left unanswered, or an ERROR line
in the relay's log. There must be none.

`python -m bench fuzz` runs the full count and writes its section of docs/benchmarks.md;
`python -m bench.fuzz --count 2000` (or KEFU_FUZZ_COUNT=2000) is a quick check that writes nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing as mp
import os
import queue
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import msgspec

from bench.harness import new_loop, prepare_relay, raise_file_limit, start, stop_processes

COUNT = 1_000_000
PROCESSES = 2
BATCH = 50
WINDOW = 32
"""Frames in flight per connection."""
DRAIN_S = 30.0
ROLES = ("buyer", "agent", "supervisor")
RESULT_TIMEOUT_S = 4 * 3600.0


# --- a client process -------------------------------------------------------------------------------


def client_process(url: str, tokens: dict[str, str], values: dict[str, list[Any]], count: int, out: Any) -> None:
    """Send `count` cases over one connection per role; put the tallies on `out`."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    from tests.fuzz_strategies import FAVOUR, Case, cases

    hints = {name: st.lists(st.sampled_from(v)) if name == "template_ids" else st.sampled_from(v)
             for name, v in values.items() if v}
    strategies = {role: st.lists(cases(hints, FAVOUR[role]), min_size=BATCH, max_size=BATCH) for role in ROLES}
    roles = st.sampled_from(ROLES)
    batches: dict[str, queue.Queue[list[Case] | None]] = {role: queue.Queue(maxsize=4) for role in ROLES}
    stop = threading.Event()
    failed: list[BaseException] = []

    def generate() -> None:  # a thread: Hypothesis draws, the event loop sends
        made = 0

        @settings(max_examples=max(1, count // BATCH), deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(st.data())
        def draw(data: st.DataObject) -> None:  # what it draws depends on the data only (Hypothesis replays it)
            nonlocal made
            role = data.draw(roles)
            batch = data.draw(strategies[role])[:max(0, count - made)]
            if batch and not stop.is_set():
                batches[role].put(batch)
                made += len(batch)

        try:
            while made < count and not stop.is_set():
                draw()  # a new run of Hypothesis when one ends early
        except BaseException as exc:  # reported by the process, after its connections close
            failed.append(exc)
        finally:
            for q in batches.values():
                q.put(None)

    async def main() -> dict[str, Any]:
        tally: dict[str, Any] = {"sent": 0, "answers": Counter(), "dropped": 0, "unanswered": 0, "extra": 0,
                                 "kinds": Counter()}
        async with aiohttp.ClientSession() as http:
            pipes = [Pipe(http, url, tokens[role], tally) for role in ROLES]
            await asyncio.gather(*(pipe.run(batches[role]) for pipe, role in zip(pipes, ROLES, strict=True)))
        return tally

    thread = threading.Thread(target=generate, daemon=True)
    thread.start()
    loop = new_loop()
    try:
        tally = loop.run_until_complete(main())
        if failed:
            raise failed[0]
        out.put(tally)
    finally:
        stop.set()
        for q in batches.values():  # let a blocked generator finish
            with contextlib.suppress(queue.Empty):
                while True:
                    q.get_nowait()
        thread.join(timeout=10)


class Pipe:
    """One connection: cases sent WINDOW ahead of their answers, which are counted by code."""

    def __init__(self, http: aiohttp.ClientSession, url: str, token: str, tally: dict[str, Any]) -> None:
        self.http, self.url, self.token, self.tally = http, url, token, tally
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.room = asyncio.Semaphore(WINDOW)
        self.owed = 0
        self.settled = asyncio.Event()

    async def open(self) -> None:
        self.ws = ws = await self.http.ws_connect(self.url.replace("http", "ws", 1) + "/ws?v=1", compress=0,
                                                  max_msg_size=0, headers={"Authorization": f"Bearer {self.token}"})
        await ws.send_str('{"type":"sync","id":"bench-sync"}')
        async for msg in ws:
            if msg.type is aiohttp.WSMsgType.TEXT and msgspec.json.decode(msg.data).get("id") == "bench-sync":
                return
        raise ConnectionError(f"relay closed the connection during set-up ({ws.close_code})")

    async def run(self, source: queue.Queue[Any]) -> None:
        loop = asyncio.get_running_loop()
        await self.open()
        reader = loop.create_task(self.read())
        try:
            while (batch := await loop.run_in_executor(None, source.get)) is not None:
                for case in batch:
                    await self.room.acquire()
                    if reader.done():  # the relay dropped the connection: count it, open another
                        await self.reopen()
                        reader = loop.create_task(self.read())
                    assert self.ws is not None
                    self.owed += 1
                    self.settled.clear()
                    self.tally["kinds"][case.kind] += 1
                    self.tally["sent"] += 1
                    kind = aiohttp.WSMsgType.BINARY if case.binary else aiohttp.WSMsgType.TEXT
                    await self.ws.send_frame(case.data, kind)
            if self.owed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.settled.wait(), DRAIN_S)
            self.tally["unanswered"] += self.owed
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
            if self.ws is not None:
                await self.ws.close()

    async def reopen(self) -> None:
        self.tally["dropped"] += 1
        self.tally["unanswered"] += self.owed
        for _ in range(self.owed):
            self.room.release()
        self.owed = 0
        await self.open()

    async def read(self) -> None:
        from tests.fuzz_strategies import is_answer

        assert self.ws is not None
        async for msg in self.ws:
            if msg.type is not aiohttp.WSMsgType.TEXT:
                break
            frame = msgspec.json.decode(msg.data)
            if not is_answer(frame):
                continue
            self.tally["answers"][f"error:{frame.get('code')}" if frame.get("type") == "error" else "answer"] += 1
            if self.owed == 0:
                self.tally["extra"] += 1
                continue
            self.owed -= 1
            self.room.release()
            if self.owed == 0:
                self.settled.set()
        self.room.release()  # wake the sender, which sees the connection gone


# --- the run ------------------------------------------------------------------------------------------


@contextlib.contextmanager
def stderr_to(path: Path) -> Iterator[None]:
    """Children started meanwhile write their standard error to `path` (the relay's log)."""
    sys.stderr.flush()
    saved = os.dup(2)
    with path.open("ab") as log:
        os.dup2(log.fileno(), 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


async def set_up(data_dir: Path, log: Path) -> tuple[Any, dict[str, str], dict[str, list[Any]]]:
    """The relay, one token per role, and ids that exist (so frames get past the access checks)."""
    from app.client import KefuClient, login

    with stderr_to(log):
        relay, buyers, agents = await prepare_relay(data_dir, buyers=2)
    try:
        supervisor = (await login(relay.url, "jiadian", "super1", "kefu-demo")).token
        agent = KefuClient(relay.url, agents[0])
        await agent.connect()  # online, so the buyers' chats are its own
        conversations = []
        for token in buyers:
            buyer = KefuClient(relay.url, str(token))
            await buyer.connect()
            for shop in ("jiadian", "chaye"):
                conversations.append((await buyer.open_conversation(shop)).conversation_id)
            await buyer.send_text(conversations[-2], "你好，洗衣机能上门安装吗？")
            await buyer.close()
        await agent.close()
    except BaseException:
        await relay.stop()
        raise
    with sqlite3.connect(data_dir / "relay.sqlite3") as db:
        def column(sql: str) -> list[Any]:
            return [row[0] for row in db.execute(sql)]

        accounts = [str(a) for a in column("SELECT id FROM accounts")]
        values = {"conversation_id": conversations, "template_id": column("SELECT id FROM templates"),
                  "template_ids": column("SELECT id FROM templates"), "sku": column("SELECT sku FROM products"),
                  "order_no": column("SELECT order_no FROM orders WHERE buyer_id = 'b-jiadian-0001'"),
                  "case_id": column("SELECT case_id FROM after_sales"), "agent_id": accounts,
                  "to_agent": accounts, "shop": ["jiadian", "chaye"], "session_id": [1, 2, 3]}
    return relay, {"buyer": str(buyers[0]), "agent": agents[0], "supervisor": supervisor}, values


def run(count: int, processes: int) -> dict[str, Any]:
    raise_file_limit()
    data_dir = Path(tempfile.mkdtemp(prefix="kefu-bench-fuzz-"))
    log = data_dir / "relay.log"
    loop = asyncio.new_event_loop()
    relay = None
    procs: list[Any] = []
    total: dict[str, Any] = {"sent": 0, "answers": Counter(), "dropped": 0, "unanswered": 0, "extra": 0,
                             "kinds": Counter()}
    try:
        relay, tokens, values = loop.run_until_complete(set_up(data_dir, log))
        out = mp.get_context("spawn").Queue()
        started = time.perf_counter()
        share = -(-count // processes)
        for i in range(processes):
            procs.append(start(client_process, relay.url, tokens, values, min(share, count - i * share), out))
        for _ in procs:
            tally = out.get(timeout=RESULT_TIMEOUT_S)
            for key, value in tally.items():
                total[key] += value
        total["seconds"] = time.perf_counter() - started
        total["relay_exited"] = relay.proc.returncode is not None
        total["healthy"] = loop.run_until_complete(healthy(relay.url)) if not total["relay_exited"] else False
    finally:
        stop_processes(procs)
        if relay is not None:
            loop.run_until_complete(relay.stop())
        loop.close()
        text = log.read_text(errors="replace") if log.exists() else ""
        total["log_errors"] = sum(" ERROR " in line or line.startswith("Traceback") for line in text.splitlines())
        total["log_sample"] = [line for line in text.splitlines() if " ERROR " in line][:3]
        shutil.rmtree(data_dir, ignore_errors=True)
    return total


async def healthy(url: str) -> bool:
    async with aiohttp.ClientSession() as http, http.get(url + "/healthz") as resp:
        return resp.status == 200 and (await resp.json()).get("status") == "ok"


def crashes(r: dict[str, Any]) -> dict[str, int]:
    """Everything that must never happen, by kind (all 0 in a good run)."""
    from tests.fuzz_strategies import REFUSALS

    undocumented = sum(n for key, n in r["answers"].items()
                       if key.startswith("error:") and key.removeprefix("error:") not in REFUSALS)
    return {"relay process gone": int(r["relay_exited"]), "/healthz not ok": int(not r["healthy"]),
            "internal, unavailable or undocumented codes": undocumented, "connections dropped": r["dropped"],
            "frames unanswered": r["unanswered"], "answers too many": r["extra"], "relay log errors": r["log_errors"]}


def table(r: dict[str, Any], processes: int) -> str:
    broken = crashes(r)
    errors = sorted(((k.removeprefix("error:"), n) for k, n in r["answers"].items() if k.startswith("error:")),
                    key=lambda item: -item[1])
    lines = [
        f"{r['sent']:,} frames from tests/fuzz_strategies.py (valid frames of every client type and their mutations)"
        f" sent by a buyer, an agent and a supervisor of the demo shop from {processes} client processes, {WINDOW}"
        " in flight per connection, to a relay process (uvloop, SQLite, no rate limits). Hypothesis draws the frames"
        " in the client processes, so frames/s is bounded by the drawing as much as by the relay.",
        "",
        "| frames | seconds | frames/s | answers | error frames | crashes |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {r['sent']:,} | {r['seconds']:.1f} | {r['sent'] / max(r['seconds'], 1e-9):,.0f} |"
        f" {sum(r['answers'].values()):,} | {sum(n for _, n in errors):,} | **{sum(broken.values())}** |",
        "",
        "| error code | frames |", "|---|---:|", *(f"| `{code}` | {n:,} |" for code, n in errors),
        "",
        "Crashes (each must be 0): " + ", ".join(f"{name} {n}" for name, n in broken.items()) + ".",
    ]
    if r["log_sample"]:
        lines.append("First errors in the relay's log: " + " / ".join(r["log_sample"]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fuzz", description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=int(os.environ.get("KEFU_FUZZ_COUNT", COUNT)),
                        help=f"frames to send (default {COUNT:,}; fewer: a quick check, docs/benchmarks.md untouched)")
    parser.add_argument("--processes", type=int, default=PROCESSES)
    args = parser.parse_args(sys.argv[1:] if argv is None and __name__ == "__main__" else argv or [])
    result = run(args.count, args.processes)
    text = table(result, args.processes)
    print(text)
    if args.count >= COUNT:
        from bench.report import write_section

        write_section("fuzz", "Fuzzing the relay (`bench/fuzz.py`)", text, "python -m bench fuzz")
    else:
        print(f"(a quick run of {args.count:,} frames: docs/benchmarks.md is left as it is)")
    if sum(crashes(result).values()):
        raise SystemExit("the relay crashed or misanswered: see above")


if __name__ == "__main__":
    main()
