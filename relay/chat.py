"""Chat: who may see which conversation, storing messages, and delivering them live.

Until routing lands, every online agent of a shop sees every conversation of the shop; a buyer
sees their own conversations with any shop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from relay.clock import Clock
from relay.sessions import Connection, Principal
from relay.store import AppendResult, ConversationRow, MessageRow, Store, StoreConflict, StoreUnavailable
from wire import frames as f
from wire.codec import FrameError, encode
from wire.errors import ErrorCode

logger = logging.getLogger(__name__)

CATCH_UP_PAGE = 500
_NOT_STORED = "message not stored; retry with the same client_msg_id"


def message_frame(row: MessageRow) -> f.Message:
    """The wire form of a stored message."""
    return f.Message(
        conversation_id=row.conversation_id,
        seq=row.seq,
        client_msg_id=row.client_msg_id,
        sender=f.Sender(kind=row.sender_kind, id=row.sender_id, name=row.sender_name),
        text=row.text,
        ts=row.ts,
    )


def conversation_info(row: ConversationRow) -> f.ConversationInfo:
    """The wire form of a conversation."""
    return f.ConversationInfo(
        conversation_id=row.id,
        shop=row.shop_slug,
        shop_name=row.shop_name,
        buyer_id=row.buyer_id,
        buyer_name=row.buyer_name,
        last_seq=row.last_seq,
        buyer_read_seq=row.buyer_read_seq,
        agent_read_seq=row.agent_read_seq,
        created_at=row.created_at,
    )


class Hub:
    """Live connections by shop and by buyer, and the handlers of chat frames."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._agents: dict[int, set[Connection]] = {}
        self._buyers: dict[str, set[Connection]] = {}
        # (shop_id, buyer_id) of each conversation: never changes, so it is cached for good.
        self._owners: dict[int, tuple[int, str]] = {}

    # registry -------------------------------------------------------------------------------

    def connections(self) -> Iterable[Connection]:
        for group in (*self._agents.values(), *self._buyers.values()):
            yield from group

    def count(self) -> int:
        return sum(len(g) for g in (*self._agents.values(), *self._buyers.values()))

    def _group(self, principal: Principal) -> tuple[dict[object, set[Connection]], object]:
        if principal.is_buyer:
            return self._buyers, principal.user_id  # type: ignore[return-value]
        assert principal.shop_id is not None
        return self._agents, principal.shop_id  # type: ignore[return-value]

    def register(self, conn: Connection) -> None:
        groups, key = self._group(conn.principal)
        groups.setdefault(key, set()).add(conn)

    def unregister(self, conn: Connection) -> None:
        groups, key = self._group(conn.principal)
        group = groups.get(key)
        if group is not None:
            group.discard(conn)
            if not group:
                del groups[key]

    # access ---------------------------------------------------------------------------------

    async def _owner(self, conversation_id: int) -> tuple[int, str] | None:
        owner = self._owners.get(conversation_id)
        if owner is None:
            row = await self._store.get_conversation(conversation_id)
            if row is None:
                return None
            owner = self._owners[conversation_id] = (row.shop_id, row.buyer_id)
        return owner

    async def _check_access(self, principal: Principal, conversation_id: int, rid: str | None) -> tuple[int, str]:
        owner = await self._owner(conversation_id)
        if owner is not None and _may_see(principal, owner):
            return owner
        # The same answer for "missing" and "someone else's": nothing to probe.
        raise FrameError(ErrorCode.FORBIDDEN, f"conversation {conversation_id} is not visible to you", rid)

    def _audience(self, owner: tuple[int, str]) -> Iterable[Connection]:
        yield from self._agents.get(owner[0], ())
        yield from self._buyers.get(owner[1], ())

    # handlers -------------------------------------------------------------------------------

    async def handle(self, conn: Connection, frame: f.ClientFrame) -> None:
        """Answer one client frame. Raises FrameError for a request that is refused."""
        if isinstance(frame, f.Send):
            await self.on_send(conn, frame)
        elif isinstance(frame, f.Sync):
            await self.on_sync(conn, frame)
        elif isinstance(frame, f.Open):
            await self.on_open(conn, frame)
        elif isinstance(frame, f.History):
            await self.on_history(conn, frame)
        elif isinstance(frame, f.Read):
            await self.on_read(conn, frame)

    async def on_sync(self, conn: Connection, frame: f.Sync) -> None:
        principal = conn.principal
        for conversation_id in frame.cursors:
            await self._check_access(principal, conversation_id, frame.id)
        if principal.is_buyer:
            rows = await self._store.list_conversations(buyer_id=principal.user_id)
        else:
            rows = await self._store.list_conversations(shop_id=principal.shop_id)
        conn.start_catch_up()
        if not conn.synced:
            self.register(conn)
            conn.synced = True
        try:
            for conversation_id, after in frame.cursors.items():
                conn.cursors[conversation_id] = max(after, conn.cursors.get(conversation_id, 0))
                await self._send_gap(conn, conversation_id)
        finally:
            conn.finish_catch_up()
        conn.send(encode(f.Synced(id=frame.id, conversations=[conversation_info(r) for r in rows])))

    async def _send_gap(self, conn: Connection, conversation_id: int) -> None:
        while True:
            after = conn.cursors.get(conversation_id, 0)
            rows = await self._store.messages_after(conversation_id, after, CATCH_UP_PAGE)
            for row in rows:
                conn.cursors[conversation_id] = row.seq
                conn.send(encode(message_frame(row)))
            if len(rows) < CATCH_UP_PAGE or conn.closed:
                return
            await asyncio.sleep(0)  # let others run during a long catch-up

    async def on_open(self, conn: Connection, frame: f.Open) -> None:
        principal = conn.principal
        if not principal.is_buyer:
            raise FrameError(ErrorCode.FORBIDDEN, "only buyers open conversations", frame.id)
        shop = await self._store.get_shop(frame.shop)
        if shop is None:
            raise FrameError(ErrorCode.NOT_FOUND, f"no shop {frame.shop!r}", frame.id)
        row, created = await self._store.open_conversation(shop.id, principal.user_id, self._clock.now_ms())
        self._owners[row.id] = (row.shop_id, row.buyer_id)
        info = conversation_info(row)
        if created:
            data = encode(f.Conversation(conversation=info))
            for agent in self._agents.get(shop.id, ()):
                agent.send(data)
        conn.send(encode(f.Opened(id=frame.id, conversation=info)))

    async def on_send(self, conn: Connection, frame: f.Send) -> None:
        principal = conn.principal
        owner = await self._check_access(principal, frame.conversation_id, frame.id)
        if not frame.text.strip():
            raise FrameError(ErrorCode.INVALID_FIELD, "text is empty", frame.id)
        kind = "buyer" if principal.is_buyer else "agent"
        pending = self._store.append_message(
            frame.conversation_id, kind, principal.user_id, principal.display_name,
            frame.client_msg_id, frame.text, self._clock.now_ms(),
        )
        # Not awaited here: the connection's next frames are read while this one commits.
        pending.add_done_callback(lambda fut: self._after_append(conn, frame, owner, fut))

    def _after_append(
        self, conn: Connection, frame: f.Send, owner: tuple[int, str], fut: asyncio.Future[AppendResult]
    ) -> None:
        if fut.cancelled():
            return
        exc = fut.exception()
        if exc is not None:
            if isinstance(exc, StoreConflict):
                error = f.Error(code=ErrorCode.CONFLICT, message=str(exc), id=frame.id)
            elif isinstance(exc, StoreUnavailable):
                error = f.Error(code=ErrorCode.UNAVAILABLE, message=_NOT_STORED, id=frame.id)
            else:
                logger.error("append failed", exc_info=exc)
                error = f.Error(code=ErrorCode.INTERNAL, message=_NOT_STORED, id=frame.id)
            conn.send(encode(error))
            return
        result = fut.result()
        row = result.message
        conn.send(encode(f.Ack(
            id=frame.id, conversation_id=row.conversation_id, client_msg_id=row.client_msg_id,
            seq=row.seq, ts=row.ts, duplicate=result.duplicate,
        )))
        # The sender has it (the ack carries its seq); everybody else in the conversation gets it.
        if row.seq > conn.cursors.get(row.conversation_id, 0) and not conn.catching_up:
            conn.cursors[row.conversation_id] = row.seq
        if not result.duplicate:
            data = encode(message_frame(row))
            for other in self._audience(owner):
                if other is not conn:
                    other.deliver(row.conversation_id, row.seq, data)

    async def on_history(self, conn: Connection, frame: f.History) -> None:
        await self._check_access(conn.principal, frame.conversation_id, frame.id)
        rows = await self._store.messages_before(frame.conversation_id, frame.before_seq, frame.limit + 1)
        has_more = len(rows) > frame.limit
        rows = rows[-frame.limit:]
        conn.send(encode(f.HistoryPage(
            id=frame.id, conversation_id=frame.conversation_id,
            messages=[message_frame(r) for r in rows], has_more=has_more,
        )))

    async def on_read(self, conn: Connection, frame: f.Read) -> None:
        owner = await self._check_access(conn.principal, frame.conversation_id, frame.id)
        side: f.Side = "buyer" if conn.principal.is_buyer else "agent"
        read_seq = await self._store.mark_read(frame.conversation_id, side, frame.seq)
        data = encode(f.Receipt(conversation_id=frame.conversation_id, side=side, read_seq=read_seq))
        for other in self._audience(owner):
            if other is not conn:
                other.send(data)
        conn.send(encode(f.Ok(id=frame.id)))


def _may_see(principal: Principal, owner: tuple[int, str]) -> bool:
    if principal.is_buyer:
        return owner[1] == principal.user_id
    return owner[0] == principal.shop_id
