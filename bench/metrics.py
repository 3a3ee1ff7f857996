"""Supervisors' figures over a busy month: a 30-day report, and the live book's cost per event.

A shop with 50 agents has 30 days of facts (100,000 reply rounds in ~60,000 chats, 5,000 video
calls, transfers) in a real SQLite relay store in a temporary directory. The facts are worked out
by `relay.metrics.rules` exactly as the desk does (round opened, replied or due, session opened,
first reply, closed, rated) and written in bulk through the store's own writer (`bench/metrics_month.py`).

(a) The 30-day report the HTTP API answers (`GET /api/supervisor/figures?days=30`, by agent, hour
and day), as `relay.metrics.api` does: the days (kept day sums, or the day's facts summed and kept
when none are kept yet; today from the live cells), the report and its JSON, with the days kept
and with none kept. Baseline in the same run: one plain full-scan SQL query computing only the 3-minute reply
rate over the same rows (and the same query on the index); its rate must equal the report's.

(b) The live `MetricsBook`: the cost of one fact change (a round opened, answered, a session
closed, a call...) against the cost of storing one message in the same store (one at a time, and
amortised over a group commit of 1,000).

The wallboard's refresh on the GUI thread is `bench/wallboard.py`'s (a Qt benchmark); its latest
figure is quoted from its section of docs/benchmarks.md.
"""

from __future__ import annotations

import asyncio
import random
import re
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

from bench.harness import percentile
from bench.metrics_month import AGENTS, BUYERS, DAYS, NOW, SEED, TZ, Month, make_call, populate, reply_delay_ms
from bench.report import DOC, write_section
from relay.clock import FakeClock
from relay.metrics import rules
from relay.metrics.book import MetricsBook
from relay.metrics.cells import from_groups
from relay.metrics.days import KeptDays, days_of
from relay.metrics.report import Member, compose
from relay.store.sqlite import SqliteStore
from wire import figures as w
from wire.codec import encode

REPORT_RUNS = 10
COLD_RUNS = 3
BASELINE_RUNS = 15
BOOK_EVENTS = 20_000
MESSAGES_ONE_BY_ONE = 300
MESSAGES_GROUPED = 1_000
TARGET_REPORT_MS = 200.0

T = TypeVar("T")


# (a) the 30-day report ------------------------------------------------------------------------


async def timed_async(fn: Callable[[], Awaitable[T]], runs: int) -> tuple[list[float], T]:
    out: list[float] = []
    result: Any = None
    for _ in range(runs):
        start = time.perf_counter()
        result = await fn()
        out.append((time.perf_counter() - start) * 1000)
    return out, result


async def loop_stall_ms(work: Awaitable[Any]) -> float:
    """The longest the event loop went without running a 1 ms ticker while `work` ran on it."""
    gaps: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            gaps.append((now - last) * 1000)
            last = now

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.005)
    await work
    done.set()
    await task
    return max(gaps)


