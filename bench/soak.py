"""Soak: 1,000 buyers chatting for 10 minutes with a relay and a workstation; memory and loop lag must stay flat.

Set-up: a relay process on 127.0.0.1 (embedded SQLite in a fresh temporary directory, the `--demo` shop
plus the benchmark's buyers, seeded as `bench/relay_idle.py` does; agent1 and agent2 at cap 50, buyers at
the production rate limit). The workstation is its own process: the desk core (`DeskService`, plain
asyncio, local history and outbox) logged in as agent1 and agent2, each answering its chats from the
shop's templates (rendered by the relay) a second or two after a buyer writes, and resolving a chat once
its buyer has been quiet for a while. Buyers are real WebSocket clients in two child processes: each opens
its conversation, writes a few messages a minute (a question, then waits for an answer or thinks), leaves
after a few, and comes back later with a new chat, so conversations are opened, routed, queued and closed
all along.

Measured, sampled every `SAMPLE_S` seconds (shorter for a short run): RSS of the relay process and of the
workstation process (/proc), the relay's event-loop lag as the round trip of `GET /healthz` from this
process (the relay exports no loop-lag figure; this process does nothing else), the workstation loop's
lag (how late a 100 ms sleeper wakes), and every error frame the buyers got and every refusal the
workstation saw, by code. After a warm-up (the first 20% of the run): RSS growth from the first sample
after the warm-up to the last (a least-squares slope is shown beside it), and lag p50/p99 in the first and
last thirds of the rest.

Targets: RSS growth < 10% for both processes; last-third lag p99 < 2x first-third p99 + 5 ms for both;
no error frame at all (none is expected: buyers write well under their rate limit).

`python -m bench.soak --buyers 100 --seconds 40` is a short check; only a full run (the defaults) writes
its section into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing as mp
import os
import queue
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import msgspec

from bench.harness import new_loop, open_buyer, percentile, raise_file_limit, rss_kib, start, stop_processes

BUYERS = int(os.environ.get("KEFU_SOAK_BUYERS", 1000))
SECONDS = float(os.environ.get("KEFU_SOAK_SECONDS", 600))
PROCESSES = 2
SAMPLE_S = 10.0
WARM_UP = 0.2
PING_S = 0.5
"""How often this process times `GET /healthz` (the relay's loop lag)."""
SLEEPER_S = 0.1
"""The workstation's lag probe: a sleep this long, timed."""
USERS = ("agent1", "agent2")
PASSWORD = "kefu-demo"
BUYER_PREFIX = "b-soak-"
BUYER_RATE = ("--buyer-rate", "5/20")
"""The relay's default buyer limit, kept (the harness lifts all limits; agents pace themselves)."""
MESSAGES_PER_CHAT = (2, 4)
REPLY_WAIT_S = 10.0
THINK_S = (8.0, 20.0)
"""After the answer (or `REPLY_WAIT_S` without one): with it, a buyer writes 2-4 messages a minute."""
AWAY_S = (20.0, 60.0)
REPLY_DELAY_S = (1.0, 3.0)
QUIET_S = 15.0
"""An agent resolves a chat whose buyer has not written for this long since its last answer."""
EXPECTED_ERRORS: frozenset[str] = frozenset()
GROWTH_TARGET = 10.0
SETUP_TIMEOUT_S = 120.0
END_GRACE_S = 30.0


# --- buyers (child processes) -----------------------------------------------------------------


class _Who(msgspec.Struct):
    kind: str = ""


class BuyerFrame(msgspec.Struct):
    """What a buyer reads of a pushed frame."""

    type: str
    id: str | None = None
    code: str | None = None
    sender: _Who | None = None


@dataclass
class BuyerTally:
    chats: int = 0
    sent: int = 0
    acked: int = 0
    unacked: int = 0
    replies: int = 0
    dropped: int = 0
    """Connections the relay closed while the buyer was chatting."""
    failures: list[str] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)


async def _read(ws: Any, pending: set[str], replied: asyncio.Event, tally: BuyerTally) -> None:
    decode = msgspec.json.Decoder(BuyerFrame).decode
    async for msg in ws:
        if msg.type is not aiohttp.WSMsgType.TEXT:
            break
        frame = decode(msg.data)
        if frame.type == "error":
            tally.errors[frame.code or "?"] += 1
            pending.discard(frame.id or "")
        elif frame.type == "ack" and frame.id in pending:
            pending.discard(frame.id)
            tally.acked += 1
        elif frame.type == "message" and frame.sender is not None and frame.sender.kind == "agent":
            tally.replies += 1
            replied.set()


