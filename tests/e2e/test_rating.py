"""The buyer rates a resolved chat on the page (Debian Chromium, the real relay, a KefuClient agent),
and system lines read in the page's language, worded from their event code and parameters."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from typing import Any

import aiohttp
import msgspec
import pytest
from playwright.async_api import Page, WebSocketRoute, expect

from app.client import KefuClient, login
from tests.conftest import DEMO_PASSWORD, MAIN_SHOP, RunningRelay
from tests.e2e.test_buyer_page import BUYER, open_chat, type_and_send, wait_js
from tests.relay.helpers import next_chat, next_of
from wire import figures as w
from wire import frames as f

pytestmark = pytest.mark.e2e


async def resolved_by_the_agent(page: Page, relay: RunningRelay, agent: KefuClient, text: str = "保修多久？") -> int:
    """The buyer wrote, agent1 answered and resolved the chat. Returns the conversation id."""
    await open_chat(page, relay)
    await type_and_send(page, text)
    received = await next_chat(agent)
    await agent.send_text(received.conversation_id, "整机保修三年")
    await expect(page.get_by_test_id("message-list").get_by_text("整机保修三年", exact=True)).to_be_visible()
    await agent.call(f.Resolve, conversation_id=received.conversation_id)
    return received.conversation_id


def session_rows(relay: RunningRelay, conversation_id: int) -> list[tuple[Any, ...]]:
    with sqlite3.connect(relay.config.db_path) as db:
        return db.execute("SELECT id, close_reason, rating, rating_comment FROM chat_sessions"
                          " WHERE conversation_id = ? ORDER BY id", (conversation_id,)).fetchall()


async def figures_today(relay: RunningRelay) -> w.Figures:
    token = (await login(relay.url, MAIN_SHOP, "super1", DEMO_PASSWORD)).token
    async with aiohttp.ClientSession() as http, http.get(
            relay.url + "/api/supervisor/figures", headers={"Authorization": f"Bearer {token}"}) as resp:
        assert resp.status == 200, await resp.text()
        return msgspec.json.decode(await resp.read(), type=w.FiguresReport).total


def system_line(page: Page, event: str) -> Any:
    return page.locator(f"[data-testid=message][data-kind=system][data-event={event}]")


async def reload_and_settle(page: Page) -> None:
    """Reload; the chat's newest history page is on screen again."""
    await page.reload()
    await wait_js(page, "window.__kefu.ready === true && window.__kefu.historyLoaded === true")
    await expect(system_line(page, "resolved").last).to_be_visible()
    await page.wait_for_timeout(300)  # a prompt would have been drawn by now


async def test_buyer_rates_four_stars_with_a_comment_and_is_not_asked_again(
        page: Page, relay: RunningRelay, clients: Any) -> None:
    agent = await clients("agent1")
    conv = await resolved_by_the_agent(page, relay, agent)
    prompt = page.get_by_test_id("rating-prompt")
    await expect(prompt).to_be_visible()
    await expect(prompt).to_contain_text("本次服务怎么样？")
    stars = prompt.get_by_test_id("rating-star")
    await expect(stars).to_have_count(5)
    for n in range(5):
        await expect(stars.nth(n)).to_have_attribute("aria-label", f"{n + 1} 星")
        await expect(stars.nth(n)).to_have_attribute("aria-pressed", "false")
    submit = prompt.get_by_test_id("rating-submit")
    await expect(submit).to_be_disabled()  # no stars chosen yet
    await expect(prompt.get_by_test_id("rating-comment")).to_have_attribute("maxlength", "200")

    # With the keyboard: focus the first star, Space chooses it, arrows move to the fourth.
    await stars.first.focus()
    await page.keyboard.press("Space")
    await expect(stars.first).to_have_attribute("aria-pressed", "true")
    for _ in range(3):
        await page.keyboard.press("ArrowRight")
    await expect(stars.nth(3)).to_have_attribute("aria-pressed", "true")
    await expect(stars.first).to_have_attribute("aria-pressed", "false")
    await expect(page.get_by_test_id("rating-word")).to_have_text("满意")
    await prompt.get_by_test_id("rating-comment").fill("  回复很快，很耐心  ")
    await expect(submit).to_be_enabled()
    await submit.click()

    await expect(page.get_by_test_id("rating-done")).to_have_text("感谢您的评价！")
    rated = system_line(page, "rated")
    await expect(rated).to_have_text("您为本次服务评了 4 星：“回复很快，很耐心”")
    line = await next_of(agent, f.Message, event="rated")
    assert line.params == {"stars": "4", "comment": "回复很快，很耐心"}
    (_, reason, stars_stored, comment), = session_rows(relay, conv)
    assert (reason, stars_stored, comment) == ("resolved", 4, "回复很快，很耐心")
    total = await figures_today(relay)
    assert (total.ratings, total.ratings_positive, total.csat, total.rating_mean) == (1, 1, 1.0, 4.0)

    # Not asked again after a reload: neither with the page's memory of it, nor without it (the
    # history's "rated" line and the conversation's rating_due say so).
    await reload_and_settle(page)
    await expect(prompt).to_be_hidden()
    await expect(rated).to_be_visible()
    await page.evaluate("localStorage.removeItem(`kefu.rated.${window.__kefu.session.user_id}`)")
    await reload_and_settle(page)
    await expect(prompt).to_be_hidden()


