"""The store contract: what the relay relies on, checked on both stores (SQLite and a real PostgreSQL).

Each test runs once per engine (`store` is parametrised). What only one engine has (SQLite's WAL
checkpoints and its held writer) stays in tests/relay/test_store.py; several relays sharing one
database is PostgreSQL's alone (tests/relay/test_postgres_relays.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from relay.auth import hash_password
from relay.store import AppendResult, StoreConflict, StoreUnavailable
from relay.store.interface import CallRow, NewCase, NoteRow, RoundRow, TemplateRow
from relay.store.migrations import MIGRATIONS
from relay.store.postgres import PostgresStore
from relay.store.postgres_schema import POSTGRES_MIGRATIONS
from relay.store.sql import Db
from relay.store.sqlite import SqliteStore
from wire.errors import ConflictReason

Store = SqliteStore | PostgresStore
ENGINES = ["sqlite", "postgresql"]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_store(engine: str, request: pytest.FixtureRequest) -> Callable[[], Store]:
    """Makes (unopened) stores on this test's seeded database; the same database every time."""
    if engine == "sqlite":
        path: Path = request.getfixturevalue("data_dir") / "relay.sqlite3"
        return lambda: SqliteStore(path)
    dsn: str = request.getfixturevalue("pg_seeded_dsn")
    return lambda: PostgresStore(dsn)


@pytest.fixture
async def store(make_store: Callable[[], Store]) -> AsyncIterator[Store]:
    s = make_store()
    await s.open()
    yield s
    await s.close()


def integrity_error(store: Store) -> type[Exception]:
    return sqlite3.IntegrityError if isinstance(store, SqliteStore) else psycopg.errors.IntegrityError


async def conversation(store: Store, buyer: str = "b-jiadian-0001") -> int:
    shop = await store.get_shop("jiadian")
    assert shop is not None
    row, _ = await store.open_conversation(shop.id, buyer, 1)
    return row.id


# messages -------------------------------------------------------------------------------------


async def test_concurrent_appends_get_dense_seqs_in_one_or_a_few_commits(store: Store) -> None:
    conv = await conversation(store)
    before = store.health()["commits"]
    results = await asyncio.gather(*(
        store.append_message(conv, "buyer", "b", "买家", f"c{i}", f"消息{i}", i) for i in range(500)))
    assert sorted(r.message.seq for r in results) == list(range(1, 501))
    assert store.health()["commits"] - before < 100, "no group commit"
    stored = await store.messages_after(conv, 0, 1000)
    assert [m.seq for m in stored] == list(range(1, 501))
    by_seq = {r.message.seq: r.message.text for r in results}
    assert [m.text for m in stored] == [by_seq[m.seq] for m in stored]


async def test_a_resend_is_the_same_message_and_a_reused_id_is_a_conflict(store: Store) -> None:
    conv = await conversation(store)
    other = await conversation(store, "b-jiadian-0002")
    first = await store.append_message(conv, "buyer", "b", "买家", "same", "原文", 1)
    again = await store.append_message(conv, "buyer", "b", "买家", "same", "原文", 2)
    assert again.duplicate and again.message == first.message
    with pytest.raises(StoreConflict) as changed:
        await store.append_message(conv, "buyer", "b", "买家", "same", "改了", 3)
    assert changed.value.reason == ConflictReason.ID_REUSED
    with pytest.raises(StoreConflict):
        await store.append_message(other, "buyer", "b", "买家", "same", "原文", 3)
    after = await store.append_message(conv, "buyer", "b", "买家", "next", "下一条", 4)
    assert after.message.seq == 2  # refusals took no seq


async def test_a_failing_write_does_not_sink_its_batch(store: Store) -> None:
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


