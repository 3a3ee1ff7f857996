"""The workstation's local history: storing, paging, the outbox, search, export, its threads and lifecycle."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import datetime
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

import app.history as history_module
import app.history_search as history_search
from app.history import CONVERSATION_COLUMNS, MIGRATION_NAMES, History, HistoryClosed
from wire import frames as f

REPO = Path(__file__).resolve().parents[2]
T0 = 1_760_000_000_000


def message(conversation_id: int, seq: int, text: str = "你好", *, sender: str = "buyer", ts: int | None = None,
            client_msg_id: str | None = None, **extra: Any) -> f.Message:
    name = {"buyer": "张三", "agent": "小美", "system": "系统"}[sender]
    return f.Message(
        conversation_id=conversation_id, seq=seq, client_msg_id=client_msg_id or f"m{conversation_id}-{seq}",
        sender=f.Sender(kind=sender, id={"buyer": "b-1", "agent": "7", "system": "system"}[sender], name=name),  # type: ignore[arg-type]
        text=text, ts=T0 + seq * 1000 if ts is None else ts, **extra,
    )


def conversation_info(conversation_id: int, **changes: Any) -> f.ConversationInfo:
    fields: dict[str, Any] = {
        "conversation_id": conversation_id, "shop": "jiadian", "shop_name": "安居家电旗舰店",
        "buyer_id": f"b-{conversation_id}", "buyer_name": f"买家{conversation_id}", "last_seq": 3,
        "buyer_read_seq": 2, "agent_read_seq": 3, "created_at": T0, "status": "assigned", "agent_id": "7",
        "agent_name": "小美", "unanswered_since": T0 + 5,
    }
    return f.ConversationInfo(**(fields | changes))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "history.sqlite3"


@pytest.fixture
async def history(db_path: Path) -> AsyncIterator[History]:
    h = History(db_path)
    await h.open()
    yield h
    await h.close()


async def add_texts(history: History, conversation_id: int, texts: list[str], **kw: Any) -> None:
    await history.add_messages([message(conversation_id, i, t, **kw) for i, t in enumerate(texts, 1)])


# --- storing and paging -----------------------------------------------------------------------


async def test_page_returns_the_newest_messages_ascending_up_to_the_limit(history: History) -> None:
    await history.add_messages([message(1, seq) for seq in range(1, 121)])
    page = await history.page(1, limit=50)
    assert [m.seq for m in page] == list(range(71, 121))
    assert all(m.state == "sent" and m.conversation_id == 1 for m in page)


async def test_page_before_seq_returns_the_older_messages(history: History) -> None:
    await history.add_messages([message(1, seq) for seq in range(1, 121)])
    assert [m.seq for m in await history.page(1, before_seq=71, limit=50)] == list(range(21, 71))
    assert [m.seq for m in await history.page(1, before_seq=21, limit=50)] == list(range(1, 21))
    assert await history.page(1, before_seq=1) == []


async def test_page_of_one_conversation_holds_none_of_another(history: History) -> None:
    await history.add_messages([message(1, 1, "一"), message(2, 1, "二"), message(1, 2, "三")])
    assert [m.text for m in await history.page(1)] == ["一", "三"]


async def test_stored_message_keeps_every_field(history: History) -> None:
    m = message(3, 9, "欢迎光临", sender="system", kind="system", event="welcome", client_msg_id="sys-9")
    [stored] = await history.add_messages([m])
    assert stored == history_module.LocalMessage(
        conversation_id=3, client_msg_id="sys-9", sender_kind="system", sender_id="system", sender_name="系统",
        text="欢迎光临", ts=m.ts, kind="system", event="welcome", seq=9, state="sent")
    assert await history.page(3) == [stored]


async def test_add_messages_is_idempotent_by_conversation_and_seq(history: History) -> None:
    first = await history.add_messages([message(1, 1, "原文"), message(1, 2)])
    again = await history.add_messages([message(1, 1, "重发的副本"), message(1, 2), message(1, 3, "新的")])
    assert [m.seq for m in first] == [1, 2]
    assert [(m.seq, m.text) for m in again] == [(3, "新的")]
    assert [m.text for m in await history.page(1)] == ["原文", "你好", "新的"]


async def test_add_messages_returns_the_new_ones_in_input_order(history: History) -> None:
    new = await history.add_messages([message(2, 5), message(1, 3), message(2, 4), message(1, 3, "同一批的重复")])
    assert [(m.conversation_id, m.seq) for m in new] == [(2, 5), (1, 3), (2, 4)]


async def test_a_failing_batch_stores_nothing_and_the_writer_keeps_working(history: History) -> None:
    broken = message(1, 2)
    broken.text = None  # type: ignore[assignment]  # violates NOT NULL inside the worker
    batch = [message(1, seq) for seq in range(3, 1000)] + [message(1, 1), broken]
    with pytest.raises(sqlite3.IntegrityError):
        await history.add_messages(batch)
    assert await history.page(1) == []  # the 1,000 messages are one transaction
    assert [m.seq for m in await history.add_messages([message(1, 1)])] == [1]
    assert [m.seq for m in await history.page(1)] == [1]


async def test_a_failing_read_reaches_the_caller_and_reads_keep_working(history: History, tmp_path: Path) -> None:
    await add_texts(history, 1, ["在吗"])
    with pytest.raises(FileNotFoundError):
        await history.export(1, tmp_path / "no-such-dir" / "out.txt", "txt")
    assert [m.text for m in await history.page(1)] == ["在吗"]


async def test_concurrent_adds_are_all_stored(history: History) -> None:
    results = await asyncio.gather(*(history.add_messages([message(1, seq)]) for seq in range(1, 41)))
    assert sorted(m.seq for batch in results for m in batch) == list(range(1, 41))
    assert [m.seq for m in await history.page(1)] == list(range(1, 41))


async def test_cursors_are_the_highest_stored_seq_per_conversation(history: History) -> None:
    await history.add_messages([message(1, 1), message(1, 7), message(4, 2), message(9, 30), message(9, 3)])
    assert await history.cursors() == {1: 7, 4: 2, 9: 30}


async def test_seqs_missing_lists_the_gaps_in_a_range(history: History) -> None:
    await history.add_messages([message(1, seq) for seq in (1, 2, 5, 7)] + [message(2, 3)])
    assert await history.seqs_missing(1, 1, 8) == [3, 4, 6, 8]
    assert await history.seqs_missing(1, 5, 5) == []
    assert await history.seqs_missing(1, 9, 8) == []


async def test_around_centres_the_page_on_the_seq(history: History) -> None:
    await history.add_messages([message(1, seq) for seq in range(1, 101)])
    assert [m.seq for m in await history.around(1, 50, limit=10)] == list(range(45, 55))


async def test_around_near_either_end_fills_the_page_from_the_other_side(history: History) -> None:
    await history.add_messages([message(1, seq) for seq in range(1, 101)])
    assert [m.seq for m in await history.around(1, 2, limit=10)] == list(range(1, 11))
    assert [m.seq for m in await history.around(1, 99, limit=10)] == list(range(91, 101))
    assert [m.seq for m in await history.around(1, 5, limit=500)] == list(range(1, 101))


# --- conversations ----------------------------------------------------------------------------


async def test_conversations_keep_every_field(history: History) -> None:
    infos = [conversation_info(2), conversation_info(1, agent_id=None, agent_name=None, unanswered_since=None)]
    await history.save_conversations(infos)
    assert await history.conversations() == sorted(infos, key=lambda c: c.conversation_id)


async def test_saving_a_conversation_again_updates_it(history: History) -> None:
    await history.save_conversations([conversation_info(1)])
    changed = conversation_info(1, status="closed", agent_id=None, agent_name=None, last_seq=9)
    await history.save_conversations([changed])
    assert await history.conversations() == [changed]


def test_the_conversations_table_has_a_column_for_every_field_of_conversation_info() -> None:
    assert set(CONVERSATION_COLUMNS) == {field.name for field in msgspec.structs.fields(f.ConversationInfo)}


# --- outbox -----------------------------------------------------------------------------------


async def outbox_text(history: History, client_msg_id: str, conversation_id: int = 1,
                      text: str = "好的，马上为您处理") -> history_module.LocalMessage:
    return await history.outbox_add(conversation_id, client_msg_id, text, T0, sender_id="7", sender_name="小美")


async def test_outbox_lists_entries_in_the_order_added_as_sending(history: History) -> None:
    added = [await outbox_text(history, cmid, conv) for cmid, conv in (("o1", 2), ("o2", 1), ("o3", 2))]
    assert await history.outbox() == added
    assert [(m.client_msg_id, m.seq, m.state, m.sender_kind) for m in added] == [
        ("o1", None, "sending", "agent"), ("o2", None, "sending", "agent"), ("o3", None, "sending", "agent")]


async def test_outbox_add_twice_with_one_client_msg_id_keeps_one_entry(history: History) -> None:
    first = await outbox_text(history, "o1", text="第一次")
    again = await outbox_text(history, "o1", text="第二次")
    assert again == first
    assert await history.outbox() == [first]


async def test_page_ends_with_the_conversations_outbox_entries(history: History) -> None:
    await add_texts(history, 1, ["在吗", "在的"])
    await outbox_text(history, "o1")
    await outbox_text(history, "other", conversation_id=2)
    await outbox_text(history, "o2")
    newest = await history.page(1)
    assert [(m.seq, m.client_msg_id) for m in newest] == [(1, "m1-1"), (2, "m1-2"), (None, "o1"), (None, "o2")]
    assert [m.seq for m in await history.page(1, before_seq=3)] == [1, 2]


async def test_outbox_acked_moves_the_entry_into_the_messages(history: History) -> None:
    await add_texts(history, 1, ["在吗"])
    await outbox_text(history, "o1")
    moved = await history.outbox_acked("o1", 2, T0 + 9_000)
    assert moved is not None
    assert (moved.seq, moved.ts, moved.state, moved.text) == (2, T0 + 9_000, "sent", "好的，马上为您处理")
    assert await history.outbox() == []
    page = await history.page(1)
    assert [m.seq for m in page] == [1, 2] and page[-1] == moved
    assert await history.cursors() == {1: 2}


async def test_a_cursor_is_not_carried_past_a_hole_by_a_message_known_only_from_its_ack(history: History) -> None:
    await add_texts(history, 1, ["在吗", "在的"])
    await outbox_text(history, "o1")
    await history.outbox_acked("o1", 4, T0)  # seq 3 is still on its way (held by the relay)
    assert await history.cursors() == {1: 2}
    await history.add_messages([message(1, 3)])
    assert await history.cursors() == {1: 4}
    await outbox_text(history, "o2")
    await history.outbox_acked("o2", 5, T0 + 1)
    assert await history.cursors() == {1: 5}


async def test_outbox_acked_twice_returns_none_the_second_time(history: History) -> None:
    await outbox_text(history, "o1")
    assert await history.outbox_acked("o1", 1, T0) is not None
    assert await history.outbox_acked("o1", 1, T0) is None
    assert await history.outbox_acked("never-queued", 2, T0) is None
    assert [m.seq for m in await history.page(1)] == [1]


async def test_outbox_failed_keeps_the_reason(history: History) -> None:
    await outbox_text(history, "o1")
    await history.outbox_failed("o1", "rate_limited: 发送太快")
    [entry] = await history.outbox()
    assert (entry.state, entry.error) == ("failed", "rate_limited: 发送太快")


async def test_outbox_retry_puts_a_failed_entry_back_to_sending(history: History) -> None:
    await outbox_text(history, "o1")
    await history.outbox_failed("o1", "conflict")
    retried = await history.outbox_retry("o1")
    assert retried is not None and (retried.state, retried.error) == ("sending", None)
    assert await history.outbox() == [retried]
    assert await history.outbox_retry("unknown") is None


async def test_outbox_entry_is_removed_when_its_message_arrives_from_the_relay(history: History) -> None:
    await outbox_text(history, "o1")
    await outbox_text(history, "o2")
    new = await history.add_messages([message(1, 4, "好的，马上为您处理", sender="agent", client_msg_id="o1")])
    assert [m.seq for m in new] == [4]
    assert [m.client_msg_id for m in await history.outbox()] == ["o2"]
    assert await history.outbox_acked("o1", 4, T0) is None  # the late ack finds nothing to move
    assert [m.seq for m in await history.page(1)] == [4, None]


async def test_a_buyer_message_with_the_same_client_msg_id_leaves_the_outbox_alone(history: History) -> None:
    await outbox_text(history, "c1")
    await history.add_messages([message(1, 1, "买家的消息", sender="buyer", client_msg_id="c1")])
    assert [m.client_msg_id for m in await history.outbox()] == ["c1"]


async def test_the_relays_copy_of_an_acked_card_replaces_the_card_request(history: History) -> None:
    request = msgspec.json.encode(f.CardRequest(kind="product", sku="JD-HOOD-01")).decode()
    await history.outbox_add(1, "card-1", "商品卡片", T0, sender_id="7", sender_name="小美", kind="card",
                             card_json=request)
    acked = await history.outbox_acked("card-1", 1, T0 + 1)
    assert acked is not None and acked.card_json == request
    card = f.ProductCard(sku="JD-HOOD-01", title="安居 侧吸式抽油烟机", price_cents=329900)
    relay_copy = message(1, 1, "[商品] 安居 侧吸式抽油烟机", sender="agent", client_msg_id="card-1", ts=T0 + 1,
                         kind="card", card=card)
    assert await history.add_messages([relay_copy]) == []  # already shown: not new
    stored = await history.message(1, 1)
    assert stored is not None and (stored.text, stored.kind) == ("[商品] 安居 侧吸式抽油烟机", "card")
    assert msgspec.json.decode(stored.card_json or "", type=f.Card) == card
    assert await history.message(1, 2) is None
    assert [h.seq for h in await history.search("抽油烟机")] == [1]
    assert [h.seq for h in await history.search("油烟")] == [1]
    assert await history.search("商品卡片") == []  # both indexes forgot the local copy's text
    assert await history.search("卡片") == []


async def test_outbox_survives_close_and_reopen(db_path: Path) -> None:
    first = History(db_path)
    await first.open()
    added = await first.outbox_add(5, "o1", "退款已经申请了", T0, sender_id="7", sender_name="小美")
    await first.outbox_failed("o1", "offline")
    await first.close()
    restarted = History(db_path)
    await restarted.open()
    try:
        assert await restarted.outbox() == [dataclasses.replace(added, state="failed", error="offline")]
    finally:
        await restarted.close()


CHILD = """
import asyncio, sys
from pathlib import Path
from app.history import History

