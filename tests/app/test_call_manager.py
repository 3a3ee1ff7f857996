"""Video calls on the agent's side, against the real relay: the desk's CallManager and an aiortc buyer
(`app.buyer_call.BuyerPhone`, answering like the buyer page: camera off) with real media on loopback."""

from __future__ import annotations

import asyncio
import gc
import sqlite3
from typing import Any

import numpy as np
import pytest

from app.buyer_call import BuyerPhone
from app.calls import CallManager
from app.events import CallAudio, CallChanged, CallEnding, CallFrame
from relay.clock import FakeClock
from tests.app.helpers import Desk, RestartableRelay, assigned_chat
from tests.conftest import DEMO_PASSWORD, MAIN_SHOP
from tests.x11_helpers import XClient
from wire import frames as f

BUYER = "b-jiadian-0021"


pytestmark = pytest.mark.usefixtures("loopback")


async def chat_with_phone(desks: Any, clients: Any, phones: Any, buyer: str = BUYER) -> tuple[Desk, BuyerPhone, int]:
    desk = await desks.open("agent1")
    client, cid = await assigned_chat(desk, clients, buyer, "热水器怎么点火？")
    return desk, phones(client), cid


async def connected_call(desk: Desk, phone: BuyerPhone, cid: int, **answer: Any) -> str:
    """Invite, the buyer accepts, and wait until the relay says connected and media flows both ways."""
    view = await desk.service.calls.invite(cid, "演示安装步骤")
    assert view.state == "invited" and view.info.reason == "演示安装步骤"
    invited = await phone.invitation()
    assert invited.call_id == view.call_id
    await phone.answer(view.call_id, **answer)
    await desk.events.first(CallChanged, reason="connected", what="the call connected")
    await desk.events.until(lambda: view.media, "media from the buyer")
    await phone.until(lambda: phone.frames["audio"] > 0, "the agent's audio at the buyer")
    return view.call_id


def calls_table(relay: RestartableRelay) -> dict[str, dict[str, Any]]:
    with sqlite3.connect(relay.config.db_path) as db:
        db.row_factory = sqlite3.Row
        return {r["id"]: dict(r) for r in db.execute("SELECT * FROM calls")}


def all_released(calls: CallManager) -> bool:
    gc.collect()
    return all(pc.connectionState == "closed" for pc in calls.peer_connections) and not calls.calls


def non_black(rgb: np.ndarray) -> bool:
    return float(rgb.mean()) > 20.0


# --- inviting ---------------------------------------------------------------------------------------


async def test_check_says_why_a_buyer_who_never_wrote_cannot_be_invited(desks, clients) -> None:
    desk = await desks.open("agent1")
    _, cid = await assigned_chat(desk, clients, BUYER, "你好")
    quiet = await clients(buyer="b-jiadian-0022")
    conv = await quiet.open_conversation(MAIN_SHOP)
    allowed = await desk.service.calls.check(cid)
    assert allowed.allowed and allowed.code is None
    refused = await desk.service.calls.check(conv.conversation_id)
    assert not refused.allowed and refused.code == "call_not_started"


async def test_a_declined_invitation_puts_the_buyer_on_cooldown_and_creates_no_peer(desks, clients, phones) -> None:
    desk, phone, cid = await chat_with_phone(desks, clients, phones)
    view = await desk.service.calls.invite(cid, "查看商品问题")
    await phone.answer((await phone.invitation()).call_id, "decline")
    await desk.events.first(CallChanged, reason="declined")
    await desk.events.first(CallChanged, reason="released")
    assert view.over and not desk.service.calls.calls and not list(desk.service.calls.peer_connections)
    check = await desk.service.calls.check(cid)
    assert check.code == "call_cooldown" and check.retry_after is not None and 590 < check.retry_after <= 600


async def test_an_unanswered_invitation_expires_and_the_agent_can_withdraw_one(
    desks, clients, phones, fake_clock: FakeClock
) -> None:
    desk, phone, cid = await chat_with_phone(desks, clients, phones)
    first = await desk.service.calls.invite(cid)
    await phone.invitation()
    fake_clock.advance(61)
    await desk.events.first(CallChanged, reason="expired")
    assert first.over and desk.service.calls.for_conversation(cid) is None

    second = await desk.service.calls.invite(cid, "讲解产品功能")
    await desk.service.calls.hang_up(second.call_id)
    assert second.state == "cancelled" and second.info.end_reason == "withdrawn"
    assert (await phone.state(second.call_id, "cancelled")).ended_by == "agent"


