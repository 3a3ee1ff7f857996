"""Every error the relay can give is worded for the agent, in both shipped languages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.errors import ConnectionLost, RelayError, SourceUnavailable
from ui.errors import error_text
from ui.i18n import Languages
from wire.errors import ConflictReason, ErrorCode

GENERIC = "Not possible any more: the chat changed meanwhile."


@pytest.fixture
def chinese(qapp) -> Iterator[None]:
    languages = Languages()
    languages.use("zh_CN")
    yield
    languages.reset()


def test_each_conflict_reason_has_its_own_sentence(qapp) -> None:
    texts = {reason: error_text(RelayError(ErrorCode.CONFLICT, "english detail", reason=reason))
             for reason in ConflictReason}
    assert GENERIC not in texts.values() and len(set(texts.values())) == len(texts)
    assert all("english detail" not in text for text in texts.values())
    # A conflict this version does not know still gets a sentence.
    assert error_text(RelayError(ErrorCode.CONFLICT, "x", reason="from_the_future")) == GENERIC
    assert error_text(RelayError(ErrorCode.CONFLICT, "x")) == GENERIC


def test_an_unknown_code_falls_back_to_the_relays_message(qapp) -> None:
    text = error_text(RelayError("brand_new_code", "the relay's words"))
    assert text == "The relay refused this (the relay's words)."


def test_chinese_workstation_shows_no_english_for_any_error(chinese) -> None:
    errors: list[BaseException] = [RelayError(code, "english detail", retry_after=90) for code in ErrorCode]
    errors += [RelayError(ErrorCode.CONFLICT, "english detail", reason=r) for r in ConflictReason]
    errors += [ConnectionLost("reset by peer"), SourceUnavailable("no X11")]
    for exc in errors:
        text = error_text(exc)
        assert text and any("\u4e00" <= ch <= "\u9fff" for ch in text), (exc, text)