async def main() -> None:
    history = History(Path(sys.argv[1]))
    await history.open()
    await history.outbox_add(7, "kill-1", "退货地址发我一下", 1, sender_id="7", sender_name="小美")
    print("added", flush=True)
    await asyncio.sleep(60)

asyncio.run(main())
"""


def test_outbox_survives_the_process_being_killed_right_after_outbox_add(db_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(db_path)], cwd=REPO, stdout=subprocess.PIPE,
                             env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == b"added\n"
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=10) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()

    async def outbox_after_restart() -> list[history_module.LocalMessage]:
        h = History(db_path)
        await h.open()
        try:
            return await h.outbox()
        finally:
            await h.close()

    [entry] = asyncio.run(outbox_after_restart())
    assert (entry.client_msg_id, entry.text, entry.state) == ("kill-1", "退货地址发我一下", "sending")


# --- search -----------------------------------------------------------------------------------

SEARCHABLE = [
    "你好，在吗",
    "退货运费谁出？",
    "iPhone 15 连不上WiFi",
    "5G信号不好",
    "A款还有货吗",
    "这本book到了",
    "今天能到吗？退货的话要多久",
]


@pytest.fixture
async def searchable(history: History) -> History:
    await history.save_conversations([conversation_info(1), conversation_info(2)])
    await add_texts(history, 1, SEARCHABLE)
    return history


@pytest.mark.parametrize(("query", "expected"), [
    ("到", ["今天能到吗？退货的话要多久", "这本book到了"]),
    ("货", ["今天能到吗？退货的话要多久", "A款还有货吗", "退货运费谁出？"]),
    ("退货", ["今天能到吗？退货的话要多久", "退货运费谁出？"]),
    ("好在", []),  # 好，在: not adjacent
    ("运费谁", ["退货运费谁出？"]),
    ("退货的话要多久", ["今天能到吗？退货的话要多久"]),
])
async def test_search_finds_chinese_words_of_any_length(searchable: History, query: str, expected: list[str]) -> None:
    assert [h.text for h in await searchable.search(query)] == expected


@pytest.mark.parametrize(("query", "expected"), [
    ("iphone", ["iPhone 15 连不上WiFi"]),
    ("WIFI", ["iPhone 15 连不上WiFi"]),
    ("5G", ["5G信号不好"]),
    ("15", ["iPhone 15 连不上WiFi"]),
    ("hone", ["iPhone 15 连不上WiFi"]),
])
async def test_search_finds_ascii_ignoring_case(searchable: History, query: str, expected: list[str]) -> None:
    assert [h.text for h in await searchable.search(query)] == expected


async def test_short_ascii_terms_match_whole_words(searchable: History) -> None:
    assert await searchable.search("ok") == []  # not inside "book"
    assert [h.text for h in await searchable.search("ok", conversation_id=1)] == []


@pytest.mark.parametrize(("query", "expected"), [
    ("A款", ["A款还有货吗"]),
    ("WiFi连不上", []),
    ("连不上WiFi", ["iPhone 15 连不上WiFi"]),
    ("iPhone 连不上", ["iPhone 15 连不上WiFi"]),
    ("退货 多久", ["今天能到吗？退货的话要多久"]),
    ("到 book", ["这本book到了"]),
    ("hone 15", ["iPhone 15 连不上WiFi"]),
    ("WiFi 鲸", []),
    ("到 ？", ["今天能到吗？退货的话要多久"]),
    ("book 这本", ["这本book到了"]),
    ("  退货  ", ["今天能到吗？退货的话要多久", "退货运费谁出？"]),
])
async def test_search_finds_mixed_and_several_word_queries(searchable: History, query: str,
                                                           expected: list[str]) -> None:
    assert [h.text for h in await searchable.search(query)] == expected


async def test_long_terms_are_substrings_even_inside_longer_ascii_words(history: History) -> None:
    await add_texts(history, 1, ["XA款式不错", "A款"])
    assert [h.text for h in await history.search("A款式")] == ["XA款式不错"]
    assert [h.text for h in await history.search("A款式 不错")] == ["XA款式不错"]
    assert [h.text for h in await history.search("A款")] == ["A款"]  # short: "A" is a whole word


HOSTILE_TEXT = 'a "quoted" word * AND NEAR(x, y) - ^ : \' ( ) { } + OR NOT col:退货'


@pytest.mark.parametrize("query", [
    '"', '"quoted"', "*", "AND", "NEAR(", "NEAR(x, y)", "-", "^", ":", "'", "(", ")", "{", "+", "col:退货",
    "a OR NOT", "AND OR NOT", "NEAR",
])
async def test_search_treats_fts_syntax_as_text(history: History, query: str) -> None:
    await add_texts(history, 1, [HOSTILE_TEXT, "没有特殊字符"])
    assert [h.text for h in await history.search(query)] == [HOSTILE_TEXT]


@pytest.mark.parametrize("query", ['"退货', "退货*", "退*", '"*"', "没有 OR 退货", "NOT 特殊", "col:没有", "^没有"])
async def test_search_applies_no_fts_operator(history: History, query: str) -> None:
    await add_texts(history, 1, [HOSTILE_TEXT, "没有特殊字符", "退货运费"])
    assert await history.search(query) == []


@pytest.mark.parametrize("query", ["", "   ", "\t\n", "鲸鱼", "量子计算机", "？？", '""""'])
async def test_search_without_a_match_returns_nothing(searchable: History, query: str) -> None:
    assert await searchable.search(query) == []


