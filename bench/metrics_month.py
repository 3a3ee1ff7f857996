"""The busy month of `bench/metrics.py`: one shop, 50 agents, 30 days of facts worked out by
`relay.metrics.rules` as the desk does (rounds opened, replied or due, sessions opened, first
reply, closed, rated; calls; transfers), and written in bulk through the store's own writer."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import astuple, dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from relay.metrics import rules
from relay.metrics.report import Member
from relay.store.interface import CallRow, RoundRow, SessionRow
from relay.store.rows import CALL_COLUMN_COUNT, CALL_COLUMNS, call_values
from relay.store.sqlite import SqliteStore

TZ = "Asia/Shanghai"


SEED = 20261207


AGENTS = 50


BUYERS = 20_000


ROUNDS = 100_000


CALLS = 5_000


DAYS = 30


NOW = datetime(2026, 12, 7, 16, 0, tzinfo=ZoneInfo(TZ))
"""The benchmark's "now": today is the 30th day and runs until 16:00."""


HOUR_WEIGHTS = [1, 1, 0.5, 0.3, 0.3, 0.5, 1, 2, 5, 8, 10, 10, 9, 9, 10, 10, 9, 8, 8, 9, 10, 9, 7, 3]
"""Buyers' messages by shop-time hour (evenings are busy; a few write at night)."""


@dataclass
class Month:
    rounds: list[RoundRow]
    sessions: list[SessionRow]
    calls: list[CallRow]
    events: list[tuple[int, int, int, str, str | None, int | None, int | None, str, int]]
    conversations: dict[str, int]


def reply_delay_ms(rng: random.Random) -> int:
    """Most replies within a minute, ~12% past 180 s, a few very late."""
    if rng.random() < 0.12:
        return int(rng.uniform(181, 900) * 1000)
    return int(min(180_000, rng.lognormvariate(3.4, 0.8) * 1000))


def generate(shop_id: int, agent_ids: list[int], rng: random.Random) -> Month:
    """Rounds, sessions, calls and events of 30 days, each worked out by the rules as the desk does."""
    now_ms = int(NOW.timestamp() * 1000)
    first_day = NOW.date() - timedelta(days=DAYS - 1)
    conversations = {f"bm-{i:05d}": i + 1 for i in range(BUYERS)}
    buyers = list(conversations)
    free_at: dict[str, int] = {}
    previous: dict[str, SessionRow] = {}
    month = Month([], [], [], [], conversations)
    hours = list(range(24))
    session_id = 0
    seq: dict[str, int] = {}
    while len(month.rounds) < ROUNDS:
        day = first_day + timedelta(days=rng.randrange(DAYS))
        hour = rng.choices(hours, HOUR_WEIGHTS)[0]
        opened = int(datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(TZ)).timestamp() * 1000)
        opened += rng.randrange(3_600_000)
        if opened > now_ms - 3 * 3_600_000:
            continue
        buyer = rng.choice(buyers)
        if free_at.get(buyer, 0) > opened:
            continue
        conv = conversations[buyer]
        session_id += 1
        s = replace(rules.new_session(conv, shop_id, buyer, opened, TZ, previous.get(buyer)), id=session_id)
        agent = rng.choice(agent_ids)
        month.events.append((conv, shop_id, opened + 2_000, "auto", None, None, agent, "",
                             rules.hour_start(opened + 2_000, TZ)))
        t = opened
        if rng.random() < 0.03:  # the buyer left the queue before anybody answered
            r = rules.new_round(conv, shop_id, buyer, seq.setdefault(buyer, 1), t, session_id, TZ)
            seq[buyer] += 3
            r = replace(r, **rules.round_due(r, None))
            closed = t + 660_000
            r = replace(r, **rules.round_ended(r, closed, None))
            month.rounds.append(r)
            s = replace(s, **rules.session_closed(s, closed, "abandoned", None, None))
        else:
            for _ in range(1 + min(4, int(rng.expovariate(1.4)))):
                r = rules.new_round(conv, shop_id, buyer, seq.setdefault(buyer, 1), t, session_id, TZ)
                seq[buyer] += 3
                delay = reply_delay_ms(rng)
                if rng.random() < 0.03:  # transferred mid-round: the new agent replies
                    at = t + rng.randrange(10_000, max(11_000, delay))
                    month.events.append((conv, shop_id, at, "transfer", str(agent), agent, None, "",
                                         rules.hour_start(at, TZ)))
                    agent = rng.choice(agent_ids)
                if delay > rules.REPLY_BAR_MS:
                    r = replace(r, **rules.round_due(r, agent))
                r = replace(r, **rules.round_replied(r, t + delay, agent))
                month.rounds.append(r)
                s = replace(s, **rules.session_replied(s, t + delay, agent))
                t += delay + rng.randrange(30_000, 600_000)
            closed = t + rng.randrange(10_000, 120_000)
            reason = "resolved" if rng.random() < 0.9 else "auto_closed"
            s = replace(s, **rules.session_closed(s, closed, reason, agent if reason == "resolved" else None, agent))
            if reason == "resolved" and rng.random() < 0.55:
                stars = rng.choices([None, 1, 2, 3, 4, 5], [20, 2, 2, 6, 20, 50])[0]
                s = replace(s, **rules.session_rated(stars, "", closed + 30_000))
            if len(month.calls) < CALLS and rng.random() < CALLS / (ROUNDS / 1.6) * 1.1:
                month.calls.append(make_call(rng, s, agent, t - 20_000))
        month.sessions.append(s)
        previous[buyer] = s
        free_at[buyer] = s.closed_at or opened
    return month


