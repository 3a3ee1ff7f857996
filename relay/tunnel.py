"""Several relays: the clients of one relay that the routing leader serves (`relay.leader`).

Routing state (queues, assignments, SLA timers, calls, the supervisors' live figures) lives on one
relay, the leader. Any relay serves buyers' chat itself (sync, open, send, history, read: what the
database answers), but:

- a **shop account's connection** to a follower is a tunnel: the follower authenticates it, checks
  its size and rate limits, and forwards each of its frames to the leader, where a
  `RemoteConnection` stands for it and goes through the leader's frame handling like a local
  socket; whatever the leader sends it comes back through the follower. So an agent's cap, a chat's
  assignment and an SLA event are decided once, by one router, wherever the agent connected.
- a **buyer's** other requests (calls, ratings, offers, complaints) are forwarded one by one the
  same way, and the buyer's presence (synced, gone) is told to every relay, so the leader knows who
  is online wherever they are, and a relay that becomes leader knows it already.

Nothing of a tunnel survives the bus losing events or the leader changing: both ends close it, and
the client reconnects and resyncs by its cursors (it misses nothing: the database is the truth).

Events (each a kind's letter and a msgpack array, see `relay.cluster`) carry the relay the client
is connected to (its origin) and the connection's number there.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any, cast

from relay.chat import Hub
from relay.sessions import MAX_PENDING_WRITES, Connection, Principal
from wire.errors import WebSocketClose
from wire.pacing import TokenBucket

logger = logging.getLogger(__name__)

OPEN, FRAME, GONE, REPLY, CLOSE, PRESENT, PRESENT_ALL, FORWARD = "o", "f", "x", "r", "k", "p", "P", "q"
ASK, ANSWER = "y", "z"
NO_LEADER = "routing is moving to another relay; retry"
TUNNEL_KINDS = frozenset((OPEN, FRAME, GONE, REPLY, CLOSE, PRESENT, PRESENT_ALL, FORWARD, ASK, ANSWER))

Put = Callable[..., None]
"""Puts an event on the bus: `put(kind, *fields)`."""
Serve = Callable[[Connection, bytes], Coroutine[Any, Any, None] | None]
"""The relay's frame handling (`Relay.on_frame`)."""
Answer = Callable[[Principal, str, Mapping[str, str]], Awaitable[tuple[int, bytes]]]
"""The relay's answer to a supervisor's HTTP API request (`relay.metrics.api.answer`): status, JSON body."""


def principal_fields(p: Principal) -> list[Any]:
    return [p.role, p.user_id, p.display_name, p.shop_id, p.shop_slug, p.token_hash, p.expires_at]


class RemoteConnection(Connection):
    """A client connected to another relay, as this one serves it: what it is sent goes back to that
    relay on the bus (a loop iteration's frames as one event), and its frames, forwarded from there,
    are handled in order as a socket's are."""

    __slots__ = ("_inbox", "_outbox", "_put", "_serve", "_serving", "conn_id", "origin")

    def __init__(self, principal: Principal, origin: str, conn_id: int, put: Put, serve: Serve) -> None:
        unlimited = TokenBucket(1e9, 10**9, asyncio.get_running_loop().time)  # the origin applies the limits
        super().__init__(cast(Any, None), principal, unlimited, 0, writer=cast(Any, None), protocol=cast(Any, None))
        self.origin = origin
        self.conn_id = conn_id
        self._put = put
        self._serve = serve
        self._outbox: list[bytes] = []
        self._inbox: asyncio.Queue[bytes] = asyncio.Queue()
        self._serving: asyncio.Task[None] | None = None

    def send(self, data: bytes) -> None:
        if self.closed:
            return
        if not self._outbox:
            self._loop.call_soon(self._ship)
        self._outbox.append(data)

    def _ship(self) -> None:
        frames, self._outbox = self._outbox, []
        if frames and not self.closed:
            self._put(REPLY, self.origin, self.conn_id, frames)

    async def flush(self) -> None:
        self._ship()

    def backlogged(self) -> bool:
        return self.pending_writes >= MAX_PENDING_WRITES  # (no socket of its own to drain)

    def close(self, code: int, reason: str) -> None:
        if self.closed:
            return
        self._ship()
        self._put(CLOSE, self.origin, self.conn_id, code, reason)
        self.gone()

    def gone(self) -> None:
        """The client's socket is closed (or unreachable): stop serving it."""
        self.closed = True
        self._outbox.clear()
        if self._serving is not None:
            self._serving.cancel()

    def receive(self, data: bytes) -> None:
        """One of the client's frames, forwarded by its relay."""
        if self.closed:
            return
        self._inbox.put_nowait(data)
        if self._serving is None:
            self._serving = self._loop.create_task(self._serve_all(), name=f"tunnel-{self.origin}-{self.conn_id}")

    async def _serve_all(self) -> None:
        while not self.closed:
            data = await self._inbox.get()
            try:
                pending = self._serve(self, data)
                if pending is not None:
                    await pending
                if self.backlogged():
                    await self.relieved()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("a forwarded frame failed")