async def _buyer(http: aiohttp.ClientSession, url: str, buyer_id: str, lines: tuple[str, ...], rng: random.Random,
                 stop_at: float, tally: BuyerTally) -> None:
    """One buyer, chat after chat until `stop_at` (loop clock): a few messages, then away for a while."""
    loop = asyncio.get_running_loop()
    await asyncio.sleep(rng.uniform(0, min(AWAY_S[1], (stop_at - loop.time()) / 10)))
    async with http.post(url + "/api/buyer/session", json={"buyer_id": buyer_id}) as resp:
        resp.raise_for_status()
        token = (await resp.json())["token"]
    n = 0
    while loop.time() < stop_at - REPLY_WAIT_S:
        try:
            ws, conv = await open_buyer(http, url, token)
        except (ConnectionError, TimeoutError, aiohttp.ClientError) as exc:
            tally.failures.append(f"{buyer_id}: {type(exc).__name__}: {exc}")
            await asyncio.sleep(5)
            continue
        tally.chats += 1
        pending: set[str] = set()
        replied = asyncio.Event()
        reader = loop.create_task(_read(ws, pending, replied, tally))
        try:
            for _ in range(rng.randint(*MESSAGES_PER_CHAT)):
                if loop.time() >= stop_at - REPLY_WAIT_S or reader.done():
                    break
                n += 1
                rid = f"{buyer_id}-{n}"
                pending.add(rid)
                replied.clear()
                await ws.send_str(msgspec.json.encode({"type": "send", "id": rid, "conversation_id": conv,
                                                       "client_msg_id": rid, "text": rng.choice(lines)}).decode())
                tally.sent += 1
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(replied.wait(), REPLY_WAIT_S)
                await asyncio.sleep(min(rng.uniform(*THINK_S), max(0.0, stop_at - loop.time())))
            for _ in range(50):  # the last acks, before leaving
                if not pending or reader.done():
                    break
                await asyncio.sleep(0.1)
            if reader.done():
                tally.dropped += 1
        finally:
            tally.unacked += len(pending)
            await ws.close()
            await asyncio.gather(reader, return_exceptions=True)
        await asyncio.sleep(min(rng.uniform(*AWAY_S), max(0.0, stop_at - loop.time())))


def buyer_process(url: str, buyer_ids: list[str], seconds: float, seed: int, out: Any) -> None:
    """Child process: these buyers chat for `seconds`; then the tally goes to `out`."""
    from app.simulator import Script

    raise_file_limit()
    loop = new_loop()
    script = Script.load()
    lines = script.greetings + script.questions + script.followups
    tally = BuyerTally()

    async def main() -> None:
        stop_at = loop.time() + seconds
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            results = await asyncio.gather(*(_buyer(http, url, b, lines, random.Random(seed * 100_000 + i), stop_at,
                                                    tally) for i, b in enumerate(buyer_ids)),
                                           return_exceptions=True)
        for buyer_id, result in zip(buyer_ids, results, strict=True):
            if isinstance(result, BaseException):
                tally.failures.append(f"{buyer_id}: {type(result).__name__}: {result}")

    loop.run_until_complete(main())
    out.put(("buyers", tally))


# --- the workstation (a child process) ----------------------------------------------------------


