"""The buyer page in Debian Chromium against a real relay and a real agent client."""

from __future__ import annotations

import json
import sqlite3

import pytest
from playwright.async_api import Page, WebSocketRoute, expect

from tests.conftest import RunningRelay
from tests.relay.helpers import next_chat, next_of
from wire import frames as f

pytestmark = pytest.mark.e2e
BUYER = "b-jiadian-0001"
HOSTILE = "你好 <img src=x onerror=alert(1)>"


async def wait_js(page: Page, expression: str, timeout: float = 10.0) -> None:
    """Poll a JS expression until it is truthy (page.evaluate is not subject to the page's CSP)."""
    for _ in range(int(timeout / 0.05)):
        if await page.evaluate(f"() => Boolean({expression})"):
            return
        await page.wait_for_timeout(50)
    raise AssertionError(f"{expression} stayed false for {timeout} s")


async def open_chat(page: Page, relay: RunningRelay, buyer: str = BUYER) -> None:
    await page.goto(f"{relay.url}/?buyer={buyer}&shop=jiadian")
    await expect(page.get_by_test_id("composer-input")).to_be_visible()
    await wait_js(page, "window.__kefu && window.__kefu.conversation !== null")


async def type_and_send(page: Page, text: str) -> None:
    await page.get_by_test_id("composer-input").fill(text)
    await page.get_by_test_id("composer-input").press("Enter")


async def bubble_texts(page: Page) -> list[str]:
    """The textContent of every chat bubble, in page order."""
    return await page.eval_on_selector_all("[data-testid=message-list] .bubble", "els => els.map(e => e.textContent)")


def stored_count(relay: RunningRelay, text: str) -> int:
    with sqlite3.connect(relay.config.db_path) as db:
        return db.execute("SELECT COUNT(*) FROM messages WHERE text = ?", (text,)).fetchone()[0]


async def test_html_in_chat_is_shown_as_text_both_ways_and_no_dialog_fires(page: Page, relay: RunningRelay,
                                                                         clients) -> None:
    agent = await clients("agent1")
    await open_chat(page, relay)
    await expect(page.get_by_test_id("buyer-name")).to_contain_text("当前身份")
    await type_and_send(page, HOSTILE)
    received = await next_chat(agent)  # agent.next_event(f.Message), skipping automatic messages
    assert received.text == HOSTILE
    reply = "<b>收到</b> 请稍等"
    await agent.send_text(received.conversation_id, reply)
    messages = page.get_by_test_id("message-list")
    await expect(messages.get_by_text(HOSTILE, exact=True)).to_be_visible()
    await expect(messages.get_by_text(reply, exact=True)).to_be_visible()
    texts = await bubble_texts(page)
    assert texts.count(HOSTILE) == 1 and texts.count(reply) == 1
    assert texts.index(HOSTILE) < texts.index(reply)
    mine = messages.locator(f"[data-seq='{received.seq}']")
    await expect(mine).to_have_class("msg mine")
    theirs = messages.locator("[data-testid=message].theirs", has_text=reply)
    await expect(theirs.locator(".who")).to_have_text(agent.session.display_name)
    assert await page.locator("[data-testid=message-list] img").count() == 0
    assert await page.locator("[data-testid=message-list] b").count() == 0
    await page.wait_for_timeout(300)  # an onerror handler would have fired by now
    assert page.dialogs == []  # type: ignore[attr-defined]


async def test_delivery_state_goes_from_sent_to_read(page: Page, relay: RunningRelay, clients) -> None:
    agent = await clients("agent1")
    await open_chat(page, relay)
    await type_and_send(page, "请问电钢琴包邮吗？")
    received = await next_chat(agent)
    mine = page.locator(f"[data-testid=message][data-seq='{received.seq}']")
    await expect(mine).to_have_attribute("data-state", "sent")
    await expect(mine).to_contain_text("已发送")
    await agent.mark_read(received.conversation_id, received.seq)
    await expect(mine).to_have_attribute("data-state", "read")
    await expect(mine).to_contain_text("已读")


