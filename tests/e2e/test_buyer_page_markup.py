"""Markup and paths (issue 14) on the buyer page in Debian Chromium: the shop's name, the agent's name,
the buyer's own nickname, message, card and invitation texts hostile (tests/ui/test_markup.py makes
the demo data so) are shown as text (textContent): no element is made of them, no handler runs, no
dialog opens (the `page` fixture fails the test on any dialog or page error)."""

from __future__ import annotations

import sqlite3

import pytest
from playwright.async_api import Page, expect

from tests.conftest import RunningRelay
from tests.e2e.test_buyer_page import open_chat, type_and_send
from tests.relay.helpers import next_chat
from tests.relay.test_calls import invite
from tests.ui.test_markup import AGENT, BUYER, BUYER_NAME, ITEM, PAYLOAD, SHOP, data_dir, pytestmark
from wire import frames as f

__all__ = ["data_dir"]  # the hostile data dir overrides tests/conftest.py's for this module
pytestmark = [pytest.mark.e2e, pytestmark]

MADE_OF_DATA = """() => ({
  images: document.querySelectorAll('img[src=x]').length,
  handlers: document.querySelectorAll('[onerror]').length,
  scriptLinks: document.querySelectorAll('a[href^="javascript"]').length,
  bold: document.querySelectorAll('[data-testid=message-list] b').length,
  links: document.querySelectorAll('[data-testid=message-list] a').length,
})"""


def buyers_sku(relay: RunningRelay) -> str:
    with sqlite3.connect(relay.config.db_path) as db:
        return db.execute("SELECT sku FROM order_items JOIN orders USING (order_no) WHERE buyer_id = ? LIMIT 1",
                          (BUYER,)).fetchone()[0]


async def texts(page: Page, selector: str) -> list[str]:
    return await page.eval_on_selector_all(selector, "els => els.map(e => e.textContent)")


async def test_hostile_names_messages_and_cards_show_as_text_on_the_buyer_page(page: Page, relay: RunningRelay,
                                                                               clients) -> None:
    agent = await clients("agent1")
    await open_chat(page, relay, BUYER)
    await type_and_send(page, PAYLOAD)
    received = await next_chat(agent)
    assert received.text == PAYLOAD
    cid = received.conversation_id
    await agent.send_text(cid, "答" + PAYLOAD)
    await agent.call(f.SendCard, conversation_id=cid, client_msg_id="product-1",
                     card=f.CardRequest(kind="product", sku=buyers_sku(relay)))
    await invite(agent, cid, reason="演" + PAYLOAD[:59])
    messages = page.get_by_test_id("message-list")
    await expect(messages.locator(".card-call")).to_have_count(1)
    await expect(messages.locator(".card-title", has_text=ITEM[:1])).to_have_count(1)

    bubbles = await texts(page, "[data-testid=message-list] .bubble")
    assert PAYLOAD in bubbles and "答" + PAYLOAD in bubbles
    assert AGENT in await texts(page, "[data-testid=message-list] .who")
    cards = await texts(page, "[data-testid=message-list] .card")
    assert any(ITEM in c for c in cards), cards
    assert any(AGENT in c and "演" + PAYLOAD[:59] in c for c in cards), cards  # the invitation: who and why
    assert await page.get_by_test_id("title").text_content() == SHOP
    assert SHOP in await page.title()
    assert BUYER_NAME in (await page.get_by_test_id("buyer-name").text_content() or "")
    await page.wait_for_timeout(300)  # an onerror handler would have fired by now
    made = await page.evaluate(MADE_OF_DATA)
    assert made == {"images": 0, "handlers": 0, "scriptLinks": 0, "bold": 0, "links": 0}
    assert page.dialogs == []  # type: ignore[attr-defined]