class ReplyBot:
    """An agent at the desk core: answers each chat from a template, resolves it once the buyer is quiet."""

    def __init__(self, desk: Any, rng: random.Random, tally: Counter[str]) -> None:
        from app.events import MessagesAdded, Notice

        self.desk = desk
        self.rng = rng
        self.tally = tally
        self.due: dict[int, float] = {}
        """Chats to answer, and when (loop clock)."""
        self.quiet: dict[int, float] = {}
        """Chats answered, and when to resolve them if the buyer writes nothing more."""
        self._kinds = (MessagesAdded, Notice)
        desk.events.subscribe(self.on_event)

    def on_event(self, event: Any) -> None:
        added, notice = self._kinds
        if isinstance(event, added) and any(m.sender_kind == "buyer" for m in event.messages):
            self.due.setdefault(event.conversation_id, self._later())
            self.quiet.pop(event.conversation_id, None)
        elif isinstance(event, notice):
            self.tally[f"error:{event.error.code}"] += 1

    def _later(self) -> float:
        return asyncio.get_running_loop().time() + self.rng.uniform(*REPLY_DELAY_S)

    async def run(self, stop_at: float) -> None:
        loop = asyncio.get_running_loop()
        me = self.desk.session.user_id
        while (now := loop.time()) < stop_at:
            await asyncio.sleep(0.5)
            mine = {v.conversation_id for v in self.desk.active_conversations()
                    if v.info.agent_id == me and v.info.status == "assigned"}
            for table in (self.due, self.quiet):
                for cid in [c for c in table if c not in mine]:
                    del table[cid]
            for cid in mine - self.due.keys() - self.quiet.keys():  # just assigned
                self.due[cid] = self._later()
            for cid, at in list(self.due.items()):
                if at <= now:
                    del self.due[cid]
                    if await self._do(self._answer(cid)):
                        self.quiet[cid] = loop.time() + QUIET_S
            for cid, at in list(self.quiet.items()):
                if at <= now and cid not in self.due:
                    del self.quiet[cid]
                    if await self._do(self.desk.resolve(cid)):
                        self.tally["resolved"] += 1

    async def _answer(self, cid: int) -> None:
        desk = self.desk
        await desk.mark_read(cid)
        templates = desk.templates or await desk.refresh_templates()
        text = "亲，稍等，我帮您查一下"
        if templates:
            text = (await desk.render_template(self.rng.choice(templates).template_id, cid)).text or text
        await desk.send_text(cid, text)
        self.tally["replies"] += 1

    async def _do(self, action: Any) -> bool:
        from app.errors import KefuError, RelayError

        try:
            await action
        except RelayError as exc:
            self.tally[f"error:{exc.code}"] += 1
            return False
        except KefuError as exc:
            self.tally[f"error:{type(exc).__name__}"] += 1
            return False
        return True


async def _desk(url: str, data_dir: str, seconds: float, out: Any) -> None:
    from app.client import login
    from app.config import DeskConfig
    from app.services import DeskService

    loop = asyncio.get_running_loop()
    tally: Counter[str] = Counter()
    desks = []
    try:
        for user in USERS:
            logged = await login(url, "jiadian", user, PASSWORD)
            desk = await DeskService.open(DeskConfig(data_dir=Path(data_dir)), url, logged.token, logged.session)
            desks.append(desk)
            await desk.start()
        for desk in desks:
            await asyncio.wait_for(desk.link.online.wait(), SETUP_TIMEOUT_S)
        out.put(("ready", None))
        stop_at = loop.time() + seconds
        bots = [loop.create_task(ReplyBot(d, random.Random(i), tally).run(stop_at)) for i, d in enumerate(desks)]
        lags: list[tuple[float, float]] = []
        flushed = time.monotonic()
        while loop.time() < stop_at:
            before = time.monotonic()
            await asyncio.sleep(SLEEPER_S)
            lags.append((before, (time.monotonic() - before - SLEEPER_S) * 1000))
            if before - flushed >= 1.0:
                out.put(("lag", lags))
                lags, flushed = [], before
        out.put(("lag", lags))
        await asyncio.gather(*bots)
    finally:
        for desk in desks:
            await desk.close()
    out.put(("desk", tally))


def desk_process(url: str, data_dir: str, seconds: float, out: Any) -> None:
    """Child process: the workstation's core as agent1 and agent2 for `seconds`; lag samples go to `out`."""
    asyncio.run(_desk(url, data_dir, seconds, out))


# --- the run ------------------------------------------------------------------------------------


@dataclass
class Run:
    buyers: int
    seconds: float
    sample_s: float
    rss: list[tuple[float, int, int]] = field(default_factory=list)
    """(seconds into the run, relay KiB, workstation KiB)."""
    relay_lag: list[tuple[float, float]] = field(default_factory=list)
    desk_lag: list[tuple[float, float]] = field(default_factory=list)
    buyer: BuyerTally = field(default_factory=BuyerTally)
    desk: Counter[str] = field(default_factory=Counter)


async def _ping(url: str, t0: float, stop_at: float, into: list[tuple[float, float]]) -> None:
    async with aiohttp.ClientSession() as http:
        while (now := time.monotonic()) < stop_at:
            try:
                async with http.get(url + "/healthz") as resp:
                    await resp.read()
                into.append((now - t0, (time.monotonic() - now) * 1000))
            except aiohttp.ClientError:
                into.append((now - t0, float("inf")))
            await asyncio.sleep(max(0.0, PING_S - (time.monotonic() - now)))


