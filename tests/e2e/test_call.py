"""Video explanations on the buyer page, in Debian Chromium against the real relay and the workstation's
own call manager (app/calls.py, aiortc), with real media both ways.

Media stays on loopback (app.calls.loopback_only for the agent, --allow-loopback-in-peer-connection
for Chromium); Chromium's camera and microphone are its fake devices. The relay runs on the fake
clock of tests/conftest.py, so expiry and the duration limit are moved, not waited for.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Page, WebSocketRoute, expect

from app.client import login
from app.errors import RelayError
from relay.clock import FakeClock
from tests.conftest import DEMO_PASSWORD, MAIN_SHOP, RunningRelay
from tests.e2e.call_agent import CallAgent
from tests.e2e.test_buyer_page import open_chat, type_and_send, wait_js
from tests.relay.helpers import next_chat, next_of
from wire import frames as f

pytestmark = pytest.mark.e2e

CAMERA = {"video": {"facingMode": {"ideal": "environment"}, "width": {"ideal": 640}, "height": {"ideal": 480}}}
FRONT = {"video": {"facingMode": {"ideal": "user"}, "width": {"ideal": 640}, "height": {"ideal": 480}}}

# The page's peer connection (the live one, or the last one once closed), read with getStats.
STATS = """async () => {
  const pc = window.__kefuCall.lastPc;
  const report = await pc.getStats();
  const r = { videoSent: 0, audioSent: 0, videoReceived: 0, audioReceived: 0, framesDecoded: 0 };
  let transport = null;
  report.forEach((s) => {
    if (s.type === "outbound-rtp") r[s.kind + "Sent"] += s.packetsSent || 0;
    if (s.type === "inbound-rtp") r[s.kind + "Received"] += s.packetsReceived || 0;
    if (s.type === "inbound-rtp" && s.kind === "video") r.framesDecoded += s.framesDecoded || 0;
    if (s.type === "transport") transport = s;
  });
  if (transport) {
    r.dtlsState = transport.dtlsState;
    r.srtpCipher = transport.srtpCipher;
    const cert = transport.remoteCertificateId ? report.get(transport.remoteCertificateId) : null;
    r.remoteFingerprint = cert ? cert.fingerprint : null;
    r.fingerprintAlgorithm = cert ? cert.fingerprintAlgorithm : null;
    const pair = transport.selectedCandidatePairId ? report.get(transport.selectedCandidatePairId) : null;
    if (pair) {
      r.localAddress = report.get(pair.localCandidateId).address;
      r.remoteAddress = report.get(pair.remoteCandidateId).address;
    }
  }
  return r;
}"""


@pytest.fixture
async def agent(relay: RunningRelay) -> AsyncIterator[CallAgent]:
    """agent1 (小美), the only agent online: buyers' chats go to her."""
    token = (await login(relay.url, MAIN_SHOP, "agent1", DEMO_PASSWORD)).token
    client = CallAgent(relay.url, token)
    await client.connect()
    yield client
    await client.close()


async def chatting(page: Page, relay: RunningRelay, agent: CallAgent, buyer: str = "b-jiadian-0001") -> int:
    """The buyer opened the shop's chat and wrote; the chat is agent1's. Returns the conversation id."""
    await open_chat(page, relay, buyer)
    await type_and_send(page, "这个热水器怎么装？")
    return (await next_chat(agent)).conversation_id