# --- a call ---------------------------------------------------------------------------------------------


async def test_frames_flow_both_ways_and_the_agent_hangs_up(desks, clients, phones, relay: RestartableRelay) -> None:
    desk, phone, cid = await chat_with_phone(desks, clients, phones)
    calls = desk.service.calls
    call_id = await connected_call(desk, phone, cid)
    view = calls.for_conversation(cid)
    assert view is not None and view.state == "connected" and view.info.connected_at is not None

    # The agent's test pattern reaches the buyer; the buyer's camera is off, so only its voice comes back.
    await phone.until(lambda: phone.frames["video"] >= 3, "the agent's video at the buyer")
    assert phone.last_video is not None and (phone.last_video.width, phone.last_video.height) == (640, 480)
    assert non_black(phone.last_video.to_ndarray(format="rgb24"))
    await desk.events.until(lambda: len(desk.events.of(CallAudio, call_id=call_id)) >= 10, "the buyer's voice")
    audio = desk.events.of(CallAudio, call_id=call_id)[-1]
    assert len(audio.pcm) == 960 * 2  # 20 ms of s16 mono at 48 kHz
    assert calls.frame(call_id, "remote") is None
    local = await desk.events.until(lambda: calls.frame(call_id, "local"), "the agent's own preview")
    assert (local.width, local.height) == (320, 240)

    phone.camera_on()
    await desk.events.first(CallFrame, call_id=call_id, side="remote", what="the buyer's camera")
    remote = await desk.events.until(lambda: calls.frame(call_id, "remote"), "a picture of the buyer")
    assert (remote.width, remote.height) == (640, 480) and remote.rgb.flags["C_CONTIGUOUS"]
    assert non_black(remote.rgb)

    call = calls.call(call_id)
    assert call is not None and call.pc is not None
    pc = call.pc
    await calls.hang_up(call_id)
    assert view.state == "ended" and view.info.ended_by == "agent"
    assert pc.connectionState == "closed" and not call.tasks and call.remote.image is None
    ended = await phone.state(call_id, "ended")
    assert ended.end_reason == "hangup"
    await desk.events.until(lambda: all_released(calls), "every peer connection released")
    record = calls_table(relay)[call_id]
    assert record["state"] == "ended" and record["ended_by"] == "agent" and record["connected_at"] is not None
    assert record["reason"] == "演示安装步骤" and record["duration_s"] is not None


async def test_the_buyer_hangs_up_and_the_desk_releases_the_call(desks, clients, phones, relay) -> None:
    desk, phone, cid = await chat_with_phone(desks, clients, phones)
    call_id = await connected_call(desk, phone, cid)
    await phone.hang_up()
    await desk.events.first(CallChanged, reason="ended")
    await desk.events.first(CallChanged, reason="released")
    view = desk.events.of(CallChanged, reason="released")[-1].call
    assert view.info.ended_by == "buyer" and view.peer_state == "closed"
    assert all_released(desk.service.calls)
    assert calls_table(relay)[call_id]["ended_by"] == "buyer"


async def test_an_audio_only_call_connects_on_the_buyers_voice_and_sends_no_video(desks, clients, phones) -> None:
    desk, phone, cid = await chat_with_phone(desks, clients, phones)
    call_id = await connected_call(desk, phone, cid, audio_only=True)
    assert desk.service.calls.for_conversation(cid).info.audio_only
    await phone.until(lambda: phone.frames["audio"] >= 25, "half a second of the agent's voice")
    assert phone.frames["video"] == 0
    call = desk.service.calls.calls[call_id]
    assert call.video is None and call.camera is None  # nothing made to send, not even the test pattern
    assert call.pc is not None
    assert [(t.kind, t.direction) for t in call.pc.getTransceivers()] == [("audio", "sendrecv"), ("video", "inactive")]
    await desk.service.calls.hang_up(call_id)


