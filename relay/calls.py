"""Video explanations: the invitation policy, the call's life, signalling between its two parties, records.

Nobody is called who did not ask. An agent can only *invite*, in a conversation the buyer started
and that was active lately, a limited number of times a day, never inside the cooldown after a
decline, never a buyer who blocked the shop, and only if the shop has calls switched on. Every
refusal is an error frame to the agent and nothing reaches the buyer. The buyer accepts (camera
off), declines, or declines and blocks; only the buyer can lift that block again. The relay
carries offer, answer and ICE candidates only between the two parties of an accepted call, never
sees the media (DTLS-SRTP peer to peer), ends calls at the shop's duration limit, and keeps the
records the supervisors' figures need (invited, delivered to the buyer's page, answered,
connected, ended by whom and why, duration, complaint).
docs/protocol.md section 12 is the reference. Whether an invitation may be sent now is the mixin
`relay.calls_policy`; a buyer's blocks, the policy supervisors set and the ICE servers are the
mixin `relay.calls_admin`; ending the calls of a relay that stops or restarted is the mixin
`relay.calls_restart`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from relay.calls_admin import CallsAdmin
from relay.calls_live import LiveCall
from relay.calls_policy import CallsPolicy
from relay.calls_restart import CallsRestart
from relay.chat import Hub
from relay.clock import Clock
from relay.config import RelayConfig
from relay.desk import Desk
from relay.metrics import rules
from relay.sessions import Connection, Principal
from relay.store import Store
from relay.store.interface import CallRow, CallSettingsRow
from wire import figures as w
from wire import frames as f
from wire.codec import FrameError, encode
from wire.errors import ErrorCode

logger = logging.getLogger(__name__)

ABSENCE_GRACE_S = 15.0
"""A party with no connection this long during a call ends it (its page or workstation is gone)."""
CONNECT_TIMEOUT_S = 60.0
"""An accepted call whose media never flows is ended after this long."""
RECENT_CALLS_MS = 24 * 3600 * 1000
"""How far back a (re)connecting party is told its calls' outcomes."""


def call_info(row: CallRow) -> f.CallInfo:
    """The wire form of a call."""
    return f.CallInfo(
        call_id=row.id, conversation_id=row.conversation_id, agent_id=str(row.agent_id), agent_name=row.agent_name,
        buyer_id=row.buyer_id, buyer_name=row.buyer_name, reason=row.reason, state=row.state,  # type: ignore[arg-type]
        invited_at=row.invited_at, expires_at=row.expires_at, max_duration_s=row.max_duration_s,
        audio_only=row.audio_only, delivered_at=row.delivered_at, answered_at=row.answered_at,
        connected_at=row.connected_at, ended_at=row.ended_at, ended_by=row.ended_by, end_reason=row.end_reason,
        duration_s=row.duration_s, complaint=row.complaint,  # type: ignore[arg-type]
    )


def complaint_info(row: CallRow) -> w.ComplaintInfo:
    """The wire form of a call's complaint (the call must have one)."""
    return w.ComplaintInfo(
        call_id=row.id, conversation_id=row.conversation_id, buyer_id=row.buyer_id, buyer_name=row.buyer_name,
        agent_id=str(row.agent_id), agent_name=row.agent_name, reason=row.complaint or "other",
        text=row.complaint_text or "", at=row.complaint_at or row.invited_at, invited_at=row.invited_at,
        duration_s=row.duration_s, handled_at=row.handled_at, handled_by=row.handled_by,
        handled_note=row.handled_note,
    )


