"""The calls' settings and a buyer's blocks: a buyer lists and lifts their own blocks of shops'
invitations, a supervisor sets the shop's call policy (audited), and each party gets the ICE
servers to use (STUN, and TURN with short-lived coturn credentials). A mixin of `Calls`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from wire import frames as f
from wire.codec import FrameError, encode
from wire.errors import ErrorCode

if TYPE_CHECKING:
    from relay.chat import Hub
    from relay.clock import Clock
    from relay.config import RelayConfig
    from relay.sessions import Connection, Principal
    from relay.store import Store
    from relay.store.interface import CallSettingsRow

logger = logging.getLogger(__name__)


def turn_credentials(secret: str, user_id: str, now_s: int, ttl_s: int) -> tuple[str, str]:
    """coturn's `use-auth-secret` (TURN REST) credentials: (username, credential), valid `ttl_s`."""
    username = f"{now_s + ttl_s}:{user_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


class CallsAdmin:
    """Mixin of `Calls` (which provides the attributes declared here)."""

    if TYPE_CHECKING:
        _store: Store
        _hub: Hub
        _clock: Clock
        _config: RelayConfig
        _settings: dict[int, CallSettingsRow]
        policy_listeners: list[Callable[[int, Principal, list[tuple[str, str, str]]], None]]

        async def settings(self, shop_id: int) -> CallSettingsRow: ...
        async def _system(self, conversation_id: int, event: str, **values: str) -> None: ...

    # the buyer's blocks ----------------------------------------------------------------------

    async def on_blocks(self, conn: Connection, frame: f.GetCallBlocks) -> None:
        if not conn.principal.is_buyer:
            raise FrameError(ErrorCode.FORBIDDEN, "only buyers block shops' video invitations", frame.id)
        conn.send(encode(await self._blocks(conn.principal.user_id, frame.id)))

    async def on_unblock(self, conn: Connection, frame: f.UnblockCalls) -> None:
        """The buyer lifts their own block of the conversation's shop: nobody else can, not the shop's staff
        (the block is the buyer's word), not another buyer (the conversation is not theirs to name)."""
        p = conn.principal
        if not p.is_buyer:
            raise FrameError(ErrorCode.FORBIDDEN, "only the buyer lifts their block of a shop's video invitations",
                             frame.id)
        shop_id, _ = await self._hub.check_access(p, frame.conversation_id, frame.id)  # their own conversation
        buyer_id = p.user_id  # whatever is named, only the caller's own block can go
        now = self._clock.now_ms()
        blocked_at = await self._store.unblock_calls(shop_id, buyer_id, frame.conversation_id, now)
        conn.send(encode(await self._blocks(buyer_id, frame.id)))
        if blocked_at is None:
            return  # nothing was blocked: nothing changed, nothing to tell
        logger.info("buyer %s lifted their block of shop %d's video invitations", buyer_id, shop_id)
        # Both sides of the chat read it; the agent's workstation asks `call_check` again at a new message.
        await self._system(frame.conversation_id, "call_unblocked")

    async def _blocks(self, buyer_id: str, rid: str) -> f.CallBlocks:
        rows = await self._store.call_blocks(buyer_id)
        return f.CallBlocks(id=rid, blocks=[
            f.CallBlock(conversation_id=r.conversation_id, shop=r.shop, blocked_at=r.at) for r in rows])

    # supervisors and ICE ----------------------------------------------------------------------

    async def on_settings(self, conn: Connection, frame: f.CallSettings) -> None:
        p = conn.principal
        if p.role != "supervisor" or p.shop_id is None:
            raise FrameError(ErrorCode.FORBIDDEN, "only supervisors change the shop's call policy", frame.id)
        current = await self.settings(p.shop_id)
        changes = {name: getattr(frame, name) for name in (
            "enabled", "invites_per_day", "decline_cooldown_s", "activity_window_s", "invite_ttl_s", "max_duration_s",
            "warning_before_s") if getattr(frame, name) is not None}
        new = replace(current, **changes)
        if new.warning_before_s >= new.max_duration_s:
            raise FrameError(ErrorCode.INVALID_FIELD, "the warning must come before the end of the call", frame.id)
        await self._store.save_call_settings(new)
        self._settings[p.shop_id] = new
        changed = [(f"calls.{name}", str(getattr(current, name)), str(getattr(new, name)))
                   for name in changes if getattr(current, name) != getattr(new, name)]
        for listener in self.policy_listeners:
            listener(p.shop_id, p, changed)
        conn.send(encode(f.CallPolicy(
            id=frame.id, enabled=new.enabled, invites_per_day=new.invites_per_day,
            decline_cooldown_s=new.decline_cooldown_s, activity_window_s=new.activity_window_s,
            invite_ttl_s=new.invite_ttl_s, max_duration_s=new.max_duration_s, warning_before_s=new.warning_before_s)))

    async def on_ice(self, conn: Connection, frame: f.GetIceServers) -> None:
        servers: list[f.IceServer] = []
        ttl = 0
        stun = [u for u in self._config.ice_servers if u.startswith(("stun:", "stuns:"))]
        turn = [u for u in self._config.ice_servers if u.startswith(("turn:", "turns:"))]
        if stun:
            servers.append(f.IceServer(urls=stun))
        if turn and self._config.turn_secret:
            ttl = self._config.turn_ttl_s
            username, credential = turn_credentials(self._config.turn_secret, conn.principal.user_id,
                                                    self._clock.now_ms() // 1000, ttl)
            servers.append(f.IceServer(urls=turn, username=username, credential=credential))
        conn.send(encode(f.IceServers(id=frame.id, servers=servers, ttl_s=ttl)))
