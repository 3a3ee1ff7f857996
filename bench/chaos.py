"""Chaos: relays killed with SIGKILL again and again during one burst, restarted each time.

100 buyers each send 100 messages (10 in flight) to the demo shop; a relay process is SIGKILLed
whenever the acks reach the next mark (20 marks spread over the burst), and started again on the same
database. After each restart every buyer reconnects and resends what was not acked, then goes on.
Two set-ups: one relay on embedded SQLite, and two relays on one PostgreSQL and one Redis (killed in
turn, the routing leader every other time; the buyers of the dead one resume on the other, as behind
one address). In the end: every acked message stored at the seq its ack named, each message stored
once, each conversation's seqs dense and in the order sent. Printed per set-up: kills, messages, lost,
duplicated, moved, time from a kill to every buyer resumed (p50 / max).

`tests/chaos/test_kill_burst.py` runs the same driver with 3 kills on both set-ups; `python -m bench
chaos` runs 20 on each and writes its section of docs/benchmarks.md; `python -m bench.chaos --kills 5`
(or `--only cluster`) is a quick check that writes nothing."""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from app.client import KefuClient, buyer_session
from app.errors import ConnectionLost
from app.relay_process import RelayProcess, spawn_relay

CLIENTS = 100
PER_CLIENT = 100
IN_FLIGHT = 10
KILLS = 20
RELAY_ARGS = ("--buyer-rate", "100000/100000")
RUN_LIMIT_S = 600.0
"""The bench stops itself (an error) if the burst has not ended by then."""


@dataclass
class KillRun:
    """What one burst with kills did: what each buyer meant to send, and every ack it got."""

    plan: list[list[str]]
    conversations: list[int] = field(default_factory=list)
    acked: dict[str, tuple[int, int]] = field(default_factory=dict)
    """client_msg_id -> (conversation, seq), as the ack said."""
    kills: int = 0
    resume_s: list[float] = field(default_factory=list)
    """Per buyer and kill: from the SIGKILL to that buyer connected again with its unacked messages resent."""
    seconds: float = 0.0


def marks(kills: int, total: int) -> list[int]:
    """Ack counts at which to kill: spread over the burst, the last well before its end."""
    return [round(total * (k + 0.5) / (kills + 1)) for k in range(kills)]