class Calls(CallsPolicy, CallsAdmin, CallsRestart):
    """Handlers of the call frames, and every open call's timers."""

    def __init__(self, store: Store, hub: Hub, desk: Desk, clock: Clock, config: RelayConfig) -> None:
        self._store = store
        self._hub = hub
        self._desk = desk
        self._clock = clock
        self._config = config
        self._live: dict[str, LiveCall] = {}
        self._settings: dict[int, CallSettingsRow] = {}
        for frame_type, handler in (
            (f.CheckCall, self.on_check), (f.InviteCall, self.on_invite), (f.AnswerCall, self.on_answer),
            (f.SignalCall, self.on_signal), (f.CallMedia, self.on_media), (f.HangUp, self.on_hangup),
            (f.Complain, self.on_complaint), (f.CallSettings, self.on_settings), (f.GetIceServers, self.on_ice),
            (f.GetCallBlocks, self.on_blocks), (f.UnblockCalls, self.on_unblock),
        ):
            hub.route(frame_type, handler)
        hub.synced_listeners.append(self._on_synced)
        hub.gone_listeners.append(self._on_gone)
        self.complaint_listeners: list[Callable[[CallRow], None]] = []
        """Told of each new complaint (its call record), after it is stored."""
        self.policy_listeners: list[Callable[[int, Principal, list[tuple[str, str, str]]], None]] = []
        """Told (shop id, who, [(setting, old, new)]) after a supervisor changed the shop's call policy."""

    # start and stop ---------------------------------------------------------------------------

    async def close(self) -> None:
        for live in self._live.values():
            live.cancel()

    def _later(self, coro: Any) -> None:
        self._desk.spawn(coro)

    async def settings(self, shop_id: int) -> CallSettingsRow:
        cached = self._settings.get(shop_id)
        if cached is None:
            cached = self._settings[shop_id] = await self._store.call_settings(shop_id)
        return cached

    # the call's life --------------------------------------------------------------------------

    async def on_invite(self, conn: Connection, frame: f.InviteCall) -> None:
        p = conn.principal
        refusal = await self._refusal(p, frame.conversation_id, frame.id)
        if refusal is not None:
            code, message, retry_after = refusal
            raise FrameError(code, message, frame.id, retry_after)
        conv = await self._store.get_conversation(frame.conversation_id)
        assert conv is not None and p.shop_id is not None
        s = await self.settings(p.shop_id)
        if self._busy(conv.id, int(p.user_id)):
            # Another invitation (the agent's other workstation) was reserved while this one read: the
            # reads above really wait on PostgreSQL. No await from here to the reservation below.
            raise FrameError(ErrorCode.CALL_BUSY, "a call is already being set up or running", frame.id)
        now = self._clock.now_ms()
        reason = frame.reason.strip() or ("语音讲解" if frame.audio_only else "视频讲解")
        row = CallRow(
            id=f"call-{uuid.uuid4().hex[:12]}", shop_id=p.shop_id, conversation_id=conv.id, agent_id=int(p.user_id),
            agent_name=p.display_name, buyer_id=conv.buyer_id, buyer_name=conv.buyer_name, reason=reason,
            state="invited", invited_at=now, expires_at=now + s.invite_ttl_s * 1000, max_duration_s=s.max_duration_s,
            audio_only=frame.audio_only, hour=rules.hour_start(now, self._desk.timezone(p.shop_id)),
        )
        card = f.CallCard(call_id=row.id, agent_name=row.agent_name, reason=reason, expires_at=row.expires_at,
                          audio_only=frame.audio_only)
        live = self._live[row.id] = LiveCall(row, agent_conn=conn, stored=False)  # before any await: busy at once
        try:
            result = await self._store.append_message(
                conv.id, "agent", p.user_id, p.display_name, row.id,
                f"[{'语音' if frame.audio_only else '视频'}讲解邀请] {reason}", now,
                kind="card", card_json=encode(card).decode(), new_call=row,
            )
        except BaseException:
            self._live.pop(row.id, None)
            raise
        live.stored = True
        self._desk.book.call_changed(None, row)
        self._hub.publish(result.message, (conv.shop_id, conv.buyer_id))
        if any(c.principal.is_buyer and not c.closed
               for c in self._hub.audience_of_call(row.shop_id, row.buyer_id, str(row.agent_id))):
            self._delivered(live)  # the card went to the buyer's page just now; else at the buyer's sync
        self._desk.spawn(self._desk.on_agent_message(conv.id, int(p.user_id), now))  # a human reply, too
        self._arm_expiry(live)
        self._announce(live.row, conn, frame.id)
        logger.info("call %s invited in conversation %d", row.id, conv.id)

    async def on_answer(self, conn: Connection, frame: f.AnswerCall) -> None:
        live = self._party(conn, frame.call_id, frame.id, "buyer")
        if live.row.state != "invited":
            raise FrameError(ErrorCode.CALL_STATE, f"the invitation is {live.row.state}", frame.id)
        now = self._clock.now_ms()
        live.cancel("expiry")
        if frame.decision == "accept":
            await self._change(live, state="accepted", answered_at=now,
                               audio_only=frame.audio_only or live.row.audio_only)
            self._arm_connect(live)
            self._announce(live.row, conn, frame.id)
            return
        if frame.decision == "block":
            await self._store.block_calls(live.row.shop_id, live.row.buyer_id, now)
        await self._change(live, state="declined", answered_at=now, ended_at=now)
        self._finish(live)
        self._announce(live.row, conn, frame.id)
        await self._system(live.row.conversation_id, "call_blocked" if frame.decision == "block" else "call_declined")

    async def on_signal(self, conn: Connection, frame: f.SignalCall) -> None:
        side = "agent" if not conn.principal.is_buyer else "buyer"
        live = self._party(conn, frame.call_id, frame.id, side)
        if live.row.state not in ("accepted", "connected"):
            raise FrameError(ErrorCode.CALL_STATE, f"the call is {live.row.state}", frame.id)
        if (frame.kind == "offer" and side != "agent") or (frame.kind == "answer" and side != "buyer"):
            raise FrameError(ErrorCode.INVALID_FIELD, f"the {side} does not send an {frame.kind}", frame.id)
        if frame.kind in ("offer", "answer") and not frame.sdp:
            raise FrameError(ErrorCode.INVALID_FIELD, f"an {frame.kind} needs `sdp`", frame.id)
        if frame.kind == "candidate" and frame.candidate is None:
            raise FrameError(ErrorCode.INVALID_FIELD, "a candidate frame needs `candidate`", frame.id)
        data = encode(f.RelayedSignal(call_id=frame.call_id, kind=frame.kind, sdp=frame.sdp, candidate=frame.candidate))
        if side == "agent":
            self._hub.send_to_buyer(live.row.buyer_id, data)
        elif live.agent_conn is not None and not live.agent_conn.closed:
            live.agent_conn.send(data)
        conn.send(encode(f.Ok(id=frame.id)))

    async def on_media(self, conn: Connection, frame: f.CallMedia) -> None:
        side = "agent" if not conn.principal.is_buyer else "buyer"
        live = self._party(conn, frame.call_id, frame.id, side)
        if live.row.state == "accepted":
            await self.settings(live.row.shop_id)
            live.cancel("connect")
            await self._change(live, state="connected", connected_at=self._clock.now_ms())
            self._arm_duration(live)
            self._announce(live.row)
            await self._system(live.row.conversation_id, "call_connected")
        elif live.row.state != "connected":
            raise FrameError(ErrorCode.CALL_STATE, f"the call is {live.row.state}", frame.id)
        conn.send(encode(f.Ok(id=frame.id)))

    async def on_hangup(self, conn: Connection, frame: f.HangUp) -> None:
        side = "agent" if not conn.principal.is_buyer else "buyer"
        live = self._party(conn, frame.call_id, frame.id, side)
        if live.row.state == "invited" and side == "agent":
            now = self._clock.now_ms()
            await self._change(live, state="cancelled", ended_at=now, ended_by="agent", end_reason="withdrawn")
            self._finish(live)
            self._announce(live.row, conn, frame.id)
            await self._system(live.row.conversation_id, "call_cancelled")
            return
        if live.row.state not in ("accepted", "connected"):
            raise FrameError(ErrorCode.CALL_STATE, f"the call is {live.row.state}", frame.id)
        await self._end(live.row.id, side, "hangup", conn, frame.id)

    async def _end(self, call_id: str, by: str, reason: str, conn: Connection | None = None,
                   rid: str | None = None) -> None:
        """End an accepted or connected call (hang-up, duration limit, a party gone, media never came)."""
        live = self._live.get(call_id)
        if live is None or live.row.state not in ("accepted", "connected"):
            return
        now = self._clock.now_ms()
        connected = live.row.connected_at
        duration = (now - connected) // 1000 if connected is not None else 0
        await self._change(live, state="ended", ended_at=now, ended_by=by, end_reason=reason, duration_s=duration)
        self._finish(live)
        self._announce(live.row, conn, rid)
        await self._system(live.row.conversation_id, "call_ended", duration_s=str(duration))
        logger.info("call %s ended by %s (%s) after %d s", call_id, by, reason, duration)

    async def on_complaint(self, conn: Connection, frame: f.Complain) -> None:
        p = conn.principal
        if not p.is_buyer:
            raise FrameError(ErrorCode.FORBIDDEN, "only the buyer of a call complains about it", frame.id)
        live = self._live.get(frame.call_id)
        row = live.row if live is not None else await self._store.get_call(frame.call_id)
        if row is None or row.buyer_id != p.user_id:
            raise FrameError(ErrorCode.NOT_FOUND, f"no call {frame.call_id}", frame.id)
        if row.answered_at is None or row.state in ("declined", "invited", "expired", "cancelled"):
            raise FrameError(ErrorCode.CALL_STATE, "only a call that was accepted can be complained about", frame.id)
        if row.complaint is not None:
            raise FrameError(ErrorCode.CONFLICT, "this call already has a complaint", frame.id)
        now = self._clock.now_ms()
        fields: dict[str, Any] = {"complaint": frame.reason, "complaint_text": frame.text.strip(), "complaint_at": now}
        await self._store.update_call(row.id, **fields)
        old, row = row, replace(row, **fields)
        if live is not None:
            live.row = row
        self._desk.book.call_changed(old, row)
        self._announce(row, conn, frame.id)
        for listener in self.complaint_listeners:
            listener(row)
        await self._system(row.conversation_id, "call_complaint", reason=frame.reason)
        logger.info("complaint on call %s: %s", row.id, frame.reason)

    # helpers ----------------------------------------------------------------------------------

    def _busy(self, conversation_id: int, agent_id: int) -> bool:
        """Whether a call of the conversation, or of the agent, is being set up or running."""
        return any(c.row.conversation_id == conversation_id or c.row.agent_id == agent_id for c in self._live.values())

    def _party(self, conn: Connection, call_id: str, rid: str, side: str) -> LiveCall:
        """The open call `call_id` if the connection's principal is its `side`; errors say which rule failed.

        The agent's connection that speaks for the call becomes the one that owns it (the
        workstation that invited, back after a dropped socket: it re-announces with `call_media`)."""
        p = conn.principal
        live = self._live.get(call_id)
        if live is None:
            raise FrameError(ErrorCode.NOT_FOUND, f"no open call {call_id}", rid)
        row = live.row
        mine = (p.is_buyer and row.buyer_id == p.user_id) or (
            not p.is_buyer and p.shop_id == row.shop_id and p.user_id == str(row.agent_id))
        if not mine:
            raise FrameError(ErrorCode.FORBIDDEN, "you are not a party of this call", rid)
        if (side == "buyer") != p.is_buyer:
            raise FrameError(ErrorCode.FORBIDDEN, f"only the {side} does this", rid)
        if side == "agent" and live.agent_conn is not conn:
            live.agent_conn = conn
            live.cancel("gone_agent")
        return live

    async def _change(self, live: LiveCall, **fields: Any) -> None:
        old = live.row
        live.row = replace(old, **fields)
        self._desk.book.call_changed(old, live.row)
        await self._store.update_call(old.id, **fields)

    def _finish(self, live: LiveCall) -> None:
        live.cancel()
        self._live.pop(live.row.id, None)

    def _announce(self, row: CallRow, conn: Connection | None = None, rid: str | None = None,
                  skip: Connection | None = None) -> None:
        """The call's state to both parties and the shop's supervisors; the request's own answer carries its id.
        `skip`: a connection that was just sent the call's state."""
        info = call_info(row)
        data = encode(f.CallUpdate(call=info))
        self._hub.send_to_call_audience(row.shop_id, row.buyer_id, str(row.agent_id), data, skip=(conn, skip))
        if conn is not None:
            conn.send(encode(f.CallUpdate(call=info, id=rid)))

    def _delivered(self, live: LiveCall) -> bool:
        """A connection of the buyer was just handed the pending invitation (its card live, or its `call`
        frame at the buyer's sync): the first time, record when. True if the record changed (the caller
        tells the others). Persisted in the background: the frames that carry it are already on their way."""
        row = live.row
        if row.delivered_at is not None or row.state != "invited":
            return False
        now = self._clock.now_ms()
        live.row = replace(row, delivered_at=now)
        if live.stored:
            self._desk.book.call_changed(row, live.row)
        self._later(self._store.update_call(row.id, delivered_at=now))
        logger.info("call %s delivered to the buyer", row.id)
        return True

    async def _system(self, conversation_id: int, event: str, **values: str) -> None:
        state = self._desk.state(conversation_id)
        if state is None:
            conv = await self._store.get_conversation(conversation_id)
            if conv is None:
                return
            state = await self._desk.conversation(conv)
        await self._desk.post_system(state, event, values)

    # timers -----------------------------------------------------------------------------------

    def _arm_connect(self, live: LiveCall) -> None:
        call_id = live.row.id
        live.timers["connect"] = self._clock.call_later(
            CONNECT_TIMEOUT_S, lambda: self._later(self._end(call_id, "relay", "not_connected")))

    def _arm_expiry(self, live: LiveCall) -> None:
        left = (live.row.expires_at - self._clock.now_ms()) / 1000
        live.timers["expiry"] = self._clock.call_later(max(0.0, left), lambda: self._later(self._expire(live.row.id)))

    async def _expire(self, call_id: str) -> None:
        live = self._live.get(call_id)
        if live is None or live.row.state != "invited":
            return
        await self._change(live, state="expired", ended_at=self._clock.now_ms(), end_reason="expired")
        self._finish(live)
        self._announce(live.row)
        await self._system(live.row.conversation_id, "call_expired")

    def _arm_duration(self, live: LiveCall) -> None:
        row = live.row
        assert row.connected_at is not None
        elapsed = (self._clock.now_ms() - row.connected_at) / 1000
        s_left = row.max_duration_s - elapsed
        warning = self._settings.get(row.shop_id, CallSettingsRow(row.shop_id)).warning_before_s
        if warning and s_left > warning:
            live.timers["warning"] = self._clock.call_later(s_left - warning, lambda: self._notice(row.id, warning))
        live.timers["limit"] = self._clock.call_later(max(0.0, s_left), lambda: self._later(
            self._end(row.id, "relay", "duration_limit")))

    def _notice(self, call_id: str, remaining_s: int) -> None:
        live = self._live.get(call_id)
        if live is None:
            return
        data = encode(f.CallNotice(call_id=call_id, remaining_s=remaining_s))
        self._hub.send_to_buyer(live.row.buyer_id, data)
        self._hub.send_to_account(str(live.row.agent_id), data)

    def _present(self, live: LiveCall, side: str) -> bool:
        """The buyer: any connection of theirs. The agent: the connection that owns the call's media."""
        if side == "buyer":
            return self._hub.online("buyer", live.row.buyer_id)
        return live.agent_conn is not None and not live.agent_conn.closed

    def _arm_absence(self, live: LiveCall, side: str) -> None:
        row = live.row
        if self._present(live, side) or f"gone_{side}" in live.timers:
            return
        live.timers[f"gone_{side}"] = self._clock.call_later(ABSENCE_GRACE_S, lambda: self._gone_too_long(row.id, side))

    def _gone_too_long(self, call_id: str, side: str) -> None:
        live = self._live.get(call_id)
        if live is None:
            return
        live.timers.pop(f"gone_{side}", None)
        row = live.row
        if self._present(live, side):
            return
        if row.state == "invited" and side == "agent":
            self._later(self._withdraw(call_id))
        elif row.state in ("accepted", "connected"):
            self._later(self._end(call_id, side, "disconnected"))

    async def _withdraw(self, call_id: str) -> None:
        live = self._live.get(call_id)
        if live is None or live.row.state != "invited":
            return
        await self._change(live, state="cancelled", ended_at=self._clock.now_ms(), ended_by="agent",
                           end_reason="disconnected")
        self._finish(live)
        self._announce(live.row)
        await self._system(live.row.conversation_id, "call_cancelled")

    def _on_gone(self, conn: Connection) -> None:
        if not self._desk.leading:  # the leader keeps the calls (relay.cluster)
            return
        p = conn.principal
        for live in list(self._live.values()):
            if p.is_buyer and live.row.buyer_id == p.user_id:
                self._arm_absence(live, "buyer")
            elif live.agent_conn is conn:
                self._arm_absence(live, "agent")

    def _on_synced(self, conn: Connection) -> None:
        """A party is back (or new): cancel its absence timer and tell it its calls of the last day
        (the open ones, and how the recent ones ended, so a reloaded chat shows each card's outcome).
        A buyer who was away when invited gets the invitation now: that is when it is delivered."""
        if not self._desk.leading:  # the leader keeps the calls and tells the buyer (relay.cluster)
            return
        p = conn.principal
        sent: set[str] = set()
        for live in self._live.values():
            if not live.stored:
                continue  # its card and `call` frame come as soon as it is stored
            row = live.row
            side = "buyer" if p.is_buyer and row.buyer_id == p.user_id else (
                "agent" if not p.is_buyer and p.user_id == str(row.agent_id) else None)
            if side is None and not (p.role == "supervisor" and p.shop_id == row.shop_id):
                continue
            delivered = False
            if side == "buyer":  # a buyer's page is back; an agent is back only by speaking for the call
                live.cancel("gone_buyer")
                delivered = not conn.closed and self._delivered(live)  # an invitation sent while they were away
            conn.send(encode(f.CallUpdate(call=call_info(live.row))))
            if delivered:
                self._announce(live.row, skip=conn)
            sent.add(row.id)
        if p.role != "supervisor":
            self._desk.spawn(self._send_recent(conn, sent))

    async def _send_recent(self, conn: Connection, sent: set[str]) -> None:
        p = conn.principal
        since = self._clock.now_ms() - RECENT_CALLS_MS
        rows = await (self._store.recent_calls(buyer_id=p.user_id, since_ms=since) if p.is_buyer
                      else self._store.recent_calls(agent_id=int(p.user_id), since_ms=since))
        for row in rows:
            if row.id not in sent and row.id not in self._live:
                conn.send(encode(f.CallUpdate(call=call_info(row))))
