"""Several relays: the hub's live frames for the connections on the other relays, through the bus.

Each relay stores what its own clients send and delivers it to its own connections at once (the
hub); `Cluster` is the hub's `Peers`: it also puts each such frame on the bus (`relay.bus`), with
the audience it is for, and hands the other relays' frames to the hub's `local_*` methods. So a
buyer's message stored by relay A reaches the agent connected to relay B, as do read receipts,
queue status, SLA and routing frames, cards and call signalling: whatever the hub sends to an
account, a buyer, a shop, its supervisors or a conversation's audience.

Nothing here has to be perfect, because the database is the truth: messages carry their seq, a
connection drops a seq it has and fills a skipped one from the store (`Hub._deliver_in_order`),
and when the bus says events may have been lost (Redis restarted, or was away longer than the
stream keeps) every connection here is caught up from the store by its cursors (`Hub.catch_up`).
A relay that dies (SIGKILL, power) takes the events it had not yet put on the stream with it, and
nobody else can tell which: every relay says "alive" on the stream each HEARTBEAT_S, and a peer
silent for PEER_SILENT_S (while Redis itself answers) is taken for dead, which is a gap too.

Routing is decided by one relay, the leader: the one holding the lease in PostgreSQL
(`relay.store.postgres_lease`). Every relay tries to take it each LEASE_POLL_S; the one that does
loads every shop's desk and the open calls from the database, then looks for buyer messages no
routing decision has seen yet (stored by a follower while there was no leader, or by the old
leader as it died) and says in its heartbeat that it leads. The other relays serve their shop
accounts' sockets through it and forward it buyers' requests and committed buyer messages
(`relay.tunnel`). A leader whose lease session stops answering stops at once (`lease_lost`: the
process exits and its supervisor restarts it as a follower), since another relay may lead now.
docs/architecture.md ("Several relays") has the failure cases and the takeover time.

An event is a msgpack array: its kind's letter, then that kind's fields (see `Cluster._on_event`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from relay.bus import Bus
from relay.chat import Hub
from relay.hub_desk import Owner
from relay.store.postgres_lease import PgLease
from relay.tunnel import TUNNEL_KINDS, Answer, Serve, Tunnels

logger = logging.getLogger(__name__)

MESSAGE, ACCOUNT, BUYER, SHOP, SUPERVISORS, AUDIENCE, CALL, ALIVE = "m", "a", "b", "s", "v", "u", "c", "h"
COMMITTED, LEAVING = "d", "l"
HEARTBEAT_S = 1.0
PEER_SILENT_S = 3.5
LEAVE_FLUSH_S = 2.0
"""How long a relay shutting down waits for its last events to reach the stream."""
LEASE_POLL_S = 1.0
"""How often a follower tries to take the routing lease, and the leader checks it still holds it."""
Committed = tuple[int, int, int, str, str, int]
"""A committed message as the desk hears of it: (shop, conversation, seq, sender kind, sender id, ts)."""


def _exit_for_restart() -> None:
    """The default `lease_lost`: stop the process as SIGTERM does; its supervisor starts it again."""
    logger.critical("lost the routing lease: another relay may lead now; stopping so as to restart as a follower")
    os.kill(os.getpid(), signal.SIGTERM)

_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(list[Any]).decode


class Cluster:
    """This relay's `Peers` (see the module's docstring)."""

    def __init__(self, hub: Hub, redis_url: str, dsn: str, serve: Serve, on_lead: Callable[[], Awaitable[None]],
                 *, answer: Answer | None = None, sync_timeout_s: float = 15.0, relay_id: str | None = None) -> None:
        self.hub = hub
        self.desk: Any = hub.desk  # the relay's `Desk` (its `leading`, `committed`)
        self.relay_id = relay_id or uuid.uuid4().hex[:12]
        self.bus = Bus(redis_url, self.relay_id, self._on_event, self._on_gap)
        self.lease = PgLease(dsn)
        self.tunnels = Tunnels(self.relay_id, self._put, hub, serve, lambda: bool(self.desk.leading),
                               sync_timeout_s, answer)
        self.peers: dict[str, float] = {}
        """The other relays heard from: relay id -> when (loop time) they last said they were alive."""
        self._leader: str | None = None
        self._leader_known = asyncio.Event()
        self.lease_lost: Callable[[], None] = _exit_for_restart
        self._on_lead = on_lead
        self._holding: list[Committed] | None = None
        """Committed messages heard while this relay becomes the leader, for when its desk is loaded."""
        self._tasks: list[asyncio.Task[None]] = []
        self._closed = False

    async def start(self) -> None:
        """Join the bus, and lead at once if no relay does (the first one started)."""
        await self.bus.start()
        self.hub.peers = self
        hub = self.hub
        hub.remote_online = self.tunnels.buyer_online
        hub.synced_listeners.append(self.tunnels.buyer_synced)
        self.desk.forward_committed = self.committed_here
        await self._try_lead()
        self._tasks = [asyncio.create_task(self._beat(), name="cluster-heartbeat"),
                       asyncio.create_task(self._elect(), name="cluster-lease")]

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.hub.peers = None
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.tunnels.close_outbound(reason="relay is shutting down")
        # Last on the stream: a peer that reads it has read all this relay published, so it forgets the
        # relay without a catch-up (and, if it led, without waiting for its silence).
        self._put(LEAVING, self.relay_id)
        await self.lease.release()
        await self.bus.flush(LEAVE_FLUSH_S)
        await self.bus.close()

    def health(self) -> dict[str, Any]:
        return {"relay_id": self.relay_id, "peers": sorted(self.peers), "leader": self.leader,
                "leading": bool(self.desk.leading), **self.tunnels.health(), **self.bus.health()}

    @property
    def leader(self) -> str | None:
        """The relay that routes (this one's id when it does), as last heard; None while nobody is known to."""
        return self._leader

    @leader.setter
    def leader(self, relay: str | None) -> None:
        self._leader = relay
        if relay is None:
            self._leader_known.clear()
        else:
            self._leader_known.set()

    async def wait_for_leader(self, timeout: float) -> str | None:
        """The leader's relay id, waiting up to `timeout` while the lease moves; None if nobody leads."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._leader_known.wait(), timeout)
        return self.leader

    # leading ----------------------------------------------------------------------------------

    async def _elect(self) -> None:
        while True:
            await asyncio.sleep(LEASE_POLL_S)
            try:
                await self._try_lead()
            except Exception:
                logger.exception("routing lease check failed")

    async def _try_lead(self) -> None:
        if self.desk.leading:
            if not await self.lease.still_held():
                self.lease_lost()
            return
        if not await self.lease.try_acquire():
            return
        logger.info("relay %s holds the routing lease: loading every shop's desk", self.relay_id)
        old, self.leader = self.leader, None
        self.tunnels.close_outbound()  # the sockets the old leader served reconnect here or elsewhere
        self._holding = []
        try:
            await self._on_lead()
        except BaseException:
            await self.lease.release()  # another relay, or this one at its next poll, loads again
            raise
        finally:
            held, self._holding = self._holding, None
        self.leader = self.relay_id
        self._put(ALIVE, self.relay_id, True)
        for fields in held:
            self.desk.committed(*fields)
        logger.info("relay %s leads routing (before: %s)", self.relay_id, old or "nobody known")

    def committed_here(self, *fields: Any) -> None:
        """The desk of a relay that does not lead: a message was committed here, for the leader."""
        if self._holding is not None:
            self._holding.append(fields)  # type: ignore[arg-type]
        else:
            self._put(COMMITTED, *fields)

    def _heard_alive(self, relay: str, leading: bool) -> None:
        new = relay not in self.peers
        self.peers[relay] = asyncio.get_running_loop().time()
        if leading and self.leader != relay:
            old, self.leader = self.leader, relay
            if old is not None and old != self.relay_id:
                self.tunnels.close_outbound(old)
        elif not leading and self.leader == relay:
            self.leader = None
            self.tunnels.close_outbound(relay)
        if new:  # a relay that just started knows nobody's buyers yet
            self.tunnels.tell_presence()

    def _left(self, relay: str) -> None:
        self.peers.pop(relay, None)
        self.tunnels.forget_relay(relay)
        if self.leader == relay:
            self.leader = None
            self.tunnels.close_outbound(relay)

    async def _beat(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self._put(ALIVE, self.relay_id, bool(self.desk.leading))
            await asyncio.sleep(HEARTBEAT_S)
            now = loop.time()
            if not self.bus.connected:  # nobody is heard while Redis is away; its return is a gap of its own
                self.peers = dict.fromkeys(self.peers, now)
                continue
            gone = [relay for relay, seen in self.peers.items() if now - seen > PEER_SILENT_S]
            for relay in gone:
                self._left(relay)
            if gone:  # it may have died with events it had not published (the tunnels of the others are fine)
                self.bus.declare_gap(f"relay {', '.join(gone)} went silent", self.hub.catch_up)

    async def _on_gap(self) -> None:
        """The bus may have lost events: tunnels cannot tell what they lost, so they end (their clients
        resync); the buyers here are told again; every connection is caught up from the database."""
        self.tunnels.close_outbound(reason="resync")
        self.tunnels.drop_inbound()
        self.tunnels.tell_presence()
        await self.hub.catch_up()

    # what the hub sends to the other relays ---------------------------------------------------

    def _put(self, kind: str, *fields: Any) -> None:
        self.bus.publish(kind, _encode(fields))

    def message(self, data: bytes, conversation_id: int, seq: int, owner: Owner, agent: str | None,
                also: str | None) -> None:
        self._put(MESSAGE, conversation_id, seq, owner[0], owner[1], agent, also, data)

    def to_account(self, account_id: str, data: bytes) -> None:
        self._put(ACCOUNT, account_id, data)

    def to_buyer(self, buyer_id: str, data: bytes) -> None:
        self._put(BUYER, buyer_id, data)

    def to_shop(self, shop_id: int, data: bytes) -> None:
        self._put(SHOP, shop_id, data)

    def to_supervisors(self, shop_id: int, data: bytes, skip_accounts: set[str]) -> None:
        self._put(SUPERVISORS, shop_id, sorted(skip_accounts), data)

    def to_audience(self, conversation_id: int, owner: Owner, agent: str | None, data: bytes) -> None:
        self._put(AUDIENCE, conversation_id, owner[0], owner[1], agent, data)

    def to_call_audience(self, shop_id: int, buyer_id: str, agent_id: str, data: bytes) -> None:
        self._put(CALL, shop_id, buyer_id, agent_id, data)

    # what the other relays sent ---------------------------------------------------------------

    def _on_event(self, kind: str, payload: bytes) -> None:
        fields = _decode(payload)
        hub = self.hub
        if kind == ALIVE:
            self._heard_alive(fields[0], bool(fields[1]) if len(fields) > 1 else False)
        elif kind == LEAVING:
            logger.info("relay %s is shutting down", fields[0])
            self._left(fields[0])
        elif kind in TUNNEL_KINDS:
            self.tunnels.on_event(kind, fields)
        elif kind == COMMITTED:
            if self._holding is not None:
                self._holding.append(tuple(fields))  # type: ignore[arg-type]
            elif self.desk.leading:
                self.desk.committed(*fields)
        elif kind == MESSAGE:
            conversation_id, seq, shop_id, buyer_id, agent, also, data = fields
            hub.local_deliver(data, conversation_id, seq, (shop_id, buyer_id), agent, also)
        elif kind == ACCOUNT:
            hub.local_to_account(*fields)
        elif kind == BUYER:
            hub.local_to_buyer(*fields)
        elif kind == SHOP:
            hub.local_to_shop(*fields)
        elif kind == SUPERVISORS:
            shop_id, skip, data = fields
            hub.local_to_supervisors(shop_id, data, set(skip))
        elif kind == AUDIENCE:
            conversation_id, shop_id, buyer_id, agent, data = fields
            hub.local_to_audience(conversation_id, (shop_id, buyer_id), agent, data)
        elif kind == CALL:
            hub.local_to_call_audience(*fields)
        else:
            logger.warning("unknown bus event %r (a newer relay's?): ignored", kind)
