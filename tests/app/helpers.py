"""Helpers of the desk core tests: a relay that can be stopped and started again on its port, and
DeskServices logged in for real whose events are recorded and awaited (never slept on)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web

from app.client import KefuClient, login
from app.config import DeskConfig
from app.events import ConversationView, Event, MessagesAdded, MessageUpdated, until_changed
from app.history import LocalMessage
from app.services import DeskService
from relay.sessions import Connection
from tests.conftest import DEMO_PASSWORD, MAIN_SHOP, RunningRelay, start_relay
from wire import frames as f
from wire.errors import WebSocketClose

E = TypeVar("E")
WAIT_S = 5.0
"""Longest wait for any one thing (everything here takes milliseconds)."""


# --- the relay ------------------------------------------------------------------------------


@dataclass
class RestartableRelay(RunningRelay):
    """The relay of tests/conftest.py, plus: stop it, start it again on the same port and data dir,
    drop an account's connections, and hold an account's handshakes at the door."""

    runner: web.AppRunner | None = None
    held: dict[str, asyncio.Event] = field(default_factory=dict)

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    async def stop(self) -> None:
        """A clean stop (SIGTERM's path): connections get 1001, pending writes are committed."""
        runner, self.runner = self.runner, None
        assert runner is not None, "the relay is not running"
        await runner.cleanup()

    async def start(self) -> None:
        assert self.runner is None, "the relay is running"
        self.runner, running = await start_relay(self.config, self.clock, port=self.port)
        self.relay = running.relay

    def connections(self, user_id: str) -> list[Connection]:
        return [c for c in self.relay.connections if c.principal.user_id == user_id and not c.closed]

    def drop(self, user_id: str) -> int:
        """Close an account's connections from the relay's side (going away): its clients reconnect."""
        conns = self.connections(user_id)
        for conn in conns:
            conn.close(WebSocketClose.GOING_AWAY, "going away")
        return len(conns)

    def hold_handshakes(self, token: str) -> asyncio.Event:
        """Until the event is set, this token's handshakes (and /api/session) wait before the token is
        checked: the client stays "connecting" while the relay runs for everyone else."""
        gate = self.held[token] = asyncio.Event()
        return gate

    def messages(self, conversation_id: int) -> list[tuple[int, str, str, str]]:
        """(seq, client_msg_id, sender_kind, text) of the conversation, read from the relay's database."""
        with closing(sqlite3.connect(self.config.db_path)) as db:
            return db.execute("SELECT seq, client_msg_id, sender_kind, text FROM messages"
                              " WHERE conversation_id = ? ORDER BY seq", (conversation_id,)).fetchall()

    def count(self, client_msg_id: str) -> int:
        """How many stored messages carry this client id (exactly-once means 1)."""
        with closing(sqlite3.connect(self.config.db_path)) as db:
            return int(db.execute("SELECT count(*) FROM messages WHERE client_msg_id = ?",
                                  (client_msg_id,)).fetchone()[0])


# --- the desk -------------------------------------------------------------------------------


class Recorder:
    """Every event a DeskService emitted, in order; `until` waits for a condition, event by event."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._changed = asyncio.Event()

    def __call__(self, event: Event) -> None:
        self.events.append(event)
        self._changed.set()

    def of(self, event_type: type[E], /, **match: Any) -> list[E]:
        """The events of this type whose fields equal `match`, in order."""
        return [e for e in self.events
                if isinstance(e, event_type) and all(getattr(e, k) == v for k, v in match.items())]

    async def until(self, predicate: Callable[[], Any], what: str, timeout: float = WAIT_S) -> Any:
        """Re-check `predicate` after every event until it holds; AssertionError after `timeout`."""
        return await until_changed(self._changed, predicate, what, timeout)

    def mark(self) -> int:
        """Where the record stands now: pass it as `since` to wait for what happens after."""
        return len(self.events)

    async def first(self, event_type: type[E], /, *, since: int = 0, what: str = "", timeout: float = WAIT_S,
                    **match: Any) -> E:
        """The first event of this type matching `match` (from index `since` on), waiting for it if need be."""

        def found() -> E | None:
            return next((e for e in self.events[since:] if isinstance(e, event_type)
                         and all(getattr(e, k) == v for k, v in match.items())), None)

        return await self.until(found, what or f"{event_type.__name__} {match}", timeout)  # type: ignore[no-any-return]

    def updates(self, client_msg_id: str) -> list[LocalMessage]:
        """Every MessageUpdated state of one outgoing message, in order."""
        return [e.message for e in self.of(MessageUpdated) if e.message.client_msg_id == client_msg_id]

    async def stored(self, client_msg_id: str, what: str = "") -> LocalMessage:
        """The outgoing message once a MessageUpdated gives it its seq (the relay stored it)."""
        return await self.until(  # type: ignore[no-any-return]
            lambda: next((m for m in self.updates(client_msg_id) if m.seq is not None), None),
            what or f"message {client_msg_id} stored")

    def added(self, conversation_id: int) -> list[LocalMessage]:
        """Every message announced by MessagesAdded for this conversation, in order."""
        return [m for e in self.of(MessagesAdded, conversation_id=conversation_id) for m in e.messages]


@dataclass
class Desk:
    """A DeskService under test, every event it emitted, and the token it runs on."""

    service: DeskService
    events: Recorder
    token: str

    @property
    def user_id(self) -> str:
        return self.service.session.user_id

    def view(self, conversation_id: int) -> ConversationView | None:
        return self.service.conversations.get(conversation_id)


class Desks:
    """`await desks.open("agent1")`: log in over HTTP and start a DeskService that connects by itself."""

    def __init__(self, relay: RunningRelay, config: DeskConfig) -> None:
        self.relay = relay
        self.config = config
        self.logins: dict[str, f.TokenResponse] = {}
        self.opened: list[Desk] = []

    async def login(self, username: str) -> f.TokenResponse:
        if username not in self.logins:
            self.logins[username] = await login(self.relay.url, MAIN_SHOP, username, DEMO_PASSWORD)
        return self.logins[username]

    async def open(self, username: str = "agent1", *, online: bool = True) -> Desk:
        """A new DeskService on the account's history file (the same file every time: like a restart)."""
        token = await self.login(username)
        service = await DeskService.open(self.config, self.relay.url, token.token, token.session)
        desk = Desk(service, Recorder(), token.token)
        service.events.subscribe(desk.events)
        self.opened.append(desk)
        await service.start()
        if online:
            await desk.events.until(service.link.online.is_set, f"{username}'s desk to connect")
        return desk


async def assigned_chat(desk: Desk, clients: Any, buyer: str, text: str = "你好，在吗？") -> tuple[KefuClient, int]:
    """A buyer writes to the shop and the chat lands on this (online) desk; returns (buyer, conversation id)."""
    client = await clients(buyer=buyer)
    conv = await client.open_conversation(MAIN_SHOP)
    cid = conv.conversation_id
    await client.send_text(cid, text)
    await desk.events.until(lambda: any(m.text == text for m in desk.events.added(cid))
                            and (view := desk.view(cid)) is not None and view.active,
                            f"the chat with {buyer} on {desk.user_id}'s desk")
    return client, cid
