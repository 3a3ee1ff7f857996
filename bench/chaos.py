"""Chaos: relays killed with SIGKILL, PostgreSQL and Redis restarted, again and again during one burst.

100 buyers each send 100 messages (10 in flight) to the demo shop; at each of 20 marks spread over
the burst (ack counts), a fault: a relay process SIGKILLed and started again on the same database, or
PostgreSQL restarted (pg_ctl stop -m fast, then start), or Redis restarted empty. After each fault
every buyer that lost its connection, or had a send refused as unavailable, reconnects and resends
what was not acked, in order, then goes on; a relay that stops by itself (a routing leader whose
lease session ended) is started again, as systemd would. Four set-ups: one relay on embedded SQLite;
two relays on one PostgreSQL and one Redis with the relays killed in turn (the routing leader every
other time; the dead one's buyers resume on the other, as behind one address), with PostgreSQL
restarted, and with Redis restarted. A supervisor's raw socket on the last relay counts what is
pushed. In the end: every acked message stored at the seq its ack named, each message stored once,
each conversation's seqs dense and in the order sent, each pushed to the supervisor once and in
order. Printed per set-up: faults, relays that stopped by themselves, refusals, lost, duplicated,
moved, time from a fault to a buyer resumed (p50 / max).

`tests/chaos/test_kill_burst.py` runs the same driver with 3 faults on each set-up; `python -m bench
chaos` runs 20 on each and writes its section of docs/benchmarks.md; `python -m bench.chaos --kills 5`
(or `--only cluster|postgres|redis|sqlite`) is a quick check that writes nothing."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp
import msgspec

from app.client import KefuClient, buyer_session, login
from app.demo import DEMO_PASSWORD
from app.errors import ConnectionLost, RelayError
from app.relay_process import RelayProcess, spawn_relay
from wire.errors import ErrorCode

if TYPE_CHECKING:
    from tests.servers import PostgresServer, RedisServer

CLIENTS = 100
PER_CLIENT = 100
IN_FLIGHT = 10
KILLS = 20
RELAY_ARGS = ("--buyer-rate", "100000/100000")
RUN_LIMIT_S = 600.0
"""The bench stops itself (an error) if the burst has not ended by then."""


@dataclass
class KillRun:
    """What one burst with faults did: what each buyer meant to send, every ack it got, what was pushed."""

    plan: list[list[str]]
    fault: str = "relay SIGKILLed"
    conversations: list[int] = field(default_factory=list)
    acked: dict[str, tuple[int, int]] = field(default_factory=dict)
    """client_msg_id -> (conversation, seq), as the ack said."""
    kills: int = 0
    """Faults made (kills, or PostgreSQL or Redis restarts)."""
    exits: int = 0
    """Relays that stopped by themselves (a leader that lost its lease) and were started again."""
    refusals: int = 0
    """Sends answered with a transient error (unavailable while the database was away): resent later."""
    resume_s: list[float] = field(default_factory=list)
    """Per buyer and fault: from the fault to that buyer connected again with its unacked messages resent."""
    seen: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    """With a watching supervisor: conversation -> the seqs pushed to it, in arrival order."""
    seconds: float = 0.0


def marks(kills: int, total: int) -> list[int]:
    """Ack counts at which to kill: spread over the burst, the last well before its end."""
    return [round(total * (k + 0.5) / (kills + 1)) for k in range(kills)]


TRANSIENT = (ErrorCode.UNAVAILABLE, ErrorCode.INTERNAL, ErrorCode.RATE_LIMITED, ErrorCode.GOING_AWAY)


def doubtful(exc: BaseException) -> bool:
    """Whether a client cannot tell from `exc` that its message was refused for good: resend it later."""
    return isinstance(exc, ConnectionLost | TimeoutError | OSError) or (
        isinstance(exc, RelayError) and exc.code in TRANSIENT)


class _Frame(msgspec.Struct):
    type: str
    conversation_id: int | None = None
    seq: int | None = None


async def watch(urls: Callable[[], list[str]], token: str, seen: dict[int, list[int]], ready: asyncio.Event) -> None:
    """A supervisor's raw connection: every message frame pushed, in arrival order (no client-side dedup).
    Dropped, it connects to the first of `urls()` that answers and syncs from the last seqs it has."""
    decode = msgspec.json.Decoder(_Frame).decode
    async with aiohttp.ClientSession() as http:
        while True:
            for url in urls():
                try:
                    async with http.ws_connect(url.replace("http", "ws", 1) + "/ws?v=1",
                                               headers={"Authorization": f"Bearer {token}"}) as ws:
                        cursors = {str(c): seqs[-1] for c, seqs in seen.items() if seqs}
                        await ws.send_str(msgspec.json.encode({"type": "sync", "id": "s", "cursors": cursors}).decode())
                        async for msg in ws:
                            if msg.type != aiohttp.WSMsgType.TEXT:  # (ERROR, when the relay was killed)
                                break
                            frame = decode(msg.data)
                            if frame.type == "synced":
                                ready.set()
                            elif frame.type == "message" and frame.conversation_id is not None:
                                seen[frame.conversation_id].append(frame.seq or 0)
                except (aiohttp.ClientError, OSError):
                    pass
            await asyncio.sleep(0.1)


async def kill_burst(data_dir: Path, *, clients: int = CLIENTS, per_client: int = PER_CLIENT, kills: int = 3,
                     relay_args: tuple[str, ...] = RELAY_ARGS, relays: int = 1, pause_s: float = 0.0,
                     fault: Callable[[], Awaitable[None]] | None = None, fault_name: str = "",
                     watch_as: str | None = None) -> KillRun:
    """Run the burst against `relays` relay processes on `data_dir` (a seeded demo database, or with
    `--database`/`--redis` in `relay_args` one PostgreSQL and one Redis they share). At each of `kills`
    marks: `fault()` (e.g. restart PostgreSQL), or by default SIGKILL one relay (in turn: A, B, A...)
    and start it again. A relay that stops by itself is started again (as systemd's Restart=always).
    Buyer i starts on relay i % relays; after a drop or a transient error it reconnects to the first
    relay up from its own (as behind one address) and resends. Each buyer waits `pause_s` between its
    groups of IN_FLIGHT (so the burst outlasts the faults). With `watch_as` (a supervisor of the shop),
    that supervisor's raw socket on the last relay records every message pushed to it."""
    run = KillRun(plan=[[f"买家{i}的第{n}条" for n in range(per_client)] for i in range(clients)],
                  fault=fault_name or KillRun.fault)
    reached = [0] * clients
    began = time.monotonic()
    procs: list[RelayProcess] = [await spawn_relay(data_dir, *relay_args) for _ in range(relays)]
    up = [asyncio.Event() for _ in procs]  # each cleared while its relay is down
    for event in up:
        event.set()
    buyers: list[KefuClient] = []
    helpers: list[asyncio.Task[None]] = []

    def live(first: int = 0) -> list[int]:
        return [r for k in range(relays) if up[r := (first + k) % relays].is_set()]

    try:
        if watch_as is not None:
            ready = asyncio.Event()
            token = (await login(procs[-1].url, "jiadian", watch_as, DEMO_PASSWORD)).token
            helpers.append(asyncio.create_task(
                watch(lambda: [procs[r].url for r in live(relays - 1)], token, run.seen, ready)))
            await asyncio.wait_for(ready.wait(), 10)
        for i in range(clients):
            home = procs[i % relays].url
            buyer = KefuClient(home, (await buyer_session(home, f"b-jiadian-{i + 1:04d}")).token)
            await buyer.connect()
            run.conversations.append((await buyer.open_conversation("jiadian")).conversation_id)
            buyers.append(buyer)

        acked_enough = asyncio.Event()  # set when the acks reach the killer's next mark, or the burst ended
        threshold = 0
        killed_at = 0.0
        finished = 0

        def note(ack: object) -> None:
            if isinstance(ack, BaseException):
                if not doubtful(ack):
                    raise ack
                if isinstance(ack, RelayError):
                    run.refusals += 1
            else:
                run.acked[ack.client_msg_id] = (ack.conversation_id, ack.seq)  # type: ignore[attr-defined]
                if len(run.acked) >= threshold:
                    acked_enough.set()

        async def resume(i: int) -> None:
            """After a drop: wait for a relay, reconnect, resend what was not acked (in order)."""
            while True:
                if not live(i):
                    await asyncio.wait([asyncio.ensure_future(e.wait()) for e in up],
                                       return_when=asyncio.FIRST_COMPLETED)
                    continue
                buyers[i].base_url = procs[live(i)[0]].url
                try:
                    await buyers[i].connect()
                    await buyers[i].resend_unacked(on_ack=note)  # (noted one by one: a kill may cut it short)
                    if killed_at:
                        run.resume_s.append(time.monotonic() - killed_at)
                    return
                except Exception as exc:
                    if not doubtful(exc):
                        raise
                    note(exc)
                    await asyncio.sleep(0.1)

        async def burst(i: int) -> None:
            """Send plan[i], IN_FLIGHT pipelined; after each drop resume and go on."""
            nonlocal finished
            while reached[i] < per_client:
                if pause_s and reached[i]:
                    await asyncio.sleep(pause_s)
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

        async def start(r: int) -> None:
            """Start relay r again, retrying while it cannot start (its database away)."""
            while True:
                try:
                    procs[r] = await spawn_relay(data_dir, *relay_args)
                    up[r].set()
                    return
                except (RuntimeError, TimeoutError, OSError):
                    await asyncio.sleep(0.5)

        async def keep() -> None:
            """As systemd's Restart=always: a relay that stopped by itself is started again."""
            while True:
                await asyncio.sleep(0.1)
                for r, proc in enumerate(procs):
                    if up[r].is_set() and proc.proc.returncode is not None:
                        up[r].clear()
                        run.exits += 1
                        await start(r)

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
                    raise AssertionError(f"the burst ended before fault {run.kills + 1} (its mark: {mark} acks,"
                                         f" acked: {len(run.acked)})")
                killed_at = time.monotonic()
                run.kills += 1
                if fault is not None:
                    await fault()
                    continue
                victim = (run.kills - 1) % relays
                if victim in restarting:  # the one to kill is still starting from its last kill
                    await restarting.pop(victim)
                up[victim].clear()
                await procs[victim].kill()
                # The others go on while it starts again (with one relay, the buyers wait for it).
                restarting[victim] = asyncio.create_task(start(victim))
            for task in restarting.values():
                await task

        async def report() -> None:
            while True:
                await asyncio.sleep(5)
                print(f"  {time.monotonic() - began:5.0f} s: {len(run.acked):,} acked, {run.kills} faults,"
                      f" {finished} buyers done, relays up: {[e.is_set() for e in up]}", file=sys.stderr, flush=True)

        helpers += [asyncio.create_task(report()), asyncio.create_task(keep())]
        await asyncio.gather(killer(), *(burst(i) for i in range(clients)))  # the first failure ends the run
        if any(b.unacked for b in buyers):
            raise AssertionError("messages left unacked after the last restart")
        if watch_as is not None:  # what is stored reaches the supervisor in the end (a catch-up may take a while)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and any(
                    seq not in run.seen[conv] for conv, seq in run.acked.values()):
                await asyncio.sleep(0.1)
            await asyncio.sleep(0.5)  # (anything pushed twice comes now)
            if helpers[0].done():
                raise AssertionError("the supervisor's watcher stopped") from helpers[0].exception()
    finally:
        for task in helpers:
            task.cancel()
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
    found = {
        "lost": len(sent - stored.keys()),
        "duplicated": len(rows) - len(stored),
        "acks moved": sum(stored.get(cmid) != where for cmid, where in run.acked.items()),
        "seq gaps": sum(seqs != list(range(1, len(seqs) + 1)) for seqs in by_conv.values()),
        "out of order": sum([r[3] for r in rows if r[0] == conv] != run.plan[i]
                            for i, conv in enumerate(run.conversations)),
    }
    if run.seen:  # each stored message pushed to the watching supervisor once, in seq order
        ours = [by_conv.get(conv, []) for conv in run.conversations]
        pushed = [run.seen.get(conv, []) for conv in run.conversations]
        found |= {
            "not pushed to the supervisor": sum(len(set(s) - set(p)) for s, p in zip(ours, pushed, strict=True)),
            "pushed twice": sum(len(p) - len(set(p)) for p in pushed),
            "pushed out of order": sum(any(y <= x for x, y in itertools.pairwise(p)) for p in pushed),
        }
    return found


