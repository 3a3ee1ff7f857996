"""Kept day sums (relay.metrics.days): a report over days that are over sums each day's facts once and
reads the kept sums after; a fact of a past day that changes makes the store forget that day only;
sums made while a fact changed are not kept; another time zone or format is summed apart."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import relay.store.sqlite_writer as sqlite_writer
from relay.clock import FakeClock
from relay.config import RelayConfig
from relay.metrics import days as days_module
from relay.metrics import rules
from relay.metrics.api import figures_report
from relay.metrics.cells import from_groups
from relay.metrics.days import Day, days_of, summarize
from relay.store.engines import make_store
from relay.store.interface import Store
from relay.store.migrations import MIGRATIONS
from relay.store.sqlite import SqliteStore
from tests.conftest import start_relay
from tests.relay.helpers import db_rows
from tests.ui.conftest import until

TZ = "Asia/Shanghai"
FIRST = date(2026, 11, 1)
DAYS = [FIRST + timedelta(days=i) for i in range(3)]
NOW = int(datetime(2026, 11, 5, 12, 0, tzinfo=ZoneInfo(TZ)).timestamp() * 1000)
"""Every day of DAYS is over; 2026-11-05 is today."""


def at(d: date, hour: int, minute: int = 0) -> int:
    return int(datetime(d.year, d.month, d.day, hour, minute, tzinfo=ZoneInfo(TZ)).timestamp() * 1000)


class Shop:
    """Chats on the store's demo shop, written through the store's own methods (as the desk does)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.shop_id = 0
        self.agent = 0
        self.buyers = 0

    async def open(self) -> Shop:
        shop = await self.store.get_shop("jiadian")
        assert shop is not None
        self.shop_id = shop.id
        self.agent = next(a.id for a in await self.store.shop_accounts(shop.id) if a.role == "agent")
        return self

    async def chat(self, buyer_at: int, reply_after_s: int | None) -> tuple[int, int, int]:
        """A buyer's chat with one round, answered after `reply_after_s` (None: never);
        returns (conversation id, buyer seq, session id)."""
        self.buyers += 1
        buyer = f"b-jiadian-{self.buyers:04d}"
        conv, _ = await self.store.open_conversation(self.shop_id, buyer, buyer_at)
        session = await self.store.open_session(rules.new_session(conv.id, self.shop_id, buyer, buyer_at, TZ, None))
        row = rules.new_round(conv.id, self.shop_id, buyer, 1, buyer_at, session.id, TZ)
        await self.store.open_round(row)
        if reply_after_s is not None:
            reply_at = buyer_at + reply_after_s * 1000
            await self.store.update_round(conv.id, 1, **rules.round_replied(row, reply_at, self.agent))
            await self.store.update_session(session.id, **rules.session_replied(session, reply_at, self.agent))
        return conv.id, 1, session.id


@pytest.fixture
async def store(relay_config: RelayConfig) -> Any:
    """The store relays under test run on (KEFU_TEST_STORE), on the seeded database `relay_config` names."""
    s = make_store(relay_config.database, relay_config.db_path, relay_config.synchronous)
    await s.open()
    yield s
    await s.close()


@pytest.fixture
async def shop(store: Store) -> Shop:
    shop = await Shop(store).open()
    for i, d in enumerate(DAYS):
        await shop.chat(at(d, 10), 60)  # on time
        await shop.chat(at(d, 11), 179 + i)  # on time, on time, late
        await shop.chat(at(d, 23, 30), None)  # outside the counted hours
    return shop


class Counted:
    """Counts the store's fact reads (`metric_groups`) a report makes."""

    def __init__(self, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[int, int]] = []
        real = store.metric_groups

        async def metric_groups(shop_id: int, since: int, until: int) -> Any:
            self.calls.append((since, until))
            return await real(shop_id, since, until)

        monkeypatch.setattr(store, "metric_groups", metric_groups)

    def days(self) -> list[date]:
        return [rules.local_date(since, TZ) for since, _ in self.calls]


async def from_facts(store: Store, shop_id: int, d: date, with_cells: bool = False) -> Day:
    since, until = rules.window(d, d, TZ)
    return summarize(from_groups(await store.metric_groups(shop_id, since, until)), with_cells)