async def test_buyer_skips_the_rating_and_the_next_chat_asks_again(
        page: Page, relay: RunningRelay, clients: Any) -> None:
    agent = await clients("agent1")
    conv = await resolved_by_the_agent(page, relay, agent)
    prompt = page.get_by_test_id("rating-prompt")
    await prompt.get_by_test_id("rating-skip").click()
    await expect(prompt).to_be_hidden()
    first, = session_rows(relay, conv)
    assert first[1:] == ("resolved", 0, "")  # skipped: stored as 0 stars, no rating line
    await page.evaluate("localStorage.clear()")  # the conversation's rating_due alone keeps it away
    await reload_and_settle(page)
    await expect(prompt).to_be_hidden()
    assert await system_line(page, "rated").count() == 0
    assert (await figures_today(relay)).ratings == 0

    # Once per chat: the buyer writes again (a new chat), it is resolved again, the prompt is back.
    await type_and_send(page, "还有一个问题")
    await expect(prompt).to_be_hidden()
    await next_chat(agent)
    await agent.call(f.Resolve, conversation_id=conv)
    await expect(system_line(page, "resolved")).to_have_count(2)
    await expect(prompt).to_be_visible()
    await expect(prompt.get_by_test_id("rating-star").first).to_be_enabled()
    second = session_rows(relay, conv)[1]
    assert second[0] > first[0] and second[2] is None


