"""Whether an agent may invite the buyer of a conversation to a video call now, and if not, why.

Checked in this order, so that an agent learns the reason that matters: an agent asks, in their
shop's conversation (another shop's is forbidden), calls are switched on for the shop, the buyer
has not blocked it, the buyer started the conversation, it was active lately, it is assigned to
this agent, no other call of the chat or the agent is being set up or running, the daily limit,
and the cooldown after a decline. `call_check` asks without inviting; `call_invite` is refused
for the same reasons. A mixin of `Calls`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from wire import frames as f
from wire.codec import FrameError, encode
from wire.errors import ErrorCode

if TYPE_CHECKING:
    from relay.chat import Hub
    from relay.clock import Clock
    from relay.desk import Desk
    from relay.sessions import Connection, Principal
    from relay.store import Store
    from relay.store.interface import CallSettingsRow


class CallsPolicy:
    """Mixin of `Calls` (which provides the attributes declared here)."""

    if TYPE_CHECKING:
        _store: Store
        _hub: Hub
        _desk: Desk
        _clock: Clock

        async def settings(self, shop_id: int) -> CallSettingsRow: ...
        def _busy(self, conversation_id: int, agent_id: int) -> bool: ...

    async def _refusal(
        self, p: Principal, conversation_id: int, rid: str
    ) -> tuple[ErrorCode, str, float | None] | None:
        """Why an invitation may not be sent now, or None. Raises FrameError for access problems."""
        if p.role != "agent":
            raise FrameError(ErrorCode.FORBIDDEN, "only the chat's agent invites to a video call", rid)
        # The shop's own conversation first (another shop's is forbidden, whether it exists or not); the
        # policy's answers come before "assigned to you" so that an agent learns why, e.g. after a chat closed.
        shop_id, buyer_id = await self._hub.check_access(p, conversation_id, rid)
        s = await self.settings(shop_id)
        if not s.enabled:
            return ErrorCode.CALLS_OFF, "video invitations are switched off for this shop", None
        now = self._clock.now_ms()
        desk = await self._desk.shop_desk(shop_id)
        day_start = datetime.fromtimestamp(now / 1000, ZoneInfo(desk.settings.timezone)).replace(
            hour=0, minute=0, second=0, microsecond=0)
        facts = await self._store.call_facts(conversation_id, shop_id, buyer_id, int(day_start.timestamp() * 1000))
        if facts.blocked:
            return ErrorCode.CALL_BLOCKED, "the buyer chose not to receive video invitations from this shop", None
        if not facts.buyer_wrote:
            return ErrorCode.CALL_NOT_STARTED, "the buyer has not written in this conversation", None
        if facts.last_human_at is None or now - facts.last_human_at > s.activity_window_s * 1000:
            return (ErrorCode.CALL_INACTIVE,
                    f"the conversation has been silent for more than {s.activity_window_s // 60} minutes", None)
        await self._hub.check_access(p, conversation_id, rid, write=True)  # the chat is assigned to this agent
        if self._busy(conversation_id, int(p.user_id)):
            return ErrorCode.CALL_BUSY, "a call is already being set up or running", None
        if facts.invites_today >= s.invites_per_day:
            return ErrorCode.CALL_DAILY_LIMIT, f"at most {s.invites_per_day} invitations a day to one buyer", None
        if facts.last_decline_at is not None:
            wait = (facts.last_decline_at + s.decline_cooldown_s * 1000 - now) / 1000
            if wait > 0:
                return ErrorCode.CALL_COOLDOWN, "the buyer declined an invitation a moment ago", round(wait, 1)
        return None

    async def on_check(self, conn: Connection, frame: f.CheckCall) -> None:
        refusal = await self._refusal(conn.principal, frame.conversation_id, frame.id)
        if refusal is None:
            conn.send(encode(f.CallAllowed(id=frame.id, conversation_id=frame.conversation_id, allowed=True)))
            return
        code, message, retry_after = refusal
        conn.send(encode(f.CallAllowed(id=frame.id, conversation_id=frame.conversation_id, allowed=False, code=code,
                                       message=message, retry_after=retry_after)))