async def report_rows(store: SqliteStore, shop_id: int, members: list[Member]) -> tuple[list[dict[str, Any]],
                                                                                        w.FiguresReport]:
    last = NOW.date()
    first = last - timedelta(days=DAYS - 1)
    since, until = rules.window(first, last, TZ)
    now_ms = int(NOW.timestamp() * 1000)
    today = rules.window(last, last, TZ)[0]
    # Today's cells as the relay's MetricsBook holds them (loaded once at start, kept per event).
    live = (today, from_groups(await store.metric_groups(shop_id, today, now_ms)))
    parts: dict[str, list[float]] = {"days": [], "compose": [], "encode": []}
    final: list[Any] = []

    memory = KeptDays()  # the relay's (MetricsBook.kept_days)

    async def api_figures(by: frozenset[str], first: date = first, kept: KeptDays | None = memory) -> bytes:
        """What `GET /api/supervisor/figures` does after authentication (relay.metrics.api.figures_report)."""
        t0 = time.perf_counter()
        days = await days_of(store, shop_id, TZ, first, last, now_ms, with_cells="agent_hour" in by, live=live,
                             kept=kept)
        t1 = time.perf_counter()
        report = compose(days, shop="bench", tz=TZ, first=first, last=last, generated_at=now_ms,
                         members=members, by=by)
        t2 = time.perf_counter()
        body = encode(report)
        t3 = time.perf_counter()
        for name, a, b in (("days", t0, t1), ("compose", t1, t2), ("encode", t2, t3)):
            parts[name].append((b - a) * 1000)
        final[:] = [report, body]
        return body

    async def forget() -> None:
        await store._write(lambda conn: conn.execute("DELETE FROM figure_days"))

    default = frozenset({"agent", "hour", "day"})
    await store.metric_groups(shop_id, since, until)  # warm-up (page cache, zoneinfo)
    cold: list[float] = []
    for _ in range(COLD_RUNS):
        await forget()
        cold += (await timed_async(lambda: api_figures(default, kept=KeptDays()), 1))[0]
    cold_body = final[1]
    await forget()
    cold_stall = await loop_stall_ms(api_figures(default, kept=KeptDays()))
    stored, _ = await timed_async(lambda: api_figures(default, kept=None), REPORT_RUNS)
    assert final[1] == cold_body
    await api_figures(default)
    warm_stall = await loop_stall_ms(api_figures(default))
    for values in parts.values():
        values.clear()
    totals, _ = await timed_async(lambda: api_figures(default), REPORT_RUNS)
    report, body = final
    assert body == cold_body, "the report from kept day sums differs from the one summed from the facts"
    saved = {k: list(v) for k, v in parts.items()}
    by_day, _ = await timed_async(lambda: api_figures(frozenset({"day"})), REPORT_RUNS)
    week, _ = await timed_async(lambda: api_figures(frozenset({"day"}), last - timedelta(days=6)), REPORT_RUNS)
    parts = saved

    plain = ("SELECT SUM(on_time), COUNT(*) FROM reply_rounds {how} WHERE shop_id = ? AND buyer_at >= ?"
             " AND buyer_at < ? AND in_hours AND decided_at IS NOT NULL")
    reader = sqlite3.connect(store.path)
    plan = " ".join(r[-1] for r in reader.execute("EXPLAIN QUERY PLAN " + plain.format(how="NOT INDEXED"),
                                                  (shop_id, since, until)))
    assert plan.startswith("SCAN"), plan

    async def baseline(how: str) -> tuple[int, int]:
        row = reader.execute(plain.format(how=how), (shop_id, since, until)).fetchone()
        return int(row[0]), int(row[1])

    scan, (on_time, rounds) = await timed_async(lambda: baseline("NOT INDEXED"), BASELINE_RUNS)
    indexed, _ = await timed_async(lambda: baseline("INDEXED BY reply_rounds_shop"), BASELINE_RUNS)
    reader.close()
    total = report.total
    assert (total.rounds_on_time, total.rounds) == (on_time, rounds), "the report and the plain query disagree"
    base = statistics.median(scan)
    rows = [
        {"what": "30 days, `by=agent,hour,day` (the API's default), days remembered: days + report + JSON",
         "samples": totals},
        *({"what": f"&nbsp;&nbsp;of which {label}", "samples": parts[key]} for key, label in (
            ("days", "the days: 29 versions checked in the store, today from the live cells"),
            ("compose", "the report: total, 50 agents, 720 hours, 30 days"), ("encode", "JSON")
        )),
        {"what": "the same, days kept in the store only (another relay's, or after a restart): 29 read and decoded",
         "samples": stored},
        {"what": "the same, no day kept yet (the first report of a day: 29 days summed from their facts and kept)",
         "samples": cold},
        {"what": "30 days, `by=day` (the wallboard's 30-day chart)", "samples": by_day},
        {"what": "7 days, `by=day` (the wallboard's 7-day chart)", "samples": week},
        {"what": "baseline: 3-minute rate only, plain full-scan SQL", "samples": scan},
        {"what": "3-minute rate only, the same SQL on the index", "samples": indexed},
    ]
    for row in rows:
        row["x"] = statistics.median(row["samples"]) / base
    meta = {"body_kib": len(body) / 1024, "rate": total.reply_rate_3min, "rounds": rounds, "plan": plan,
            "stall_ms": warm_stall, "cold_stall_ms": cold_stall}
    return [*rows, {"meta": meta}], report


# (b) the live book ----------------------------------------------------------------------------


class View:
    """The desk's side of `MetricsBook.ShopView`, for one shop."""

    def __init__(self, shop_id: int, members: list[Member]) -> None:
        self.shop_id = shop_id
        self._members = members

    def shop_ids(self) -> list[int]:
        return [self.shop_id]

    def shop_slug(self, shop_id: int) -> str:
        return "bench"

    def timezone(self, shop_id: int) -> str:
        return TZ

    def members(self, shop_id: int) -> list[Member]:
        return self._members

    def queue_figures(self, shop_id: int) -> w.QueueFigures:
        return w.QueueFigures(queued=3, agents_online=AGENTS, active_chats=150)