async def stats(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = await page.evaluate(STATS)
    return result


async def until(page: Page, check: Any, timeout: float = 10.0) -> Any:
    """Poll an async check (page stats, agent counts) until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await page.wait_for_timeout(50)


def call_row(relay: RunningRelay, call_id: str) -> dict[str, Any]:
    with sqlite3.connect(relay.config.db_path) as db:
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT * FROM calls WHERE id = ?", (call_id,)).fetchone()
    assert row is not None
    return dict(row)


async def accept(page: Page, call_id: str, button: str = "call-accept", first: bool = True) -> None:
    """Tap accept (or voice only) on the card; the first call shows the notice, which is read and continued."""
    card = page.locator(f"[data-testid=card-call][data-call-id='{call_id}']")
    await card.get_by_test_id(button).click()
    if first:
        notice = page.get_by_test_id("call-notice-first")
        await expect(notice).to_be_visible()
        for words in ("展示或讲解商品", "DTLS-SRTP", "不会被录音或录像", "摄像头默认关闭", "后置摄像头"):
            await expect(notice).to_contain_text(words)
        await notice.get_by_test_id("sheet-continue").click()
        await expect(notice).to_be_hidden()
    await expect(page.get_by_test_id("call-screen")).to_be_visible()


async def test_buyer_joins_with_the_camera_off_shows_the_product_with_the_rear_camera_and_hangs_up(
    call_page: Page, relay: RunningRelay, agent: CallAgent, fake_clock: FakeClock
) -> None:
    page = call_page
    conv = await chatting(page, relay, agent)
    call = await agent.invite(conv, "演示安装步骤")
    assert call.delivered_at == call.invited_at  # the page is open: the card reached it at once

    # The first call: the notice comes before anything is asked of the devices; Cancel keeps the invitation.
    card = page.locator(f"[data-testid=card-call][data-call-id='{call.call_id}']")
    await card.get_by_test_id("call-accept").click()
    await page.get_by_test_id("call-notice-first").get_by_test_id("sheet-cancel").click()
    assert await page.evaluate("window.__gumAsked") == []
    await expect(page.get_by_test_id("call-screen")).to_be_hidden()
    await expect(card).to_have_attribute("data-state", "invited")
    await accept(page, call.call_id)
    assert await page.evaluate("localStorage.getItem('kefu.callNoticeSeen')") == "1"

    connected = await agent.state(call.call_id, "connected")
    assert connected.audio_only is False
    cid = call.call_id
    pc = agent.peer(cid)
    await wait_js(page, "window.__kefuCall.frames > 3")
    await expect(page.get_by_test_id("call-screen-status")).to_have_text("通话中")
    assert await page.evaluate("document.getElementById('call-remote').videoWidth") == 640
    # Audio both ways: the agent hears the fake microphone, the page receives the agent's tone.
    await agent.until(lambda: agent.audio.get(cid, 0) > 25, what="agent hears the buyer")
    await until(page, lambda: _page_has(page, "audioReceived", 25))

    # The camera is off: nothing asked of it, no video packet sent, no frame at the agent.
    assert await page.evaluate("window.__gumAsked") == [{"audio": True}]
    assert await page.evaluate("window.__kefuCall.gum") == [{"audio": True}]
    page_stats = await stats(page)
    assert page_stats["videoSent"] == 0 and agent.video_frames(cid) == 0, page_stats
    await expect(page.get_by_test_id("call-camera")).to_have_text("打开摄像头")
    await expect(page.get_by_test_id("call-local-video")).to_be_hidden()

    # DTLS-SRTP end to end: the certificate the browser checked is the agent's own.
    assert page_stats["dtlsState"] == "connected" and agent.dtls_state(cid) == "connected"
    assert page_stats["fingerprintAlgorithm"] == "sha-256"
    assert page_stats["remoteFingerprint"].upper() == agent.local_fingerprint(cid, "sha-256")
    assert page_stats["srtpCipher"]  # e.g. AEAD_AES_128_GCM
    assert page_stats["localAddress"] == "127.0.0.1" and page_stats["remoteAddress"] == "127.0.0.1"

    # Camera on: the rear camera is asked for; the fake one has no facing mode, and the page says so.
    await page.get_by_test_id("call-camera").click()
    await agent.until(lambda: agent.video_frames(cid) > 5, what="agent sees the buyer's camera")
    await agent.until(lambda: agent.video_size(cid) == (640, 480), what="the camera's picture at the agent")
    assert await page.evaluate("window.__gumAsked") == [{"audio": True}, CAMERA]
    assert await page.evaluate("window.__kefuCall.gum") == [{"audio": True}, CAMERA]
    await expect(page.get_by_test_id("call-camera-note")).to_have_text("未检测到后置摄像头，已使用默认摄像头")
    await expect(page.get_by_test_id("call-local-video")).to_be_visible()
    await expect(page.get_by_test_id("call-camera")).to_have_text("关闭摄像头")

    # Front camera (the old track stopped first), then off again: the sender goes back to no track.
    first_cam = await page.evaluate_handle("window.__kefuCall.current.cam")
    await page.get_by_test_id("call-flip").click()
    await wait_js(page, "window.__kefuCall.gum.length === 3 && window.__kefuCall.current.cam !== null")
    assert (await page.evaluate("window.__gumAsked"))[-1] == FRONT
    assert await first_cam.evaluate("t => t.readyState") == "ended"
    before = agent.video_frames(cid)
    await agent.until(lambda: agent.video_frames(cid) > before + 5, what="frames from the front camera")
    await page.get_by_test_id("call-camera").click()
    await wait_js(page, "window.__kefuCall.current.cam === null"
                        " && window.__kefuCall.current.videoSender.track === null")
    await expect(page.get_by_test_id("call-flip")).to_be_hidden()
    assert await page.evaluate("window.__kefuCall.negotiationNeeded") == 0

    # Mute sends silence (the track stays, disabled); unmute again.
    await page.get_by_test_id("call-mic").click()
    assert await page.evaluate("window.__kefuCall.current.mic.enabled") is False
    await expect(page.get_by_test_id("call-mic")).to_have_text("取消静音")
    await page.get_by_test_id("call-mic").click()
    assert await page.evaluate("window.__kefuCall.current.mic.enabled") is True
    await expect(page.get_by_test_id("call-timer")).to_have_text(re.compile(r"^\d+:\d\d$"))

    # Hang up from the page, 75 s into the call by the relay's clock.
    fake_clock.advance(75)
    await page.get_by_test_id("call-hangup").click()
    ended = await agent.state(call.call_id, "ended")
    assert (ended.ended_by, ended.end_reason, ended.duration_s) == ("buyer", "hangup", 75)
    await agent.until(lambda: pc.connectionState == "closed", what="agent's pc closed")
    closed = await page.evaluate("""() => {
      const c = window.__kefuCall.last;
      return { pc: c.pc.connectionState, mic: c.mic.readyState, cam: c.cam, phase: c.phase,
               remote: document.getElementById('call-remote').srcObject };
    }""")
    assert closed == {"pc": "closed", "mic": "ended", "cam": None, "phase": "over", "remote": None}
    summary = page.get_by_test_id("call-summary")
    await expect(summary).to_be_visible()
    await expect(page.get_by_test_id("call-duration")).to_have_text("通话时长 1:15")

    # A complaint after the call, from the summary: recorded with the call.
    await summary.get_by_test_id("summary-complain").click()
    await page.get_by_test_id("complaint-sheet").get_by_test_id("complaint-privacy").click()
    await agent.until(lambda: agent.calls[call.call_id].complaint == "privacy")
    assert agent.calls[call.call_id].state == "ended"
    row = call_row(relay, call.call_id)
    assert row["complaint"] == "privacy"
    assert row["invited_at"] == row["delivered_at"] <= row["answered_at"] <= row["connected_at"] < row["ended_at"]
    await expect(summary.get_by_test_id("summary-complain")).to_have_text("已投诉")
    await summary.get_by_test_id("summary-close").click()
    await expect(page.get_by_test_id("call-screen")).to_be_hidden()
    await expect(card).to_have_attribute("data-state", "ended")
    await expect(card.get_by_test_id("call-status")).to_have_text("通话已结束 · 时长 1:15")
    await expect(card.get_by_test_id("call-complain")).to_be_disabled()

    timings = await page.evaluate("window.__kefuCall.last && window.__kefuCall.timings")
    print(f"\naccept -> first agent frame on the page: {timings['firstFrame'] - timings['accept']:.0f} ms; "
          f"offer -> first frame: {timings['firstFrame'] - timings['offer']:.0f} ms")


async def _page_has(page: Page, key: str, at_least: int) -> bool:
    return bool((await stats(page))[key] >= at_least)


async def test_voice_only_call_survives_a_dropped_socket_takes_a_complaint_and_the_agent_hangs_up(
    call_page: Page, relay: RunningRelay, agent: CallAgent
) -> None:
    page = call_page
    conv = await chatting(page, relay, agent)
    call = await agent.invite(conv, "讲解一下功能")
    await accept(page, call.call_id, button="call-audio-only")
    connected = await agent.state(call.call_id, "connected")
    assert connected.audio_only is True
    cid = call.call_id
    pc = agent.peer(cid)
    await agent.until(lambda: agent.audio.get(cid, 0) > 25, what="agent hears the buyer")
    await until(page, lambda: _page_has(page, "audioReceived", 25))
    # Voice only: the page answered video inactive, so no video goes either way.
    directions = await page.evaluate(
        "window.__kefuCall.current.pc.getTransceivers().map(t => [t.receiver.track.kind, t.currentDirection])")
    assert directions == [["audio", "sendrecv"], ["video", "inactive"]]
    assert agent.video_frames(cid) == 0 and (await stats(page))["videoReceived"] == 0
    await expect(page.get_by_test_id("call-camera")).to_be_hidden()
    await expect(page.get_by_test_id("call-agent")).to_have_text("小美")

    # The page's socket drops: the call screen stays, the page resumes, the media never stopped.
    await page.evaluate("window.__kefu.ws.close()")
    await wait_js(page, "window.__kefu.ready === false")
    await expect(page.get_by_test_id("call-screen")).to_be_visible()
    await wait_js(page, "window.__kefu.ready === true")
    received = (await stats(page))["audioReceived"]
    await until(page, lambda: _page_has(page, "audioReceived", received + 10))
    assert await page.evaluate("window.__kefuCall.current.pc.connectionState") == "connected"
    assert agent.calls[call.call_id].state == "connected"

    # One tap on 投诉 during the call, then a reason: recorded with the call, the call goes on.
    await page.get_by_test_id("call-screen-complain").click()
    sheet = page.get_by_test_id("complaint-sheet")
    for label in ("我没有要求视频", "内容不当", "推销", "侵犯隐私", "通话质量差", "其他"):
        await expect(sheet).to_contain_text(label)
    await sheet.get_by_test_id("complaint-sales_pressure").click()
    await agent.until(lambda: agent.calls[call.call_id].complaint == "sales_pressure")
    assert agent.calls[call.call_id].state == "connected"
    assert call_row(relay, call.call_id)["complaint"] == "sales_pressure"
    await expect(page.get_by_test_id("call-screen-complain")).to_have_text("已投诉")

    # The agent hangs up: the page closes its side and shows the summary.
    await agent.hang_up(cid)
    ended = await agent.state(cid, "ended")
    assert (ended.ended_by, ended.end_reason) == ("agent", "hangup")
    await expect(page.get_by_test_id("call-summary")).to_be_visible()
    await wait_js(page, "window.__kefuCall.last && window.__kefuCall.last.pc.connectionState === 'closed'")
    assert await page.evaluate("window.__kefuCall.last.mic.readyState") == "ended"
    assert pc.connectionState == "closed"
    assert await page.evaluate("window.__kefuCall.mediaSent") == 1


async def test_the_shops_duration_limit_warns_then_ends_the_call_on_both_sides(
    call_page: Page, relay: RunningRelay, agent: CallAgent, clients: Any, fake_clock: FakeClock
) -> None:
    page = call_page
    supervisor = await clients("super1")
    policy = await supervisor.call(f.CallSettings, max_duration_s=60, warning_before_s=30)
    assert isinstance(policy, f.CallPolicy) and policy.max_duration_s == 60
    conv = await chatting(page, relay, agent)
    call = await agent.invite(conv)
    assert call.max_duration_s == 60
    await accept(page, call.call_id)
    await agent.state(call.call_id, "connected")
    pc = agent.peer(call.call_id)
    await wait_js(page, "window.__kefuCall.frames > 0")

    fake_clock.advance(30)
    notice = page.get_by_test_id("call-notice")
    await expect(notice).to_have_text(re.compile(r"^通话将在 (30|29|28) 秒后结束$"))
    await agent.until(lambda: [n.remaining_s for n in agent.endings] == [30])

    fake_clock.advance(30)
    ended = await agent.state(call.call_id, "ended")
    assert (ended.ended_by, ended.end_reason, ended.duration_s) == ("relay", "duration_limit", 60)
    await expect(page.get_by_test_id("call-summary")).to_be_visible()
    await expect(page.get_by_test_id("call-end-reason")).to_have_text("已达到本店单次通话的时长上限")
    await expect(page.get_by_test_id("call-duration")).to_have_text("通话时长 1:00")
    await wait_js(page, "window.__kefuCall.last.pc.connectionState === 'closed'")
    await agent.until(lambda: pc.connectionState == "closed", what="agent's pc closed")
    row = call_row(relay, call.call_id)
    assert (row["state"], row["end_reason"], row["duration_s"]) == ("ended", "duration_limit", 60)


async def test_invitation_card_shows_its_live_state_and_expiry_and_decline_and_block_reach_the_agent(
    page: Page, relay: RunningRelay, agent: CallAgent, fake_clock: FakeClock
) -> None:
    conv = await chatting(page, relay, agent)

    # Invited while looking at the shop list: a toast says so, the card waits in the chat.
    await page.get_by_test_id("back").click()
    first = await agent.invite(conv, "看看安装位置")
    await expect(page.get_by_test_id("toast")).to_have_text("小美 邀请您视频讲解，请到聊天中查看")
    assert first.delivered_at == first.invited_at  # the shop list keeps the page's socket: delivered at once
    await page.locator("[data-testid=shop][data-slug=jiadian]").click()

    # The card: who invites and why, a countdown that moves, the four answers.
    card = page.locator(f"[data-testid=card-call][data-call-id='{first.call_id}']")
    await expect(card).to_contain_text("小美 邀请您进行视频讲解")
    await expect(card.get_by_test_id("call-reason")).to_have_text("看看安装位置")
    for testid, label in (("call-accept", "接受"), ("call-audio-only", "仅语音"), ("call-decline", "拒绝"),
                          ("call-block", "不再接收视频邀请")):
        await expect(card.get_by_test_id(testid)).to_have_text(label)
    countdown = card.get_by_test_id("call-countdown")
    await expect(countdown).to_have_text(re.compile(r"^[01]:\d\d 后失效$"))
    left = int(await countdown.get_attribute("data-remaining-s") or 0)
    assert 55 <= left <= 60
    await expect(countdown).not_to_have_attribute("data-remaining-s", str(left), timeout=3000)
    assert int(await countdown.get_attribute("data-remaining-s") or 0) < left

    # Unanswered for 60 s (the relay's clock): expired on both sides, and the buttons are gone.
    fake_clock.advance(61)
    await agent.state(first.call_id, "expired")
    await expect(card).to_have_attribute("data-state", "expired")
    await expect(card.get_by_test_id("call-status")).to_have_text("邀请已过期")
    await expect(card.get_by_test_id("call-accept")).to_have_count(0)

    # 拒绝: the agent sees the decline, then the cooldown refusal.
    second = await agent.invite(conv)
    card2 = page.locator(f"[data-testid=card-call][data-call-id='{second.call_id}']")
    await card2.get_by_test_id("call-decline").click()
    declined = await agent.state(second.call_id, "declined")
    assert declined.answered_at is not None
    await expect(card2.get_by_test_id("call-status")).to_have_text("已拒绝")
    check = await agent.call(f.CheckCall, conversation_id=conv)
    assert isinstance(check, f.CallAllowed) and (check.allowed, check.code) == (False, "call_cooldown")

    # After the cooldown, 不再接收视频邀请 (confirmed): no invitation from this shop any more.
    fake_clock.advance(601)
    third = await agent.invite(conv)
    card3 = page.locator(f"[data-testid=card-call][data-call-id='{third.call_id}']")
    await card3.get_by_test_id("call-block").click()
    confirm = page.get_by_test_id("call-block-confirm")
    await expect(confirm).to_contain_text("不再接收该店铺的视频邀请")
    await confirm.get_by_test_id("sheet-confirm").click()
    await agent.state(third.call_id, "declined")
    await expect(card3.get_by_test_id("call-status")).to_have_text("已拒绝，不再接收该店铺的视频邀请")
    check = await agent.call(f.CheckCall, conversation_id=conv)
    assert isinstance(check, f.CallAllowed) and (check.allowed, check.code) == (False, "call_blocked")
    with pytest.raises(RelayError) as refused:
        await agent.invite(conv)
    assert refused.value.code == "call_blocked"
    rows = [call_row(relay, c.call_id) for c in (first, second, third)]
    assert [r["state"] for r in rows] == ["expired", "declined", "declined"]
    assert [r["delivered_at"] for r in rows] == [c.invited_at for c in (first, second, third)]
    with sqlite3.connect(relay.config.db_path) as db:
        assert db.execute("SELECT COUNT(*) FROM call_blocks WHERE buyer_id = 'b-jiadian-0001'").fetchone()[0] == 1
    assert await page.evaluate("window.__kefuCall.current") is None
    assert page.dialogs == []  # type: ignore[attr-defined]
    await page.get_by_test_id("lang-toggle").click()
    await expect(card3.get_by_test_id("call-status")).to_have_text("Declined; no more video invitations from this shop")
    await expect(card).to_contain_text("小美 invites you to a video explanation")
    await page.get_by_test_id("lang-toggle").click()

    # After a reload the relay no longer sends calls that are over: the cards still tell what happened.
    await page.reload()
    await expect(card.get_by_test_id("call-status")).to_have_text("邀请已过期")
    await expect(card2.get_by_test_id("call-status")).to_have_text("已拒绝")
    await expect(card3.get_by_test_id("call-accept")).to_have_count(0)


async def test_a_buyer_who_blocked_the_shop_finds_the_undo_a_day_later_and_the_next_invitation_reaches_the_page(
    page: Page, relay: RunningRelay, agent: CallAgent, fake_clock: FakeClock
) -> None:
    conv = await chatting(page, relay, agent)
    call = await agent.invite(conv, "看看安装位置")
    card = page.locator(f"[data-testid=card-call][data-call-id='{call.call_id}']")
    await card.get_by_test_id("call-block").click()
    await page.get_by_test_id("call-block-confirm").get_by_test_id("sheet-confirm").click()
    await agent.state(call.call_id, "declined")
    with pytest.raises(RelayError) as refused:
        await agent.invite(conv)
    assert refused.value.code == "call_blocked"
    bar = page.get_by_test_id("call-blocked")
    await expect(bar).to_be_visible()
    await expect(card.get_by_test_id("call-unblock")).to_have_text("重新接收本店视频邀请")

    # A day later (the agent's token has run out; the relay sends `call` frames of the last 24 h only):
    # the reloaded page still shows the block, above the chat and under the card that set it.
    fake_clock.advance(25 * 3600)
    await page.reload()
    await wait_js(page, "window.__kefu.ready === true && window.__kefu.conversation !== null")
    await expect(bar).to_be_visible()
    await expect(bar).to_contain_text("您已不再接收本店的视频邀请")
    await expect(bar.get_by_test_id("call-unblock-bar")).to_have_text("重新接收")
    await expect(card.get_by_test_id("call-status")).to_have_text("已拒绝，不再接收该店铺的视频邀请")
    assert await page.evaluate(f"window.__kefuCall.infos.has('{call.call_id}')") is False
    await page.get_by_test_id("lang-toggle").click()
    await expect(bar).to_contain_text("You receive no video invitations from this shop")
    await expect(bar.get_by_test_id("call-unblock-bar")).to_have_text("Allow again")
    await expect(card.get_by_test_id("call-unblock")).to_have_text("Allow video invitations from this shop again")
    await page.get_by_test_id("lang-toggle").click()

    # The agent is back and the buyer writes again: still refused.
    agent.token = (await login(relay.url, MAIN_SHOP, "agent1", DEMO_PASSWORD)).token
    await agent.connect()
    while not agent.events.empty():
        agent.events.get_nowait()
    await type_and_send(page, "还是想看看怎么装")
    assert (await next_chat(agent)).text == "还是想看看怎么装"
    check = await agent.call(f.CheckCall, conversation_id=conv)
    assert isinstance(check, f.CallAllowed) and (check.allowed, check.code) == (False, "call_blocked")

    # The card's undo asks first; cancelled, nothing changes.
    await card.get_by_test_id("call-unblock").click()
    sheet = page.get_by_test_id("call-unblock-confirm")
    await expect(sheet).to_contain_text("重新接收本店的视频邀请？")
    await sheet.get_by_test_id("sheet-cancel").click()
    await expect(sheet).to_be_hidden()
    await expect(bar).to_be_visible()

    # The line above the chat: confirmed, the block is lifted and the agent's chat says so.
    await bar.get_by_test_id("call-unblock-bar").click()
    await expect(sheet).to_contain_text("每次邀请是否接受，仍由您决定")
    await sheet.get_by_test_id("sheet-confirm").click()
    await expect(page.get_by_test_id("toast")).to_have_text("已重新接收本店的视频邀请")
    await expect(bar).to_be_hidden()
    await expect(card.get_by_test_id("call-status")).to_have_text("已拒绝")
    await expect(card.get_by_test_id("call-unblock")).to_have_count(0)
    told = await next_of(agent, f.Message, kind="system", event="call_unblocked")
    assert told.text == "买家已重新接收本店的视频讲解邀请"
    with sqlite3.connect(relay.config.db_path) as db:
        assert db.execute("SELECT COUNT(*) FROM call_blocks").fetchone()[0] == 0
        assert db.execute("SELECT actor FROM conversation_events WHERE kind = 'call_unblocked'").fetchall() == [
            ("buyer",)]

    # A fresh check allows inviting, and the next invitation reaches the page, ready to be answered.
    check = await agent.call(f.CheckCall, conversation_id=conv)
    assert isinstance(check, f.CallAllowed) and check.allowed
    again = await agent.invite(conv, "演示安装步骤")
    assert again.delivered_at == again.invited_at
    card2 = page.locator(f"[data-testid=card-call][data-call-id='{again.call_id}']")
    await expect(card2).to_have_attribute("data-state", "invited")
    await expect(card2.get_by_test_id("call-reason")).to_have_text("演示安装步骤")
    await expect(card2.get_by_test_id("call-accept")).to_be_visible()
    await expect(card2.get_by_test_id("call-block")).to_be_visible()


async def test_a_reload_during_a_call_ends_the_call_it_cannot_rejoin(
    call_page: Page, relay: RunningRelay, agent: CallAgent
) -> None:
    page = call_page
    conv = await chatting(page, relay, agent)
    call = await agent.invite(conv)
    await accept(page, call.call_id)
    await agent.state(call.call_id, "connected")
    await wait_js(page, "window.__kefuCall.frames > 0")
    await page.reload()  # the page's peer connection is gone with it
    ended = await agent.state(call.call_id, "ended")
    assert ended.ended_by in ("buyer", "agent") and ended.end_reason == "hangup"
    card = page.locator(f"[data-testid=card-call][data-call-id='{call.call_id}']")
    await expect(card).to_have_attribute("data-state", "ended")
    await expect(page.get_by_test_id("call-screen")).to_be_hidden()
    assert await page.evaluate("sessionStorage.getItem('kefu.liveCall')") is None


async def test_a_page_away_for_15_s_finds_its_call_ended_by_the_relay_when_it_returns(
    call_page: Page, relay: RunningRelay, agent: CallAgent, fake_clock: FakeClock
) -> None:
    page = call_page
    conv = await chatting(page, relay, agent)
    call = await agent.invite(conv)
    await accept(page, call.call_id)
    await agent.state(call.call_id, "connected")
    await wait_js(page, "window.__kefuCall.mediaSent === 1")

    # The page loses its socket and cannot get back for a while (its WebSocket handshakes fail).
    away = True

    def door(ws: WebSocketRoute) -> None:
        if away:
            ws.close()
        else:
            ws.connect_to_server()

    await page.route_web_socket("**/ws?v=1", door)
    await page.evaluate("window.__kefu.ws.close()")
    hub = relay.relay.hub
    await until(page, _async(lambda: not hub.online("buyer", "b-jiadian-0001")))
    await expect(page.get_by_test_id("call-screen")).to_be_visible()  # the call screen stays meanwhile
    fake_clock.advance(16)
    ended = await agent.state(call.call_id, "ended")
    assert (ended.ended_by, ended.end_reason) == ("buyer", "disconnected")

    away = False
    await wait_js(page, "window.__kefu.ready === true", timeout=15)
    await expect(page.get_by_test_id("call-summary")).to_be_visible()
    await wait_js(page, "window.__kefuCall.last.pc.connectionState === 'closed'")
    assert await page.evaluate("window.__kefuCall.last.mic.readyState") == "ended"
    # Learnt from the relay on return (its `call_media` was refused), not from a failed connection.
    assert await page.evaluate("window.__kefuCall.last.finalState") == "ended"
    await expect(page.get_by_test_id("call-summary")).to_contain_text("通话已结束")


def _async(check: Any) -> Any:
    async def wrapped() -> Any:
        return check()

    return wrapped