async def test_search_returns_the_newest_first_even_when_older_pages_arrive_later(history: History) -> None:
    await history.add_messages([message(1, seq, f"退货{seq}", ts=T0 + seq * 60_000) for seq in (50, 51)])
    await history.add_messages([message(2, 1, "退货 二", ts=T0 + 55 * 60_000)])
    await history.add_messages([message(1, seq, f"退货{seq}", ts=T0 + seq * 60_000) for seq in (10, 11)])  # older page
    assert [h.text for h in await history.search("退货")] == ["退货 二", "退货51", "退货50", "退货11", "退货10"]
    assert [h.text for h in await history.search("退货", limit=2)] == ["退货 二", "退货51"]


async def test_search_hits_name_the_conversation_and_its_buyer(searchable: History) -> None:
    await searchable.add_messages([message(3, 1, "发票开好了", sender="agent")])  # no ConversationInfo saved
    hits = await searchable.search("发票") + await searchable.search("A款")
    assert [(h.conversation_id, h.seq, h.buyer_name, h.sender_name) for h in hits] == [
        (3, 1, "", "小美"), (1, 5, "买家1", "张三")]
    assert hits[1].ts == T0 + 5000


@pytest.mark.parametrize("scan_limit", [history_search.SCAN_CONVERSATION_MAX, 0], ids=["scan", "index"])
async def test_search_within_one_conversation(history: History, monkeypatch: pytest.MonkeyPatch,
                                              scan_limit: int) -> None:
    monkeypatch.setattr(history_search, "SCAN_CONVERSATION_MAX", scan_limit)
    await add_texts(history, 1, ["退货一", "到了", "iPhone 退货"])
    await add_texts(history, 2, ["退货二", "到", "iPhone 退货吗"])
    for query in ("退货", "到", "iPhone 退货", "iphone"):
        hits = await history.search(query, conversation_id=2)
        assert hits and all(h.conversation_id == 2 for h in hits), query
    assert [h.seq for h in await history.search("退货", conversation_id=2)] == [3, 1]
    assert await history.search("退货", conversation_id=99) == []