def book_events(shop_id: int, agent_ids: list[int], month: Month, rng: random.Random) -> list[Callable[[MetricsBook],
                                                                                                         None]]:
    """A busy afternoon's fact changes, in the order the desk tells them: chats open, rounds open and are
    answered (some late, past their 180 s mark), chats close and are rated, calls move, transfers."""
    now = int(NOW.timestamp() * 1000)
    events: list[Callable[[MetricsBook], None]] = []
    sid = 10_000_000
    buyers = list(month.conversations)
    while len(events) < BOOK_EVENTS:
        sid += 1
        buyer = rng.choice(buyers)
        conv = month.conversations[buyer]
        agent = rng.choice(agent_ids)
        t = now - rng.randrange(600_000)
        s0 = replace(rules.new_session(conv, shop_id, buyer, t, TZ, None), id=sid)
        events.append(lambda b, s=s0: b.session_changed(None, s))
        r0 = rules.new_round(conv, shop_id, buyer, 1, t, sid, TZ)
        events.append(lambda b, r=r0: b.round_changed(None, r))
        delay = reply_delay_ms(rng)
        r1 = r0
        if delay > rules.REPLY_BAR_MS:
            r1 = replace(r0, **rules.round_due(r0, agent))
            events.append(lambda b, o=r0, n=r1: b.round_changed(o, n))
        r2 = replace(r1, **rules.round_replied(r1, t + delay, agent))
        events.append(lambda b, o=r1, n=r2: b.round_changed(o, n))
        s1 = replace(s0, **rules.session_replied(s0, t + delay, agent))
        events.append(lambda b, o=s0, n=s1: b.session_changed(o, n))
        s2 = replace(s1, **rules.session_closed(s1, t + delay + 60_000, "resolved", agent, agent))
        events.append(lambda b, o=s1, n=s2: b.session_changed(o, n))
        if rng.random() < 0.5:
            s3 = replace(s2, **rules.session_rated(rng.choice([3, 4, 5, 5]), "", t + delay + 90_000))
            events.append(lambda b, o=s2, n=s3: b.session_changed(o, n))
        if rng.random() < 0.05:
            events.append(lambda b, a=agent: b.transfer(shop_id, rules.hour_start(now, TZ), a, "transfer"))
        if rng.random() < 0.08:
            c0 = replace(make_call(rng, s2, agent, t + 30_000), state="invited", answered_at=None, connected_at=None,
                         ended_at=None, duration_s=None, complaint=None, complaint_at=None, end_reason=None)
            c1 = replace(c0, state="accepted", answered_at=t + 40_000)
            c2 = replace(c1, state="connected", connected_at=t + 43_000)
            c3 = replace(c2, state="ended", ended_at=t + 200_000, duration_s=157)
            events.append(lambda b, c=c0: b.call_changed(None, c))
            for old, new in ((c0, c1), (c1, c2), (c2, c3)):
                events.append(lambda b, o=old, n=new: b.call_changed(o, n))
    return events[:BOOK_EVENTS]


async def book_rows(store: SqliteStore, shop_id: int, members: list[Member], month: Month) -> dict[str, Any]:
    clock = FakeClock(int(NOW.timestamp() * 1000))
    book = MetricsBook(store, clock)
    pushed: list[int] = []
    book.attach(View(shop_id, members), lambda shop, data: pushed.append(len(data)))
    start = time.perf_counter()
    await book.load_shop(shop_id)
    load_ms = (time.perf_counter() - start) * 1000
    events = book_events(shop_id, [m.account_id for m in members[:AGENTS]], month, random.Random(SEED + 1))
    for fn in events[:1000]:  # warm-up (then start over with a fresh day's cells)
        fn(book)
    await book.load_shop(shop_id)
    samples: list[float] = []
    for fn in events:
        t0 = time.perf_counter_ns()
        fn(book)
        samples.append((time.perf_counter_ns() - t0) / 1000)
    pushes: list[float] = []
    for _ in range(20):
        t0 = time.perf_counter()
        book.push_now(shop_id)
        pushes.append((time.perf_counter() - t0) * 1000)
    await book.close()
    today = book.today(shop_id).total
    return {"load_ms": load_ms, "events": samples, "push_ms": pushes, "push_bytes": pushed[-1],
            "today_rounds": today.rounds}