async def kill_burst(data_dir: Path, *, clients: int = CLIENTS, per_client: int = PER_CLIENT, kills: int = 3,
                     relay_args: tuple[str, ...] = RELAY_ARGS, relays: int = 1) -> KillRun:
    """Run the burst against `relays` relay processes on `data_dir` (a seeded demo database, or with
    `--database`/`--redis` in `relay_args` one PostgreSQL and one Redis they share), killing one of them
    `kills` times (in turn: A, B, A...) and starting it again. Buyer i starts on relay i % relays; after
    a drop it reconnects to the first relay up from its own (as behind one address)."""
    run = KillRun(plan=[[f"买家{i}的第{n}条" for n in range(per_client)] for i in range(clients)])
    reached = [0] * clients
    began = time.monotonic()
    procs: list[RelayProcess] = [await spawn_relay(data_dir, *relay_args) for _ in range(relays)]
    buyers: list[KefuClient] = []
    try:
        for i in range(clients):
            home = procs[i % relays].url
            buyer = KefuClient(home, (await buyer_session(home, f"b-jiadian-{i + 1:04d}")).token)
            await buyer.connect()
            run.conversations.append((await buyer.open_conversation("jiadian")).conversation_id)
            buyers.append(buyer)

        up = [asyncio.Event() for _ in procs]  # each cleared while its relay is down
        for event in up:
            event.set()
        acked_enough = asyncio.Event()  # set when the acks reach the killer's next mark, or the burst ended
        threshold = 0
        killed_at = 0.0
        finished = 0

        def note(ack: object) -> None:
            if isinstance(ack, BaseException):
                if not isinstance(ack, ConnectionLost):
                    raise ack
            else:
                run.acked[ack.client_msg_id] = (ack.conversation_id, ack.seq)  # type: ignore[attr-defined]
                if len(run.acked) >= threshold:
                    acked_enough.set()

        async def resume(i: int) -> None:
            """After a drop: wait for a relay, reconnect, resend what was not acked (in order)."""
            while True:
                live = [r for k in range(relays) if up[r := (i + k) % relays].is_set()]
                if not live:
                    await asyncio.wait([asyncio.ensure_future(e.wait()) for e in up],
                                       return_when=asyncio.FIRST_COMPLETED)
                    continue
                buyers[i].base_url = procs[live[0]].url
                try:
                    await buyers[i].connect()
                    await buyers[i].resend_unacked(on_ack=note)  # (noted one by one: a kill may cut it short)
                    if killed_at:
                        run.resume_s.append(time.monotonic() - killed_at)
                    return
                except (TimeoutError, ConnectionLost, OSError):
                    await asyncio.sleep(0.05)

        async def burst(i: int) -> None:
            """Send plan[i], IN_FLIGHT pipelined; after each drop resume and go on."""
            nonlocal finished
            while reached[i] < per_client:
                chunk = range(reached[i], min(reached[i] + IN_FLIGHT, per_client))
                results = await asyncio.gather(
                    *(buyers[i].send_text(run.conversations[i], run.plan[i][k], f"c{i}-{k}") for k in chunk),
                    return_exceptions=True)
                for res in results:
                    note(res)
                reached[i] = chunk.stop
                if any(isinstance(r, BaseException) for r in results):
                    await resume(i)
            if buyers[i].unacked:
                await resume(i)
            finished += 1
            if finished == clients:
                acked_enough.set()  # the killer must not wait for a mark that can no longer come

        async def restart(victim: int) -> None:
            procs[victim] = await spawn_relay(data_dir, *relay_args)
            up[victim].set()

        async def killer() -> None:
            nonlocal threshold, killed_at
            restarting: dict[int, asyncio.Task[None]] = {}
            for mark in marks(kills, clients * per_client):
                threshold = mark
                acked_enough.clear()
                if len(run.acked) >= threshold or finished == clients:  # (passed while a relay restarted)
                    acked_enough.set()
                await acked_enough.wait()
                if finished == clients or len(run.acked) >= clients * per_client:
                    raise AssertionError(f"the burst ended before kill {run.kills + 1} (its mark: {mark} acks,"
                                         f" acked: {len(run.acked)})")
                victim = run.kills % relays
                if victim in restarting:  # the one to kill is still starting from its last kill
                    await restarting.pop(victim)
                up[victim].clear()
                await procs[victim].kill()
                killed_at = time.monotonic()
                run.kills += 1
                # The others go on while it starts again (with one relay, the buyers wait for it).
                restarting[victim] = asyncio.create_task(restart(victim))
            for task in restarting.values():
                await task

        async def report() -> None:
            while True:
                await asyncio.sleep(5)
                print(f"  {time.monotonic() - began:5.0f} s: {len(run.acked):,} acked, {run.kills} kills,"
                      f" {finished} buyers done, relays up: {[e.is_set() for e in up]}", file=sys.stderr, flush=True)

        reporter = asyncio.create_task(report())
        try:  # the first failure ends the run
            await asyncio.gather(killer(), *(burst(i) for i in range(clients)))
        finally:
            reporter.cancel()
        if any(b.unacked for b in buyers):
            raise AssertionError("messages left unacked after the last restart")
    finally:
        for buyer in buyers:
            await buyer.close()
        for proc in procs:
            await proc.stop()
    run.seconds = time.monotonic() - began
    return run


BUYER_TEXTS = ("SELECT conversation_id, seq, client_msg_id, text FROM messages WHERE kind = 'text'"
               " AND sender_kind = 'buyer' ORDER BY conversation_id, seq")
ALL_SEQS = "SELECT conversation_id, seq FROM messages ORDER BY conversation_id, seq"


def problems(database: Path | str, run: KillRun) -> dict[str, int]:
    """What broke a promise (all zero when none did): lost, duplicated, moved acks, gaps, order. `database`:
    the SQLite file, or a PostgreSQL URL."""
    if isinstance(database, str) and database.startswith("postgres"):
        import psycopg

        with psycopg.connect(database) as pg:
            rows = pg.execute(BUYER_TEXTS).fetchall()
            all_seqs = pg.execute(ALL_SEQS).fetchall()
    else:
        with sqlite3.connect(database) as db:
            rows = db.execute(BUYER_TEXTS).fetchall()
            all_seqs = db.execute(ALL_SEQS).fetchall()
    sent = {f"c{i}-{k}" for i, texts in enumerate(run.plan) for k in range(len(texts))}
    stored = {r[2]: (r[0], r[1]) for r in rows}
    by_conv: dict[int, list[int]] = {}
    for c, s in all_seqs:
        by_conv.setdefault(c, []).append(s)
    return {
        "lost": len(sent - stored.keys()),
        "duplicated": len(rows) - len(stored),
        "acks moved": sum(stored.get(cmid) != where for cmid, where in run.acked.items()),
        "seq gaps": sum(seqs != list(range(1, len(seqs) + 1)) for seqs in by_conv.values()),
        "out of order": sum([r[3] for r in rows if r[0] == conv] != run.plan[i]
                            for i, conv in enumerate(run.conversations)),
    }


