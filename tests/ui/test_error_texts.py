"""Every error the relay can give is worded for the agent, in both shipped languages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.errors import CaFileUnusable, CertificateRejected, ConnectionLost, RelayError, SourceUnavailable
from ui.errors import error_text
from ui.i18n import Languages
from wire.errors import ConflictReason, ErrorCode

GENERIC = "Not possible any more: the chat changed meanwhile."
DETAIL = "english detail"
"""What the relay's English `message` says in these tests: none of it may reach the agent."""


@pytest.fixture
def chinese(qapp) -> Iterator[None]:
    languages = Languages()
    languages.use("zh_CN")
    yield
    languages.reset()


def every_relay_error() -> list[RelayError]:
    errors = [RelayError(code, DETAIL, retry_after=90) for code in ErrorCode]
    errors += [RelayError(ErrorCode.CONFLICT, DETAIL, reason=r) for r in ConflictReason]
    return errors


def test_each_conflict_reason_has_its_own_sentence(qapp) -> None:
    texts = {reason: error_text(RelayError(ErrorCode.CONFLICT, DETAIL, reason=reason)) for reason in ConflictReason}
    assert GENERIC not in texts.values() and len(set(texts.values())) == len(texts)
    assert all(DETAIL not in text for text in texts.values())
    # A conflict this version does not know still gets a sentence.
    assert error_text(RelayError(ErrorCode.CONFLICT, "x", reason="from_the_future")) == GENERIC
    assert error_text(RelayError(ErrorCode.CONFLICT, "x")) == GENERIC


def test_each_error_code_has_its_own_sentence_without_the_relays_words(qapp) -> None:
    texts = {code: error_text(RelayError(code, DETAIL, retry_after=90)) for code in ErrorCode}
    fallback = error_text(RelayError("brand_new_code", DETAIL))
    assert fallback not in texts.values()
    assert len(set(texts.values())) == len(texts), texts
    assert all(DETAIL not in text and code not in text for code, text in texts.items()), texts


def test_an_unknown_code_falls_back_to_the_relays_message(qapp) -> None:
    text = error_text(RelayError("brand_new_code", "the relay's words"))
    assert text == "The relay refused this (the relay's words)."


def test_no_error_promises_a_retry_that_may_not_happen(qapp) -> None:
    # `unavailable` ends a claim or a transfer as well as a send: nothing retries those by itself, and
    # a send is shown as failed only once the outbox has stopped retrying it.
    for code in (ErrorCode.UNAVAILABLE, ErrorCode.INTERNAL):
        assert "retried" not in error_text(RelayError(code, DETAIL)), code


def test_the_wait_after_too_many_logins_has_one_default(qapp) -> None:
    assert error_text(RelayError(ErrorCode.THROTTLED, DETAIL, retry_after=90)) == (
        "Too many failed attempts. Try again in 90 s.")
    assert error_text(RelayError(ErrorCode.THROTTLED, DETAIL)) == "Too many failed attempts. Try again in 60 s."


def test_chinese_workstation_shows_no_english_for_any_error(chinese) -> None:
    errors: list[BaseException] = [*every_relay_error(), ConnectionLost("reset by peer"), SourceUnavailable("no X11"),
                                   *every_rejection()]
    for exc in errors:
        text = error_text(exc)
        assert text and any("\u4e00" <= ch <= "\u9fff" for ch in text), (exc, text)


def test_chinese_relay_errors_carry_no_part_of_the_relays_english(chinese) -> None:
    for exc in every_relay_error():
        text = error_text(exc)
        assert not any(word in text.lower() for word in DETAIL.split()), (exc, text)
        assert not re.search("[A-Za-z]", text), (exc, text)  # Chinese only: no Latin words at all
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text), (exc, text)


# the relay's certificate ---------------------------------------------------------------------------

DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"
OPENSSL = "unable to get local issuer certificate"
"""OpenSSL's English: shown only for a reason this version has no words of its own for."""


def every_rejection() -> list[CertificateRejected]:
    return [CertificateRejected("https://relay.example", reason, OPENSSL) for reason in CertificateRejected.REASONS]


def deploy_guide_quotes() -> list[str]:
    """The block quotes of docs/deploy.md, each joined into one line."""
    quotes, current = [], []
    for line in [*DEPLOY.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("> "):
            current.append(line[2:])
        elif current:
            quotes.append(" ".join(current) if current[0].isascii() else "".join(current))
            current = []
    return quotes


def test_a_rejected_certificate_says_why_that_nothing_was_sent_and_what_to_do(qapp) -> None:
    texts = {exc.reason: error_text(exc) for exc in every_rejection()}
    assert len(set(texts.values())) == len(texts), texts
    for reason, text in texts.items():
        assert text.startswith("The relay's certificate could not be verified: "), text
        assert "Nothing was sent to it, not even your password." in text
        assert "choose its CA file" in text and "tell your administrator" in text
        assert (OPENSSL in text) == (reason == "other"), text
    assert "it has expired" in texts["expired"] and "another address" in texts["hostname_mismatch"]
    assert texts["unknown_issuer"] in deploy_guide_quotes()  # the documented message, word for word


def test_a_rejected_certificate_in_chinese(chinese) -> None:
    texts = {exc.reason: error_text(exc) for exc in every_rejection()}
    assert len(set(texts.values())) == len(texts), texts
    for reason, text in texts.items():
        assert text.startswith("无法验证中继服务器的证书") and "密码" in text and "管理员" in text, text
        if reason != "other":
            assert not re.search("[A-Za-z]", text.replace("CA", "")), text  # only "CA" is left in Latin letters
    assert texts["unknown_issuer"] in deploy_guide_quotes()


def test_an_unusable_ca_file_names_it(qapp) -> None:
    text = error_text(CaFileUnusable("/home/agent/shop-ca.pem", "no such file"))
    assert text.startswith("The CA file /home/agent/shop-ca.pem cannot be used") and "administrator" in text