async def test_search_finds_card_and_system_messages_by_their_text(history: History) -> None:
    card = f.OrderCard(order_no="E2025110100001", status="已发货", amount_cents=329900, summary="侧吸式抽油烟机")
    await history.add_messages([
        message(1, 1, "[订单] E2025110100001 已发货", sender="agent", kind="card", card=card),
        message(1, 2, "客服不在线，留言后我们会尽快回复", sender="system", kind="system", event="out_of_hours"),
    ])
    assert [h.seq for h in await history.search("已发货")] == [1]
    assert [h.seq for h in await history.search("留言")] == [2]
    [stored, _] = await history.page(1)
    assert msgspec.json.decode(stored.card_json or "", type=f.Card) == card


async def test_search_ignores_sender_names_and_card_json(history: History) -> None:
    card = f.ProductCard(sku="JD-HOOD-01", title="抽油烟机", price_cents=1)
    await history.add_messages([message(1, 1, "[商品]", sender="agent", kind="card", card=card)])
    assert await history.search("JD-HOOD") == []
    assert await history.search("抽油烟机") == []
    assert await history.search("小美") == []


# --- export -----------------------------------------------------------------------------------


def local_time(ts: int) -> str:
    return datetime.datetime.fromtimestamp(ts / 1000).strftime("%Y-%m-%d %H:%M:%S")


