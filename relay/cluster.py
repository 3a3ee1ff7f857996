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

An event is a msgpack array: its kind's letter, then that kind's fields (see `Cluster._on_event`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import Any

import msgspec

from relay.bus import Bus
from relay.chat import Hub
from relay.hub_desk import Owner

logger = logging.getLogger(__name__)

MESSAGE, ACCOUNT, BUYER, SHOP, SUPERVISORS, AUDIENCE, CALL, ALIVE = "m", "a", "b", "s", "v", "u", "c", "h"
HEARTBEAT_S = 1.0
PEER_SILENT_S = 3.5

_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(list[Any]).decode


class Cluster:
    """This relay's `Peers` (see the module's docstring)."""

    def __init__(self, hub: Hub, redis_url: str, relay_id: str | None = None) -> None:
        self.hub = hub
        self.relay_id = relay_id or uuid.uuid4().hex[:12]
        self.bus = Bus(redis_url, self.relay_id, self._on_event, hub.catch_up)
        self.peers: dict[str, float] = {}
        """The other relays heard from: relay id -> when (loop time) they last said they were alive."""
        self._heartbeat: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.bus.start()
        self.hub.peers = self
        self._heartbeat = asyncio.create_task(self._beat(), name="cluster-heartbeat")

    async def close(self) -> None:
        self.hub.peers = None
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
        await self.bus.close()

    def health(self) -> dict[str, Any]:
        return {"relay_id": self.relay_id, "peers": sorted(self.peers), **self.bus.health()}

    async def _beat(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self._put(ALIVE, self.relay_id)
            await asyncio.sleep(HEARTBEAT_S)
            now = loop.time()
            if not self.bus.connected:  # nobody is heard while Redis is away; its return is a gap of its own
                self.peers = dict.fromkeys(self.peers, now)
                continue
            gone = [relay for relay, seen in self.peers.items() if now - seen > PEER_SILENT_S]
            for relay in gone:
                del self.peers[relay]
            if gone:
                self.bus.declare_gap(f"relay {', '.join(gone)} went silent")

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
            self.peers[fields[0]] = asyncio.get_running_loop().time()
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