async def test_the_agent_switches_sources_mutes_and_the_buyer_sees_and_hears_it(desks, clients, phones) -> None:
    desk, phone, cid = await chat_with_phone(desks, clients, phones)
    calls = desk.service.calls
    call_id = await connected_call(desk, phone, cid)
    assert "clip:washer" in calls.sources()

    calls.set_source(call_id, "clip:washer")
    await phone.until(lambda: phone.last_video is not None and phone.last_video.width == 320, "the clip at the buyer")
    frames = phone.frames["video"]
    await phone.until(lambda: phone.frames["video"] >= frames + 10, "the clip playing on")

    calls.set_source(call_id, "camera")  # the UI's camera: frames pushed as RGB arrays
    picture = np.zeros((240, 320, 3), np.uint8)
    picture[:, :, 1] = 200

    def green_at_the_buyer() -> bool:
        if phone.last_video is None or phone.last_video.width != 320:
            return False
        r, g, b = phone.last_video.to_ndarray(format="rgb24")[120, 160]
        return bool(g > 150 and r < 60 and b < 60)

    for _ in range(45):  # a camera at 15 fps, for at most 3 s
        calls.push_video(call_id, picture)
        await asyncio.sleep(1 / 15)
        if green_at_the_buyer():
            break
    assert green_at_the_buyer(), phone.last_video

    calls.set_muted(call_id, True)
    assert desk.service.calls.for_conversation(cid).muted
    await asyncio.sleep(0.3)  # what was in flight
    phone.audio_levels.clear()
    await phone.until(lambda: len(phone.audio_levels) >= 10, "more audio")
    assert max(phone.audio_levels) < 50.0
    calls.set_muted(call_id, False)
    calls.push_audio(call_id, (np.sin(np.arange(9600) / 8) * 8000).astype("<i2").tobytes())
    await phone.until(lambda: max(phone.audio_levels[-10:], default=0) > 1000, "the agent's voice again")
    await calls.hang_up(call_id)