async def test_export_txt_writes_time_sender_and_text(history: History, tmp_path: Path) -> None:
    await history.add_messages([message(1, 2, "好的，请稍等\n我查一下", sender="agent"), message(1, 1, "退货怎么弄？")])
    await outbox_text(history, "not-yet-sent")
    target = tmp_path / "会话1.txt"
    assert await history.export(1, target, "txt") == 2
    assert target.read_text(encoding="utf-8") == (
        f"{local_time(T0 + 1000)}  张三: 退货怎么弄？\n"
        f"{local_time(T0 + 2000)}  小美: 好的，请稍等\n    我查一下\n"
    )


async def test_export_csv_reads_back_with_chinese_intact(history: History, tmp_path: Path) -> None:
    await history.add_messages([message(1, 1, '退货，"尽快"\n谢谢'), message(1, 2, "好的", sender="agent"),
                                message(2, 1, "别的会话")])
    target = tmp_path / "export.csv"
    assert await history.export(1, target, "csv") == 2
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel opens it as UTF-8
    with target.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows == [
        ["seq", "time", "sender_kind", "sender_name", "text"],
        ["1", local_time(T0 + 1000), "buyer", "张三", '退货，"尽快"\n谢谢'],
        ["2", local_time(T0 + 2000), "agent", "小美", "好的"],
    ]