async def test_page_resumes_after_a_dropped_connection_without_gaps_or_duplicates(
    page: Page, relay: RunningRelay, clients
) -> None:
    agent = await clients("agent1")
    await open_chat(page, relay)
    await type_and_send(page, "在吗")
    received = await next_chat(agent)
    await agent.send_text(received.conversation_id, "在的，您说")
    messages = page.get_by_test_id("message-list")
    await expect(messages.get_by_text("在的，您说", exact=True)).to_be_visible()
    await page.evaluate("window.__kefu.ws.close()")
    await wait_js(page, "window.__kefu.ready === false")
    await expect(page.get_by_test_id("connection-banner")).to_have_text("连接中断，正在重连…")
    missed = ["断线时的第一条", "断线时的第二条"]
    for text in missed:
        await agent.send_text(received.conversation_id, text)
    await expect(messages.get_by_text(missed[1], exact=True)).to_be_visible(timeout=10_000)
    await expect(page.get_by_test_id("connection-banner")).to_be_hidden()
    await page.wait_for_timeout(300)  # anything sent twice would have arrived by now
    texts = await bubble_texts(page)
    assert [t for t in texts if t in missed] == missed  # each exactly once, in order
    assert texts[-3:] == ["在的，您说", *missed]
    seqs = await page.eval_on_selector_all("[data-testid=message][data-seq]", "els => els.map(e => +e.dataset.seq)")
    assert seqs == list(range(1, seqs[-1] + 1))  # no gap, no duplicate

    # A reload resumes from the cursors kept in sessionStorage and shows the same conversation.
    await page.reload()
    await expect(messages.get_by_text(missed[1], exact=True)).to_be_visible()
    await wait_js(page, "window.__kefu.ready === true")
    assert await bubble_texts(page) == texts


async def test_message_typed_while_the_relay_is_down_is_sent_once_when_it_is_back(
    page: Page, relay_config, fake_clock
) -> None:
    from app.client import KefuClient, login
    from tests.conftest import DEMO_PASSWORD, start_relay

    runner, relay = await start_relay(relay_config, fake_clock)
    port = relay.url.rsplit(":", 1)[1]
    agent = KefuClient(relay.url, (await login(relay.url, "jiadian", "agent1", DEMO_PASSWORD)).token)
    try:
        await agent.connect()
        await open_chat(page, relay)
        await type_and_send(page, "第一句")
        received = await next_chat(agent)
        await agent.close()
        await runner.cleanup()  # the relay goes away
        await expect(page.get_by_test_id("connection-banner")).to_be_visible()
        await type_and_send(page, "断网时打的字")
        await expect(page.locator("[data-testid=message][data-state=sending]")).to_contain_text("断网时打的字")
        await page.wait_for_timeout(1000)  # a few reconnect attempts fail meanwhile
        runner, relay = await start_relay(relay_config, fake_clock, port=int(port))
        await agent.connect()
        await expect(page.get_by_test_id("connection-banner")).to_be_hidden(timeout=15_000)
        await expect(page.locator("[data-testid=message][data-state=sending]")).to_have_count(0, timeout=10_000)
        with sqlite3.connect(relay.config.db_path) as db:
            count = db.execute("SELECT COUNT(*) FROM messages WHERE text = ? AND conversation_id = ?",
                               ("断网时打的字", received.conversation_id)).fetchone()[0]
        assert count == 1
        page_texts = await page.get_by_test_id("message-list").get_by_text("断网时打的字", exact=True).count()
        assert page_texts == 1
    finally:
        await agent.close()
        await runner.cleanup()


async def test_english_switch(page: Page, relay: RunningRelay) -> None:
    await open_chat(page, relay)
    await expect(page.get_by_test_id("send-button")).to_have_text("发送")
    await type_and_send(page, "你好")
    mine = page.locator("[data-testid=message][data-state=sent]")
    await expect(mine).to_contain_text("已发送")
    await page.get_by_test_id("lang-toggle").click()
    await expect(page.get_by_test_id("send-button")).to_have_text("Send")
    await expect(page.get_by_test_id("composer-input")).to_have_attribute("placeholder", "Type a message…")
    await expect(mine).to_contain_text("Sent")
    await expect(page.get_by_test_id("buyer-name")).to_contain_text("You are ")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await page.reload()  # the choice is remembered
    await expect(page.get_by_test_id("send-button")).to_have_text("Send")
    await page.get_by_test_id("back").click()
    await expect(page.get_by_test_id("shop-picker")).to_contain_text("Choose a shop to chat with")
    await page.get_by_test_id("lang-toggle").click()
    await expect(page.get_by_test_id("shop-picker")).to_contain_text("选择要咨询的店铺")


async def test_shop_picker_lists_the_main_shop_first(page: Page, relay: RunningRelay) -> None:
    await page.goto(f"{relay.url}/?buyer={BUYER}")
    shops = page.get_by_test_id("shop")
    await expect(shops).to_have_count(2)
    await expect(shops.first).to_have_attribute("data-slug", "jiadian")
    await expect(page.get_by_test_id("composer-input")).to_be_hidden()
    await shops.first.click()
    await expect(page.get_by_test_id("composer-input")).to_be_visible()
    await wait_js(page, "window.__kefu.conversation !== null")
    await expect(page.get_by_test_id("title")).to_have_text("安居家电旗舰店")