async def test_an_unexpected_database_error_fails_only_its_own_write(store: Store) -> None:
    conv = await conversation(store)

    def broken(conn: Db) -> None:
        conn.execute("INSERT INTO shops (slug, name) VALUES ('jiadian', 'duplicate')")  # UNIQUE violation

    results = await asyncio.gather(
        store.append_message(conv, "buyer", "b", "买家", "ok1", "之前", 1),
        store._write(broken),
        store.append_message(conv, "buyer", "b", "买家", "ok2", "之后", 2),
        return_exceptions=True,
    )
    assert isinstance(results[1], integrity_error(store))
    assert [(m.seq, m.text) for m in await store.messages_after(conv, 0, 10)] == [(1, "之前"), (2, "之后")]


async def test_a_failed_offer_card_leaves_no_gap_in_the_sequence(store: Store) -> None:
    conv = await conversation(store)
    await store.append_message(conv, "buyer", "b", "买家", "s1", "一", 1)
    bad_case = NewCase(case_id="as-dup", shop_id=1, order_no="no-such-order", buyer_id="b-jiadian-0001",
                       kind="coupon", reason="x", amount_cents=100)  # violates the orders foreign key
    results = await asyncio.gather(
        store.append_message(conv, "agent", "1", "小美", "card", "[售后方案]", 2, kind="card", new_case=bad_case),
        store.append_message(conv, "buyer", "b", "买家", "s2", "二", 3),
        return_exceptions=True,
    )
    assert isinstance(results[0], integrity_error(store))
    assert [m.seq for m in await store.messages_after(conv, 0, 10)] == [1, 2]
    assert (await store.append_message(conv, "buyer", "b", "买家", "s3", "三", 4)).message.seq == 3
    row = await store.get_conversation(conv)
    assert row is not None and row.last_seq == 3


@contextlib.contextmanager
def one_batch(store: Store) -> Iterator[list[int]]:
    """The appends made inside (await them after it) reach PostgreSQL's writer as one batch (it waits on
    a held write until the block ends), so its plain appends run together (`postgres_append`); yields
    the number of writes of each run that did.
    SQLite runs them as it always does: the answers must be the same."""
    together: list[int] = []
    if not isinstance(store, PostgresStore):
        yield together
        return
    writer = store._writer
    assert writer is not None
    gate = threading.Event()
    for fn, run in list(writer._together.items()):
        def counted(db: Any, seqs: Any, writes: list[Any], run: Any = run) -> Any:
            together.append(len(writes))
            return run(db, seqs, writes)
        writer._together[fn] = counted
    writer.submit_then(lambda conn: gate.wait(30), (), lambda value, error: None)
    try:
        yield together
    finally:
        gate.set()


def refuse_text(store: Store, text: str) -> None:
    """A trigger makes the database refuse a message with this text (an integrity error), as it may
    refuse anything: the append fails at its INSERT, not before."""
    if isinstance(store, SqliteStore):
        with contextlib.closing(sqlite3.connect(store.path)) as lite:
            lite.execute(f"CREATE TRIGGER refuse BEFORE INSERT ON messages WHEN NEW.text = '{text}'"
                         " BEGIN SELECT RAISE(ABORT, 'refused'); END")
            lite.commit()
        return
    with psycopg.connect(store.dsn, autocommit=True) as pg:
        pg.execute(f"CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                   f" IF NEW.text = '{text}' THEN RAISE EXCEPTION 'refused' USING ERRCODE = 'check_violation';"
                   " END IF; RETURN NEW; END $$")
        pg.execute("CREATE TRIGGER refuse BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse()")


