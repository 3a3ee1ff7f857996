"""What chat, auth and routing code may ask of storage. Nothing outside `relay/store/` sees SQL.

A PostgreSQL store only has to implement `Store`; fan-out between several relays is not the
store's job (see docs/architecture.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from relay.store.fact_rows import ROUND_FIELDS as ROUND_FIELDS
from relay.store.fact_rows import SESSION_FIELDS as SESSION_FIELDS
from relay.store.fact_rows import AuditRow as AuditRow
from relay.store.fact_rows import MetricGroups as MetricGroups
from relay.store.fact_rows import NoteRow as NoteRow
from relay.store.fact_rows import RoundRow as RoundRow
from relay.store.fact_rows import SessionRow as SessionRow
from wire import frames as f

if TYPE_CHECKING:
    from relay.demo_data import DemoDataset


class StoreUnavailable(Exception):
    """The store could not commit (disk full, I/O error, closed); nothing from the batch was kept."""


class StoreConflict(Exception):
    """The write contradicts what is stored (a client message id reused for a different message);
    `reason` is the `wire.errors.ConflictReason` a client is told."""

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ShopRow:
    """A shop."""

    id: int
    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class AccountRow:
    """An agent or supervisor of one shop."""

    id: int
    shop_id: int
    shop_slug: str
    username: str
    display_name: str
    role: Literal["agent", "supervisor"]
    password_hash: str
    cap: int = 8


@dataclass(frozen=True, slots=True)
class BuyerRow:
    """A platform buyer (not a shop account)."""

    id: str
    nickname: str


@dataclass(frozen=True, slots=True)
class ConversationRow:
    """A conversation (shop, buyer) and its cursors."""

    id: int
    shop_id: int
    shop_slug: str
    shop_name: str
    buyer_id: str
    buyer_name: str
    created_at: int
    last_seq: int
    buyer_read_seq: int
    agent_read_seq: int
    status: str = "new"
    agent_id: int | None = None
    agent_name: str | None = None
    tier: int = 3
    queued_at: int | None = None
    last_agent_id: int | None = None
    last_agent_at: int | None = None
    last_activity_at: int | None = None
    unanswered_since: int | None = None
    unanswered_seq: int | None = None
    session_id: int | None = None
    """The current chat session, or the last one (see SessionRow)."""
    session_close_reason: str | None = None
    session_rating: int | None = None
    """The last session's rating: 1-5 stars, 0 skipped, None not yet."""


@dataclass(frozen=True, slots=True)
class MessageRow:
    """A committed message."""

    conversation_id: int
    seq: int
    sender_kind: Literal["buyer", "agent", "system"]
    sender_id: str
    sender_name: str
    client_msg_id: str
    text: str
    ts: int
    kind: str = "text"
    card_json: str | None = None
    event: str | None = None
    params_json: str | None = None


@dataclass(frozen=True, slots=True)
class ShopSettingsRow:
    """How a shop routes its chats."""

    shop_id: int
    mode: str = "auto"
    opens: str = "08:00"
    closes: str = "23:00"
    timezone: str = "Asia/Shanghai"


@dataclass(frozen=True, slots=True)
class NewCase:
    """An after-sales case created by an offer card, stored with the card atomically."""

    case_id: str
    shop_id: int
    order_no: str
    buyer_id: str
    kind: str
    reason: str
    amount_cents: int


@dataclass(frozen=True, slots=True)
class TemplateRow:
    """A reply template: the shop's (`owner_id` None) or one agent's own."""

    id: int
    shop_id: int
    owner_id: int | None
    group: str
    title: str
    body: str
    shortcut: str
    initials: str
    usage_count: int
    updated_at: int
    position: int = 0


@dataclass(frozen=True, slots=True)
class CallSettingsRow:
    """A shop's video invitation policy (docs/protocol.md section 12)."""

    shop_id: int
    enabled: bool = True
    invites_per_day: int = 3
    decline_cooldown_s: int = 600
    activity_window_s: int = 1800
    invite_ttl_s: int = 60
    max_duration_s: int = 1800
    warning_before_s: int = 300


@dataclass(frozen=True, slots=True)
class CallRow:
    """A video call and its record."""

    id: str
    shop_id: int
    conversation_id: int
    agent_id: int
    agent_name: str
    buyer_id: str
    buyer_name: str
    reason: str
    state: str
    invited_at: int
    expires_at: int
    max_duration_s: int
    audio_only: bool = False
    delivered_at: int | None = None
    """When the invitation first reached a connection of the buyer (None: not while it was pending)."""
    answered_at: int | None = None
    connected_at: int | None = None
    ended_at: int | None = None
    ended_by: str | None = None
    end_reason: str | None = None
    duration_s: int | None = None
    complaint: str | None = None
    complaint_text: str | None = None
    complaint_at: int | None = None
    hour: int = 0
    """Start of the shop-time hour of `invited_at` (unix ms), for the figures."""
    handled_at: int | None = None
    handled_by: str | None = None
    handled_note: str = ""


