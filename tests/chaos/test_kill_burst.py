"""The embedded relay killed with SIGKILL three times during a 10,000-message burst from 100 buyers
(issue 14): every ack is honoured (the message is stored at the acked seq), nothing is lost or stored
twice, each conversation's seqs stay dense and in the order its buyer sent, and every client resumes
on the restarted relay by resending what was not acked. `bench/chaos.py` does it 20 times."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from app.client import KefuClient, buyer_session
from app.errors import ConnectionLost
from app.relay_process import RelayProcess, spawn_relay

CLIENTS = 100
PER_CLIENT = 100
IN_FLIGHT = 10
KILL_AT_ACKS = (1_500, 4_500, 7_500)
RELAY_ARGS = ("--buyer-rate", "100000/100000")


@pytest.mark.slow
async def test_three_kills_mid_burst_lose_nothing_double_nothing_and_every_client_resumes(data_dir: Path) -> None:
    relay: RelayProcess = await spawn_relay(data_dir, *RELAY_ARGS)
    clients: list[KefuClient] = []
    conv_ids: list[int] = []
    plan = [[f"买家{i}的第{n}条" for n in range(PER_CLIENT)] for i in range(CLIENTS)]
    acked: dict[str, tuple[int, int]] = {}  # client_msg_id -> (conversation, seq) as the ack said
    reached = [0] * CLIENTS
    try:
        for i in range(CLIENTS):
            client = KefuClient(relay.url, (await buyer_session(relay.url, f"b-jiadian-{i + 1:04d}")).token)
            await client.connect()
            conv_ids.append((await client.open_conversation("jiadian")).conversation_id)
            clients.append(client)

        def note(ack: object) -> None:
            assert not isinstance(ack, BaseException) or isinstance(ack, ConnectionLost), ack
            if not isinstance(ack, BaseException):
                acked[ack.client_msg_id] = (ack.conversation_id, ack.seq)  # type: ignore[attr-defined]

        async def burst(i: int, enough: asyncio.Event | None, threshold: int) -> None:
            """Send plan[i] on from reached[i], IN_FLIGHT pipelined, until a drop or the end."""
            client = clients[i]
            while reached[i] < PER_CLIENT:
                chunk = range(reached[i], min(reached[i] + IN_FLIGHT, PER_CLIENT))
                results = await asyncio.gather(
                    *(client.send_text(conv_ids[i], plan[i][k], f"c{i}-{k}") for k in chunk), return_exceptions=True)
                for res in results:
                    note(res)
                reached[i] = chunk.stop
                if enough is not None and len(acked) >= threshold:
                    enough.set()
                if any(isinstance(r, BaseException) for r in results):
                    return

        for kill, threshold in enumerate(KILL_AT_ACKS, 1):
            enough = asyncio.Event()

            async def killer(gate: asyncio.Event = enough, target: RelayProcess = relay) -> None:
                await gate.wait()
                await target.kill()

            kill_task = asyncio.create_task(killer())
            await asyncio.gather(*(burst(i, enough, threshold) for i in range(CLIENTS)))
            await asyncio.wait_for(kill_task, 60)
            assert len(acked) < CLIENTS * PER_CLIENT, f"kill {kill} came after the burst ended"
            assert any(c.unacked for c in clients), f"nothing was in flight at kill {kill}"

            relay = await spawn_relay(data_dir, *RELAY_ARGS)
            for client in clients:  # every client resumes: reconnect, resend what was not acked
                client.base_url = relay.url
                await client.connect()
                for ack in await client.resend_unacked():
                    note(ack)
        await asyncio.gather(*(burst(i, None, 0) for i in range(CLIENTS)))
        assert all(not c.unacked for c in clients)
        assert len(acked) == CLIENTS * PER_CLIENT
    finally:
        for client in clients:
            await client.close()
        await relay.stop()

    with sqlite3.connect(data_dir / "relay.sqlite3") as db:
        rows = db.execute("SELECT conversation_id, seq, client_msg_id, text FROM messages WHERE kind = 'text'"
                          " AND sender_kind = 'buyer' ORDER BY conversation_id, seq").fetchall()
        all_seqs = db.execute("SELECT conversation_id, seq FROM messages ORDER BY conversation_id, seq").fetchall()
    assert len(rows) == len({r[2] for r in rows}) == CLIENTS * PER_CLIENT, "each message stored exactly once"
    stored = {r[2]: (r[0], r[1]) for r in rows}
    moved = [cmid for cmid, where in acked.items() if stored.get(cmid) != where]
    assert not moved, f"{len(moved)} acked messages lost or moved, e.g. {moved[:3]}"
    for i, conv in enumerate(conv_ids):
        seqs = [s for c, s in all_seqs if c == conv]
        assert seqs == list(range(1, len(seqs) + 1)), f"conversation {conv}: seqs not dense"
        assert [r[3] for r in rows if r[0] == conv] == plan[i], f"conversation {conv}: not in the order sent"
