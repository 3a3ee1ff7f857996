"""A relay killed with SIGKILL mid-burst loses no acked message and stores none twice."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from app.client import KefuClient, buyer_session
from app.errors import ConnectionLost
from app.relay_process import spawn_relay

CLIENTS = 50
PER_CLIENT = 100
IN_FLIGHT = 10
KILL_AFTER_ACKS = 1500


@pytest.mark.slow
async def test_sigkill_mid_burst_then_restart_loses_nothing_and_duplicates_nothing(data_dir: Path) -> None:
    relay = await spawn_relay(data_dir, "--buyer-rate", "100000/100000")
    url = relay.url
    clients: list[KefuClient] = []
    plan: list[list[str]] = []  # texts each client must get stored, in order
    acked_before_kill: dict[str, tuple[int, int]] = {}  # client_msg_id -> (conversation, seq)
    killed = asyncio.Event()
    enough = asyncio.Event()
    conv_ids: list[int] = []
    try:
        for i in range(CLIENTS):
            token = (await buyer_session(url, f"b-jiadian-{i + 1:04d}")).token
            client = KefuClient(url, token)
            await client.connect()
            conv_ids.append((await client.open_conversation("jiadian")).conversation_id)
            clients.append(client)
            plan.append([f"买家{i}的第{n}条消息" for n in range(PER_CLIENT)])

        async def burst(i: int, start: int) -> int:
            """Send plan[i][start:] with IN_FLIGHT pipelined; return how far it got before a drop."""
            client, n = clients[i], start
            while n < PER_CLIENT:
                chunk = range(n, min(n + IN_FLIGHT, PER_CLIENT))
                results = await asyncio.gather(
                    *(client.send_text(conv_ids[i], plan[i][k], f"c{i}-{k}") for k in chunk),
                    return_exceptions=True,
                )
                for res in results:
                    if isinstance(res, BaseException):
                        assert isinstance(res, ConnectionLost), res
                    elif not killed.is_set():
                        acked_before_kill[res.client_msg_id] = (res.conversation_id, res.seq)
                        if len(acked_before_kill) >= KILL_AFTER_ACKS:
                            enough.set()
                n = chunk.stop
                if any(isinstance(r, BaseException) for r in results):
                    return n
            return n

        async def killer() -> None:
            await enough.wait()
            killed.set()
            await relay.kill()

        kill_task = asyncio.create_task(killer())
        reached = await asyncio.gather(*(burst(i, 0) for i in range(CLIENTS)))
        await asyncio.wait_for(kill_task, 30)
        assert sum(reached) < CLIENTS * PER_CLIENT or len(acked_before_kill) < CLIENTS * PER_CLIENT, \
            "the kill came after the burst ended; the test proved nothing"
        assert any(c.unacked for c in clients), "nothing was in flight at the kill"

        relay = await spawn_relay(data_dir, "--buyer-rate", "100000/100000")
        url = relay.url
        for client in clients:
            client.base_url = url
            await client.connect()
            await client.resend_unacked()
        await asyncio.gather(*(burst(i, reached[i]) for i in range(CLIENTS)))
        assert all(not c.unacked for c in clients)
    finally:
        for client in clients:
            await client.close()
        await relay.stop()

    with sqlite3.connect(data_dir / "relay.sqlite3") as db:
        rows = db.execute("SELECT conversation_id, seq, client_msg_id, text FROM messages WHERE kind = 'text'"
                          " ORDER BY conversation_id, seq").fetchall()
        all_seqs = db.execute("SELECT conversation_id, seq FROM messages ORDER BY conversation_id, seq").fetchall()
    assert len(rows) == CLIENTS * PER_CLIENT
    assert len({r[2] for r in rows}) == CLIENTS * PER_CLIENT  # each stored exactly once
    stored = {r[2]: (r[0], r[1]) for r in rows}
    for cid, where in acked_before_kill.items():
        assert stored[cid] == where, f"acked message {cid} lost or moved"
    for i, conv in enumerate(conv_ids):
        texts = [r[3] for r in rows if r[0] == conv]
        seqs = [s for c, s in all_seqs if c == conv]
        assert seqs == list(range(1, len(seqs) + 1))  # dense, automatic messages included
        assert texts == plan[i]  # in the order the buyer sent them