async def test_a_window_closed_before_it_is_shown_gives_way_to_the_test_pattern_and_the_buyer_keeps_watching(
    desks, clients, phones, x_display: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The agent picks a window from the list, but it was closed meanwhile: x11grab fails when it opens it.
    The video goes on with the test pattern, the call says which source failed, and another choice works."""
    monkeypatch.setenv("DISPLAY", x_display)
    for _ in range(50):  # Xvfb takes a moment to accept connections
        try:
            window = XClient(x_display, "安装说明", 320, 240)
            break
        except AssertionError:
            await asyncio.sleep(0.1)
    else:
        pytest.fail(f"the X display {x_display} never accepted a connection")
    desk, phone, cid = await chat_with_phone(desks, clients, phones)
    calls = desk.service.calls
    call_id = await connected_call(desk, phone, cid)
    await phone.until(lambda: phone.frames["video"] >= 3, "the test pattern at the buyer")
    [(key, title)] = await calls.windows()
    assert (key, title) == (f"window:{window.window}", "安装说明")
    window.close()
    assert await calls.windows() == []

    mark = desk.events.mark()
    calls.set_source(call_id, key)  # accepted: only opening the window tells that it is gone
    failed = await desk.events.first(CallChanged, since=mark, reason="source_failed", what="the failure reported")
    view = failed.call
    assert (view.source_failed, view.source) == (key, "pattern")
    assert calls.for_conversation(cid) is view
    frames = phone.frames["video"]
    await phone.until(lambda: phone.frames["video"] >= frames + 10, "the video going on at the buyer")
    assert phone.last_video is not None and (phone.last_video.width, phone.last_video.height) == (640, 480)
    assert non_black(phone.last_video.to_ndarray(format="rgb24"))
    call = calls.call(call_id)
    assert call is not None and call.video is not None and call.video.readyState == "live"

    calls.set_source(call_id, "clip:washer")
    assert (view.source, view.source_failed) == ("clip:washer", None)
    await phone.until(lambda: phone.last_video is not None and phone.last_video.width == 320, "the clip at the buyer")
    frames = phone.frames["video"]
    await phone.until(lambda: phone.frames["video"] >= frames + 10, "the clip playing on")
    assert len(desk.events.of(CallChanged, reason="source_failed")) == 1
    await calls.hang_up(call_id)


async def test_a_call_set_to_start_with_a_screen_that_is_gone_starts_with_the_test_pattern(
    desks, clients, phones, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk, phone, cid = await chat_with_phone(desks, clients, phones)
    calls = desk.service.calls
    calls.default_source = "screen"
    monkeypatch.delenv("DISPLAY", raising=False)  # as on Wayland alone: nothing to grab
    call_id = await connected_call(desk, phone, cid)
    failed = await desk.events.first(CallChanged, reason="source_failed")
    assert (failed.call.call_id, failed.call.source_failed, failed.call.source) == (call_id, "screen", "pattern")
    await phone.until(lambda: phone.frames["video"] >= 3, "the test pattern at the buyer")
    await calls.hang_up(call_id)


async def test_the_relay_warns_before_its_limit_then_ends_the_call(
    desks, clients, phones, relay: RestartableRelay, fake_clock: FakeClock
) -> None:
    from app.client import KefuClient, login

    token = (await login(relay.url, MAIN_SHOP, "super1", DEMO_PASSWORD)).token
    supervisor = KefuClient(relay.url, token)
    await supervisor.connect()
    await supervisor.call(f.CallSettings, max_duration_s=120, warning_before_s=60)
    await supervisor.close()
    desk, phone, cid = await chat_with_phone(desks, clients, phones)
    call_id = await connected_call(desk, phone, cid)
    fake_clock.advance(61)
    ending = await desk.events.first(CallEnding, call_id=call_id)
    assert ending.remaining_s == 60 and desk.service.calls.for_conversation(cid).remaining_s == 60
    fake_clock.advance(60)
    await desk.events.first(CallChanged, reason="released")
    assert calls_table(relay)[call_id]["end_reason"] == "duration_limit"
    assert all_released(desk.service.calls)


async def test_closing_the_desk_ends_the_call_on_the_relay_and_closes_every_peer(
    desks, clients, phones, relay: RestartableRelay
) -> None:
    desk, phone, cid = await chat_with_phone(desks, clients, phones)
    calls = desk.service.calls
    call_id = await connected_call(desk, phone, cid)
    pcs = list(calls.peer_connections)
    assert len(pcs) == 1
    await desk.service.close()
    assert all(pc.connectionState == "closed" for pc in pcs) and not calls.calls
    assert (await phone.state(call_id, "ended")).ended_by == "agent"
    assert calls_table(relay)[call_id]["state"] == "ended"


async def test_a_call_running_before_the_desk_restarted_ends_without_it(desks, clients, phones, relay,
                                                                       fake_clock) -> None:
    """After a crash the relay still has the call connected; the new desk has no media for it and does not
    speak for it, so the relay ends it once the grace for the connection that owned it is over."""
    desk, phone, cid = await chat_with_phone(desks, clients, phones)
    call_id = await connected_call(desk, phone, cid)
    calls = desk.service.calls
    call = calls.call(call_id)
    assert call is not None
    await call.close()  # as if the process died: media gone, relay not told
    calls.calls.clear()
    calls._ended.clear()
    calls._mine.clear()
    assert relay.drop(desk.user_id) == 1  # it reconnects; the relay resends the open call, which it ignores
    await desk.service.link.online.wait()
    await asyncio.sleep(0.3)  # the relay has seen the old connection go
    assert calls.call(call_id) is None
    fake_clock.advance(15)
    ended = await phone.state(call_id, "ended")
    assert (ended.ended_by, ended.end_reason) == ("agent", "disconnected")


async def test_a_desk_back_after_a_dropped_socket_keeps_its_call(
    desks, clients, phones, relay, fake_clock
) -> None:
    desk, phone, cid = await chat_with_phone(desks, clients, phones)
    call_id = await connected_call(desk, phone, cid)
    assert relay.drop(desk.user_id) == 1  # the socket drops; the media goes on peer to peer
    await asyncio.sleep(0.3)
    await desk.service.link.online.wait()
    await asyncio.sleep(0.3)  # the desk says "still here" for its call
    fake_clock.advance(20)
    await asyncio.sleep(0.2)
    assert calls_table(relay)[call_id]["state"] == "connected"
    assert desk.service.calls.call(call_id) is not None


async def test_a_peer_that_closes_without_a_word_is_hung_up_after_a_grace(
    desks, clients, phones, relay, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.calls.PEER_LOST_GRACE_S", 0.2)
    desk, phone, cid = await chat_with_phone(desks, clients, phones)
    call_id = await connected_call(desk, phone, cid)
    assert phone.pc is not None
    await phone.pc.close()  # the buyer's tab is closed: DTLS says goodbye, no call_hangup
    await desk.events.first(CallChanged, reason="released")
    assert all_released(desk.service.calls)
    assert calls_table(relay)[call_id]["ended_by"] == "agent"
