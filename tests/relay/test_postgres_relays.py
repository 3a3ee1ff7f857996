"""Several relays' stores on one PostgreSQL database: what each writes never sinks the other's writes.

One relay appends buyers' messages while another (the routing leader) changes the same
conversations' rows: statuses, read cursors, events, sessions. Each store's writer commits a batch
of writes as one transaction, so two batches that locked the same rows in a different order would
deadlock (PostgreSQL aborts one after deadlock_timeout, a second's stall for every client of it).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import pytest

from relay.store.fact_rows import SessionRow
from relay.store.postgres import PostgresStore


@pytest.fixture
async def two_stores(pg_seeded_dsn: str) -> AsyncIterator[tuple[PostgresStore, PostgresStore]]:
    a, b = PostgresStore(pg_seeded_dsn), PostgresStore(pg_seeded_dsn)
    await a.open()
    await b.open()
    yield a, b
    await a.close()
    await b.close()


async def conversations(store: PostgresStore, n: int) -> list[int]:
    shop = await store.get_shop("jiadian")
    assert shop is not None
    return [(await store.open_conversation(shop.id, f"b-jiadian-{i:04d}", 1))[0].id for i in range(1, n + 1)]


async def test_two_relays_appending_to_the_same_conversations_keep_seqs_dense(two_stores) -> None:
    a, b = two_stores
    convs = await conversations(a, 5)
    sends = [(a if i % 2 else b).append_message(convs[i % 5], "buyer", "b", "买家", f"m{i}", f"第{i}条", i)
             for i in range(1000)]
    results = await asyncio.gather(*sends)
    for conv in convs:
        seqs = sorted(r.message.seq for r in results if r.message.conversation_id == conv)
        assert seqs == list(range(1, 201))
        assert [m.seq for m in await a.messages_after(conv, 0, 500)] == seqs


async def test_a_relay_routing_the_conversations_another_appends_to_never_deadlocks(two_stores) -> None:
    """Relay A appends to 12 conversations in one order; relay B, at the same time, assigns them, marks
    them read, records events and opens sessions in another: no batch is ever aborted as a deadlock."""
    a, b = two_stores
    convs = await conversations(a, 12)
    shop_id = (await a.get_conversation(convs[0])).shop_id  # type: ignore[union-attr]
    rng = random.Random(13)

    async def route(conv: int, i: int) -> None:
        await asyncio.gather(
            b.update_conversation(conv, status="assigned", agent_id=1, last_activity_at=i),
            b.mark_read(conv, "agent", i),
            b.record_event(conv, shop_id, i, "auto", to_agent=1),
            b.open_session(SessionRow(id=0, conversation_id=conv, shop_id=shop_id, buyer_id="b", opened_at=i,
                                      hour=0, in_hours=True)))

    for round_ in range(8):
        order = convs[:]
        rng.shuffle(order)
        appends = [a.append_message(c, "buyer", "b", "买家", f"r{round_}-{n}-{c}", "在吗", round_)
                   for n in range(3) for c in convs]
        await asyncio.gather(*appends, *(route(c, round_) for c in reversed(order)))
    assert (a.health()["deadlocks_retried"], b.health()["deadlocks_retried"]) == (0, 0)
    for conv in convs:
        assert [m.seq for m in await a.messages_after(conv, 0, 100)] == list(range(1, 25))