async def test_appends_committed_together_answer_as_one_by_one(store: Store) -> None:
    a, b = await conversation(store), await conversation(store, "b-jiadian-0002")
    old = await store.append_message(a, "buyer", "b", "买家", "old", "旧的", 1)
    redone = store.health().get("batches_redone")
    with one_batch(store) as together:
        sends = [
            store.append_message(a, "buyer", "b", "买家", "n1", "一", 2),
            store.append_message(a, "buyer", "b", "买家", "old", "旧的", 3),  # a resend of a stored one
            store.append_message(b, "buyer", "c", "另一个", "n1", "乙一", 4),  # the same id, another sender
            store.append_message(a, "buyer", "b", "买家", "n1", "一", 5),  # a resend within the batch
            store.append_message(a, "buyer", "b", "买家", "old", "改了", 6),  # reused for another text
            store.append_message(999_999, "buyer", "b", "买家", "n9", "无此会话", 7),
            store.append_message(b, "buyer", "b", "买家", "n1", "一", 8),  # reused in another conversation
            store.append_message(a, "buyer", "b", "买家", "n2", "二", 9),
            store.append_message(b, "buyer", "c", "另一个", "n2", "乙二", 10),
        ]
    results = await asyncio.gather(*sends, return_exceptions=True)
    if isinstance(store, PostgresStore):
        assert together == [9] and store.health()["batches_redone"] == redone  # not redone one by one
    first = results[0]
    assert not isinstance(first, BaseException) and (first.message.seq, first.duplicate) == (2, False)
    assert results[1] == AppendResult(old.message, duplicate=True)
    assert results[3] == AppendResult(first.message, duplicate=True)
    assert isinstance(results[4], StoreConflict) and results[4].reason == ConflictReason.ID_REUSED
    assert isinstance(results[5], KeyError)
    assert isinstance(results[6], StoreConflict)
    seqs = [(r.message.conversation_id, r.message.seq) for r in results if isinstance(r, AppendResult)]
    assert seqs == [(a, 2), (a, 1), (b, 1), (a, 2), (a, 3), (b, 2)]
    assert [(m.seq, m.text) for m in await store.messages_after(a, 0, 10)] == [(1, "旧的"), (2, "一"), (3, "二")]
    assert [(m.seq, m.text) for m in await store.messages_after(b, 0, 10)] == [(1, "乙一"), (2, "乙二")]
    for conv, last in ((a, 3), (b, 2)):
        row = await store.get_conversation(conv)
        assert row is not None and row.last_seq == last
    assert (await store.append_message(b, "buyer", "c", "另一个", "n3", "乙三", 11)).message.seq == 3


async def test_a_message_the_database_refuses_fails_alone_among_appends_committed_together(store: Store) -> None:
    a, b = await conversation(store), await conversation(store, "b-jiadian-0002")
    refuse_text(store, "boom")
    redone = store.health().get("batches_redone", 0)
    with one_batch(store) as together:
        sends = [
            store.append_message(a, "buyer", "b", "买家", "m1", "一", 1),
            store.append_message(b, "buyer", "b", "买家", "m2", "乙一", 2),
            store.append_message(a, "buyer", "b", "买家", "m3", "boom", 3),
            store.append_message(a, "buyer", "b", "买家", "m4", "二", 4),
        ]
    results = await asyncio.gather(*sends, return_exceptions=True)
    if isinstance(store, PostgresStore):
        assert together == [4] and store.health()["batches_redone"] == redone + 1  # then one by one
    assert isinstance(results[2], integrity_error(store))
    assert [(r.message.conversation_id, r.message.seq) for r in results if isinstance(r, AppendResult)] == [
        (a, 1), (b, 1), (a, 2)]
    assert [m.text for m in await store.messages_after(a, 0, 10)] == ["一", "二"]
    assert (await store.append_message(a, "buyer", "b", "买家", "m3", "三", 5)).message.seq == 3  # m3 is free


async def test_resume_by_seq_pages_forwards_and_backwards(store: Store) -> None:
    conv = await conversation(store)
    for i in range(5):
        await store.append_message(conv, "agent", "1", "小美", f"a{i}", f"回复{i}", i)
    assert [m.seq for m in await store.messages_after(conv, 2, 10)] == [3, 4, 5]
    assert [m.seq for m in await store.messages_after(conv, 0, 2)] == [1, 2]
    assert [m.seq for m in await store.messages_before(conv, 3, 10)] == [1, 2]
    assert [m.seq for m in await store.messages_before(conv, None, 2)] == [4, 5]