def kept(where: RelayConfig, shop_id: int | None = None) -> dict[date, bool]:
    """Each stored day of the database `where` names (of one shop, or of any): whether its sums are kept."""
    rows = db_rows(where, "SELECT since, sums IS NOT NULL FROM figure_days"
                          " WHERE CAST(? AS BIGINT) IS NULL OR shop_id = ? ORDER BY since", (shop_id, shop_id))
    return {rules.local_date(since, TZ): bool(has) for since, has in rows}


async def test_days_that_are_over_are_summed_once_and_read_after(
        store: Store, shop: Shop, relay_config: RelayConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = [(d, await from_facts(store, shop.shop_id, d, with_cells=True)) for d in DAYS]
    assert [day.total.rounds for _, day in expected] == [2, 2, 2]  # 23:30 is not counted
    assert [day.total.on_time for _, day in expected] == [2, 2, 1]  # 181 s is late
    counted = Counted(store, monkeypatch)

    first = await days_of(store, shop.shop_id, TZ, DAYS[0], DAYS[-1], NOW, with_cells=True)
    assert first == expected
    assert counted.days() == DAYS
    assert kept(relay_config) == dict.fromkeys(DAYS, True)

    counted.calls.clear()
    again = await days_of(store, shop.shop_id, TZ, DAYS[0], DAYS[-1], NOW, with_cells=True)
    assert again == expected
    assert counted.calls == []  # read from the kept sums
    without = await days_of(store, shop.shop_id, TZ, DAYS[0], DAYS[-1], NOW)
    assert [(d, day.total, day.agents, day.hours) for d, day in without] == [
        (d, day.total, day.agents, day.hours) for d, day in expected]
    assert all(day.cells is None for _, day in without)
    assert counted.calls == []


async def test_a_fact_changed_on_a_past_day_forgets_that_day_only(
        store: Store, shop: Shop, relay_config: RelayConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    await days_of(store, shop.shop_id, TZ, DAYS[0], DAYS[-1], NOW)
    late = await shop.chat(at(DAYS[1], 15), 200)  # a late reply, stored after the day was summed
    assert kept(relay_config) == {DAYS[0]: True, DAYS[1]: False, DAYS[2]: True}
    counted = Counted(store, monkeypatch)
    report = dict(await days_of(store, shop.shop_id, TZ, DAYS[0], DAYS[-1], NOW))
    assert counted.days() == [DAYS[1]]
    assert (report[DAYS[1]].total.rounds, report[DAYS[1]].total.on_time) == (3, 2)
    assert report[DAYS[1]] == await from_facts(store, shop.shop_id, DAYS[1])

    # A rating given the next morning changes the session's row: its day is summed again.
    _, _, session = late
    await store.update_session(session, **rules.session_rated(5, "", at(DAYS[2], 9)))
    assert kept(relay_config) == {DAYS[0]: True, DAYS[1]: False, DAYS[2]: True}
    counted.calls.clear()
    report = dict(await days_of(store, shop.shop_id, TZ, DAYS[0], DAYS[-1], NOW))
    assert counted.days() == [DAYS[1]]
    assert report[DAYS[1]].total.ratings == 1
    assert report[DAYS[1]] == await from_facts(store, shop.shop_id, DAYS[1])

    # A transfer recorded on the first day.
    await store.record_event(late[0], shop.shop_id, at(DAYS[0], 12), "transfer", actor="agent",
                             from_agent=shop.agent, to_agent=shop.agent, hour=rules.hour_start(at(DAYS[0], 12), TZ))
    assert kept(relay_config) == {DAYS[0]: False, DAYS[1]: True, DAYS[2]: True}
    report = dict(await days_of(store, shop.shop_id, TZ, DAYS[0], DAYS[-1], NOW))
    assert report[DAYS[0]].total.transfers == 1


async def test_sums_made_while_a_fact_of_their_day_changed_are_not_kept(
        store: Store, shop: Shop, relay_config: RelayConfig) -> None:
    bounds = rules.window(DAYS[0], DAYS[0], TZ)
    versions = await store.claim_figure_days(shop.shop_id, TZ, days_module.FORMAT, [bounds])
    day = await from_facts(store, shop.shop_id, DAYS[0], with_cells=True)
    await shop.chat(at(DAYS[0], 16), 30)  # while the sums were being made
    sums, cells = days_module.encode_day(day)
    assert not await store.put_figure_day(shop.shop_id, TZ, days_module.FORMAT, bounds[0], versions[bounds[0]],
                                          sums, cells)
    assert kept(relay_config) == {DAYS[0]: False}
    report = dict(await days_of(store, shop.shop_id, TZ, DAYS[0], DAYS[0], NOW))
    assert report[DAYS[0]].total.rounds == 3
    assert kept(relay_config) == {DAYS[0]: True}


async def test_another_time_zone_or_format_is_summed_apart(
        store: Store, shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    await days_of(store, shop.shop_id, TZ, DAYS[0], DAYS[-1], NOW)
    counted = Counted(store, monkeypatch)
    utc = await days_of(store, shop.shop_id, "UTC", DAYS[0], DAYS[-1], NOW)
    assert len(counted.calls) == 3
    # UTC days run from 08:00 to 08:00 Shanghai time.
    counted.calls.clear()
    assert utc == [(d, summarize(from_groups(await store.metric_groups(shop.shop_id, *rules.window(d, d, "UTC")))))
                   for d in DAYS]
    counted.calls.clear()
    monkeypatch.setattr(days_module, "FORMAT", days_module.FORMAT + 1)
    await days_of(store, shop.shop_id, TZ, DAYS[0], DAYS[-1], NOW)
    assert len(counted.calls) == 3  # the old format's rows are not read


async def test_a_kept_day_that_cannot_be_read_is_summed_again(
        store: Store, shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    await days_of(store, shop.shop_id, TZ, DAYS[0], DAYS[0], NOW)
    await store._write(lambda conn: conn.execute("UPDATE figure_days SET sums = ?", (b"{[",)))
    report = dict(await days_of(store, shop.shop_id, TZ, DAYS[0], DAYS[0], NOW))
    assert report[DAYS[0]] == await from_facts(store, shop.shop_id, DAYS[0])
    assert dict(await days_of(store, shop.shop_id, TZ, DAYS[0], DAYS[0], NOW)) == report  # stored over


async def test_today_comes_from_the_live_cells_and_later_days_from_the_facts(
        store: Store, shop: Shop, relay_config: RelayConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    today = rules.local_date(NOW, TZ)
    await shop.chat(at(today, 9), 20)
    since, until = rules.window(today, today, TZ)
    live_cells = from_groups(await store.metric_groups(shop.shop_id, since, until))
    counted = Counted(store, monkeypatch)
    report = dict(await days_of(store, shop.shop_id, TZ, today, today + timedelta(days=1), NOW,
                                live=(since, live_cells)))
    assert report[today] == summarize(live_cells) and report[today].total.rounds == 1
    assert report[today + timedelta(days=1)].total.rounds == 0
    assert counted.days() == [today + timedelta(days=1)]  # today was not read from the facts
    assert kept(relay_config) == {}  # nothing kept of a day not over
    counted.calls.clear()
    stale = dict(await days_of(store, shop.shop_id, TZ, today, today, NOW, live=(since - 86_400_000, {})))
    assert stale[today].total.rounds == 1  # a book still on yesterday is not today's
    assert counted.days() == [today]


async def test_the_day_triggers_work_on_a_store_made_before_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:

    before = [m for m in MIGRATIONS if not m[0].startswith("0010")]
    assert len(before) == len(MIGRATIONS) - 1
    monkeypatch.setattr(sqlite_writer, "MIGRATIONS", before)
    where = RelayConfig(data_dir=tmp_path)
    old = SqliteStore(where.db_path)
    await old.open()
    await old.ensure_shop("jiadian", "家电旗舰店")
    await old._write(lambda conn: conn.execute(
        "INSERT INTO buyers (id, nickname, city, vip) VALUES ('b-1', '买家', '杭州', 0)"))
    await old.close()
    monkeypatch.setattr(sqlite_writer, "MIGRATIONS", MIGRATIONS)
    store = SqliteStore(where.db_path)
    await store.open()
    try:
        shop = await store.get_shop("jiadian")
        assert shop is not None
        conv, _ = await store.open_conversation(shop.id, "b-1", at(DAYS[0], 10))
        row = rules.new_round(conv.id, shop.id, "b-1", 1, at(DAYS[0], 10), None, TZ)
        await store.open_round(row)
        await days_of(store, shop.id, TZ, DAYS[0], DAYS[0], NOW)
        assert kept(where) == {DAYS[0]: True}
        await store.update_round(conv.id, 1, **rules.round_due(row, None))
        assert kept(where) == {DAYS[0]: False}
    finally:
        await store.close()


async def test_a_relay_remembers_the_days_it_decoded_until_their_version_changes(
        store: Store, shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    ours, theirs = days_module.KeptDays(), days_module.KeptDays()  # two relays on one store
    first = await days_of(store, shop.shop_id, TZ, DAYS[0], DAYS[-1], NOW, kept=ours)
    assert len(ours) == 3
    decoded: list[bytes] = []
    real_decode = days_module.decode_day

    def decode_day(sums: bytes, cells: bytes | None) -> Day:
        decoded.append(sums)
        return real_decode(sums, cells)

    monkeypatch.setattr(days_module, "decode_day", decode_day)
    counted = Counted(store, monkeypatch)
    assert await days_of(store, shop.shop_id, TZ, DAYS[0], DAYS[-1], NOW, kept=ours) == first
    assert decoded == [] and counted.calls == []  # nothing read but the versions

    await shop.chat(at(DAYS[1], 14), 500)  # late: that day's version moves on
    await days_of(store, shop.shop_id, TZ, DAYS[0], DAYS[-1], NOW, kept=theirs)  # the other relay sums it again
    assert counted.days() == [DAYS[1]] and len(decoded) == 2  # and decodes the two days it never saw
    counted.calls.clear()
    decoded.clear()
    report = dict(await days_of(store, shop.shop_id, TZ, DAYS[0], DAYS[-1], NOW, kept=ours))
    assert counted.calls == [] and len(decoded) == 1  # ours reads the new sums of that day only
    assert (report[DAYS[1]].total.rounds, report[DAYS[1]].total.on_time) == (3, 2)
    assert report == dict(await days_of(store, shop.shop_id, TZ, DAYS[0], DAYS[-1], NOW))

    decoded.clear()
    with_cells = await days_of(store, shop.shop_id, TZ, DAYS[0], DAYS[-1], NOW, with_cells=True, kept=ours)
    assert len(decoded) == 3 and all(day.cells for _, day in with_cells)  # cells are never remembered
    small = days_module.KeptDays(limit=2)
    await days_of(store, shop.shop_id, TZ, DAYS[0], DAYS[-1], NOW, kept=small)
    assert len(small) == 2


async def test_a_relay_sums_and_keeps_the_past_month_in_the_background_and_each_day_as_it_ends(
        store: Store, shop: Shop, relay_config: RelayConfig) -> None:
    clock = FakeClock(NOW)
    runner, running = await start_relay(replace(relay_config, keep_days_after_s=0.05), clock)
    try:
        today = rules.local_date(NOW, TZ)
        month = [today - timedelta(days=i) for i in range(30, 0, -1)]
        shops = running.relay.desk.shop_ids()
        await until(lambda: all(kept(relay_config, shop_id) == dict.fromkeys(month, True) for shop_id in shops),
                    what="the last 30 days kept, of every shop")
        assert len(running.relay.book.kept_days) == 30 * len(running.relay.desk.shop_ids())  # every shop's
        report = await figures_report(running.relay, shop.shop_id, DAYS[0], DAYS[-1], frozenset({"day"}))
        assert [b.figures.rounds for b in report.days] == [2, 2, 2]
        assert [b.figures.rounds_on_time for b in report.days] == [2, 2, 1]

        clock.advance(24 * 3600)  # midnight passes: today is over
        running.relay.book.live_day(shop.shop_id)
        await until(lambda: kept(relay_config).get(today), what="the day that ended kept")
    finally:
        await runner.cleanup()