async def message_rows(store: SqliteStore, month: Month) -> dict[str, list[float]]:
    """Storing one buyer message, as the relay does (`append_message`, synchronous=FULL)."""
    convs = list(month.conversations.values())
    ts = int(NOW.timestamp() * 1000)
    one: list[float] = []
    for i in range(MESSAGES_ONE_BY_ONE):
        t0 = time.perf_counter_ns()
        await store.append_message(convs[i % len(convs)], "buyer", f"bm-{i % BUYERS:05d}", "买家",
                                   f"one-{i}", "亲，这款油烟机的安装高度是多少？", ts + i)
        one.append((time.perf_counter_ns() - t0) / 1000)
    grouped: list[float] = []
    for rep in range(3):
        t0 = time.perf_counter_ns()
        await asyncio.gather(*(store.append_message(convs[i % len(convs)], "buyer", f"bm-{i % BUYERS:05d}", "买家",
                                                    f"grp-{rep}-{i}", "请问什么时候发货？", ts + i)
                               for i in range(MESSAGES_GROUPED)))
        grouped.append((time.perf_counter_ns() - t0) / 1000 / MESSAGES_GROUPED)
    return {"one": one, "grouped": grouped}


# the run ----------------------------------------------------------------------------------------


def wallboard_figure() -> str:
    """The wallboard's busy-second p99 from its own section of docs/benchmarks.md (bench/wallboard.py)."""
    try:
        text = DOC.read_text(encoding="utf-8")
    except OSError:
        return "not run yet"
    section = re.search(r"<!-- bench:wallboard:start -->(.*?)<!-- bench:wallboard:end -->", text, re.S)
    if not section:
        return "not run yet"
    stamp = re.search(r"on (\d{4}-\d\d-\d\d \d\d:\d\d UTC)", section.group(1))
    row = re.search(r"\| a busy second[^|]*\| ([\d.]+) \| ([\d.]+) \|", section.group(1))
    if not row:
        return "see its section"
    return f"p99 {row.group(2)} ms (run of {stamp.group(1) if stamp else '?'})"


async def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="kefu-bench-metrics-") as tmp:
        store = SqliteStore(Path(tmp) / "relay.db")
        await store.open()
        try:
            t0 = time.perf_counter()
            shop_id, members, month = await populate(store)
            build_s = time.perf_counter() - t0
            report, full = await report_rows(store, shop_id, members)
            book = await book_rows(store, shop_id, members, month)
            messages = await message_rows(store, month)
            size_mb = (Path(tmp) / "relay.db").stat().st_size / 1e6
        finally:
            await store.close()
    return {"build_s": build_s, "size_mb": size_mb, "month": month, "report": report, "full": full,
            "book": book, "messages": messages}