async def test_mark_read_never_goes_back_nor_past_the_last_message(store: Store) -> None:
    conv = await conversation(store)
    for i in range(3):
        await store.append_message(conv, "buyer", "b", "买家", f"r{i}", "嗯", i)
    assert await store.mark_read(conv, "agent", 2) == 2
    assert await store.mark_read(conv, "agent", 1) == 2
    assert await store.mark_read(conv, "agent", 99) == 3
    with pytest.raises(KeyError):
        await store.mark_read(999_999, "agent", 1)


async def test_an_acked_message_is_there_for_the_next_store_to_open(make_store: Callable[[], Store]) -> None:
    first = make_store()
    await first.open()
    conv = await conversation(first)
    acked = await asyncio.gather(*(first.append_message(conv, "buyer", "b", "买家", f"d{i}", "在吗", i)
                                   for i in range(50)))
    await first.close()
    second = make_store()
    await second.open()
    try:
        seqs = sorted(r.message.seq for r in acked)
        assert [m.seq for m in await second.messages_after(conv, 0, 100)] == seqs == list(range(1, 51))
        assert (await second.append_message(conv, "buyer", "b", "买家", "d50", "还在", 51)).message.seq == 51
    finally:
        await second.close()


async def test_a_closed_store_refuses_clearly(make_store: Callable[[], Store]) -> None:
    s = make_store()
    await s.open()
    await s.close()
    with pytest.raises(StoreUnavailable):
        await s.append_message(1, "buyer", "b", "x", "c", "t", 1)
    with pytest.raises(StoreUnavailable):
        await s.get_conversation(1)


# accounts, conversations, the rest ------------------------------------------------------------


async def test_accounts_tokens_and_conversations(store: Store) -> None:
    account = await store.create_account("jiadian", "agent9", "小九", "agent", hash_password("long-enough"))
    with pytest.raises(StoreConflict):
        await store.create_account("jiadian", "agent9", "又一个", "agent", hash_password("long-enough"))
    with pytest.raises(KeyError):
        await store.create_account("no-such-shop", "x", "x", "agent", "h")
    assert await store.find_account("jiadian", "agent9") == account
    await store.save_token("hash-1", account.id, 10_000)
    assert await store.account_for_token("hash-1", 9_999) == account
    assert await store.account_for_token("hash-1", 10_000) is None  # expired
    assert await store.revoke_token("hash-1") and not await store.revoke_token("hash-1")
    shop = await store.get_shop("jiadian")
    assert shop is not None
    row, created = await store.open_conversation(shop.id, "b-jiadian-0003", 5)
    again, created_again = await store.open_conversation(shop.id, "b-jiadian-0003", 6)
    assert created and not created_again and again.id == row.id and again.created_at == 5
    await store.update_conversation(row.id, status="queued", queued_at=7, tier=1)
    updated = await store.get_conversation(row.id)
    assert updated is not None and (updated.status, updated.queued_at, updated.tier) == ("queued", 7, 1)
    assert row.id in [c.id for c in await store.list_conversations(shop_id=shop.id, open_only=True)]
    assert row.id in [c.id for c in await store.list_conversations(buyer_id="b-jiadian-0003")]


