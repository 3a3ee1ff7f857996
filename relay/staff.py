"""The staff's own frames: internal notes and whispers, the shop's settings as one picture (with their
audit trail, pushed live after each change), the handling of complaints, and the buyer's rating of
a resolved chat.

Notes and whispers never reach a buyer: they are not messages of the conversation, are stored in
their own table and are sent to staff connections only. docs/protocol.md section 13.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from relay.calls import Calls, complaint_info
from relay.chat import Hub
from relay.clock import Clock
from relay.desk import Desk
from relay.desk_state import ConvState
from relay.sessions import Connection, Principal
from relay.store import Store
from relay.store.interface import AuditRow, CallRow, NoteRow, StoreConflict
from wire import frames as f
from wire import staff as s
from wire.codec import FrameError, encode
from wire.errors import ConflictReason, ErrorCode

if TYPE_CHECKING:
    from relay.desk_state import ShopDesk

logger = logging.getLogger(__name__)

AUDIT_SHOWN = 50
"""How many of the latest setting changes a supervisor's `shop_config` lists."""


def note_info(row: NoteRow) -> s.NoteInfo:
    return s.NoteInfo(
        note_id=row.id, conversation_id=row.conversation_id, kind=row.kind,  # type: ignore[arg-type]
        author_id=str(row.author_id), author_name=row.author_name, author_role=row.author_role,  # type: ignore[arg-type]
        text=row.text, ts=row.ts, after_seq=row.after_seq, client_msg_id=row.client_msg_id,
        to_agent_id=str(row.to_agent_id) if row.to_agent_id is not None else None,
    )