async def test_export_rejects_an_unknown_format_and_writes_nothing(history: History, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="format"):
        await history.export(1, tmp_path / "x.pdf", "pdf")  # type: ignore[arg-type]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("x.pdf")]


# --- lifecycle and threads --------------------------------------------------------------------


async def test_migrations_are_recorded_once(db_path: Path) -> None:
    for _ in range(2):
        h = History(db_path)
        await h.open()
        await h.close()
    with sqlite3.connect(db_path) as db:
        names = [r[0] for r in db.execute("SELECT name FROM migrations ORDER BY id")]
        assert names == list(MIGRATION_NAMES)
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_operations_after_close_raise_a_clear_error(db_path: Path) -> None:
    h = History(db_path)
    await h.open()
    await h.close()
    await h.close()  # idempotent
    with pytest.raises(HistoryClosed, match="closed"):
        await h.add_messages([message(1, 1)])
    with pytest.raises(HistoryClosed, match="closed"):
        await h.search("退货")
    with pytest.raises(HistoryClosed, match="closed"):
        await h.open()


async def test_operations_before_open_raise_a_clear_error(db_path: Path) -> None:
    with pytest.raises(HistoryClosed, match="not open"):
        await History(db_path).outbox()


async def test_close_waits_for_pending_writes(db_path: Path) -> None:
    h = History(db_path)
    await h.open()
    writes = [asyncio.create_task(h.add_messages([message(1, seq) for seq in range(i * 100 + 1, i * 100 + 101)]))
              for i in range(10)]
    await asyncio.sleep(0)  # every task has submitted its write
    await h.close()
    assert [len(batch) for batch in await asyncio.gather(*writes)] == [100] * 10
    reopened = History(db_path)
    await reopened.open()
    try:
        assert await reopened.cursors() == {1: 1000}
    finally:
        await reopened.close()


