"""The embedded relay, and either relay of a two-relay cluster on PostgreSQL + Redis, killed with
SIGKILL three times during a 10,000-message burst from 100 buyers (issue 14): every ack is honoured
(the message is stored at the acked seq), nothing is lost or stored twice, each conversation's seqs stay
dense and in the order its buyer sent, and every client resumes on a restarted (or the other) relay by
resending what was not acked. `bench/chaos.py` (the same driver) does it 20 times on each."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from app.client import KefuClient, buyer_session
from app.errors import ConnectionLost
from app.relay_process import spawn_relay
from bench.chaos import WATCHER, KillRun, kill_burst, marks, pace, problems, restart_postgres, restart_redis
from tests.chaos.proxy import ChaosProxy
from tests.servers import PostgresServer, RedisServer
from wire import frames as f


def test_the_kill_marks_fall_inside_the_burst() -> None:
    assert marks(3, 10_000) == [1_250, 3_750, 6_250]
    assert all(0 < m < 10_000 for m in marks(20, 10_000)) and marks(20, 10_000) == sorted(marks(20, 10_000))


async def test_a_resend_cut_short_by_a_drop_hands_over_the_acks_it_got(proxy: ChaosProxy) -> None:
    """The driver once lost acks this way (a kill during a resend threw away the list of the acks got
    before it), and the 20-kill run ended with the buyers done and 3,000 acks unaccounted for."""
    buyer = KefuClient(proxy.url, (await buyer_session(proxy.url, "b-jiadian-0001")).token)
    await buyer.connect()
    try:
        conv = (await buyer.open_conversation("jiadian")).conversation_id
        for n in range(3):  # sent, the connection lost before their acks: what a reconnect resends
            buyer.unacked[f"r{n}"] = f.Send(id="-", conversation_id=conv, client_msg_id=f"r{n}", text=f"重发 {n}")
        noted: list[str] = []

        def on_ack(ack: f.Ack) -> None:
            noted.append(ack.client_msg_id)
            proxy.cut_all()  # the relay goes away after the first ack

        with pytest.raises(ConnectionLost):
            await buyer.resend_unacked(on_ack=on_ack)
        assert noted == ["r0"] and list(buyer.unacked) == ["r1", "r2"]
    finally:
        await buyer.close()


@pytest.mark.slow
async def test_three_kills_mid_burst_lose_nothing_double_nothing_and_every_client_resumes(data_dir: Path) -> None:
    run = await asyncio.wait_for(kill_burst(data_dir, clients=100, per_client=100, kills=3), 240)
    assert run.kills == 3 and len(run.resume_s) >= 3
    assert len(run.acked) == 100 * 100, "every message acked in the end"
    assert problems(data_dir / "relay.sqlite3", run) == {
        "lost": 0, "duplicated": 0, "acks moved": 0, "seq gaps": 0, "out of order": 0}


@pytest.mark.slow
async def test_three_kills_on_the_two_relay_cluster_lose_nothing_double_nothing_and_every_client_resumes(
        data_dir: Path, pg_seeded_dsn: str, redis_url: str) -> None:
    """A, B, then A again (the routing leader at least once): the dead one's buyers resume on the other."""
    args = ("--buyer-rate", "100000/100000", "--database", pg_seeded_dsn, "--redis", redis_url)
    run = await asyncio.wait_for(kill_burst(data_dir, kills=3, relay_args=args, relays=2), 240)
    assert run.kills == 3 and len(run.resume_s) >= 3
    assert len(run.acked) == 100 * 100, "every message acked in the end"
    assert problems(pg_seeded_dsn, run) == {
        "lost": 0, "duplicated": 0, "acks moved": 0, "seq gaps": 0, "out of order": 0}


NOTHING_BROKE = {"lost": 0, "duplicated": 0, "acks moved": 0, "seq gaps": 0, "out of order": 0,
                 "not pushed to the supervisor": 0, "pushed twice": 0, "pushed out of order": 0}


async def cluster_burst(data_dir: Path, dsn: str, redis_url: str, fault: Any) -> KillRun:
    args = ("--buyer-rate", "100000/100000", "--database", dsn, "--redis", redis_url)
    return await asyncio.wait_for(kill_burst(data_dir, kills=3, relay_args=args, relays=2, pause_s=pace(3),
                                             fault=fault, watch_as=WATCHER), 240)


@pytest.mark.slow
async def test_postgresql_restarted_three_times_mid_burst_the_cluster_loses_nothing_and_recovers_by_itself(
        data_dir: Path, redis_url: str) -> None:
    """docs/deploy.md: sends while the database is away are refused as unavailable (the clients resend);
    the routing leader, whose lease session ended, stops itself and comes back as a follower (as under
    systemd); the other relay takes the lease; every message reaches the supervisor once, in order."""
    with PostgresServer(durable=False) as pg:
        dsn = pg.create_database("kefu_chaos")
        await (await spawn_relay(data_dir, "--demo", "--database", dsn)).stop()  # seeded
        run = await cluster_burst(data_dir, dsn, redis_url, lambda: restart_postgres(pg))
        assert run.kills == 3 and len(run.acked) == 100 * 100
        assert run.exits >= 1, "the leader stops itself when its lease session ends"
        assert problems(dsn, run) == NOTHING_BROKE


@pytest.mark.slow
async def test_redis_restarted_empty_three_times_mid_burst_the_cluster_loses_nothing_and_nobody_drops(
        data_dir: Path, pg_seeded_dsn: str, redis_url: str, redis_server: RedisServer) -> None:
    """docs/deploy.md: each relay keeps serving its own clients and storing every message (no buyer is
    dropped, no relay stops); what a relay could not publish, or may have missed, comes from the database:
    the supervisor on the other relay is pushed every message once, in order."""
    run = await cluster_burst(data_dir, pg_seeded_dsn, redis_url, lambda: restart_redis(redis_server))
    assert run.kills == 3 and len(run.acked) == 100 * 100
    assert run.exits == 0 and run.refusals == 0 and not run.resume_s, "buyers kept chatting"
    assert problems(pg_seeded_dsn, run) == NOTHING_BROKE