@dataclass(frozen=True, slots=True)
class CallFacts:
    """What the invitation policy needs to know about a conversation and its buyer."""

    buyer_wrote: bool
    last_human_at: int | None
    invites_today: int
    last_decline_at: int | None
    blocked: bool


@dataclass(frozen=True, slots=True)
class CallBlockRow:
    """A shop whose video invitations a buyer declines for good, and the buyer's conversation with it."""

    shop_id: int
    shop: str
    conversation_id: int
    at: int


CALL_FIELDS = frozenset({
    "state", "audio_only", "delivered_at", "answered_at", "connected_at", "ended_at", "ended_by", "end_reason",
    "duration_s", "complaint", "complaint_text", "complaint_at", "handled_at", "handled_by", "handled_note",
})
"""The fields `update_call` may change."""

CONVERSATION_FIELDS = frozenset({
    "status", "agent_id", "tier", "queued_at", "last_agent_id", "last_agent_at", "last_activity_at",
    "unanswered_since", "unanswered_seq", "session_id",
})
"""The routing fields `update_conversation` may change."""


@dataclass(frozen=True, slots=True)
class AppendResult:
    """Outcome of `append_message`: the stored row, and whether it was stored before."""

    message: MessageRow
    duplicate: bool


class Store(Protocol):
    """Durable state of the relay. Every write returns only after it is committed."""

    async def open(self) -> None:
        """Open (and migrate) the store."""

    async def close(self) -> None:
        """Flush pending writes and close."""

    def health(self) -> dict[str, Any]:
        """A small JSON-able dict describing the store's state, for /healthz."""

    async def probe_write(self) -> None:
        """Commit one small write that changes nothing anybody reads; StoreUnavailable if the database refuses."""

    # shops and accounts
    async def ensure_shop(self, slug: str, name: str) -> ShopRow: ...
    async def get_shop(self, slug: str) -> ShopRow | None: ...
    async def list_shops(self) -> list[ShopRow]: ...
    async def create_account(
        self, shop_slug: str, username: str, display_name: str, role: str, password_hash: str
    ) -> AccountRow: ...
    async def find_account(self, shop_slug: str, username: str) -> AccountRow | None: ...

    # tokens (only hashes are stored)
    async def save_token(self, token_hash: str, account_id: int, expires_at: int) -> None: ...
    async def account_for_token(self, token_hash: str, now: int) -> AccountRow | None: ...
    async def revoke_token(self, token_hash: str) -> bool: ...
    async def token_expires_at(self, token_hash: str) -> int | None: ...
    async def change_password(self, account_id: int, old_hash: str, new_hash: str,
                              token_hash: str, expires_at: int) -> bool:
        """Replace the password if it is still `old_hash`, revoke every token of the account and save
        `token_hash` as its only one, in one transaction; False (nothing changed) if it was not."""
        ...
    async def live_tokens(self, token_hashes: list[str], now: int) -> set[str]:
        """Which of `token_hashes` are neither revoked nor expired."""
        ...

    # buyers and conversations
    async def get_buyer(self, buyer_id: str) -> BuyerRow | None: ...
    async def buyer_ids(self) -> list[str]: ...
    async def open_conversation(
        self, shop_id: int, buyer_id: str, now: int
    ) -> tuple[ConversationRow, bool]: ...
    async def get_conversation(self, conversation_id: int) -> ConversationRow | None: ...
    async def list_conversations(
        self, *, shop_id: int | None = None, buyer_id: str | None = None, open_only: bool = False
    ) -> list[ConversationRow]:
        """A shop's or a buyer's conversations by id; `open_only`: a shop's queued and assigned ones
        (what staff resume and what routing rebuilds; a shop's history grows without bound)."""
    async def unheard_buyer_messages(self) -> list[tuple[int, int, int]]:
        """(conversation, seq, ts) of each conversation whose last message is a buyer's that routing has
        not acted on: the conversation is not open, or no reply clock runs (several relays: one stored
        while no relay led routing, or as the leader died). Oldest first."""

    # messages
    def append_message(
        self,
        conversation_id: int,
        sender_kind: str,
        sender_id: str,
        sender_name: str,
        client_msg_id: str,
        text: str,
        ts: int,
        *,
        kind: str = "text",
        card_json: str | None = None,
        event: str | None = None,
        params_json: str | None = None,
        new_case: NewCase | None = None,
        new_call: CallRow | None = None,
    ) -> asyncio.Future[AppendResult]:
        """Queue a message; the future resolves once it is committed (so callers may pipeline).

        With `new_case`, the after-sales case (and its audit line) is created in the same
        transaction as the card message, and only if the message is new; likewise `new_call` for
        a video invitation card.

        Raises (through the future) StoreConflict when `client_msg_id` was used for a
        different message, StoreUnavailable when nothing could be committed.
        """
    def append_message_then(
        self,
        done: Callable[[AppendResult | None, BaseException | None], None],
        conversation_id: int,
        sender_kind: str,
        sender_id: str,
        sender_name: str,
        client_msg_id: str,
        text: str,
        ts: int,
        *,
        kind: str = "text",
        card_json: str | None = None,
        event: str | None = None,
        params_json: str | None = None,
        new_case: NewCase | None = None,
    ) -> None:
        """`append_message` for the hot path: no future; `done(result, None)` is called once the
        message is committed, or `done(None, error)` with the errors `append_message` raises."""
    async def messages_after(
        self, conversation_id: int, after_seq: int, limit: int
    ) -> list[MessageRow]: ...
    async def messages_before(
        self, conversation_id: int, before_seq: int | None, limit: int
    ) -> list[MessageRow]: ...
    async def mark_read(self, conversation_id: int, side: str, seq: int) -> int: ...

    # routing
    async def shop_settings(self, shop_id: int) -> ShopSettingsRow: ...
    async def save_shop_settings(self, settings: ShopSettingsRow) -> None: ...
    async def shop_accounts(self, shop_id: int) -> list[AccountRow]: ...
    async def set_cap(self, account_id: int, cap: int) -> None: ...
    async def update_conversation(self, conversation_id: int, **fields: int | str | None) -> None:
        """Change routing fields (see CONVERSATION_FIELDS) of a conversation."""
    async def record_event(
        self, conversation_id: int, shop_id: int, at: int, kind: str, *, actor: str | None = None,
        from_agent: int | None = None, to_agent: int | None = None, note: str = "", hour: int = 0,
    ) -> None:
        """One line of a conversation's audit trail; `hour`: the shop-time hour of `at` (for the figures)."""

    # reply rounds and chat sessions (the facts behind the figures, docs/metrics.md)
    async def open_round(self, row: RoundRow) -> None:
        """Record a round as it starts (no reply yet); a round already stored is left as it is."""
    async def update_round(self, conversation_id: int, buyer_seq: int, **fields: Any) -> None:
        """Change fields of a round (see ROUND_FIELDS)."""
    async def get_round(self, conversation_id: int, buyer_seq: int) -> RoundRow | None: ...
    async def open_session(self, row: SessionRow) -> SessionRow:
        """Store a new session (`row.id` 0) and make it the conversation's current one; returns it with its id."""
    async def update_session(self, session_id: int, **fields: Any) -> None:
        """Change fields of a session (see SESSION_FIELDS)."""
    async def get_session(self, session_id: int) -> SessionRow | None: ...
    async def metric_groups(self, shop_id: int, since: int, until: int) -> MetricGroups:
        """The shop's rounds, sessions and calls that started in [since, until), and its transfers then,
        grouped by hour and account (see MetricGroups). Indexed range scans only."""
    async def figure_days(self, shop_id: int, tz: str, fmt: int, starts: list[int], with_cells: bool,
                          have: Mapping[int, int] | None = None) -> dict[int, tuple[int, bytes | None, bytes | None]]:
        """The kept sums of the days starting at `starts` (`relay.metrics.days`): start -> (version,
        sums, cells or None unless `with_cells`); (version, None, None) for a day `have` holds at
        that version (start -> version: the caller has it decoded); days not kept are left out."""
    async def claim_figure_days(self, shop_id: int, tz: str, fmt: int,
                                days: list[tuple[int, int]]) -> dict[int, int]:
        """Before summing the days [since, until): their versions now (raised by each write of one
        of their facts from then on)."""
    async def put_figure_day(self, shop_id: int, tz: str, fmt: int, since: int, version: int, sums: bytes,
                             cells: bytes) -> bool:
        """Keep a day's sums if its version is still `version`; whether they were kept."""
    async def drill(self, shop_id: int, figure: str, since: int, until: int, agent_id: int | None,
                    limit: int) -> list[tuple[Any, ...]]:
        """The facts behind one figure (`wire.figures.DRILL_FIGURES`), newest first: tuples of
        (conversation_id, buyer_name, at, kind, agent_id, agent_name, seconds, call_id, stars)."""

    # staff notes, settings audit, complaints
    async def add_note(self, row: NoteRow) -> tuple[NoteRow, bool]:
        """Store a note (`row.id` 0); returns it as stored and whether it was stored before (same
        author and `client_msg_id`). Raises StoreConflict if that id was used for another text."""
    async def list_notes(self, conversation_id: int, after_id: int, limit: int) -> list[NoteRow]: ...
    async def record_audit(self, rows: list[AuditRow]) -> None: ...
    async def audit_log(self, shop_id: int, limit: int) -> list[AuditRow]:
        """The shop's latest setting changes, newest first."""
    async def complaints(self, shop_id: int, since: int, until: int) -> list[CallRow]:
        """Calls of the shop complained about in [since, until), newest complaint first."""
    async def reorder_templates(self, shop_id: int, owner_id: int | None, template_ids: list[int]) -> None:
        """Give the named templates of the scope (shop: owner None) positions 0, 1, ... in that order, and the
        scope's others the following positions in their current order."""

    async def answer_offer(
        self, case_id: str, conversation_id: int, buyer_id: str, accept: bool, at: int
    ) -> tuple[f.CaseInfo, int]:
        """Record a buyer's answer to an offer (case, card and audit at once); returns the case and card seq.

        Raises KeyError if no such offer in this conversation for this buyer, StoreConflict if answered.
        """

    # video calls
    async def call_settings(self, shop_id: int) -> CallSettingsRow: ...
    async def save_call_settings(self, settings: CallSettingsRow) -> None: ...
    async def call_facts(self, conversation_id: int, shop_id: int, buyer_id: str, day_start_ms: int) -> CallFacts:
        """The policy's facts: has the buyer written here, the last human message, today's invitations
        (since `day_start_ms`), the last declined invitation, whether the buyer blocked the shop."""
    async def get_call(self, call_id: str) -> CallRow | None: ...
    async def open_calls(self) -> list[CallRow]:
        """Calls invited, accepted or connected (to re-arm their timers after a restart)."""
    async def recent_calls(self, *, buyer_id: str | None = None, agent_id: int | None = None,
                           since_ms: int) -> list[CallRow]:
        """A buyer's or an agent's calls invited since `since_ms`, oldest first."""
    async def update_call(self, call_id: str, **fields: int | str | bool | None) -> None:
        """Change fields of a call (see CALL_FIELDS)."""
    async def block_calls(self, shop_id: int, buyer_id: str, at: int) -> None:
        """The buyer chose not to receive this shop's invitations again."""
    async def call_blocks(self, buyer_id: str) -> list[CallBlockRow]:
        """The shops the buyer blocked, by shop id."""
    async def unblock_calls(self, shop_id: int, buyer_id: str, conversation_id: int, at: int) -> int | None:
        """The buyer lifted their block of this shop: the block goes, and a `call_unblocked` conversation
        event (actor `buyer`, note `blocked_at=<ms>`) records when, in the same transaction. Returns when
        the block was set, or None (and changes nothing) if there was none."""

    # templates
    async def list_templates(self, shop_id: int, owner_id: int) -> list[TemplateRow]:
        """The shop's templates and `owner_id`'s own, most used first."""
    async def get_template(self, template_id: int) -> TemplateRow | None: ...
    async def save_template(self, row: TemplateRow) -> TemplateRow:
        """Insert (`row.id` 0) or update a template; returns it as stored."""
    async def delete_template(self, template_id: int) -> None: ...
    async def count_template_use(self, template_id: int) -> None: ...
    async def seed_templates(self, shop_id: int, rows: list[TemplateRow]) -> bool:
        """Insert a shop's starter templates if it has no shop templates yet; True if inserted."""

    # the platform stand-in's demo tables (orders, logistics, after-sales, products)
    async def platform_orders(self, shop_id: int, buyer_id: str) -> list[f.OrderInfo]: ...
    async def platform_cases(self, shop_id: int, buyer_id: str) -> list[f.CaseInfo]: ...
    async def platform_product(self, shop_id: int, sku: str) -> f.ProductCard | None: ...
    async def platform_buyer(self, buyer_id: str) -> tuple[str, bool] | None:
        """(nickname, vip) of a buyer."""

    # demo
    async def seed_demo(self, dataset: DemoDataset, hash_password: Callable[[str], str]) -> bool: ...