Outcome = tuple[str, KillRun, dict[str, int]]
"""One set-up's run: its name, what the burst did, what broke (all zero when nothing did)."""


def table(outcomes: list[Outcome]) -> str:
    def resumed(run: KillRun) -> str:
        r = sorted(run.resume_s)
        return f"{r[len(r) // 2]:.2f} s / {r[-1]:.2f} s" if r else "-"

    rows: list[tuple[str, list[str], str]] = [
        ("faults mid-burst", [f"{run.kills} × {run.fault}" for _, run, _ in outcomes], str(KILLS)),
        ("relays that stopped by themselves, started again", [str(run.exits) for _, run, _ in outcomes], ""),
        ("sends refused as unavailable, resent", [f"{run.refusals:,}" for _, run, _ in outcomes], ""),
        ("buyers × messages", [f"{len(run.plan)} × {len(run.plan[0])}" for _, run, _ in outcomes], "100 × 100"),
        ("acks received", [f"{len(run.acked):,}" for _, run, _ in outcomes], "every message"),
        *((name, [str(found.get(name, "-")) for _, _, found in outcomes], "0")
          for name in dict.fromkeys(name for _, _, found in outcomes for name in found)),
        ("fault → a buyer resumed (reconnect, resend), p50 / max", [resumed(run) for _, run, _ in outcomes],
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


WATCHER = "super1"
"""The demo shop's supervisor, whose socket on the last relay counts what is pushed."""


def pace(faults: int) -> float:
    """Seconds each buyer of a cluster waits between its groups of messages, so that the burst outlasts
    `faults` faults (the other relay goes on while one restarts: unpaced, the burst would end first)."""
    return 0.3 * faults


async def restart_postgres(pg: PostgresServer, down_s: float = 0.5) -> None:
    """pg_ctl stop -m fast (every session ends), `down_s` away, then start on the same port."""
    await asyncio.to_thread(pg.halt)
    await asyncio.sleep(down_s)
    await asyncio.to_thread(pg.resume)


async def restart_redis(redis: RedisServer, down_s: float = 0.5) -> None:
    """SIGKILL, `down_s` away, then start again on the same port, empty (no persistence)."""
    await asyncio.to_thread(redis.kill)
    await asyncio.sleep(down_s)
    await asyncio.to_thread(redis.restart)


def run_sqlite(kills: int) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="kefu-chaos-") as tmp:
        data_dir = Path(tmp)
        asyncio.run(_seeded(data_dir))
        run = asyncio.run(asyncio.wait_for(kill_burst(data_dir, kills=kills, watch_as=WATCHER), RUN_LIMIT_S))
        return "one relay, SQLite", run, problems(data_dir / "relay.sqlite3", run)


def run_cluster(kills: int, what: str = "relays") -> Outcome:
    """Two relays on one (durable) PostgreSQL and one Redis, both started here; at each mark A or B
    killed in turn (`what` "relays"), or PostgreSQL or Redis restarted ("postgres", "redis")."""
    from tests.servers import PostgresServer, RedisServer

    with tempfile.TemporaryDirectory(prefix="kefu-chaos-cluster-") as tmp, \
            PostgresServer(durable=True) as pg, RedisServer() as redis:
        data_dir = Path(tmp)
        dsn = pg.create_database("kefu_chaos")
        shared = ("--database", dsn, "--redis", redis.url)
        asyncio.run(_seeded(data_dir, *shared))
        faults = {"relays": (None, ""), "postgres": (lambda: restart_postgres(pg), "PostgreSQL restarted"),
                  "redis": (lambda: restart_redis(redis), "Redis restarted empty")}
        fault, fault_name = faults[what]
        run = asyncio.run(asyncio.wait_for(
            kill_burst(data_dir, kills=kills, relay_args=(*RELAY_ARGS, *shared), relays=2, pause_s=pace(kills),
                       fault=fault, fault_name=fault_name, watch_as=WATCHER), RUN_LIMIT_S))
        return f"two relays, PostgreSQL + Redis: {fault_name or 'relays killed'}", run, problems(dsn, run)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.chaos", description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=KILLS,
                        help=f"kills during each burst (default {KILLS}; fewer: a quick check, docs untouched)")
    parser.add_argument("--only", choices=("sqlite", "cluster", "postgres", "redis"),
                        help="run one set-up (docs untouched)")
    args = parser.parse_args(sys.argv[1:] if argv is None and __name__ == "__main__" else argv or [])
    outcomes = []
    runs: dict[str, Callable[[int], Outcome]] = {
        "sqlite": run_sqlite, "cluster": run_cluster,
        "postgres": lambda n: run_cluster(n, "postgres"), "redis": lambda n: run_cluster(n, "redis")}
    for name, run_one in runs.items():
        if args.only in (None, name):
            print(f"chaos: {name}, {args.kills} faults ...", flush=True)
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
