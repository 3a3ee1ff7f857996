"""Internal notes and whispers never reach the buyer's page: not on screen, not in any frame the page's
websocket receives, live or from history (Debian Chromium, the real relay, KefuClient staff)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest
from playwright.async_api import Page, WebSocket, expect

from tests.conftest import RunningRelay
from tests.e2e.test_buyer_page import open_chat, type_and_send, wait_js
from tests.relay.helpers import next_chat, next_of
from wire import frames as f
from wire import staff as s

pytestmark = pytest.mark.e2e
WHISPER = "主管悄悄话：先别提退款"
NOTE = "内部备注：这位买家上周投诉过"
STAFF_FRAMES = {"note", "note_list", "figures", "shop_config", "complaint", "templates_changed"}


def record_frames(page: Page) -> list[str]:
    """Every frame any websocket of the page receives, as text, from now on (reloads included)."""
    received: list[str] = []

    def on_socket(ws: WebSocket) -> None:
        ws.on("framereceived", lambda payload: received.append(
            payload if isinstance(payload, str) else payload.decode("utf-8", "replace")))

    page.on("websocket", on_socket)
    return received


def assert_no_staff_lines(frames: list[str]) -> None:
    assert frames, "the page received no frames at all"
    for raw in frames:
        assert WHISPER not in raw and NOTE not in raw, raw
        assert "主管悄悄话" not in raw and "内部备注" not in raw, raw
        frame = json.loads(raw)
        assert frame.get("type") not in STAFF_FRAMES, raw
        assert "note" not in frame or frame.get("type") == "assignment", raw


async def test_whispers_and_internal_notes_never_reach_the_buyers_page(
        page: Page, relay: RunningRelay, clients: Any) -> None:
    frames = record_frames(page)
    agent = await clients("agent1")
    supervisor = await clients("super1")
    await open_chat(page, relay)
    await type_and_send(page, "我想退货")
    received = await next_chat(agent)
    conv = received.conversation_id

    whisper = await supervisor.call(s.AddNote, conversation_id=conv, client_msg_id="w-1", text=WHISPER,
                                    kind="whisper")
    note = await agent.call(s.AddNote, conversation_id=conv, client_msg_id="n-1", text=NOTE, kind="note")
    assert isinstance(whisper, s.StaffNote) and whisper.note.kind == "whisper"
    assert isinstance(note, s.StaffNote) and note.note.kind == "note"
    # The staff hear of each other's lines: they were really stored and sent out.
    assert (await next_of(agent, s.StaffNote)).note.text == WHISPER
    assert (await next_of(supervisor, s.StaffNote)).note.text == NOTE
    with sqlite3.connect(relay.config.db_path) as db:
        kinds = db.execute("SELECT kind FROM staff_notes WHERE conversation_id = ? ORDER BY id", (conv,)).fetchall()
    assert kinds == [("whisper",), ("note",)]

    # A reply sent after them reaches the page: anything sent before it would have arrived too.
    await agent.send_text(conv, "好的，我来帮您处理")
    messages = page.get_by_test_id("message-list")
    await expect(messages.get_by_text("好的，我来帮您处理", exact=True)).to_be_visible()
    await page.wait_for_timeout(300)
    body = await page.inner_text("body")
    assert WHISPER not in body and NOTE not in body
    assert_no_staff_lines(frames)

    # Nor in the history a reloaded page fetches, nor when the chat is resolved and the page resyncs.
    await agent.call(f.Resolve, conversation_id=conv)
    await expect(page.get_by_test_id("rating-prompt")).to_be_visible()
    count = len(frames)
    await page.reload()
    await wait_js(page, "window.__kefu.ready === true && window.__kefu.historyLoaded === true")
    await expect(messages.get_by_text("好的，我来帮您处理", exact=True)).to_be_visible()
    await page.wait_for_timeout(300)
    assert len(frames) > count and any(json.loads(r).get("type") == "history_page" for r in frames[count:])
    assert WHISPER not in await page.content() and NOTE not in await page.content()
    assert_no_staff_lines(frames)
