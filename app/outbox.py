"""The agent's replies, outbox first: typed text and cards are stored in the local outbox at once
(shown as "sending"), sent in order while the link is up, retried on the relay's passing errors (while
its database refuses writes, until it takes them again), and marked sent (with the relay's seq) or
failed for good. A mixin of `DeskService`."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
import uuid
from collections import deque
from typing import TYPE_CHECKING

import msgspec

from app.errors import ConnectionLost, KefuError, RelayError
from app.events import MessagesAdded, MessageUpdated, Notice
from wire import frames as f
from wire.errors import ErrorCode

if TYPE_CHECKING:
    from app.client import KefuClient
    from app.events import EventBus
    from app.history import History, LocalMessage
    from app.link import Link

logger = logging.getLogger(__name__)

RETRYABLE = frozenset({ErrorCode.UNAVAILABLE, ErrorCode.INTERNAL})
RETRY_LIMIT = 5
"""Attempts at a message the relay answers `internal`. `unavailable` (the relay's database refuses writes
for now: disk full, PostgreSQL down) and `rate_limited` pass by themselves: they are retried until they do,
the message staying "sending", as across a dropped connection."""
RETRY_PAUSE_MAX_S = 5.0


class OutboxSending:
    """Mixin of `DeskService` (which provides the attributes declared here)."""

    if TYPE_CHECKING:
        history: History
        client: KefuClient
        link: Link
        events: EventBus
        session: f.SessionInfo
        _outbox: deque[str]
        _outbox_wake: asyncio.Event

    # writing --------------------------------------------------------------------------------

    async def send_text(self, conversation_id: int, text: str) -> LocalMessage:
        """Queue a reply: stored in the outbox at once (shown as "sending"), sent when connected."""
        text = text.strip()
        if not text:
            raise KefuError("empty message")
        return await self._enqueue(conversation_id, text, "text", None)

    async def send_card(self, conversation_id: int, card: f.CardRequest, label: str) -> LocalMessage:
        """Queue a product, order or after-sales offer card; `label` shows until the relay's card arrives."""
        return await self._enqueue(conversation_id, label, "card", msgspec.json.encode(card).decode())

    async def _enqueue(self, conversation_id: int, text: str, kind: str, card_json: str | None) -> LocalMessage:
        message = await self.history.outbox_add(
            conversation_id, uuid.uuid4().hex, text, int(time.time() * 1000), sender_id=self.session.user_id,
            sender_name=self.session.display_name, kind=kind, card_json=card_json,
        )
        self._outbox.append(message.client_msg_id)
        self._outbox_wake.set()
        self.events.emit(MessagesAdded(conversation_id, [message]))
        return message

    async def retry(self, client_msg_id: str) -> None:
        """Send a failed message again (same client id: the relay stores it at most once)."""
        message = await self.history.outbox_retry(client_msg_id)
        if message is None:
            return
        self.events.emit(MessageUpdated(message.conversation_id, message))
        if client_msg_id not in self._outbox:
            self._outbox.append(client_msg_id)
        self._outbox_wake.set()

    async def _send_outbox(self) -> None:
        while True:
            while not self._outbox or not self.link.online.is_set():
                self._outbox_wake.clear()
                await self._outbox_wake.wait()
            cmid = self._outbox[0]
            pending = {m.client_msg_id: m for m in await self.history.outbox()}
            message = pending.get(cmid)
            if message is None or message.state != "sending":
                self._outbox.popleft()  # stored meanwhile (seen after a resume) or failed
                continue
            done = await self._send_one(message)
            if done:
                self._outbox.popleft()

    async def _send_one(self, message: LocalMessage) -> bool:
        """Send one outbox message; True when it is settled (acked or failed for good)."""
        attempt = 0
        while True:
            try:
                if message.kind == "card":
                    card = msgspec.json.decode(message.card_json or "{}", type=f.CardRequest)
                    reply = await self.client.call(f.SendCard, conversation_id=message.conversation_id,
                                                   client_msg_id=message.client_msg_id, card=card)
                else:
                    reply = await self.client.call(f.Send, conversation_id=message.conversation_id,
                                                   client_msg_id=message.client_msg_id, text=message.text)
            except ConnectionLost:
                return False  # stays "sending"; the loop waits for the link to come back
            except RelayError as exc:
                attempt += 1
                waits = exc.code in (ErrorCode.RATE_LIMITED, ErrorCode.UNAVAILABLE)
                if exc.code == ErrorCode.UNAVAILABLE and attempt == 1:
                    self.events.emit(Notice(exc))  # say why it stays "sending"; the next ones wait behind it
                if waits or (exc.code in RETRYABLE and attempt < RETRY_LIMIT):
                    await asyncio.sleep(exc.retry_after or min(RETRY_PAUSE_MAX_S, 0.5 * 2 ** attempt))
                    continue
                await self.history.outbox_failed(message.client_msg_id, exc.message)
                failed = dataclasses.replace(message, state="failed", error=exc.message)
                self.events.emit(MessageUpdated(message.conversation_id, failed))
                self.events.emit(Notice(exc))
                return True
            assert isinstance(reply, f.Ack)
            stored = await self.history.outbox_acked(message.client_msg_id, reply.seq, reply.ts)
            if stored is not None:
                self.events.emit(MessageUpdated(message.conversation_id, stored))
            if message.kind == "card":  # the relay built the card (title, price, case id): fetch it
                try:
                    page = await self.client.history(message.conversation_id, before_seq=reply.seq + 1, limit=1)
                except KefuError as exc:
                    logger.info("could not fetch the stored card: %s", exc)
                else:
                    await self.history.add_messages(page.messages)
                    built = await self.history.message(message.conversation_id, reply.seq)
                    if built is not None:
                        self.events.emit(MessageUpdated(message.conversation_id, built))
            return True