def _take(out: Any, run: Run, t0: float, timeout: float = 0.0) -> tuple[str, Any] | None:
    """One message of the children, filed in `run` (lag samples are kept; others returned)."""
    try:
        kind, body = out.get(timeout=timeout) if timeout else out.get_nowait()
    except queue.Empty:
        return None
    if kind == "lag":
        run.desk_lag.extend((at - t0, lag) for at, lag in body)
    return kind, body


async def soak(buyers: int, seconds: float) -> Run:
    from app.relay_process import kill_leftovers
    from bench.harness import prepare_relay
    from bench.relay_idle import seed_buyers

    raise_file_limit()
    run = Run(buyers, seconds, min(SAMPLE_S, max(2.0, seconds / 20)))
    tmp = Path(tempfile.mkdtemp(prefix="kefu-bench-soak-"))
    ids = [f"{BUYER_PREFIX}{i:05d}" for i in range(1, buyers + 1)]
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    procs: list[mp.process.BaseProcess] = []
    relay = None
    try:
        (tmp / "relay").mkdir()
        await seed_buyers(tmp / "relay", ids)
        relay, _, _ = await prepare_relay(tmp / "relay", *BUYER_RATE, buyers=0)
        desk = start(desk_process, relay.url, str(tmp / "desk"), seconds, out)
        procs.append(desk)
        if await asyncio.to_thread(_take, out, run, 0.0, SETUP_TIMEOUT_S) != ("ready", None):
            raise RuntimeError("the workstation did not come online")
        t0 = time.monotonic()
        share = -(-buyers // PROCESSES)
        for i in range(PROCESSES):
            if part := ids[i * share:(i + 1) * share]:
                procs.append(start(buyer_process, relay.url, part, seconds, i + 1, out))
        pinger = asyncio.create_task(_ping(relay.url, t0, t0 + seconds, run.relay_lag))
        assert relay.proc.pid is not None and desk.pid is not None
        results: list[tuple[str, Any]] = []
        for k in range(1, int(seconds / run.sample_s + 1e-9) + 1):
            await asyncio.sleep(max(0.0, t0 + k * run.sample_s - time.monotonic()))
            run.rss.append((time.monotonic() - t0, rss_kib(relay.proc.pid), rss_kib(desk.pid)))
            while (got := _take(out, run, t0)) is not None:
                results.append(got)
            print(f"  {run.rss[-1][0]:5.0f} s  relay {run.rss[-1][1] / 1024:6.1f} MiB"
                  f"  workstation {run.rss[-1][2] / 1024:6.1f} MiB", flush=True)
        await pinger
        deadline = time.monotonic() + END_GRACE_S + REPLY_WAIT_S
        while sum(kind in ("buyers", "desk") for kind, _ in results) < len(procs) and time.monotonic() < deadline:
            if (got := await asyncio.to_thread(_take, out, run, t0, 1.0)) is not None:
                results.append(got)
        for kind, body in results:
            if kind == "buyers":
                for name in ("chats", "sent", "acked", "unacked", "replies", "dropped"):
                    setattr(run.buyer, name, getattr(run.buyer, name) + getattr(body, name))
                run.buyer.failures += body.failures
                run.buyer.errors.update(body.errors)
            elif kind == "desk":
                run.desk.update(body)
        missing = len(procs) - sum(kind in ("buyers", "desk") for kind, _ in results)
        if missing:
            run.buyer.failures.append(f"{missing} child process(es) sent no result")
    finally:
        stop_processes(procs)
        if relay is not None:
            await relay.stop()
        kill_leftovers()  # a relay whose start was interrupted
        shutil.rmtree(tmp, ignore_errors=True)
    return run


# --- figures ------------------------------------------------------------------------------------


def growth(points: list[tuple[float, float]]) -> tuple[float, float]:
    """(% from the first point to the last, least-squares slope in MiB per minute)."""
    if len(points) < 2 or not points[0][1]:
        return float("nan"), float("nan")
    xs, ys = [t for t, _ in points], [kib / 1024 for _, kib in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var * 60 if var else float("nan")
    return (points[-1][1] - points[0][1]) / points[0][1] * 100, slope


def thirds(samples: list[tuple[float, float]], start_s: float, end_s: float) -> tuple[list[float], list[float]]:
    third = (end_s - start_s) / 3
    first = [v for t, v in samples if start_s <= t < start_s + third]
    last = [v for t, v in samples if end_s - third <= t <= end_s]
    return first, last


def table(run: Run) -> tuple[str, bool]:
    warm = run.seconds * WARM_UP
    post = [s for s in run.rss if s[0] >= warm]
    ok = True
    lines = [
        f"{run.buyers:,} buyers ({PROCESSES} processes, real WebSockets: {MESSAGES_PER_CHAT[0]}-{MESSAGES_PER_CHAT[1]}"
        f" messages a chat, an answer awaited up to {REPLY_WAIT_S:.0f} s then {THINK_S[0]:.0f}-{THINK_S[1]:.0f} s"
        f" thinking, away {AWAY_S[0]:.0f}-{AWAY_S[1]:.0f} s between chats) for {run.seconds:.0f} s against a relay"
        " process (SQLite, demo shop, agents at cap 50) and a workstation process (the desk core as"
        f" {' and '.join(USERS)}, answering from templates, resolving after {QUIET_S:.0f} s quiet)."
        f" Samples every {run.sample_s:.0f} s; warm-up {warm:.0f} s. RSS growth: last sample against the first"
        " after the warm-up (the slope is a least-squares fit over the same samples). Relay lag: `GET /healthz`"
        f" round trip every {PING_S} s; workstation lag: how late a {SLEEPER_S * 1000:.0f} ms sleep wakes.", "",
        "| process | RSS after warm-up MiB | RSS last MiB | growth % | slope MiB/min | lag p50 first⅓ ms |"
        " lag p99 first⅓ ms | lag p50 last⅓ ms | lag p99 last⅓ ms | verdict |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, col, lags in (("relay", 1, run.relay_lag), ("workstation", 2, run.desk_lag)):
        points = [(s[0], s[col]) for s in post]
        pct, slope = growth(points)
        first, last = thirds(lags, warm, run.seconds)
        p99_first, p99_last = percentile(first, 0.99), percentile(last, 0.99)
        good = pct < GROWTH_TARGET and p99_last < 2 * p99_first + 5
        ok &= good
        lines.append(
            f"| {name} | {points[0][1] / 1024 if points else float('nan'):.1f} |"
            f" {points[-1][1] / 1024 if points else float('nan'):.1f} | {pct:+.1f} | {slope:+.2f} |"
            f" {percentile(first, 0.5):.1f} | {p99_first:.1f} | {percentile(last, 0.5):.1f} | {p99_last:.1f} |"
            f" {'meets' if good else 'MISSES'} |")
    b, d = run.buyer, run.desk
    errors = Counter(b.errors)
    errors.update({k.removeprefix("error:"): v for k, v in d.items() if k.startswith("error:")})
    unexpected = {code: n for code, n in errors.items() if code not in EXPECTED_ERRORS}
    ok &= not unexpected and not b.failures and not b.unacked and not b.dropped
    lines += [
        "",
        f"Buyers: {b.chats:,} chats, {b.sent:,} messages sent, {b.acked:,} acked, {b.unacked:,} unacked,"
        f" {b.replies:,} agent answers received, {b.dropped:,} connections dropped by the relay,"
        f" {len(b.failures):,} failures. Workstation: {d['replies']:,} answers, {d['resolved']:,} chats resolved.",
        "Error frames by code: " + (", ".join(f"`{c}` {n:,}" for c, n in sorted(errors.items())) or "none")
        + f" (expected: {', '.join(sorted(EXPECTED_ERRORS)) or 'none'}).",
        "",
        f"Targets: RSS growth < {GROWTH_TARGET:.0f}% for both, last-third lag p99 < 2× first-third p99 + 5 ms,"
        f" no unexpected error frame, every message acked — {'meets' if ok else 'MISSES'}.",
    ]
    if b.failures:
        lines.append("First failures: " + "; ".join(b.failures[:3]))
    return "\n".join(lines), ok


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=BUYERS, help=f"default {BUYERS:,}")
    parser.add_argument("--seconds", type=float, default=SECONDS,
                        help=f"default {SECONDS:.0f}; a shorter or smaller run leaves docs/benchmarks.md as it is")
    args = parser.parse_args(sys.argv[1:] if argv is None and __name__ == "__main__" else argv or [])
    if args.buyers < 1 or args.seconds < 10:
        parser.error("at least 1 buyer and 10 seconds")
    run = asyncio.run(soak(args.buyers, args.seconds))
    text, _ = table(run)
    print(text)
    if args.buyers >= 1000 and args.seconds >= 600:
        from bench.report import write_section

        write_section("soak", "Soak (`bench/soak.py`)", text, "python -m bench soak")
    else:
        print(f"(a short run of {args.buyers:,} buyers for {args.seconds:.0f} s: docs/benchmarks.md is left as it is)")


if __name__ == "__main__":
    main()