async def test_templates_notes_and_calls(store: Store) -> None:
    shop = await store.get_shop("jiadian")
    agent = await store.find_account("jiadian", "agent1")
    assert shop is not None and agent is not None
    conv = await conversation(store)
    mine = [await store.save_template(TemplateRow(0, shop.id, agent.id, "我的", f"t{i}", f"正文{i}", "", "", 0, i))
            for i in range(3)]
    assert [t.position for t in mine] == [0, 1, 2]
    await store.reorder_templates(shop.id, agent.id, [mine[2].id, mine[0].id])
    own = [t for t in await store.list_templates(shop.id, agent.id) if t.owner_id == agent.id]
    assert [t.id for t in own] == [mine[2].id, mine[0].id, mine[1].id]

    note = NoteRow(0, conv, shop.id, "note", agent.id, agent.display_name, "agent", "<b>备注</b>", 5, 0, "n1", None)
    stored, duplicate = await store.add_note(note)
    assert stored.id > 0 and not duplicate
    assert (await store.add_note(note)) == (stored, True)
    assert [n.text for n in await store.list_notes(conv, 0, 10)] == ["<b>备注</b>"]

    call = CallRow(id="call-1", shop_id=shop.id, conversation_id=conv, agent_id=agent.id, agent_name="小美",
                   buyer_id="b-jiadian-0001", buyer_name="买家", reason="看细节", state="invited", invited_at=1_000,
                   expires_at=61_000, max_duration_s=1800, audio_only=True, hour=0)
    card = await store.append_message(conv, "agent", str(agent.id), "小美", "call-card", "[视频邀请]", 1_000,
                                      kind="call", new_call=call)
    await store.update_call("call-1", state="ended", connected_at=2_000, complaint="unwanted", complaint_at=3_000)
    got = await store.get_call("call-1")
    assert got is not None and got.audio_only is True and got.state == "ended" and got.complaint == "unwanted"
    assert [c.id for c in await store.complaints(shop.id, 0, 10_000)] == ["call-1"]
    assert card.message.seq == 1


async def test_figures_are_plain_numbers_and_kept_days_are_forgotten_when_a_fact_changes(store: Store) -> None:
    shop = await store.get_shop("jiadian")
    assert shop is not None
    conv = await conversation(store)
    day, hour = 86_400_000, 86_400_000 + 3_600_000
    versions = await store.claim_figure_days(shop.id, "Asia/Shanghai", 1, [(day, 2 * day)])
    assert await store.put_figure_day(shop.id, "Asia/Shanghai", 1, day, versions[day], b"sums", b"cells")
    kept = await store.figure_days(shop.id, "Asia/Shanghai", 1, [day], True)
    assert kept == {day: (versions[day], b"sums", b"cells")}
    await store.open_round(RoundRow(conversation_id=conv, buyer_seq=1, shop_id=shop.id, buyer_id="b-jiadian-0001",
                                    buyer_at=hour, hour=hour, day=day, in_hours=True, reply_at=hour + 5_000,
                                    agent_id=1, decided_at=hour + 5_000, holder_id=1, on_time=True, reply_ms=5_000))
    assert await store.figure_days(shop.id, "Asia/Shanghai", 1, [day], True) == {}  # forgotten with the new fact
    assert not await store.put_figure_day(shop.id, "Asia/Shanghai", 1, day, versions[day], b"old", b"old")
    groups = await store.metric_groups(shop.id, day, 2 * day)
    assert groups.rounds == [(hour, 1, 1, 1, 0, 0)]
    assert groups.answered == [(hour, 1, 1, 5_000)]
    assert all(type(v) in (int, str) for row in groups.rounds + groups.answered for v in row)
    drill = await store.drill(shop.id, "rounds", day, 2 * day, None, 10)
    assert [(r[3], r[6]) for r in drill] == [("on_time", 5.0)] and type(drill[0][6]) is float
    assert await store.drill(shop.id, "rounds", day, 2 * day, 999, 10) == []


async def test_migrations_are_recorded_once_under_the_same_names(make_store: Callable[[], Store]) -> None:
    for _ in range(2):
        s = make_store()
        await s.open()
        names = [r[0] for r in await s._all("SELECT name FROM schema_migrations ORDER BY name", ())]
        await s.close()
        assert names == [name for name, _ in MIGRATIONS]


