"""Automatic (system) lines in the reader's language, worded from the workstation's side.

The relay stores each system message with its `event` code and `params` (relay/system_lines.py
lists them) and a Chinese `text` worded for the buyer. The workstation says each one in the UI
language instead, from the staff's side ("the buyer declined", not "you declined"); a code this
version does not know yet, or parameters that do not parse, fall back to the stored text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

import msgspec
from PySide6.QtCore import QCoreApplication

from app.history import LocalMessage
from ui.chat_lines import offer_name, yuan

logger = logging.getLogger(__name__)

_params_decoder = msgspec.json.Decoder(dict[str, str])


translate = QCoreApplication.translate


def complaint_reason_name(code: str) -> str:
    """A call complaint's reason (wire ComplaintReason) in the agent's language."""
    names = {
        "not_requested": translate("SystemText", "the buyer did not ask for a video call"),
        "inappropriate": translate("SystemText", "inappropriate content"),
        "sales_pressure": translate("SystemText", "sales pressure"),
        "privacy": translate("SystemText", "privacy"),
        "poor_quality": translate("SystemText", "poor call quality"),
        "other": translate("SystemText", "other"),
    }
    return names.get(code, code)


def duration_words(raw: str) -> str:
    """Seconds as "3 min 12 s" (or "45 s")."""
    if not raw.isdigit():
        return raw
    minutes, seconds = divmod(int(raw), 60)
    if minutes:
        return translate("SystemText", "{0} min {1} s").format(minutes, f"{seconds:02d}")
    return translate("SystemText", "{0} s").format(seconds)


def _amount(raw: str) -> str:
    return yuan(int(raw)) if raw.isdigit() else raw


def _rated(p: Mapping[str, str]) -> str:
    comment = p.get("comment", "").strip()
    if comment:
        return translate("SystemText", "The buyer rated this chat {0} of 5 stars: “{1}”").format(p["stars"], comment)
    return translate("SystemText", "The buyer rated this chat {0} of 5 stars.").format(p["stars"])


_SENTENCES: dict[str, Callable[[Mapping[str, str]], str]] = {
    "welcome": lambda p: translate("SystemText", "The buyer was welcomed to {0} and waits for an agent.").format(
        p["shop"]),
    "out_of_hours": lambda p: translate("SystemText",
        "Outside service hours ({0}–{1}): the buyer was told an agent replies once back.").format(
        p["opens"], p["closes"]),
    "agent_joined": lambda p: translate("SystemText", "{0} joined the chat.").format(p["agent"]),
    "transferred": lambda p: translate("SystemText", "The chat was transferred to {0}.").format(p["agent"]),
    "taken_over": lambda p: translate("SystemText", "Supervisor {0} took the chat over.").format(p["agent"]),
    "requeued": lambda p: translate("SystemText", "The chat went back to the queue; the buyer waits for an agent."),
    "resolved": lambda p: translate("SystemText", "The chat was resolved."),
    "auto_closed": lambda p: translate("SystemText", "The chat closed by itself after a long silence."),
    "abandoned": lambda p: translate("SystemText", "The buyer left the queue; the chat was closed."),
    "rated": _rated,
    "offer_accepted": lambda p: translate("SystemText", "The buyer accepted the after-sales offer: {0} {1}").format(
        offer_name(p["offer"]), _amount(p["amount_cents"])),
    "offer_declined": lambda p: translate("SystemText", "The buyer declined the after-sales offer: {0} {1}").format(
        offer_name(p["offer"]), _amount(p["amount_cents"])),
    "call_declined": lambda p: translate("SystemText", "The buyer declined the video explanation."),
    "call_blocked": lambda p: translate("SystemText", "The buyer no longer accepts this shop's video invitations."),
    "call_unblocked": lambda p: translate("SystemText", "The buyer accepts this shop's video invitations again."),
    "call_expired": lambda p: translate("SystemText", "The video invitation expired unanswered."),
    "call_cancelled": lambda p: translate("SystemText", "The agent withdrew the video invitation."),
    "call_connected": lambda p: translate("SystemText",
        "The video explanation is connected (encrypted end to end, not recorded)."),
    "call_ended": lambda p: translate("SystemText", "The video explanation ended after {0}.").format(
        duration_words(p["duration_s"])),
    "call_complaint": lambda p: translate("SystemText", "The buyer complained about the video explanation: {0}").format(
        complaint_reason_name(p["reason"])),
}
KNOWN_EVENTS = frozenset(_SENTENCES)


def event_sentence(event: str, params: Mapping[str, str]) -> str | None:
    """The event in the UI language, or None when the code is unknown or a parameter is missing."""
    sentence = _SENTENCES.get(event)
    if sentence is None:
        return None
    try:
        return sentence(params).strip()
    except (KeyError, ValueError, IndexError):
        logger.warning("system line %r without the parameters it needs", event)
        return None


def params_of(message: LocalMessage) -> dict[str, str]:
    """A system message's parameters ({} when it has none or they do not parse)."""
    if not message.params_json:
        return {}
    try:
        return _params_decoder.decode(message.params_json)
    except msgspec.DecodeError:
        return {}


def system_line(message: LocalMessage) -> str:
    """What the chat shows for a system message: its event worded here, else the relay's text."""
    if message.event:
        sentence = event_sentence(message.event, params_of(message))
        if sentence is not None:
            return sentence
    return message.text