async def test_sqlite_never_runs_on_the_event_loop_thread(db_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    threads: set[int] = set()
    for name in ("connect_writer", "connect_reader"):
        original = getattr(history_module, name)

        def traced(path: Path, original: Any = original) -> Any:
            db = original(path)
            db.conn.set_trace_callback(lambda _sql: threads.add(threading.get_ident()))
            return db

        monkeypatch.setattr(history_module, name, traced)
    h = History(db_path)
    await h.open()
    await h.add_messages([message(1, 1, "退货")])
    await h.outbox_add(1, "o1", "好", T0, sender_id="7", sender_name="小美")
    await h.search("退货")
    await h.export(1, tmp_path / "out.csv", "csv")
    await h.close()
    assert len(threads) == 2 and threading.get_ident() not in threads


async def test_stats_count_messages_and_outbox(history: History) -> None:
    await history.save_conversations([conversation_info(1)])
    await add_texts(history, 1, ["一", "二"])
    await outbox_text(history, "o1")
    await outbox_text(history, "o2")
    await history.outbox_failed("o2", "offline")
    stats = await history.stats()
    assert {k: stats[k] for k in ("messages", "conversations", "outbox", "outbox_failed")} == {
        "messages": 2, "conversations": 1, "outbox": 2, "outbox_failed": 1}
    assert stats["db_bytes"] > 0