def make_call(rng: random.Random, s: SessionRow, agent: int, invited: int) -> CallRow:
    row = CallRow(id=f"call-{s.id}", shop_id=s.shop_id, conversation_id=s.conversation_id, agent_id=agent,
                  agent_name=f"客服{agent}", buyer_id=s.buyer_id, buyer_name=s.buyer_id, reason="演示安装",
                  state="invited", invited_at=invited, expires_at=invited + 60_000, max_duration_s=1800,
                  delivered_at=invited + 200, hour=rules.hour_start(invited, TZ))
    fate = rng.random()
    if fate < 0.10:
        return replace(row, state="expired", ended_at=invited + 60_000, end_reason="expired")
    if fate < 0.25:
        return replace(row, state="declined", answered_at=invited + 8_000, ended_at=invited + 8_000)
    if fate < 0.28:
        return replace(row, state="cancelled", ended_at=invited + 20_000, ended_by="agent", end_reason="withdrawn")
    answered = invited + rng.randrange(3_000, 40_000)
    if rng.random() < 0.08:  # media never came
        return replace(row, state="ended", answered_at=answered, ended_at=answered + 20_000, ended_by="relay",
                       end_reason="not_connected", duration_s=0)
    connected = answered + rng.randrange(1_000, 9_000)
    duration = rng.randrange(20, 600)
    complaint = "sales_pressure" if rng.random() < 0.02 else None
    return replace(row, state="ended", answered_at=answered, connected_at=connected,
                   ended_at=connected + duration * 1000, ended_by="buyer", end_reason="hangup", duration_s=duration,
                   complaint=complaint, complaint_at=connected + duration * 1000 + 5_000 if complaint else None)


def sql_value(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


async def bulk(store: SqliteStore, sql: str, rows: Iterable[tuple[Any, ...]], chunk: int = 20_000) -> None:
    """Insert rows through the store's one writer, a chunk per transaction."""
    batch: list[tuple[Any, ...]] = []

    async def flush() -> None:
        if batch:
            data = list(batch)
            batch.clear()
            await store._write(lambda conn: conn.executemany(sql, data))

    for row in rows:
        batch.append(row)
        if len(batch) >= chunk:
            await flush()
    await flush()


def insert_sql(table: str, names: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"


async def populate(store: SqliteStore) -> tuple[int, list[Member], Month]:
    shop = await store.ensure_shop("bench", "基准旗舰店")
    members = []
    for i in range(1, AGENTS + 1):
        account = await store.create_account("bench", f"agent{i}", f"客服{i:02d}", "agent", "x")
        members.append(Member(account.id, account.display_name, "agent", "online", True, 3, 8))
    boss = await store.create_account("bench", "super1", "主管", "supervisor", "x")
    members.append(Member(boss.id, boss.display_name, "supervisor", "online", True))
    month = generate(shop.id, [m.account_id for m in members[:AGENTS]], random.Random(SEED))
    await bulk(store, "INSERT INTO buyers (id, nickname, city, vip) VALUES (?, ?, ?, 0)",
               ((b, f"买家{b[-5:]}", "杭州") for b in month.conversations))
    created = int((NOW - timedelta(days=DAYS + 1)).timestamp() * 1000)
    await bulk(store, "INSERT INTO conversations (id, shop_id, buyer_id, created_at) VALUES (?, ?, ?, ?)",
               ((cid, shop.id, b, created) for b, cid in month.conversations.items()))
    session_names = tuple(f.name for f in fields(SessionRow))
    await bulk(store, insert_sql("chat_sessions", session_names),
               (tuple(sql_value(v) for v in astuple(s)) for s in sorted(month.sessions, key=lambda s: s.opened_at)))
    round_names = tuple(f.name for f in fields(RoundRow))
    await bulk(store, insert_sql("reply_rounds", round_names),
               (tuple(sql_value(v) for v in astuple(r)) for r in sorted(month.rounds, key=lambda r: r.buyer_at)))
    await bulk(store, f"INSERT INTO calls ({CALL_COLUMNS}) VALUES ({', '.join('?' * CALL_COLUMN_COUNT)})",
               (call_values(c) for c in sorted(month.calls, key=lambda c: c.invited_at)))
    await bulk(store, "INSERT INTO conversation_events (conversation_id, shop_id, at, kind, actor, from_agent,"
                      " to_agent, note, hour) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
               sorted(month.events, key=lambda e: e[2]))
    await store._write(lambda conn: conn.execute("ANALYZE"))
    return shop.id, members, month
