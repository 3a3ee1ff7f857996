"""Chat: who may see which conversation, storing messages, and delivering them live.

Visibility: a buyer sees their own conversations with any shop. A shop's agents may read the
history of any conversation of their shop, but receive live messages of, and write into, only
the conversations assigned to them; supervisors receive and may write into all of their shop's.
Another shop's conversation is `forbidden`, whether or not it exists.

Who holds a conversation is the service desk's to say: the hub asks it through the `Assignments`
Protocol of `relay.hub_desk` and never imports `relay.desk`, which in turn reaches the hub only
as a `Delivery` (the same module explains the seam).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

import msgspec

from relay.clock import Clock
from relay.hub_desk import Assignments, Handler, Owner
from relay.peers import Peers
from relay.sessions import Connection, Principal
from relay.store import AppendResult, MessageRow, Store, StoreConflict, StoreUnavailable
from wire import frames as f
from wire.codec import FrameError, encode
from wire.errors import ErrorCode, WebSocketClose

logger = logging.getLogger(__name__)

CATCH_UP_PAGE = 500
HANDOVER_WINDOW = 50
"""Messages of its recent past pushed to an agent who is handed a conversation; older ones via history."""
_NOT_STORED = "message not stored; retry with the same client_msg_id"
_HELD_BACK = "message not stored: an earlier one into this conversation was not; resend that one first"


def message_frame(row: MessageRow) -> f.Message:
    """The wire form of a stored message."""
    card = msgspec.json.decode(row.card_json, type=f.Card) if row.card_json else None
    params = msgspec.json.decode(row.params_json, type=dict[str, str]) if row.params_json else None
    return f.Message(
        conversation_id=row.conversation_id, seq=row.seq, client_msg_id=row.client_msg_id,
        sender=f.Sender(kind=row.sender_kind, id=row.sender_id, name=row.sender_name),
        text=row.text, ts=row.ts, kind=row.kind, card=card, event=row.event, params=params,  # type: ignore[arg-type]
    )


class Hub:
    """Live connections by shop, account and buyer, and the handlers of chat frames (a `Delivery`).

    With `peers` set (several relays), every `send_to_*`, `publish` and audience send also reaches
    the connections on the other relays; the `local_*` methods are what a peer's event does here."""

    OWN_FRAMES = frozenset((f.Send, f.Sync, f.Open, f.History, f.Read))
    """The chat frames any relay answers from the database (with several relays, the leader answers the rest)."""

    def __init__(self, store: Store, clock: Clock, desk: Assignments) -> None:
        self._store = store
        self._clock = clock
        self.desk = desk
        self._staff: dict[int, set[Connection]] = {}
        self._accounts: dict[str, set[Connection]] = {}
        self._buyers: dict[str, set[Connection]] = {}
        self._owners: dict[int, Owner] = {}
        self.peers: Peers | None = None
        self.remote_online: Callable[[str], bool] | None = None
        """Whether a buyer is synced on another relay (`relay.tunnel.Tunnels.buyer_online`)."""
        self._tasks: set[asyncio.Task[None]] = set()
        self._handlers: dict[type[Any], Handler] = {
            f.Send: self.on_send, f.Sync: self.on_sync, f.Open: self.on_open, f.History: self.on_history,
            f.Read: self.on_read,
        }
        self.synced_listeners: list[Callable[[Connection], None]] = []
        """Told when a connection has synced (its `synced` frame is on its way)."""
        self.gone_listeners: list[Callable[[Connection], None]] = []
        """Told when a synced connection closes (after it left the registry)."""
        desk.attach(self)

    # registry -------------------------------------------------------------------------------

    def register(self, conn: Connection) -> None:
        p = conn.principal
        conn.fill_gap = self._start_filling
        if p.is_buyer:
            self._buyers.setdefault(p.user_id, set()).add(conn)
            return
        assert p.shop_id is not None
        self._staff.setdefault(p.shop_id, set()).add(conn)
        self._accounts.setdefault(p.user_id, set()).add(conn)

    def unregister(self, conn: Connection) -> None:
        if not conn.synced:
            return
        conn.synced = False
        p = conn.principal
        if p.is_buyer:
            _discard(self._buyers, p.user_id, conn)
        else:
            assert p.shop_id is not None
            _discard(self._staff, p.shop_id, conn)
            _discard(self._accounts, p.user_id, conn)
            self.desk.agent_disconnected(p)
        for listener in self.gone_listeners:
            listener(conn)

    def synced_connections(self) -> list[Connection]:
        """Every synced connection of this relay."""
        return [c for group in (*self._buyers.values(), *self._accounts.values()) for c in group]

    def send_to_account(self, account_id: str, data: bytes) -> None:
        self.local_to_account(account_id, data)
        if self.peers is not None:
            self.peers.to_account(account_id, data)

    def local_to_account(self, account_id: str, data: bytes) -> None:
        for conn in self._accounts.get(account_id, ()):
            conn.send(data)

    def connections_of(self, account_id: str) -> list[Connection]:
        """The synced connections of one shop account."""
        return list(self._accounts.get(account_id, ()))

    def online(self, principal_kind: str, user_id: str) -> bool:
        """Whether a buyer (`"buyer"`) or a shop account (`"account"`) has a synced connection."""
        if principal_kind != "buyer":
            return bool(self._accounts.get(user_id))
        return bool(self._buyers.get(user_id)) or (self.remote_online is not None and self.remote_online(user_id))

    def send_to_buyer(self, buyer_id: str, data: bytes) -> None:
        self.local_to_buyer(buyer_id, data)
        if self.peers is not None:
            self.peers.to_buyer(buyer_id, data)

    def local_to_buyer(self, buyer_id: str, data: bytes) -> None:
        for conn in self._buyers.get(buyer_id, ()):
            conn.send(data)

    def send_to_shop(self, shop_id: int, data: bytes) -> None:
        self.local_to_shop(shop_id, data)
        if self.peers is not None:
            self.peers.to_shop(shop_id, data)

    def local_to_shop(self, shop_id: int, data: bytes) -> None:
        for conn in self._staff.get(shop_id, ()):
            conn.send(data)

    def send_to_supervisors(self, shop_id: int, data: bytes, skip_accounts: set[str] | None = None) -> None:
        self.local_to_supervisors(shop_id, data, skip_accounts or set())
        if self.peers is not None:
            self.peers.to_supervisors(shop_id, data, skip_accounts or set())

    def local_to_supervisors(self, shop_id: int, data: bytes, skip_accounts: set[str]) -> None:
        for conn in self._staff.get(shop_id, ()):
            if conn.principal.role == "supervisor" and conn.principal.user_id not in skip_accounts:
                conn.send(data)

    def audience_of_call(self, shop_id: int, buyer_id: str, agent_id: str) -> Iterable[Connection]:
        """A call's buyer and agent (every connection of each) and the shop's supervisors, on this relay."""
        yield from self._buyers.get(buyer_id, ())
        for conn in self._staff.get(shop_id, ()):
            if conn.principal.role == "supervisor" or conn.principal.user_id == agent_id:
                yield conn

    def send_to_call_audience(self, shop_id: int, buyer_id: str, agent_id: str, data: bytes,
                              skip: Iterable[Connection | None] = ()) -> None:
        """`data` to a call's audience on every relay, except the connections in `skip`."""
        self.local_to_call_audience(shop_id, buyer_id, agent_id, data, skip)
        if self.peers is not None:
            self.peers.to_call_audience(shop_id, buyer_id, agent_id, data)

    def local_to_call_audience(self, shop_id: int, buyer_id: str, agent_id: str, data: bytes,
                               skip: Iterable[Connection | None] = ()) -> None:
        skipped = set(skip)
        for conn in self.audience_of_call(shop_id, buyer_id, agent_id):
            if conn not in skipped:
                conn.send(data)

    def _agent_of(self, conversation_id: int) -> str | None:
        agent = self.desk.assigned_agent(conversation_id)
        return str(agent) if agent is not None else None

    def audience(self, conversation_id: int, owner: Owner, agent: str | None = None) -> Iterable[Connection]:
        """Who sees a conversation on this relay: its buyer, its agent (`agent`, else the desk's) and
        the shop's supervisors."""
        yield from self._buyers.get(owner[1], ())
        agent = agent if agent is not None else self._agent_of(conversation_id)
        for conn in self._staff.get(owner[0], ()):
            if conn.principal.role == "supervisor" or (agent is not None and conn.principal.user_id == agent):
                yield conn

    def send_to_audience(self, conversation_id: int, owner: Owner, data: bytes, skip: Connection | None = None) -> None:
        """`data` to everyone who sees the conversation, on every relay, except `skip`."""
        agent = self._agent_of(conversation_id)
        self.local_to_audience(conversation_id, owner, agent, data, skip)
        if self.peers is not None:
            self.peers.to_audience(conversation_id, owner, agent, data)

    def local_to_audience(self, conversation_id: int, owner: Owner, agent: str | None, data: bytes,
                          skip: Connection | None = None) -> None:
        for conn in self.audience(conversation_id, owner, agent):
            if conn is not skip:
                conn.send(data)

    def publish(self, row: MessageRow, owner: Owner, skip: Connection | None = None, also: int | None = None) -> None:
        """Deliver a committed message to everyone in the conversation who is online (one encoding for all);
        `also`: an account of the shop that gets it too (the agent of a chat that was just rated)."""
        conversation_id, seq = row.conversation_id, row.seq
        buyers = self._buyers.get(owner[1])
        staff = self._staff.get(owner[0])
        if not buyers and not staff and self.peers is None:
            return
        data = encode(message_frame(row))
        agent = self._agent_of(conversation_id)
        extra = str(also) if also is not None else None
        self.local_deliver(data, conversation_id, seq, owner, agent, extra, skip)
        if self.peers is not None:
            self.peers.message(data, conversation_id, seq, owner, agent, extra)

    def local_deliver(self, data: bytes, conversation_id: int, seq: int, owner: Owner, agent: str | None,
                      also: str | None, skip: Connection | None = None) -> None:
        """A committed message's frame to its audience on this relay (each connection drops a seq it has).
        `agent`: the chat's agent as the relay that stored it knew it; this relay's desk may know better."""
        agent = agent if agent is not None else self._agent_of(conversation_id)
        for conn in self._buyers.get(owner[1], ()):
            if conn is not skip:
                conn.deliver(conversation_id, seq, data)
        for conn in self._staff.get(owner[0], ()):
            if conn is not skip and (conn.principal.role == "supervisor"
                                     or conn.principal.user_id in (agent, also)):
                conn.deliver(conversation_id, seq, data)

    def _start_filling(self, conn: Connection, conversation_id: int) -> None:
        """`Connection.fill_gap`: hold the connection and send it the seqs between from the store. A
        message may skip seqs since another relay's earlier one of the conversation is late, or was
        lost with Redis: a connection never gets a conversation's messages out of order."""
        conn.start_catch_up()
        task = asyncio.get_running_loop().create_task(self._fill_gap(conn, conversation_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _fill_gap(self, conn: Connection, conversation_id: int) -> None:
        try:
            await self._send_gap(conn, conversation_id)
        except Exception as exc:
            # Delivering past the gap would lose messages on this screen: the client resumes with `sync`.
            logger.warning("could not fill a gap in conversation %d (%s): closing the connection to resync",
                           conversation_id, exc)
            conn.close(WebSocketClose.GOING_AWAY, "resync")
        finally:
            conn.finish_catch_up()

    # access ---------------------------------------------------------------------------------

    async def owner(self, conversation_id: int) -> Owner | None:
        owner = self._owners.get(conversation_id)
        if owner is None:
            row = await self._store.get_conversation(conversation_id)
            if row is None:
                return None
            owner = self._owners[conversation_id] = (row.shop_id, row.buyer_id)
        return owner

    async def check_access(
        self, principal: Principal, conversation_id: int, rid: str | None, *, write: bool = False
    ) -> Owner:
        """The conversation's owner if the caller may see it (and write into it, with `write`)."""
        return self._check(principal, conversation_id, await self.owner(conversation_id), rid, write)

    def _check(self, principal: Principal, conversation_id: int, owner: Owner | None, rid: str | None,
               write: bool) -> Owner:
        if owner is None or not _may_see(principal, owner):
            raise FrameError(ErrorCode.FORBIDDEN, f"conversation {conversation_id} is not visible to you", rid)
        if write and principal.role == "agent" and self.desk.assigned_agent(conversation_id) != int(principal.user_id):
            raise FrameError(ErrorCode.FORBIDDEN, "this chat is not assigned to you; claim it or ask a supervisor",
                             rid)
        return owner

    # handlers -------------------------------------------------------------------------------

    def route(self, frame_type: type[Any], handler: Handler) -> None:
        """Let another module answer a frame type (templates, cards...)."""
        self._handlers[frame_type] = handler

    async def handle(self, conn: Connection, frame: f.ClientFrame) -> None:
        """Answer one client frame. Raises FrameError for a request that is refused."""
        handler = self._handlers.get(type(frame))
        if handler is None:
            raise FrameError(ErrorCode.UNKNOWN_TYPE, f"{type(frame).__name__} is not handled here", frame.id)
        await handler(conn, frame)

    async def on_sync(self, conn: Connection, frame: f.Sync) -> None:
        p = conn.principal
        for conversation_id in frame.cursors:
            await self.check_access(p, conversation_id, frame.id)
        if p.is_buyer:
            rows = await self._store.list_conversations(buyer_id=p.user_id)
        else:
            rows = await self._store.list_conversations(shop_id=p.shop_id, open_only=True)
            listed = {r.id for r in rows}
            for cid in self.desk.open_conversation_ids(p.shop_id):  # opened a moment ago, not yet stored
                if cid not in listed and (row := await self._store.get_conversation(cid)) is not None:
                    rows.append(row)
            for row in rows:
                await self.desk.track(row)
            if p.role == "agent":
                rows = [r for r in rows if self.desk.assigned_agent(r.id) == int(p.user_id)]
            else:
                rows = [r for r in rows if self.desk.info(r).status in ("queued", "assigned")]
        conn.start_catch_up()
        first = not conn.synced
        if first:
            self.register(conn)
            conn.synced = True
        try:
            for conversation_id, after in frame.cursors.items():
                conn.cursors[conversation_id] = max(after, conn.cursors.get(conversation_id, 0))
                await self._send_gap(conn, conversation_id)
        finally:
            conn.finish_catch_up()
        conn.send(encode(f.Synced(id=frame.id, conversations=[self.desk.info(r) for r in rows])))
        for listener in self.synced_listeners:
            listener(conn)
        if p.is_buyer:
            for row in rows:
                status = self.desk.buyer_status(row.id)
                if status is not None:
                    conn.send(encode(status))
        elif first:
            await self.desk.agent_connected(p)

    def hold(self, agent_id: int) -> list[Connection]:
        """Start holding live messages for an agent who is being handed a conversation.

        Called at the moment of assignment, before any await, so that no live message can move
        the agent's cursor past the part of the conversation `hand_over` is about to send.
        """
        conns = list(self._accounts.get(str(agent_id), ()))
        for conn in conns:
            conn.start_catch_up()
        return conns

    async def hand_over(
        self, conns: list[Connection], conversation_id: int, last_seq: int, unanswered_seq: int | None
    ) -> None:
        """Send held connections the conversation's recent messages, then release them (always).

        "Recent" is the last HANDOVER_WINDOW messages, stretched back to the buyer's first
        unanswered message: an agent must see every question waiting for them.
        """
        start = max(0, last_seq - HANDOVER_WINDOW)
        if unanswered_seq is not None:
            start = min(start, unanswered_seq - 1)
        try:
            for conn in conns:
                conn.cursors.setdefault(conversation_id, start)
                await self._send_gap(conn, conversation_id)
        finally:
            for conn in conns:
                conn.finish_catch_up()

    async def catch_up(self) -> None:
        """Send every synced connection what its conversations gained since its cursors (live events
        from other relays may have been lost: `relay.cluster`); each connection holds its live messages
        meanwhile, as during `sync`."""
        for conn in self.synced_connections():
            if conn.closed:
                continue
            conn.start_catch_up()
            try:
                for conversation_id in list(conn.cursors):
                    await self._send_gap(conn, conversation_id)
            finally:
                conn.finish_catch_up()

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
        p = conn.principal
        if not p.is_buyer:
            raise FrameError(ErrorCode.FORBIDDEN, "only buyers open conversations", frame.id)
        shop = await self._store.get_shop(frame.shop)
        if shop is None:
            raise FrameError(ErrorCode.NOT_FOUND, f"no shop {frame.shop!r}", frame.id)
        row, _ = await self._store.open_conversation(shop.id, p.user_id, self._clock.now_ms())
        self._owners[row.id] = (row.shop_id, row.buyer_id)
        await self.desk.track(row)
        conn.send(encode(f.Opened(id=frame.id, conversation=self.desk.info(row))))
        status = self.desk.buyer_status(row.id)
        if status is not None:
            conn.send(encode(status))

    async def on_send(self, conn: Connection, frame: f.Send) -> None:
        try:
            owner = await self.check_access(conn.principal, frame.conversation_id, frame.id, write=True)
        except StoreUnavailable:
            conn.send_failed(frame.conversation_id, frame.client_msg_id)
            raise
        self._send(conn, frame, owner)

    def send_now(self, conn: Connection, frame: f.Send) -> bool:
        """`on_send` without a coroutine when the conversation's owner is known (the usual case);
        False when it is not, and the frame must go through `handle`."""
        owner = self._owners.get(frame.conversation_id)
        if owner is None:
            return False
        self._send(conn, frame, self._check(conn.principal, frame.conversation_id, owner, frame.id, True))
        return True

    def _send(self, conn: Connection, frame: f.Send, owner: Owner) -> None:
        if frame.text.isspace():  # the text is never empty (min_length 1)
            raise FrameError(ErrorCode.INVALID_FIELD, "text is empty", frame.id)
        self.append(conn, frame.id, owner, frame.conversation_id, frame.client_msg_id, frame.text)

    def append(self, conn: Connection, rid: str, owner: Owner, conversation_id: int, client_msg_id: str,
               text: str, **extra: Any) -> None:
        """Store a message from the connection's principal; ack and deliver it once committed.

        Not awaited: the connection's next frames are read while this one commits (up to
        MAX_PENDING_WRITES of them, see `Connection.backlogged`).
        """
        if conn.held_back(conversation_id, client_msg_id):
            conn.send(encode(f.Error(code=ErrorCode.UNAVAILABLE, message=_HELD_BACK, id=rid)))
            return
        p = conn.principal
        kind = "buyer" if p.is_buyer else "agent"
        conn.pending_writes += 1
        self._store.append_message_then(partial(self._after_append, conn, rid, owner, conversation_id, client_msg_id),
                                        conversation_id, kind,
                                        p.user_id, p.display_name, client_msg_id, text, self._clock.now_ms(), **extra)

    def _after_append(self, conn: Connection, rid: str, owner: Owner, conversation_id: int, client_msg_id: str,
                      result: AppendResult | None,
                      exc: BaseException | None) -> None:
        conn.write_done()
        if result is None:
            if isinstance(exc, StoreConflict):
                error = f.Error(code=ErrorCode.CONFLICT, message=str(exc), id=rid, reason=exc.reason)
            elif isinstance(exc, StoreUnavailable):
                error = f.Error(code=ErrorCode.UNAVAILABLE, message=_NOT_STORED, id=rid)
            else:
                logger.error("append failed", exc_info=exc)
                error = f.Error(code=ErrorCode.INTERNAL, message=_NOT_STORED, id=rid)
            if error.code != ErrorCode.CONFLICT:
                conn.send_failed(conversation_id, client_msg_id)
            conn.send(encode(error))
            return
        row = result.message
        conn.send(encode(f.Ack(
            id=rid, conversation_id=row.conversation_id, client_msg_id=row.client_msg_id,
            seq=row.seq, ts=row.ts, duplicate=result.duplicate,
        )))
        # The sender has it (the ack carries its seq); everybody else in the conversation gets it.
        if row.seq > conn.cursors.get(row.conversation_id, 0) and not conn.catching_up:
            conn.cursors[row.conversation_id] = row.seq
        if result.duplicate:
            return
        self.publish(row, owner, skip=conn)
        self.desk.message_committed(owner[0], row)

    async def on_history(self, conn: Connection, frame: f.History) -> None:
        await self.check_access(conn.principal, frame.conversation_id, frame.id)
        rows = await self._store.messages_before(frame.conversation_id, frame.before_seq, frame.limit + 1)
        has_more = len(rows) > frame.limit
        rows = rows[-frame.limit:]
        conn.send(encode(f.HistoryPage(
            id=frame.id, conversation_id=frame.conversation_id,
            messages=[message_frame(r) for r in rows], has_more=has_more,
        )))

    async def on_read(self, conn: Connection, frame: f.Read) -> None:
        owner = await self.check_access(conn.principal, frame.conversation_id, frame.id, write=True)
        p = conn.principal
        if p.role == "supervisor" and self.desk.assigned_agent(frame.conversation_id) != int(p.user_id):
            # A supervisor watching a chat is not its reader: the buyer is not told (docs/protocol.md `read`).
            conn.send(encode(f.Ok(id=frame.id)))
            return
        side: f.Side = "buyer" if p.is_buyer else "agent"
        read_seq = await self._store.mark_read(frame.conversation_id, side, frame.seq)
        data = encode(f.Receipt(conversation_id=frame.conversation_id, side=side, read_seq=read_seq))
        self.send_to_audience(frame.conversation_id, owner, data, skip=conn)
        conn.send(encode(f.Ok(id=frame.id)))


def _may_see(principal: Principal, owner: Owner) -> bool:
    if principal.is_buyer:
        return owner[1] == principal.user_id
    return owner[0] == principal.shop_id


def _discard(groups: dict[Any, set[Connection]], key: Any, conn: Connection) -> None:
    group = groups.get(key)
    if group is not None:
        group.discard(conn)
        if not group:
            del groups[key]