async def test_a_failed_rating_says_so_and_can_be_sent_again(page: Page, relay: RunningRelay, clients: Any) -> None:
    """The relay's answer to the first `rate` is replaced by an error on the page's socket."""
    rates: list[dict[str, Any]] = []

    def route(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def from_page(message: str | bytes) -> None:
            frame = json.loads(message)
            if frame.get("type") == "rate":
                rates.append(frame)
                if len(rates) == 1:
                    ws.send(json.dumps({"type": "error", "id": frame["id"], "code": "unavailable",
                                        "message": "not stored; try again"}))
                    return
            server.send(message)

        ws.on_message(from_page)

    await page.route_web_socket("**/ws?v=1", route)
    agent = await clients("agent1")
    conv = await resolved_by_the_agent(page, relay, agent)
    prompt = page.get_by_test_id("rating-prompt")
    await prompt.locator("[data-stars='2']").click()
    await prompt.get_by_test_id("rating-submit").click()
    error = prompt.get_by_test_id("rating-error")
    await expect(error).to_have_text("评价没有提交：服务暂时不可用，请稍后重试")
    await expect(prompt.get_by_test_id("rating-star").nth(1)).to_have_attribute("aria-pressed", "true")
    await prompt.get_by_test_id("rating-submit").click()
    await expect(page.get_by_test_id("rating-done")).to_have_text("感谢您的评价！")
    await expect(error).to_be_hidden()
    assert [(r["session_id"], r["stars"]) for r in rates] == [(session_rows(relay, conv)[0][0], 2)] * 2
    assert session_rows(relay, conv)[0][2] == 2


async def test_a_chat_rated_elsewhere_says_so_instead_of_asking_twice(
        page: Page, relay: RunningRelay, clients: Any) -> None:
    """The buyer rated from another device meanwhile (its `rated` line lost to this page): the relay
    answers conflict already_rated, and the card says it was rated."""
    agent = await clients("agent1")
    conv = await resolved_by_the_agent(page, relay, agent)
    prompt = page.get_by_test_id("rating-prompt")
    await expect(prompt).to_be_visible()
    session_id = session_rows(relay, conv)[0][0]
    other = await clients(buyer=BUYER)

    reopened = asyncio.Event()

    def drop_rated(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def to_page(m: str | bytes) -> None:
            frame = json.loads(m)
            if frame.get("event") != "rated":
                ws.send(m)
            if frame.get("type") == "opened":
                reopened.set()
        server.on_message(to_page)

    await page.route_web_socket("**/ws?v=1", drop_rated)
    await page.evaluate("window.__kefu.ws.close()")  # reconnects through the route
    # Rated only once the page holds the conversation again: an `opened` answered after the rating
    # says rating_due false, and the page rightly drops the card without asking the relay.
    await asyncio.wait_for(reopened.wait(), 30)
    await wait_js(page, "window.__kefu.ready === true && window.__kefu.historyLoaded === true")
    assert isinstance(await other.call(f.Rate, conversation_id=conv, session_id=session_id, stars=5), f.Ok)
    await prompt.locator("[data-stars='3']").click()
    await prompt.get_by_test_id("rating-submit").click()
    await expect(page.get_by_test_id("rating-done")).to_have_text("这次服务已经评价过了，感谢您的反馈")
    assert session_rows(relay, conv)[0][2] == 5


async def test_system_lines_read_in_english_or_chinese_from_their_codes(
        page: Page, relay: RunningRelay, clients: Any) -> None:
    agent = await clients("agent1")
    await resolved_by_the_agent(page, relay, agent)
    await expect(page.get_by_test_id("rating-prompt")).to_be_visible()
    welcome, joined, resolved = (system_line(page, e) for e in ("welcome", "agent_joined", "resolved"))
    await expect(welcome).to_have_text("您好，欢迎光临安居家电旗舰店！正在为您接入客服，请稍候～")
    await expect(joined).to_have_text("客服小美为您服务～")
    await expect(resolved).to_have_text("本次服务已结束，感谢您的咨询。如还有问题，直接发消息即可～")

    await page.get_by_test_id("lang-toggle").click()
    await expect(welcome).to_have_text("Welcome to 安居家电旗舰店! Connecting you to an agent, please hold on.")
    await expect(joined).to_have_text("小美 is now helping you.")
    await expect(resolved).to_have_text(
        "This chat has ended. Thank you for asking! If anything else comes up, just write again.")
    prompt = page.get_by_test_id("rating-prompt")
    await expect(prompt).to_contain_text("How was the service?")
    await expect(prompt.get_by_test_id("rating-star").first).to_have_attribute("aria-label", "1 star")
    await expect(prompt.get_by_test_id("rating-star").nth(4)).to_have_attribute("aria-label", "5 stars")
    await prompt.locator("[data-stars='5']").click()
    await prompt.get_by_test_id("rating-submit").click()
    await expect(page.get_by_test_id("rating-done")).to_have_text("Thank you for your rating!")
    await expect(system_line(page, "rated")).to_have_text("You rated this chat 5 of 5 stars.")

    await page.reload()  # English is remembered; back to Chinese with the switch
    await expect(system_line(page, "rated")).to_have_text("You rated this chat 5 of 5 stars.")
    await page.get_by_test_id("lang-toggle").click()
    await expect(system_line(page, "rated")).to_have_text("您为本次服务评了 5 星")
    await expect(resolved).to_have_text("本次服务已结束，感谢您的咨询。如还有问题，直接发消息即可～")


async def test_unknown_system_line_codes_fall_back_to_the_relays_text(page: Page, relay: RunningRelay) -> None:
    """A newer relay's event, and a known event without its parameters: the stored text is shown."""

    def route(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def from_relay(message: str | bytes) -> None:
            frame = json.loads(message)
            if frame.get("type") == "history_page":
                for m in frame["messages"]:
                    if m.get("event") == "welcome":
                        m["event"], m["text"] = "brand_new_event", "一条新版本的系统消息"
                        m.pop("params", None)
                ws.send(json.dumps(frame))
                return
            ws.send(message)

        server.on_message(from_relay)

    await page.route_web_socket("**/ws?v=1", route)
    await open_chat(page, relay)
    await type_and_send(page, "你好")
    await page.get_by_test_id("lang-toggle").click()
    await page.reload()
    line = system_line(page, "brand_new_event")
    await expect(line).to_have_text("一条新版本的系统消息")
    await page.evaluate("""() => {
      const { systemText } = window.kefuI18n;
      window.__probe = [systemText("agent_joined", {}, "客服为您服务"),
                        systemText("call_ended", {duration_s: "192"}, "x"),
                        systemText("offer_accepted", {offer: "refund_only", amount_cents: "19900"}, "x"),
                        systemText("call_complaint", {reason: "privacy"}, "x")];
    }""")
    assert await page.evaluate("window.__probe") == [
        "客服为您服务", "The video explanation ended after 3 min 12 s.",
        "You accepted the after-sales offer: Refund only ¥199.00",
        "You complained about the video explanation: Privacy violation"]