# what only PostgreSQL does -----------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["postgresql"])
async def test_a_client_id_another_relay_stores_meanwhile_is_answered_as_one_by_one(store: Store) -> None:
    """Another relay stores a client id after this batch looked for it and before its INSERT: the INSERT
    waits for that relay's commit and skips the row, and the batch is redone one by one (no seq gap)."""
    assert isinstance(store, PostgresStore)
    a, c = await conversation(store), await conversation(store, "b-jiadian-0003")
    redone = store.health()["batches_redone"]
    with psycopg.connect(store.dsn) as other, psycopg.connect(store.dsn, autocommit=True) as watch:
        other.execute("INSERT INTO messages (conversation_id, seq, sender_kind, sender_id, sender_name, client_msg_id,"
                      " text, ts) VALUES (%s, 1, 'buyer', 'b', '买家', 'k', '同一条', 1)", (c,))
        other.execute("UPDATE conversations SET last_seq = 1 WHERE id = %s", (c,))
        with one_batch(store) as together:
            sends = [store.append_message(a, "buyer", "b", "买家", "x1", "一", 2),
                     store.append_message(a, "buyer", "b", "买家", "k", "同一条", 3),
                     store.append_message(a, "buyer", "b", "买家", "x2", "二", 4)]
        for _ in range(500):  # until the writer waits on the other relay's row
            waiting = watch.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'kefu-relay'"
                                    " AND wait_event_type = 'Lock'").fetchone()
            if waiting and waiting[0]:
                break
            await asyncio.sleep(0.01)
        else:
            pytest.fail("the writer never waited for the other relay")
        other.commit()
    results = await asyncio.gather(*sends, return_exceptions=True)
    assert together == [3] and store.health()["batches_redone"] == redone + 1
    assert isinstance(results[1], StoreConflict)  # stored meanwhile, in another conversation
    assert [r.message.seq for r in results if isinstance(r, AppendResult)] == [1, 2]
    assert [m.text for m in await store.messages_after(a, 0, 10)] == ["一", "二"]
    row = await store.get_conversation(a)
    assert row is not None and row.last_seq == 2


def test_both_schemas_have_the_same_tables_columns_and_unique_keys(tmp_path: Path, pg_dsn: str) -> None:
    from relay.store.postgres_writer import migrate as pg_migrate
    from relay.store.sqlite_writer import connect as sqlite_connect
    from relay.store.sqlite_writer import migrate as sqlite_migrate

    assert [n for n, _ in POSTGRES_MIGRATIONS] == [n for n, _ in MIGRATIONS]
    lite = sqlite_connect(tmp_path / "s.sqlite3", "NORMAL")
    sqlite_migrate(lite)
    tables = [r[0] for r in lite.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    lite_columns = {t: {r[1] for r in lite.execute(f"PRAGMA table_info({t})")} for t in tables}
    lite_unique: dict[str, set[tuple[str, ...]]] = {}
    for t in tables:
        keys = {tuple(r[2] for r in lite.execute(f"PRAGMA index_info({idx[1]})"))
                for idx in lite.execute(f"PRAGMA index_list({t})") if idx[2]}
        pk = tuple(r[1] for r in sorted(lite.execute(f"PRAGMA table_info({t})"), key=lambda r: r[5]) if r[5])
        lite_unique[t] = keys | ({pk} if pk else set())
    pg_migrate(pg_dsn)
    with psycopg.connect(pg_dsn) as pg:
        pg_columns: dict[str, set[str]] = {}
        for table, column in pg.execute("SELECT table_name, column_name FROM information_schema.columns"
                                        " WHERE table_schema = 'public'"):
            pg_columns.setdefault(table, set()).add(column)
        pg_unique: dict[str, set[tuple[str, ...]]] = {}
        for table, columns in pg.execute(
                "SELECT t.relname, array_agg(a.attname ORDER BY k.n) FROM pg_index i"
                " JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace ns ON ns.oid = t.relnamespace"
                " CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)"
                " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum"
                " WHERE i.indisunique AND ns.nspname = 'public' GROUP BY t.relname, i.indexrelid"):
            pg_unique.setdefault(table, set()).add(tuple(columns))
    assert sorted(pg_columns) == tables
    for t in tables:
        # PostgreSQL's stand-in for SQLite's implicit rowid, where a query orders by it.
        assert pg_columns[t] - {"rowid"} == lite_columns[t], t
        assert pg_unique.get(t, set()) == lite_unique[t], t
