"""Two relay processes on one PostgreSQL and one Redis; relay A is killed with SIGKILL in the middle of
a burst of 5,000 messages from 50 buyers split across both. A started first and leads routing, so B
takes the routing lease over. Every acked message is stored once and in seq order; A's buyers resume
on B (as behind one address) and resend what was not acked; a supervisor watching through B (served
by A until it dies, then by B: the socket is closed and resumes by its cursors) is pushed every
message of every conversation once and in order, A's last ones included (the messages A stored but
never put on the stream come from the database)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import defaultdict
from pathlib import Path

import aiohttp
import pytest

from app.client import KefuClient, buyer_session, login
from app.errors import ConnectionLost, RelayError
from app.relay_process import RelayProcess, spawn_relay
from bench.chaos import watch
from relay.config import RelayConfig
from tests.conftest import DEMO_PASSWORD, MAIN_SHOP
from tests.relay.helpers import db_rows

BUYERS = 50
PER_BUYER = 100
KILL_AFTER = 1_500
"""Acked messages (of all buyers) before relay A is killed: every buyer still has some to send."""


async def leads(url: str, within: float) -> bool:
    """Whether the relay at `url` leads routing, waiting up to `within` seconds for it to take the lease
    (the poll, then loading every shop's desk while the burst goes on)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    async with aiohttp.ClientSession() as http:
        while True:
            async with http.get(url + "/healthz") as resp:
                if (await resp.json())["bus"]["leading"]:
                    return True
            if loop.time() > deadline:
                return False
            await asyncio.sleep(0.2)


async def connect_somewhere(client: KefuClient, relays: list[RelayProcess]) -> None:
    """Connect to the first relay that answers (a load balancer's choice when one is gone)."""
    for _ in range(100):
        for relay in relays:
            if relay.proc.returncode is not None:
                continue
            client.base_url = relay.url
            try:
                await client.connect()
                return
            except ConnectionLost:
                continue
        await asyncio.sleep(0.1)
    raise AssertionError("no relay took the connection")


@pytest.mark.timeout(240)
async def test_relay_a_killed_mid_burst_loses_nothing_and_its_buyers_resume_on_b(
        data_dir: Path, pg_seeded_dsn: str, redis_url: str) -> None:
    args = ["--database", pg_seeded_dsn, "--redis", redis_url, "--buyer-rate", "1000000/1000000",
            "--agent-rate", "1000000/1000000"]
    a = await spawn_relay(data_dir, *args)
    b = await spawn_relay(data_dir, *args)  # the same data directory: the same buyer-session key
    watcher: asyncio.Task[None] | None = None
    buyers: list[KefuClient] = []
    try:
        seen: dict[int, list[int]] = defaultdict(list)
        ready = asyncio.Event()
        token = (await login(b.url, MAIN_SHOP, "super1", DEMO_PASSWORD)).token
        watcher = asyncio.create_task(watch(lambda: [b.url], token, seen, ready))
        await asyncio.wait_for(ready.wait(), 10)

        acked: dict[str, int] = {}  # client_msg_id -> seq, from every ack (first and resent)
        conversations: dict[str, int] = {}
        killed = asyncio.Event()
        for i in range(BUYERS):
            home = a if i % 2 == 0 else b
            buyer = KefuClient(home.url, (await buyer_session(home.url, f"b-jiadian-{i + 1:04d}")).token,
                               request_timeout=5.0)
            await buyer.connect()
            buyers.append(buyer)
            conversations[buyer.token] = (await buyer.open_conversation("jiadian")).conversation_id
        relays = [a, b]

        async def burst(n: int, buyer: KefuClient) -> None:
            conv = conversations[buyer.token]
            for i in range(PER_BUYER):
                cmid = f"burst-{n}-{i}"
                while True:
                    try:
                        if cmid in buyer.unacked or not buyer.connected:
                            await connect_somewhere(buyer, relays)
                            await buyer.resend_unacked(on_ack=lambda ack: acked.__setitem__(ack.client_msg_id, ack.seq))
                        if cmid not in acked:
                            acked[cmid] = (await buyer.send_text(conv, f"买家{n} 第{i}条", cmid)).seq
                        break
                    except (ConnectionLost, RelayError):
                        await asyncio.sleep(0.05)
                if len(acked) >= KILL_AFTER and not killed.is_set():
                    killed.set()
                    await a.kill()

        await asyncio.gather(*(burst(n, buyer) for n, buyer in enumerate(buyers)))
        assert killed.is_set() and a.proc.returncode is not None
        assert len(acked) == BUYERS * PER_BUYER
        assert await leads(b.url, within=15.0)  # B took the routing lease over (it may finish after the burst)

        # Stored once each, under the seq its ack said, seqs dense.
        ids = ",".join(str(c) for c in conversations.values())
        rows = db_rows(RelayConfig(data_dir=data_dir, database=pg_seeded_dsn),
                       f"SELECT conversation_id, seq, client_msg_id FROM messages WHERE conversation_id IN ({ids})"
                       " ORDER BY conversation_id, seq")
        by_cmid = {r[2]: r[1] for r in rows if r[2].startswith("burst-")}
        assert len(by_cmid) == len([r for r in rows if r[2].startswith("burst-")]) == BUYERS * PER_BUYER
        assert by_cmid == acked
        stored: dict[int, list[int]] = defaultdict(list)
        for conv, seq, _ in rows:
            stored[conv].append(seq)
        assert all(seqs == list(range(1, len(seqs) + 1)) for seqs in stored.values())

        # Pushed to the supervisor on B once each and in order, A's last ones included.
        async def all_seen() -> None:
            while any(len(seen[c]) < len(stored[c]) for c in stored):
                await asyncio.sleep(0.1)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(all_seen(), 20)
        await asyncio.sleep(0.5)
        cmids = {(conv, seq): cmid for conv, seq, cmid in rows}
        wrong = {c: describe(seen[c], stored[c]) + " " + str([cmids[c, s] for s in set(stored[c]) - set(seen[c])])
                 for c in stored if seen[c] != stored[c]}
        assert not wrong, wrong
    finally:
        for buyer in buyers:
            await buyer.close()
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await watcher
        await a.kill()
        await b.stop()


def describe(seen: list[int], stored: list[int]) -> str:
    """How what was pushed differs from what is stored: missing, repeated, out of order."""
    missing = sorted(set(stored) - set(seen))
    repeated = sorted({s for s in seen if seen.count(s) > 1})
    backwards = [(x, y) for x, y in itertools.pairwise(seen) if y <= x]
    return f"missing {missing}, repeated {repeated}, backwards {backwards[:5]}"