async def test_rate_limit_toast_then_failed_send_is_retried_with_the_same_client_msg_id(
    page: Page, relay: RunningRelay, clients
) -> None:
    """The relay's error frames, injected on the page's socket: the first `send` is rate limited
    (toast, automatic retry), the second fails (failed state); the buyer taps retry and the
    message is stored once, under the client_msg_id it had from the start."""
    sends: list[dict[str, object]] = []

    def route(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def from_page(message: str | bytes) -> None:
            frame = json.loads(message)
            if frame.get("type") == "send":
                sends.append(frame)
                if len(sends) == 1:
                    ws.send(json.dumps({"type": "error", "id": frame["id"], "code": "rate_limited",
                                        "message": "too many frames; slow down", "retry_after": 0.3}))
                    return
                if len(sends) == 2:
                    ws.send(json.dumps({"type": "error", "id": frame["id"], "code": "unavailable",
                                        "message": "message not stored; retry with the same client_msg_id"}))
                    return
            server.send(message)

        ws.on_message(from_page)

    await page.route_web_socket("**/ws?v=1", route)
    agent = await clients("agent1")
    await open_chat(page, relay)
    text = "这件能便宜点吗"
    await type_and_send(page, text)
    await expect(page.get_by_test_id("toast")).to_contain_text("发送太快了")
    failed = page.locator("[data-testid=message][data-state=failed]")
    await expect(failed).to_contain_text("发送失败")
    assert stored_count(relay, text) == 0
    await failed.get_by_test_id("retry").click()
    received = await next_chat(agent)
    assert received.text == text
    assert len(sends) == 3 and {s["client_msg_id"] for s in sends} == {received.client_msg_id}
    mine = page.locator(f"[data-testid=message][data-seq='{received.seq}']")
    await expect(mine).to_have_attribute("data-state", "sent")
    await expect(failed).to_have_count(0)
    assert stored_count(relay, text) == 1


async def test_buyer_sees_queue_position_then_accepts_a_refund_only_offer(
    page: Page, relay: RunningRelay, clients
) -> None:
    with sqlite3.connect(relay.config.db_path) as db:
        buyer, order_no = db.execute(
            "SELECT buyer_id, order_no FROM orders WHERE shop_id = 1 AND status = 'delivered'"
            " ORDER BY order_no LIMIT 1").fetchone()
    agent = await clients("agent1")
    supervisor = await clients("super1")
    await supervisor.call(f.SetCap, agent_id="1", cap=1)
    first = await clients(buyer="b-jiadian-0150")  # takes agent1's only slot
    first_conv = (await first.open_conversation("jiadian")).conversation_id
    await first.send_text(first_conv, "我先来的")
    await next_of(agent, f.Assignment)

    await open_chat(page, relay, buyer)
    await type_and_send(page, "我的油烟机装好后漏风，怎么办？")
    queue = page.get_by_test_id("queue-status")
    await expect(queue).to_contain_text("下一位就是您")
    await expect(queue).to_contain_text("客服都在忙")

    await agent.call(f.Resolve, conversation_id=first_conv)
    handed = await next_of(agent, f.Assignment, reason="auto")
    conv = handed.conversation.conversation_id
    await expect(queue).to_contain_text("小美")
    await agent.call(f.SendCard, conversation_id=conv, client_msg_id="offer-1",
                     card=f.CardRequest(kind="offer", order_no=order_no, offer="refund_only", amount_cents=19900))
    card = page.get_by_test_id("card-offer")
    await expect(card).to_contain_text("仅退款")
    await expect(card).to_contain_text("¥199.00")
    await card.get_by_test_id("offer-accept").click()
    update = await next_of(agent, f.CaseUpdate)
    assert update.case.status == "accepted" and update.case.kind == "refund_only"
    await expect(card).to_contain_text("已接受")


async def test_a_message_lost_on_the_way_is_fetched_so_the_chat_has_no_gap(
    page: Page, relay: RunningRelay, clients
) -> None:
    """The relay's `message` frame for one agent message never reaches the page (dropped in the
    socket); when the next one arrives, the page sees the hole in the seqs and fills it with `history`."""
    dropped: list[dict[str, object]] = []

    def route(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def from_relay(message: str | bytes) -> None:
            frame = json.loads(message)
            if frame.get("type") == "message" and frame.get("text") == "丢掉的那条" and not dropped:
                dropped.append(frame)
                return
            ws.send(message)

        server.on_message(from_relay)

    await page.route_web_socket("**/ws?v=1", route)
    agent = await clients("agent1")
    await open_chat(page, relay)
    await type_and_send(page, "发货了吗")
    received = await next_chat(agent)
    for text in ("丢掉的那条", "后面的那条"):
        await agent.send_text(received.conversation_id, text)
    messages = page.get_by_test_id("message-list")
    await expect(messages.get_by_text("丢掉的那条", exact=True)).to_be_visible(timeout=5_000)
    assert len(dropped) == 1
    texts = await bubble_texts(page)
    assert texts[-2:] == ["丢掉的那条", "后面的那条"]
    seqs = await page.eval_on_selector_all("[data-testid=message][data-seq]", "els => els.map(e => +e.dataset.seq)")
    assert seqs == list(range(1, seqs[-1] + 1))


async def test_long_chat_shows_the_newest_page_then_older_ones_on_demand(
    page: Page, relay: RunningRelay, clients
) -> None:
    agent = await clients("agent1")
    await open_chat(page, relay)
    await type_and_send(page, "在吗")
    received = await next_chat(agent)
    for i in range(1, 61):
        await agent.send_text(received.conversation_id, f"第{i}条")
    await page.reload()
    messages = page.get_by_test_id("message-list")
    await expect(messages.get_by_text("第60条", exact=True)).to_be_visible()
    await expect(messages.get_by_text("第1条", exact=True)).to_have_count(0)
    await page.get_by_test_id("load-older").click()
    await expect(messages.get_by_text("第1条", exact=True)).to_have_count(1)
    await expect(messages.get_by_text("在吗", exact=True)).to_have_count(1)
    await expect(page.get_by_test_id("load-older")).to_be_hidden()
    seqs = await page.eval_on_selector_all("[data-testid=message][data-seq]", "els => els.map(e => +e.dataset.seq)")
    assert seqs == list(range(1, seqs[-1] + 1))
    assert [t for t in await bubble_texts(page) if t.startswith("第")] == [f"第{i}条" for i in range(1, 61)]


async def test_a_send_unanswered_on_a_socket_that_stays_open_makes_the_page_reconnect_and_the_retry_is_stored_once(
    page: Page, relay: RunningRelay, clients
) -> None:
    """A stalled network (tests/chaos: the proxy's blackhole): the first socket swallows everything from the
    `send` on and never closes. The send times out (failed), and the page gives the socket up and connects
    again by itself (it used to keep the dead socket for good); the buyer's retry is stored once."""
    sockets: list[WebSocketRoute] = []
    stalled: list[str] = []

    def route(ws: WebSocketRoute) -> None:
        sockets.append(ws)
        first = len(sockets) == 1
        server = ws.connect_to_server()

        def from_page(message: str | bytes) -> None:
            if first and (stalled or json.loads(message).get("type") == "send"):
                stalled.append(str(message))
                return
            server.send(message)

        def from_relay(message: str | bytes) -> None:
            if not (first and stalled):
                ws.send(message)

        ws.on_message(from_page)
        server.on_message(from_relay)

    await page.clock.install()  # time flows as usual; fast_forward jumps over the send timeout
    await page.route_web_socket("**/ws?v=1", route)
    agent = await clients("agent1")
    await open_chat(page, relay)
    text = "网络卡住时发的"
    await type_and_send(page, text)
    await expect(page.locator("[data-testid=message][data-state=sending]")).to_contain_text(text)
    await page.clock.fast_forward(16_000)  # past SEND_TIMEOUT_MS
    failed = page.locator("[data-testid=message][data-state=failed]")
    await expect(failed).to_contain_text(text)
    await wait_js(page, "window.__kefu.ready === true && window.__kefu.attempts === 0")
    assert len(sockets) == 2, "the page kept the dead socket"
    assert stored_count(relay, text) == 0
    await failed.get_by_test_id("retry").click()
    received = await next_chat(agent)
    assert received.text == text
    await expect(page.locator(f"[data-testid=message][data-seq='{received.seq}']")).to_have_attribute(
        "data-state", "sent")
    assert stored_count(relay, text) == 1
    assert (await bubble_texts(page)).count(text) == 1


async def test_a_socket_that_never_greets_is_given_up_and_the_page_connects_again(
    page: Page, relay: RunningRelay, clients
) -> None:
    """The first socket is never answered (no `welcome`: a handshake lost in a stalled network). The page
    gives it up after OPEN_TIMEOUT_MS and connects again (it used to wait on it for good)."""
    sockets: list[WebSocketRoute] = []

    def route(ws: WebSocketRoute) -> None:
        sockets.append(ws)
        if len(sockets) > 1:
            ws.connect_to_server()  # forwards both ways; the first socket stays silent

    await page.clock.install()
    await page.route_web_socket("**/ws?v=1", route)
    agent = await clients("agent1")
    await page.goto(f"{relay.url}/?buyer={BUYER}&shop=jiadian")
    await expect(page.get_by_test_id("composer-input")).to_be_visible()
    await wait_js(page, "window.__kefu.ws !== null")
    assert len(sockets) == 1
    await page.clock.fast_forward(11_000)  # past OPEN_TIMEOUT_MS
    await wait_js(page, "window.__kefu.ready === true && window.__kefu.conversation !== null")
    assert len(sockets) == 2
    await type_and_send(page, "终于连上了")
    assert (await next_chat(agent)).text == "终于连上了"