Outcome = tuple[str, KillRun, dict[str, int]]
"""One set-up's run: its name, what the burst did, what broke (all zero when nothing did)."""


def table(outcomes: list[Outcome]) -> str:
    def resumed(run: KillRun) -> str:
        r = sorted(run.resume_s)
        return f"{r[len(r) // 2]:.2f} s / {r[-1]:.2f} s" if r else "-"

    rows: list[tuple[str, list[str], str]] = [
        ("relay processes SIGKILLed mid-burst", [str(run.kills) for _, run, _ in outcomes], str(KILLS)),
        ("buyers × messages", [f"{len(run.plan)} × {len(run.plan[0])}" for _, run, _ in outcomes], "100 × 100"),
        ("acks received", [f"{len(run.acked):,}" for _, run, _ in outcomes], "every message"),
        *((name, [str(found[name]) for _, _, found in outcomes], "0") for name in outcomes[0][2]),
        ("kill → a buyer resumed (restart, reconnect, resend), p50 / max", [resumed(run) for _, run, _ in outcomes],
         ""),
        ("whole run", [f"{run.seconds:.1f} s" for _, run, _ in outcomes], ""),
    ]
    lines = ["| figure | " + " | ".join(label for label, _, _ in outcomes) + " | target |",
             "|---|" + "---:|" * len(outcomes) + "---|"]
    lines += [f"| {figure} | " + " | ".join(values) + f" | {target} |" for figure, values, target in rows]
    return "\n".join(lines)


async def _seeded(data_dir: Path, *args: str) -> None:
    relay = await spawn_relay(data_dir, "--demo", *args)
    await relay.stop()


def run_sqlite(kills: int) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="kefu-chaos-") as tmp:
        data_dir = Path(tmp)
        asyncio.run(_seeded(data_dir))
        run = asyncio.run(asyncio.wait_for(kill_burst(data_dir, kills=kills), RUN_LIMIT_S))
        return "one relay, SQLite", run, problems(data_dir / "relay.sqlite3", run)


def run_cluster(kills: int) -> Outcome:
    """Two relays on one (durable) PostgreSQL and one Redis, both started here; A and B killed in turn."""
    from tests.servers import PostgresServer, RedisServer

    with tempfile.TemporaryDirectory(prefix="kefu-chaos-cluster-") as tmp, \
            PostgresServer(durable=True) as pg, RedisServer() as redis:
        data_dir = Path(tmp)
        dsn = pg.create_database("kefu_chaos")
        shared = ("--database", dsn, "--redis", redis.url)
        asyncio.run(_seeded(data_dir, *shared))
        run = asyncio.run(asyncio.wait_for(
            kill_burst(data_dir, kills=kills, relay_args=(*RELAY_ARGS, *shared), relays=2), RUN_LIMIT_S))
        return "two relays, PostgreSQL + Redis", run, problems(dsn, run)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.chaos", description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=KILLS,
                        help=f"kills during each burst (default {KILLS}; fewer: a quick check, docs untouched)")
    parser.add_argument("--only", choices=("sqlite", "cluster"), help="run one set-up (docs untouched)")
    args = parser.parse_args(sys.argv[1:] if argv is None and __name__ == "__main__" else argv or [])
    outcomes = []
    for name, run_one in (("sqlite", run_sqlite), ("cluster", run_cluster)):
        if args.only in (None, name):
            print(f"chaos: {name}, {args.kills} kills ...", flush=True)
            outcomes.append(run_one(args.kills))
    text = table(outcomes)
    print(text)
    if args.kills >= KILLS and args.only is None:
        from bench.report import write_section

        write_section("chaos", f"Chaos: relays SIGKILLed {KILLS} times in one burst (`bench/chaos.py`)", text,
                      "python -m bench chaos")
    else:
        print("(a partial run: docs/benchmarks.md is left as it is)")
    if any(sum(found.values()) for _, _, found in outcomes):
        raise SystemExit("a promise broke: see above")


if __name__ == "__main__":
    main()
