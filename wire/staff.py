"""Frames of the staff's own work: internal notes and whispers, supervision, shop configuration,
template order, complaints, live figures; and the buyer's rating of a chat.

`wire.frames` re-exports every one of them and includes them in `ClientFrame` and `ServerFrame`.
docs/protocol.md (sections 13 and 14) shows an example of each.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from wire.base import DB_INT_MAX, CallId, ClientMsgId, ConversationId, Frame, Millis, Note, RequestId, Role, RowId
from wire.figures import ComplaintInfo, FiguresReport, QueueFigures

NoteKind = Literal["note", "whisper"]
Stars = Annotated[int, msgspec.Meta(ge=1, le=5)]


# --- client -> relay -----------------------------------------------------------------------


class AddNote(Frame, tag="note_add"):
    """Staff: a line only staff see, on a conversation of the shop. `note`: an internal note, by any
    staff member on any conversation (kept, searchable); `whisper`: a supervisor's word to the agent
    holding the chat, shown in that agent's chat. Never sent to the buyer. Idempotent by `client_msg_id`."""

    id: RequestId
    conversation_id: ConversationId
    client_msg_id: ClientMsgId
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
    kind: NoteKind = "note"



class ListNotes(Frame, tag="notes"):
    """Staff: a conversation's notes and whispers with an id above `after_id`, oldest first."""

    id: RequestId
    conversation_id: ConversationId
    after_id: Annotated[int, msgspec.Meta(ge=0, le=DB_INT_MAX)] = 0
    limit: Annotated[int, msgspec.Meta(ge=1, le=200)] = 100


class TakeOver(Frame, tag="take_over"):
    """Supervisor: take a chat from the agent who holds it (or from the queue) and answer it oneself."""

    id: RequestId
    conversation_id: ConversationId


class GetShopConfig(Frame, tag="shop_config_get"):
    """Staff: the shop's settings now (routing, service hours, call policy, caps), and for supervisors
    the latest changes. Answered by `shop_config`."""

    id: RequestId


class OrderTemplates(Frame, tag="template_order"):
    """Put templates in this order (the ones named; the rest keep their places after them). Shop
    templates: supervisors; personal templates: their owner."""

    id: RequestId
    scope: Literal["shop", "personal"]
    template_ids: Annotated[list[RowId], msgspec.Meta(max_length=500)]


class HandleComplaint(Frame, tag="complaint_handle"):
    """Supervisor: mark a complaint handled (or not), with a note. Answered by `complaint`."""

    id: RequestId
    call_id: CallId
    handled: bool = True
    note: Note = ""


class Rate(Frame, tag="rate"):
    """Buyer: rate a resolved chat, once (1-5 stars, an optional comment), or skip it (`stars` omitted)."""

    id: RequestId
    conversation_id: ConversationId
    session_id: RowId
    stars: Stars | None = None
    comment: Annotated[str, msgspec.Meta(max_length=200)] = ""


# --- relay -> client -----------------------------------------------------------------------


class NoteInfo(msgspec.Struct, kw_only=True):
    """A stored note or whisper. `after_seq`: the conversation's last message when it was written,
    so clients show it in place."""

    note_id: int
    conversation_id: int
    kind: NoteKind
    author_id: str
    author_name: str
    author_role: Role
    text: str
    ts: Millis
    after_seq: int
    client_msg_id: str
    to_agent_id: str | None = None
    """For a whisper: the agent who held the chat."""


class StaffNote(Frame, tag="note"):
    """To the staff concerned (the shop's supervisors, the agent holding the chat, the author): a note
    or whisper was stored; `id` when it answers `note_add`."""

    note: NoteInfo
    id: str | None = None
    duplicate: bool = False


class NoteList(Frame, tag="note_list"):
    """Answer to `notes`."""

    id: str
    conversation_id: int
    notes: list[NoteInfo]
    has_more: bool = False


class AgentCap(msgspec.Struct, kw_only=True):
    agent_id: str
    name: str
    cap: int


class CallPolicyInfo(msgspec.Struct, kw_only=True):
    """The shop's video invitation policy (docs/protocol.md section 12)."""

    enabled: bool
    invites_per_day: int
    decline_cooldown_s: int
    activity_window_s: int
    invite_ttl_s: int
    max_duration_s: int
    warning_before_s: int


class AuditEntry(msgspec.Struct, kw_only=True):
    """One change of a shop setting: who, when, from what to what."""

    at: Millis
    actor_id: str
    actor_name: str
    setting: str
    """"mode", "opens", "closes", "timezone", "cap:<agent id>", "calls.<field>"."""
    old: str
    new: str


class ShopConfig(Frame, tag="shop_config"):
    """The shop's settings; pushed (no `id`) to every staff connection of the shop after each change."""

    mode: Literal["auto", "manual", "both"]
    opens: str
    closes: str
    timezone: str
    calls: CallPolicyInfo
    caps: list[AgentCap]
    id: str | None = None
    changed_by: str | None = None
    """Who made the change that this push announces."""
    audit: list[AuditEntry] = []
    """The latest changes, newest first (in the answer to a supervisor's `shop_config_get` only)."""


class TemplatesChanged(Frame, tag="templates_changed"):
    """Templates the connection can see were created, edited, deleted or reordered: list them again."""

    scope: Literal["shop", "personal"]


class ComplaintUpdate(Frame, tag="complaint"):
    """To the shop's supervisors: a complaint was made or its handling changed; `id` when it answers."""

    complaint: ComplaintInfo
    id: str | None = None


class FiguresUpdate(Frame, tag="figures"):
    """To a shop's supervisors: today's figures (in total, by agent, by hour) and the queue now. Sent
    after `sync`, then at most once a second while something changes."""

    today: FiguresReport
    queue: QueueFigures


StaffClientFrame = AddNote | ListNotes | TakeOver | GetShopConfig | OrderTemplates | HandleComplaint | Rate
StaffServerFrame = StaffNote | NoteList | ShopConfig | TemplatesChanged | ComplaintUpdate | FiguresUpdate