def table(r: dict[str, Any]) -> str:
    month: Month = r["month"]
    rows = r["report"][:-1]
    meta = r["report"][-1]["meta"]
    total: w.Figures = r["full"].total
    lines = [
        f"One shop, {AGENTS} agents, {DAYS} days ending {NOW:%Y-%m-%d %H:%M} shop time ({TZ}); seed {SEED}. "
        f"{len(month.rounds):,} reply rounds in {len(month.sessions):,} chats of {BUYERS:,} buyers, "
        f"{len(month.calls):,} video calls, {len(month.events):,} conversation events, worked out by "
        f"`relay.metrics.rules` and written in bulk through the store's writer in {r['build_s']:.1f} s "
        f"(file {r['size_mb']:.0f} MB, synchronous=FULL). The month's 3-minute rate is "
        f"{total.reply_rate_3min:.3f} over {total.rounds:,} counted rounds; PDD-style {total.pdd_reply_rate:.3f} "
        f"over {total.buyer_days:,} buyer-days.",
        "",
        f"**(a) Reports over a date range** as `GET /api/supervisor/figures` builds them (`relay.metrics.api`: "
        "`days.days_of` — each day that is over summed from its facts the first time it is asked for and kept in "
        "the store, then read from there, or from the relay's memory while its version in the store is the one "
        "remembered; today from the live book's cells —, `report.compose`, JSON; "
        f"{meta['body_kib']:.0f} KiB for 30 days by agent, hour and day), {REPORT_RUNS} runs each with the days "
        f"kept, {COLD_RUNS} with none kept yet. Baseline: one plain SQL query computing only the 3-minute rate by a "
        f"full scan of `reply_rounds` ({meta['plan']}), {BASELINE_RUNS} runs; its rate equals the report's, and the "
        "report from kept days is byte for byte the one summed from the facts.",
        "",
        "| query | p50 ms | p95 ms | max ms | p50 × baseline |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        s = row["samples"]
        lines.append(f"| {row['what']} | {statistics.median(s):.1f} | {percentile(s, 0.95):.1f} | {max(s):.1f} |"
                     f" {row['x']:.1f} |")
    verdicts = []
    for row, label in ((rows[0], "30 days by agent, hour and day"), (rows[4], "the same read from the store"),
                       (rows[6], "30 days by day"), (rows[7], "7 days by day")):
        p95 = percentile(row["samples"], 0.95)
        verdicts.append(f"{label} {'meets' if p95 < TARGET_REPORT_MS else 'MISSES'} (p95 {p95:.0f} ms)")
    lines += ["", f"Target: a 30-day report under {TARGET_REPORT_MS:.0f} ms (p95) — " + "; ".join(verdicts) + ".",
              "", f"The report is computed on the relay's event loop: while one 30-day default report ran, the loop "
                  f"did nothing else for at most **{meta['stall_ms']:.0f} ms** with the days remembered and "
                  f"**{meta['cold_stall_ms']:.0f} ms** with none kept (it yields between days), the longest gap of a "
                  "1 ms ticker.", ""]

    book = r["book"]
    ev: list[float] = book["events"]
    one: list[float] = r["messages"]["one"]
    grouped: list[float] = r["messages"]["grouped"]
    mean_ev = statistics.fmean(ev)
    lines += [
        f"**(b) The live figures** (`MetricsBook`): {len(ev):,} fact changes of a busy afternoon (chats opening, "
        "rounds opening and answered — some past 180 s —, chats resolved and rated, calls, transfers), applied one "
        f"at a time on top of today's cells (loaded at start in {book['load_ms']:.0f} ms); against storing one "
        f"buyer message in the same store (`append_message`: {MESSAGES_ONE_BY_ONE} one at a time, and "
        f"{MESSAGES_GROUPED:,} at once, one group commit).",
        "",
        "| operation | mean µs | p50 µs | p99 µs | max µs | mean × one event |",
        "|---|---:|---:|---:|---:|---:|",
        f"| one fact change applied to the live figures | {mean_ev:.1f} | {statistics.median(ev):.1f} |"
        f" {percentile(ev, 0.99):.1f} | {max(ev):.1f} | 1.0 |",
        f"| storing one message, awaited one at a time | {statistics.fmean(one):.0f} | {statistics.median(one):.0f} |"
        f" {percentile(one, 0.99):.0f} | {max(one):.0f} | {statistics.fmean(one) / mean_ev:.0f} |",
        f"| storing one message, amortised over {MESSAGES_GROUPED:,} in one commit | {statistics.fmean(grouped):.1f}"
        f" | {statistics.median(grouped):.1f} | - | {max(grouped):.1f} | {statistics.fmean(grouped) / mean_ev:.1f} |",
        f"| push: today's `figures` frame composed and encoded ({book['push_bytes'] / 1024:.0f} KiB, at most 1/s) |"
        f" {statistics.fmean(book['push_ms']) * 1000:.0f} | {statistics.median(book['push_ms']) * 1000:.0f} |"
        f" {percentile(book['push_ms'], 0.99) * 1000:.0f} | {max(book['push_ms']) * 1000:.0f} |"
        f" {statistics.fmean(book['push_ms']) * 1000 / mean_ev:.0f} |",
        "",
        f"A fact change costs **{statistics.fmean(one) / mean_ev:.0f}×** less than storing one message awaited alone "
        f"and **{statistics.fmean(grouped) / mean_ev:.1f}×** less than a message's share of a group commit.",
        "",
        "**(c) Wallboard refresh (GUI thread) p99 — measured by `bench/wallboard.py`** (`python -m bench wallboard`, "
        f"a Qt benchmark with its own section): {wallboard_figure()}.",
    ]
    return "\n".join(lines)


def main() -> None:
    started = time.perf_counter()
    text = table(asyncio.run(run()))
    text += f"\n\nWhole run: {time.perf_counter() - started:.0f} s."
    print(text)
    write_section("metrics", "Supervisors' figures (`bench/metrics.py`)", text, "python -m bench metrics")


if __name__ == "__main__":
    main()
