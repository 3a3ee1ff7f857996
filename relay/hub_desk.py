"""The seam between the chat hub (`relay.chat.Hub`) and the service desk (`relay.desk.Desk`).

Each of the two needs the other: the hub asks the desk who holds a chat (to decide who sees its
messages and who may write into it) and tells it of presence and of committed messages; the desk
sends assignments, queue snapshots and system messages through the hub. Each side depends only on
the Protocol here that says what it needs of the other, and neither module imports the other (a
test, tests/relay/test_import_cycles.py, holds that there is no import cycle in the relay). Both are
implemented structurally: `Hub` is a `Delivery`, `Desk` is an `Assignments`; `relay.server` wires
one to the other (`Hub(store, clock, desk)` calls `desk.attach(hub)`), where mypy checks that they
fit. The desk's own frames (status, claim, transfer...) reach it the way any other module's do:
it registers them with `Delivery.route` when it is attached.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from relay.sessions import Connection, Principal
from relay.store import ConversationRow, MessageRow
from wire import frames as f

Handler = Callable[[Connection, Any], Awaitable[None]]
"""Answers one type of client frame on a connection."""
Owner = tuple[int, str]
"""(shop_id, buyer_id) of a conversation: never changes, so it is cached for good."""


class Delivery(Protocol):
    """What the desk needs of the hub: the live connections, and its frames to answer."""

    synced_listeners: list[Callable[[Connection], None]]
    """Told when a connection has synced."""
    gone_listeners: list[Callable[[Connection], None]]
    """Told when a synced connection closes."""

    def route(self, frame_type: type[Any], handler: Handler) -> None:
        """Let `handler` answer every frame of `frame_type`."""

    def online(self, principal_kind: str, user_id: str) -> bool:
        """Whether a buyer (`"buyer"`) or a shop account (`"account"`) has a synced connection."""

    def send_to_account(self, account_id: str, data: bytes) -> None: ...
    def send_to_buyer(self, buyer_id: str, data: bytes) -> None: ...
    def send_to_shop(self, shop_id: int, data: bytes) -> None: ...
    def send_to_supervisors(self, shop_id: int, data: bytes, skip_accounts: set[str] | None = None) -> None: ...

    def publish(self, row: MessageRow, owner: Owner, skip: Connection | None = None, also: int | None = None) -> None:
        """Deliver a committed message to everyone in the conversation who is online."""

    def hold(self, agent_id: int) -> list[Connection]:
        """Hold live messages for an agent who is being handed a conversation."""

    async def hand_over(self, conns: list[Connection], conversation_id: int, last_seq: int,
                        unanswered_seq: int | None) -> None:
        """Send held connections the conversation's recent messages, then release them."""


class Assignments(Protocol):
    """What the hub needs of the desk: who holds each chat, its live state, and to hear of presence and messages."""

    def attach(self, hub: Delivery) -> None:
        """Called once by the hub it is to work with."""

    def assigned_agent(self, conversation_id: int) -> int | None:
        """The agent holding the conversation now, if any."""

    def open_conversation_ids(self, shop_id: int | None) -> list[int]:
        """Conversations of the shop that are queued or assigned right now."""

    async def track(self, row: ConversationRow) -> None:
        """Make sure the desk has the conversation's live state (loading its shop if need be), if it routes."""

    def info(self, row: ConversationRow) -> f.ConversationInfo:
        """The wire form of a conversation with its live routing fields."""

    def buyer_status(self, conversation_id: int) -> f.QueueStatus | None:
        """Where a buyer's conversation stands now, if it is queued or assigned."""

    def buyer_statuses(self, buyer_id: str) -> list[bytes]:
        """The `buyer_status` frames of all of a buyer's conversations (encoded)."""

    async def agent_connected(self, principal: Principal) -> None:
        """A shop account's first connection has synced."""

    def agent_disconnected(self, principal: Principal) -> None:
        """One of a shop account's synced connections closed."""

    def message_committed(self, shop_id: int, row: MessageRow) -> None:
        """A new message (not a duplicate) was stored and published through the hub."""
