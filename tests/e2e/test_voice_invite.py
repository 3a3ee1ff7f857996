"""An agent's voice-only invitation on the buyer page (Debian Chromium, the real relay, the
workstation's call manager over aiortc): the card says it is a voice call, and the buyer joins it
without video, never asked for the camera."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Page, expect

from app.client import login
from tests.conftest import DEMO_PASSWORD, MAIN_SHOP, RunningRelay
from tests.e2e.call_agent import CallAgent
from tests.e2e.test_call import chatting
from wire import frames as f

pytestmark = pytest.mark.e2e


@pytest.fixture
async def voice_agent(relay: RunningRelay) -> AsyncIterator[CallAgent]:
    """agent1 (小美) with the workstation's call manager, the only agent online."""
    token = (await login(relay.url, MAIN_SHOP, "agent1", DEMO_PASSWORD)).token
    client = CallAgent(relay.url, token)
    await client.connect()
    yield client
    await client.close()


async def invite_voice(agent: CallAgent, conversation_id: int, reason: str) -> f.CallInfo:
    assert agent.manager is not None
    view = await agent.manager.invite(conversation_id, reason, audio_only=True)
    return view.info


async def test_a_voice_invitation_says_so_and_is_joined_without_video(
        call_page: Page, relay: RunningRelay, voice_agent: CallAgent) -> None:
    page, agent = call_page, voice_agent
    conv = await chatting(page, relay, agent)
    call = await invite_voice(agent, conv, "电话里讲讲怎么选")
    assert call.audio_only is True
    card = page.locator(f"[data-testid=card-call][data-call-id='{call.call_id}']")
    await expect(card).to_have_attribute("data-audio-only", "true")
    await expect(card).to_contain_text("语音讲解邀请")
    await expect(card).to_contain_text("小美 邀请您进行语音讲解（仅语音，不开视频）")
    await expect(card.get_by_test_id("call-accept")).to_have_text("接听语音")
    await expect(card.get_by_test_id("call-audio-only")).to_have_count(0)  # one way in: voice
    await page.get_by_test_id("lang-toggle").click()
    await expect(card).to_contain_text("小美 invites you to a voice call (audio only, no video)")
    await expect(card.get_by_test_id("call-accept")).to_have_text("Answer (voice)")
    await page.get_by_test_id("lang-toggle").click()

    await card.get_by_test_id("call-accept").click()
    notice = page.get_by_test_id("call-notice-first")
    await expect(notice).to_contain_text("这是语音通话")
    await expect(notice).not_to_contain_text("后置摄像头")
    await notice.get_by_test_id("sheet-continue").click()
    screen = page.get_by_test_id("call-screen")
    await expect(screen).to_be_visible()
    await expect(screen).to_have_attribute("aria-label", "语音通话")
    connected = await agent.state(call.call_id, "connected", timeout=15)
    assert connected.audio_only is True
    await agent.until(lambda: agent.audio.get(call.call_id, 0) > 10, what="agent hears the buyer")
    directions = await page.evaluate(
        "window.__kefuCall.current.pc.getTransceivers().map(t => [t.receiver.track.kind, t.currentDirection])")
    assert ["video", "inactive"] in directions and ["audio", "sendrecv"] in directions
    await expect(page.get_by_test_id("call-camera")).to_be_hidden()
    assert await page.evaluate("window.__gumAsked") == [{"audio": True}]  # never the camera
    assert agent.video_frames(call.call_id) == 0
    await page.get_by_test_id("call-hangup").click()
    await agent.state(call.call_id, "ended")
