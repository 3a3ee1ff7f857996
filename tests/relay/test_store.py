"""The SQLite store: group commit, isolation of failing writes, migrations, seeding."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from relay.auth import hash_password
from relay.demo_data import load_demo_dataset
from relay.store import StoreConflict, StoreUnavailable
from relay.store.migrations import MIGRATIONS
from relay.store.sqlite import SqliteStore


@pytest.fixture
async def store(data_dir: Path) -> SqliteStore:
    s = SqliteStore(data_dir / "relay.sqlite3")
    await s.open()
    yield s  # type: ignore[misc]
    await s.close()


async def conversation(store: SqliteStore, buyer: str = "b-jiadian-0001") -> int:
    shop = await store.get_shop("jiadian")
    assert shop is not None
    row, _ = await store.open_conversation(shop.id, buyer, 1)
    return row.id


async def test_concurrent_appends_share_commits(store: SqliteStore) -> None:
    conv = await conversation(store)
    before = store.health()["commits"]
    results = await asyncio.gather(*(
        store.append_message(conv, "buyer", "b", "买家", f"c{i}", f"消息{i}", i) for i in range(500)
    ))
    commits = store.health()["commits"] - before
    assert sorted(r.message.seq for r in results) == list(range(1, 501))
    assert commits < 100, f"{commits} commits for 500 concurrent writes: no group commit"


async def test_a_failing_write_does_not_sink_its_batch(store: SqliteStore) -> None:
    conv = await conversation(store)
    await store.append_message(conv, "buyer", "b", "买家", "same", "原文", 1)
    results = await asyncio.gather(
        store.append_message(conv, "buyer", "b", "买家", "x1", "一", 2),
        store.append_message(conv, "buyer", "b", "买家", "same", "改了", 3),
        store.append_message(999_999, "buyer", "b", "买家", "x2", "无此会话", 4),
        store.append_message(conv, "buyer", "b", "买家", "x3", "三", 5),
        return_exceptions=True,
    )
    assert isinstance(results[1], StoreConflict)
    assert isinstance(results[2], KeyError)
    assert [r.message.seq for r in (results[0], results[3])] == [2, 3]  # type: ignore[union-attr]
    assert [m.text for m in await store.messages_after(conv, 0, 10)] == ["原文", "一", "三"]


async def test_reads_see_only_committed_messages_in_order(store: SqliteStore) -> None:
    conv = await conversation(store)
    for i in range(5):
        await store.append_message(conv, "agent", "1", "小美", f"a{i}", f"回复{i}", i)
    assert [m.seq for m in await store.messages_after(conv, 2, 10)] == [3, 4, 5]
    assert [m.seq for m in await store.messages_before(conv, 3, 10)] == [1, 2]
    assert [m.seq for m in await store.messages_before(conv, None, 2)] == [4, 5]


async def test_mark_read_never_goes_back_nor_past_the_last_message(store: SqliteStore) -> None:
    conv = await conversation(store)
    for i in range(3):
        await store.append_message(conv, "buyer", "b", "买家", f"r{i}", "嗯", i)
    assert await store.mark_read(conv, "agent", 2) == 2
    assert await store.mark_read(conv, "agent", 1) == 2
    assert await store.mark_read(conv, "agent", 99) == 3


async def test_closed_store_refuses_writes_clearly(data_dir: Path) -> None:
    s = SqliteStore(data_dir / "relay.sqlite3")
    await s.open()
    await s.close()
    with pytest.raises(StoreUnavailable):
        await s.append_message(1, "buyer", "b", "x", "c", "t", 1)


async def test_migrations_are_recorded_once(data_dir: Path) -> None:
    for _ in range(2):
        s = SqliteStore(data_dir / "relay.sqlite3")
        await s.open()
        await s.close()
    with sqlite3.connect(data_dir / "relay.sqlite3") as db:
        names = [r[0] for r in db.execute("SELECT name FROM schema_migrations ORDER BY name")]
        assert names == [name for name, _ in MIGRATIONS]
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_seeding_twice_changes_nothing(tmp_path: Path) -> None:
    s = SqliteStore(tmp_path / "relay.sqlite3")
    await s.open()
    try:
        assert await s.seed_demo(load_demo_dataset(), hash_password) is True
        with sqlite3.connect(tmp_path / "relay.sqlite3") as db:
            tables = ["shops", "accounts", "buyers", "products", "orders", "order_items", "logistics_events",
                      "after_sales"]
            before = {t: db.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in tables}
        assert await s.seed_demo(load_demo_dataset(), hash_password) is False
        with sqlite3.connect(tmp_path / "relay.sqlite3") as db:
            after = {t: db.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in tables}
        assert before == after
        assert len(before["buyers"]) == 220
    finally:
        await s.close()


async def test_create_account_twice_is_a_conflict(store: SqliteStore) -> None:
    await store.create_account("jiadian", "agent9", "小九", "agent", hash_password("long-enough"))
    with pytest.raises(StoreConflict):
        await store.create_account("jiadian", "agent9", "又一个", "agent", hash_password("long-enough"))


async def test_an_unexpected_database_error_fails_only_its_own_write(store: SqliteStore) -> None:
    conv = await conversation(store)

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO shops (slug, name) VALUES ('jiadian', 'duplicate')")  # UNIQUE violation

    results = await asyncio.gather(
        store.append_message(conv, "buyer", "b", "买家", "ok1", "之前", 1),
        store._write(broken),
        store.append_message(conv, "buyer", "b", "买家", "ok2", "之后", 2),
        return_exceptions=True,
    )
    assert isinstance(results[1], sqlite3.IntegrityError)
    assert [m.text for m in await store.messages_after(conv, 0, 10)] == ["之前", "之后"]
    assert [m.seq for m in await store.messages_after(conv, 0, 10)] == [1, 2]


async def test_failed_offer_card_leaves_no_gap_in_the_sequence(store: SqliteStore) -> None:
    from relay.store.interface import NewCase

    conv = await conversation(store)
    await store.append_message(conv, "buyer", "b", "买家", "s1", "一", 1)
    bad_case = NewCase(case_id="as-dup", shop_id=1, order_no="no-such-order", buyer_id="b-jiadian-0001",
                       kind="coupon", reason="x", amount_cents=100)  # violates the orders foreign key
    results = await asyncio.gather(
        store.append_message(conv, "agent", "1", "小美", "card", "[售后方案]", 2, kind="card", new_case=bad_case),
        store.append_message(conv, "buyer", "b", "买家", "s2", "二", 3),
        return_exceptions=True,
    )
    assert isinstance(results[0], sqlite3.IntegrityError)
    assert [m.seq for m in await store.messages_after(conv, 0, 10)] == [1, 2]
    third = await store.append_message(conv, "buyer", "b", "买家", "s3", "三", 4)
    assert third.message.seq == 3
    row = await store.get_conversation(conv)
    assert row is not None and row.last_seq == 3


async def test_under_steady_writes_the_wal_starts_over_instead_of_growing(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import relay.store.sqlite as sqlite_store

    monkeypatch.setattr(sqlite_store, "CHECKPOINT_INTERVAL_S", 0.05)
    monkeypatch.setattr(sqlite_store, "WAL_RESTART_FRAMES", 200)
    store = SqliteStore(data_dir / "relay.sqlite3")
    await store.open()
    try:
        conv = await conversation(store)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 1.5
        n = 0

        async def writer(k: int) -> None:  # commits back to back: never a quiet moment by itself
            nonlocal n
            while loop.time() < deadline:
                n += 1
                await store.append_message(conv, "buyer", "b", "买家", f"w{k}-{n}", "不停地写" * 50, n)

        await asyncio.gather(*(writer(k) for k in range(20)))
        health = store.health()
        assert health["wal_restarts"] >= 1, health
        assert health["wal_frames"] < 20 * 200, health  # bounded: not every frame since the start
        assert [m.seq for m in await store.messages_after(conv, 0, 100_000)] == list(range(1, n + 1))
    finally:
        await store.close()


async def test_a_held_writer_queues_writes_and_commits_them_on_release(store: SqliteStore) -> None:
    conv = await conversation(store)
    writer = store._writer
    assert writer is not None
    await writer.hold()
    pending = [store.append_message(conv, "buyer", "b", "买家", f"h{i}", "等一下", i) for i in range(5)]
    await asyncio.sleep(0.05)
    assert not any(p.done() for p in pending)
    assert await store.messages_after(conv, 0, 10) == []
    writer.release()
    assert [r.message.seq for r in await asyncio.gather(*pending)] == [1, 2, 3, 4, 5]
