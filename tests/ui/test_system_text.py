"""System lines are worded by the workstation in its own language, from their code and parameters."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from app.history import LocalMessage
from relay.system_lines import EVENTS, system_text
from tests.ui.conftest import until
from tests.ui.test_workstation import buyer_says, open_chat
from ui.i18n import Languages
from ui.system_text import KNOWN_EVENTS, event_sentence, system_line

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
PARAMS = {  # plain ASCII values, so that any Chinese in a sentence comes from the wording itself
    "shop": "Home Store", "opens": "09:00", "closes": "21:00", "agent": "Mei", "session_id": "7", "stars": "4",
    "comment": "very patient", "offer": "refund_only", "amount_cents": "1990", "duration_s": "192",
    "reason": "privacy",
}


@pytest.fixture
def english(qapp: QApplication) -> Iterator[None]:
    languages = Languages()
    languages.use("en")
    yield
    languages.reset()


def _params(event: str) -> dict[str, str]:
    return {name: PARAMS[name] for name in EVENTS[event][1]}


async def test_every_relay_event_has_its_own_english_sentence(english: None) -> None:
    assert set(EVENTS) == KNOWN_EVENTS
    sentences = {}
    for event in EVENTS:
        sentence = event_sentence(event, _params(event))
        assert sentence, event
        assert not CJK.search(sentence), (event, sentence)
        sentences[event] = sentence
    assert len(set(sentences.values())) == len(sentences), sentences
    assert "¥19.90" in sentences["offer_accepted"] and "Refund only" in sentences["offer_accepted"]
    assert "3 min 12 s" in sentences["call_ended"]
    assert "4 of 5 stars" in sentences["rated"] and "very patient" in sentences["rated"]


async def test_an_unknown_code_or_missing_parameters_show_the_stored_text(english: None) -> None:
    stored = system_text("transferred", {"agent": "阿杰"})
    line = LocalMessage(conversation_id=1, client_msg_id="m1", sender_kind="system", sender_id="", sender_name="",
                        text=stored, ts=0, kind="system", event="transferred", params_json='{"agent": "Jie"}', seq=1)
    assert system_line(line) == "The chat was transferred to Jie."
    from dataclasses import replace

    assert system_line(replace(line, event="brand_new_event")) == stored
    assert system_line(replace(line, params_json="{}")) == stored
    assert system_line(replace(line, params_json="not json")) == stored


async def test_the_chat_shows_system_lines_in_english(open_desk, clients) -> None:
    window = await open_desk("agent1", language="en")
    _, conv = await buyer_says(clients, "hello, is anyone there?", buyer="b-jiadian-0041")
    await open_chat(window, conv.conversation_id, "hello, is anyone there?")
    texts = await until(lambda: [t for t in window.conversation.view.visible_texts() if "joined the chat." in t],
                        what="the agent_joined line in English")
    assert texts == ["小美 joined the chat."]
    assert not any("为您服务" in t or "欢迎光临" in t for t in window.conversation.view.visible_texts())