class Staff:
    """Handlers of the notes, shop config, complaint-handling and rating frames."""

    def __init__(self, store: Store, hub: Hub, desk: Desk, calls: Calls, clock: Clock) -> None:
        self._store = store
        self._hub = hub
        self._desk = desk
        self._clock = clock
        for frame_type, handler in (
            (s.AddNote, self.on_note), (s.ListNotes, self.on_notes), (s.GetShopConfig, self.on_config),
            (s.HandleComplaint, self.on_handle_complaint), (s.Rate, self.on_rate),
        ):
            hub.route(frame_type, handler)
        desk.config_listeners.append(self.settings_changed)
        calls.policy_listeners.append(self.settings_changed)
        calls.complaint_listeners.append(self._complained)

    def _staff(self, p: Principal, rid: str) -> int:
        if p.is_buyer or p.shop_id is None:
            raise FrameError(ErrorCode.FORBIDDEN, "only a shop's staff may do this", rid)
        return p.shop_id

    def _supervisor(self, p: Principal, rid: str) -> int:
        shop_id = self._staff(p, rid)
        if p.role != "supervisor":
            raise FrameError(ErrorCode.FORBIDDEN, "only supervisors may do this", rid)
        return shop_id

    # notes and whispers -----------------------------------------------------------------------

    async def on_note(self, conn: Connection, frame: s.AddNote) -> None:
        p = conn.principal
        shop_id = self._staff(p, frame.id)
        if frame.kind == "whisper":
            self._supervisor(p, frame.id)
        await self._hub.check_access(p, frame.conversation_id, frame.id)
        text = frame.text.strip()
        if not text:
            raise FrameError(ErrorCode.INVALID_FIELD, "a note needs some text", frame.id)
        holder = self._desk.assigned_agent(frame.conversation_id)
        if frame.kind == "whisper" and holder is None:
            raise FrameError(ErrorCode.CONFLICT, "nobody holds this chat to whisper to", frame.id,
                             reason=ConflictReason.UNASSIGNED)
        conversation = await self._store.get_conversation(frame.conversation_id)
        assert conversation is not None  # check_access found it
        try:
            row, duplicate = await self._store.add_note(NoteRow(
                id=0, conversation_id=frame.conversation_id, shop_id=shop_id, kind=frame.kind,
                author_id=int(p.user_id), author_name=p.display_name, author_role=p.role, text=text,
                ts=self._clock.now_ms(), after_seq=conversation.last_seq, client_msg_id=frame.client_msg_id,
                to_agent_id=holder if frame.kind == "whisper" else None,
            ))
        except StoreConflict as exc:
            raise FrameError(ErrorCode.CONFLICT, str(exc), frame.id, reason=exc.reason) from None
        info = note_info(row)
        conn.send(encode(s.StaffNote(id=frame.id, note=info, duplicate=duplicate)))
        if duplicate:
            return
        data = encode(s.StaffNote(note=info))
        # The holder may be a supervisor (after a take-over): one copy each, not two.
        readers = {str(holder)} if holder is not None else set()
        self._hub.send_to_supervisors(shop_id, data, skip_accounts={p.user_id} | readers)
        for account in readers - {p.user_id}:
            self._hub.send_to_account(account, data)
        for other in self._hub.connections_of(p.user_id):
            if other is not conn:
                other.send(data)

    async def on_notes(self, conn: Connection, frame: s.ListNotes) -> None:
        p = conn.principal
        self._staff(p, frame.id)
        await self._hub.check_access(p, frame.conversation_id, frame.id)
        rows = await self._store.list_notes(frame.conversation_id, frame.after_id, frame.limit + 1)
        conn.send(encode(s.NoteList(id=frame.id, conversation_id=frame.conversation_id,
                                    notes=[note_info(r) for r in rows[:frame.limit]],
                                    has_more=len(rows) > frame.limit)))

    # the shop's settings ----------------------------------------------------------------------

    async def config(self, shop_id: int, supervisor: bool, rid: str | None = None,
                     changed_by: str | None = None) -> s.ShopConfig:
        desk = await self._desk.shop_desk(shop_id)
        calls = await self._store.call_settings(shop_id)
        audit = await self._store.audit_log(shop_id, AUDIT_SHOWN) if supervisor else []
        return s.ShopConfig(
            id=rid, mode=desk.settings.mode, opens=desk.settings.opens,  # type: ignore[arg-type]
            closes=desk.settings.closes, timezone=desk.settings.timezone, changed_by=changed_by,
            calls=s.CallPolicyInfo(
                enabled=calls.enabled, invites_per_day=calls.invites_per_day,
                decline_cooldown_s=calls.decline_cooldown_s, activity_window_s=calls.activity_window_s,
                invite_ttl_s=calls.invite_ttl_s, max_duration_s=calls.max_duration_s,
                warning_before_s=calls.warning_before_s),
            caps=_caps(desk),
            audit=[s.AuditEntry(at=a.at, actor_id=str(a.actor_id), actor_name=a.actor_name, setting=a.setting,
                                old=a.old, new=a.new) for a in audit],
        )

    async def on_config(self, conn: Connection, frame: s.GetShopConfig) -> None:
        p = conn.principal
        shop_id = self._staff(p, frame.id)
        conn.send(encode(await self.config(shop_id, p.role == "supervisor", frame.id)))

    def settings_changed(self, shop_id: int, p: Principal, changes: list[tuple[str, str, str]]) -> None:
        """Audit a supervisor's change of the shop's settings or templates, and push the new settings."""
        if changes:
            self._desk.spawn(self._announce_config(shop_id, p, changes))

    async def _announce_config(self, shop_id: int, p: Principal, changes: list[tuple[str, str, str]]) -> None:
        now = self._clock.now_ms()
        await self._store.record_audit([AuditRow(shop_id, now, int(p.user_id), p.display_name, name, old, new)
                                        for name, old, new in changes])
        logger.info("shop %d settings changed by %s: %s", shop_id, p.user_id,
                    ", ".join(f"{n} {o} -> {v}" for n, o, v in changes))
        self._hub.send_to_shop(shop_id, encode(await self.config(shop_id, False, changed_by=p.display_name)))

    # complaints -------------------------------------------------------------------------------

    def _complained(self, row: CallRow) -> None:
        self._hub.send_to_supervisors(row.shop_id, encode(s.ComplaintUpdate(complaint=complaint_info(row))))

    async def on_handle_complaint(self, conn: Connection, frame: s.HandleComplaint) -> None:
        p = conn.principal
        shop_id = self._supervisor(p, frame.id)
        row = await self._store.get_call(frame.call_id)
        if row is None or row.shop_id != shop_id or row.complaint is None:
            raise FrameError(ErrorCode.NOT_FOUND, f"no complaint on call {frame.call_id}", frame.id)
        handled_at = self._clock.now_ms() if frame.handled else None
        fields: dict[str, int | str | None] = {
            "handled_at": handled_at, "handled_by": p.display_name if frame.handled else None,
            "handled_note": frame.note.strip(),
        }
        await self._store.update_call(row.id, **fields)
        stored = await self._store.get_call(row.id)
        assert stored is not None
        info = complaint_info(stored)
        conn.send(encode(s.ComplaintUpdate(id=frame.id, complaint=info)))
        self._hub.send_to_supervisors(shop_id, encode(s.ComplaintUpdate(complaint=info)), skip_accounts={p.user_id})
        for other in self._hub.connections_of(p.user_id):
            if other is not conn:
                other.send(encode(s.ComplaintUpdate(complaint=info)))

    # ratings ----------------------------------------------------------------------------------

    async def on_rate(self, conn: Connection, frame: s.Rate) -> None:
        p = conn.principal
        if not p.is_buyer:
            raise FrameError(ErrorCode.FORBIDDEN, "only the buyer rates a chat", frame.id)
        await self._hub.check_access(p, frame.conversation_id, frame.id)
        state = await self._state(frame.conversation_id)
        session = state.session if state.session is not None and state.session.id == frame.session_id else (
            await self._store.get_session(frame.session_id))
        if session is None or session.conversation_id != frame.conversation_id:
            raise FrameError(ErrorCode.NOT_FOUND, f"no chat {frame.session_id} in this conversation", frame.id)
        if session.rating is not None:
            raise FrameError(ErrorCode.CONFLICT, "this chat was already rated", frame.id,
                             reason=ConflictReason.ALREADY_RATED)
        if session.close_reason != "resolved":
            raise FrameError(ErrorCode.CONFLICT, "only a resolved chat is rated", frame.id,
                             reason=ConflictReason.NOT_RESOLVED)
        comment = frame.comment.strip() if frame.stars is not None else ""
        await self._desk.facts.rated(session, state, frame.stars, comment, self._clock.now_ms())
        conn.send(encode(f.Ok(id=frame.id)))
        if frame.stars is not None:
            await self._desk.post_system(state, "rated", {"stars": str(frame.stars), "comment": comment},
                                         also=session.agent_id)

    async def _state(self, conversation_id: int) -> ConvState:
        state = self._desk.state(conversation_id)
        if state is None:
            row = await self._store.get_conversation(conversation_id)
            assert row is not None  # check_access found it
            state = await self._desk.conversation(row)
        return state


def _caps(desk: ShopDesk) -> list[s.AgentCap]:
    return [s.AgentCap(agent_id=str(slot.account_id), name=desk.names.get(slot.account_id, ""), cap=slot.cap)
            for slot in sorted(desk.router.agents.values(), key=lambda a: a.account_id) if slot.takes_queue]