class Tunnels:
    """Both ends of the tunnels: this relay's sockets served by the leader, and the clients of other
    relays this relay serves as leader (see the module's docstring)."""

    def __init__(self, relay_id: str, put: Put, hub: Hub, serve: Serve, leading: Callable[[], bool],
                 sync_timeout_s: float, answer: Answer | None = None) -> None:
        self.relay_id = relay_id
        self._put = put
        self.hub = hub
        self._serve = serve
        self._leading = leading
        self._sync_timeout_s = sync_timeout_s
        self._ids = itertools.count(1)
        self._conn_ids: dict[Connection, int] = {}
        self._numbered: dict[int, Connection] = {}
        self.outbound: dict[int, tuple[Connection, str]] = {}
        """Sockets here served by the leader: number -> (connection, the leader's relay id)."""
        self.inbound: dict[tuple[str, int], RemoteConnection] = {}
        """Shop accounts of other relays served here, by (origin, number)."""
        self.buyers: dict[tuple[str, int], RemoteConnection] = {}
        """Buyers synced on other relays, by (origin, number)."""
        self._buyer_ids: Counter[str] = Counter()
        self._requests: dict[tuple[str, int], RemoteConnection] = {}
        """Buyers of other relays who sent a request before syncing, by (origin, number)."""
        self._answer = answer
        self._asked: dict[int, asyncio.Future[tuple[int, bytes]]] = {}
        """This relay's API requests waiting for the leader's answer, by number."""
        self._answering: set[asyncio.Task[None]] = set()

    def number(self, conn: Connection) -> int:
        number = self._conn_ids.get(conn)
        if number is None:
            number = self._conn_ids[conn] = next(self._ids)
            self._numbered[number] = conn
        return number

    # this relay's sockets ---------------------------------------------------------------------

    def open(self, conn: Connection, leader: str) -> None:
        """Serve a shop account's socket through the leader from now on."""
        number = self.number(conn)
        self.outbound[number] = (conn, leader)
        self._put(OPEN, leader, self.relay_id, number, principal_fields(conn.principal))

    def forward(self, conn: Connection, data: bytes) -> None:
        """One of a tunnelled socket's frames, for the leader."""
        number = self._conn_ids[conn]
        entry = self.outbound.get(number)
        if entry is not None:
            self._put(FRAME, entry[1], self.relay_id, number, data)

    def forward_request(self, conn: Connection, data: bytes, leader: str) -> None:
        """A buyer's request that the leader answers."""
        self._put(FORWARD, leader, self.relay_id, self.number(conn), principal_fields(conn.principal), data)

    async def ask(self, leader: str, principal: Principal, path: str, query: Mapping[str, str],
                  timeout: float) -> tuple[int, bytes]:
        """A supervisor's HTTP API request, answered by the leader; TimeoutError if it does not in time."""
        number = next(self._ids)
        answered = self._asked[number] = asyncio.get_running_loop().create_future()
        self._put(ASK, leader, self.relay_id, number, principal_fields(principal), path, dict(query))
        try:
            return await asyncio.wait_for(answered, timeout)
        finally:
            del self._asked[number]

    def closed(self, conn: Connection) -> None:
        """A socket of this relay closed."""
        number = self._conn_ids.pop(conn, None)
        if number is None:
            return
        del self._numbered[number]
        entry = self.outbound.pop(number, None)
        if entry is not None:
            self._put(GONE, entry[1], self.relay_id, number)
        elif conn.principal.is_buyer:
            self._put(PRESENT, self.relay_id, number, principal_fields(conn.principal), False)

    def buyer_synced(self, conn: Connection) -> None:
        """A buyer synced here: every relay hears of it (`Hub.online` there counts them)."""
        if conn.principal.is_buyer and conn.synced and not isinstance(conn, RemoteConnection):
            self._put(PRESENT, self.relay_id, self.number(conn), principal_fields(conn.principal), True)

    def tell_presence(self) -> None:
        """Every buyer synced here, for the relays that may have missed it (a gap, a newcomer)."""
        present = [[number, principal_fields(conn.principal)] for conn, number in self._conn_ids.items()
                   if conn.principal.is_buyer and conn.synced and not conn.closed]
        self._put(PRESENT_ALL, self.relay_id, present)

    def close_outbound(self, leader: str | None = None, reason: str = "routing moved to another relay") -> None:
        """Close the sockets served by `leader` (all when None): their clients reconnect and resync."""
        for number, (conn, served_by) in list(self.outbound.items()):
            if leader is None or served_by == leader:
                del self.outbound[number]
                conn.close(WebSocketClose.GOING_AWAY, reason)

    # other relays' clients ---------------------------------------------------------------------

    def on_event(self, kind: str, fields: list[Any]) -> None:
        if kind == REPLY:
            origin, number, frames = fields
            conn = self._numbered.get(number) if origin == self.relay_id else None
            if conn is not None:
                for data in frames:
                    conn.send(data)
        elif kind == CLOSE:
            origin, number, code, reason = fields
            conn = self._numbered.get(number) if origin == self.relay_id else None
            if conn is not None:
                self.outbound.pop(number, None)
                conn.close(code, reason)
        elif kind == ANSWER:
            origin, number, status, body = fields
            answered = self._asked.get(number) if origin == self.relay_id else None
            if answered is not None and not answered.done():
                answered.set_result((status, body))
        elif kind == PRESENT:
            origin, number, principal, up = fields
            if up:
                self._buyer_came(origin, number, Principal(*principal))
            else:
                self._buyer_left((origin, number))
        elif kind == PRESENT_ALL:
            origin, present = fields
            now = {(origin, number): principal for number, principal in present}
            for key in [k for k in self.buyers if k[0] == origin and k not in now]:
                self._buyer_left(key)
            for (_, number), principal in now.items():
                self._buyer_came(origin, number, Principal(*principal))
        elif fields[0] == self.relay_id:  # addressed to this relay as the leader
            self._as_leader(kind, fields[1:])

    def _as_leader(self, kind: str, fields: list[Any]) -> None:
        if kind == OPEN:
            origin, number, principal = fields
            if not self._leading():  # it took this relay for the leader a moment too early, or late
                self._put(CLOSE, origin, number, WebSocketClose.GOING_AWAY, "routing is moving; reconnect")
                return
            conn = self.inbound[origin, number] = RemoteConnection(Principal(*principal), origin, number,
                                                                   self._put, self._serve)
            asyncio.get_running_loop().call_later(self._sync_timeout_s, conn.close_unless_synced)
        elif kind == FRAME:
            origin, number, data = fields
            served = self.inbound.get((origin, number))
            if served is not None:
                served.receive(data)
        elif kind == GONE:
            served = self.inbound.pop((fields[0], fields[1]), None)
            if served is not None:
                self._drop(served)
        elif kind == ASK:
            task = asyncio.get_running_loop().create_task(self._answer_ask(*fields), name="tunnel-api")
            self._answering.add(task)
            task.add_done_callback(self._answering.discard)
        elif kind == FORWARD:
            origin, number, principal, data = fields
            buyer = self.buyers.get((origin, number)) or self._requests.get((origin, number))
            if buyer is None:  # a buyer who has not synced: served all the same, kept until they leave
                buyer = self._requests[origin, number] = RemoteConnection(Principal(*principal), origin, number,
                                                                          self._put, self._serve)
            buyer.receive(data)

    async def _answer_ask(self, origin: str, number: int, principal: list[Any], path: str,
                          query: dict[str, str]) -> None:
        status, body = 500, b'{"type": "error", "code": "internal", "message": "the leader could not answer"}'
        try:
            if self._answer is not None:
                status, body = await self._answer(Principal(*principal), path, query)
        except Exception:
            logger.exception("an API request forwarded by relay %s failed", origin)
        self._put(ANSWER, origin, number, status, body)

    def _buyer_came(self, origin: str, number: int, principal: Principal) -> None:
        if (origin, number) in self.buyers:
            return
        conn = self.buyers[origin, number] = RemoteConnection(principal, origin, number, self._put, self._serve)
        conn.synced = True
        self._buyer_ids[principal.user_id] += 1
        if self._leading():
            for listener in self.hub.synced_listeners:
                listener(conn)
            for status in self.hub.desk.buyer_statuses(principal.user_id):
                conn.send(status)

    def _buyer_left(self, key: tuple[str, int]) -> None:
        request = self._requests.pop(key, None)
        if request is not None:
            request.gone()
        conn = self.buyers.pop(key, None)
        if conn is None:
            return
        conn.gone()
        user_id = conn.principal.user_id
        self._buyer_ids[user_id] -= 1
        if self._buyer_ids[user_id] <= 0:
            del self._buyer_ids[user_id]
        if self._leading():
            for listener in self.hub.gone_listeners:
                listener(conn)

    def buyer_online(self, buyer_id: str) -> bool:
        """Whether the buyer is synced on another relay."""
        return buyer_id in self._buyer_ids

    def _drop(self, conn: RemoteConnection) -> None:
        conn.gone()
        with contextlib.suppress(Exception):
            self.hub.unregister(conn)

    def forget_relay(self, origin: str) -> None:
        """A relay went silent (dead): its clients are gone."""
        for key in [k for k in self.inbound if k[0] == origin]:
            self._drop(self.inbound.pop(key))
        for key in [k for k in (*self.buyers, *self._requests) if k[0] == origin]:
            self._buyer_left(key)

    def drop_inbound(self) -> None:
        """Events may have been lost: the tunnels served here end (their relays close the sockets too)."""
        for key in list(self.inbound):
            conn = self.inbound.pop(key)
            self._put(CLOSE, conn.origin, conn.conn_id, WebSocketClose.GOING_AWAY, "resync")
            self._drop(conn)

    def health(self) -> dict[str, int]:
        return {"tunnelled_out": len(self.outbound), "served_for_others": len(self.inbound),
                "buyers_elsewhere": len(self.buyers)}
