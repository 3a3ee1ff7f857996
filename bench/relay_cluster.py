"""The relay on each store, under the same load, in one run (issue 13's benchmark).

(a) One relay on SQLite (synchronous=FULL, the default), (b) one relay on PostgreSQL: a durable
server (fsync, synchronous_commit and full_page_writes on) that this benchmark starts itself in a
temporary directory on loopback (`tests/servers.py`), as Debian packages it, with its default
settings. The load is bench/relay_load.py's, through the same harness: 50 buyers in 2 client
processes, 2 agents in a third receiving every message, ~200-byte texts; closed loop with 1 and 10
frames in flight per buyer, then open loop at 2,000 and 5,000 msgs/s offered.

For each phase: acked msgs/s, ack latency p50/p99, delivery latency p50/p99 (from the moment the
buyer's frame was due to the moment it reached the agent: the buyers keep when each acked frame was
due, the agent process when each buyer message arrived, on the machine's one monotonic clock), and
CPU µs per acked message of the relay process and of the PostgreSQL server (the postmaster and
every process it forked: the relay's backends, the WAL writer, the checkpointer...; read from /proc
before and after the phase). Afterwards each database is checked against what the buyers and the
agents saw (`bench.harness.check_integrity`, on SQLite and on PostgreSQL).

(c) Two relays on one durable PostgreSQL and one Redis (started the same way): the buyers on relay
A, the agents on relay B, so every delivery crosses relays (stored by A, put on the Redis Stream, read
by B): the delivery figure is the cross-relay one, and Redis's CPU per message is read like
PostgreSQL's. Twice: once with B, the agents' relay, leading routing (A restarts after B starts, so
B takes the lease): A tells the leader of each committed message and B pushes it to its own
agents; and once with A, the buyers' relay, leading: B serves the agents' sockets through A
(relay/tunnel.py), and each frame A pushes them crosses the stream back to B.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.relay_process import kill_leftovers
from bench.harness import (
    UNLIMITED,
    AgentReport,
    ClientRun,
    Integrity,
    Phase,
    PhaseResult,
    agent_process,
    check_integrity,
    cpu_seconds,
    percentile,
    prepare_relay,
    raise_file_limit,
    rss_kib,
    run_clients,
    start,
    stop_processes,
    tree_cpu_seconds,
)
from bench.relay_load import BUYERS, OPEN_S, PHASE_S, PROCESSES
from bench.relay_load import PHASES as LOAD_PHASES

TARGET_PG_RATE = 5000
"""Issue 13: the relay on PostgreSQL acks at least this many durable msgs/s."""
TARGET_CROSS_P99_MS = 25.0
"""Issue 13: cross-relay delivery p99 at 2,000 msgs/s."""
AGENTS_LEAD = "2 relays, agents' relay leads"
BUYERS_LEAD = "2 relays, buyers' relay leads"
CLUSTERS = (AGENTS_LEAD, BUYERS_LEAD)
DURABLE_PHASE = "closed loop, 10 in flight"
OPEN_RATES = [2000, 5000]
PHASES = [p for p in LOAD_PHASES if p.name in ("warm-up", "closed loop, 1 in flight", DURABLE_PHASE)]
PHASES += [Phase(f"open loop {rate:,}/s", OPEN_S, rate=float(rate)) for rate in OPEN_RATES]
PG_SETTINGS = ("server_version", "fsync", "synchronous_commit", "full_page_writes", "wal_sync_method",
               "shared_buffers", "max_wal_size")


@dataclass
class Measured:
    """One relay set-up's run: the phases as the buyers saw them, what the agents received, the check."""

    label: str
    run: ClientRun
    agents: AgentReport
    integrity: Integrity
    relay_rss_kib: int
    probes: list[str]
    notes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SecondRelay:
    """(c): relay B, on the same database and Redis as A, for the agents; `leads`: B leads routing."""

    data_dir: Path
    leads: bool


async def _bus_health(url: str) -> dict[str, Any]:
    import aiohttp

    async with aiohttp.ClientSession() as http, http.get(url + "/healthz") as resp:
        return dict((await resp.json())["bus"])


async def _until_routed(leader: Any, follower: Any, timeout: float = 20.0) -> None:
    """Until `leader` leads routing and `follower` knows it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lead, follow = await _bus_health(leader.url), await _bus_health(follower.url)
        if lead["leading"] and follow["leader"] == lead["relay_id"] and not follow["leading"]:
            return
        await asyncio.sleep(0.2)
    raise RuntimeError(f"{leader.url} did not become the routing leader in {timeout:.0f} s")


async def _second_relay(relays: list[Any], a_dir: Path, args: list[str], second: SecondRelay) -> None:
    """Start relay B after A (`relays[0]`), which therefore leads; when B is to lead, A restarts."""
    from app.relay_process import spawn_relay

    relays.append(await spawn_relay(second.data_dir, *UNLIMITED, *args))
    if second.leads:
        await relays[0].stop()  # it releases the lease; B takes it at its next poll
        relays[0] = await spawn_relay(a_dir, *UNLIMITED, *args)
    await _until_routed(*(relays[::-1] if second.leads else relays))


def run_setup(label: str, data_dir: Path, relay_args: list[str], database: Path | str,
              cpu: dict[str, Callable[[], float]], second: SecondRelay | None = None) -> Measured:
    """Start a relay with `relay_args`, run the phases, stop it, check `database` against what was seen.
    `second`: the agents on a relay B of their own (the same arguments)."""
    loop = asyncio.new_event_loop()
    ctx = mp.get_context("spawn")
    stop, agent_out = ctx.Event(), ctx.Queue()
    relays: list[Any] = []
    agent_procs: list[Any] = []
    try:
        relay, buyers, agents = loop.run_until_complete(prepare_relay(data_dir, *relay_args, buyers=BUYERS))
        relays.append(relay)
        if second is not None:
            loop.run_until_complete(_second_relay(relays, data_dir, relay_args, second))
        pid = relays[0].proc.pid
        probes: dict[str, Callable[[], float]] = {"relay": lambda: cpu_seconds(pid), **cpu}
        if second is not None:
            pid_b = relays[1].proc.pid
            probes["relay_b"] = lambda: cpu_seconds(pid_b)
        agent_procs.append(start(agent_process, relays[-1].url, agents, stop, agent_out, True))
        time.sleep(1.0)  # the agents are connected and have their chats
        run = run_clients(relays[0].url, buyers, PHASES, PROCESSES, cpu=probes, record_sent=True)
        relay_rss = rss_kib(pid)
        time.sleep(1.0)  # the last deliveries reach the agents
        stop.set()
        report: AgentReport = agent_out.get(timeout=60)
        for proc in agent_procs:
            proc.join(timeout=10)
    finally:
        stop.set()
        stop_processes(agent_procs)
        for running in relays:
            loop.run_until_complete(running.stop())
        kill_leftovers()  # a relay whose start was interrupted
        loop.close()
    return Measured(label, run, report, check_integrity(database, run, report), relay_rss, list(probes))


def run_sqlite() -> Measured:
    data_dir = Path(tempfile.mkdtemp(prefix="kefu-bench-cluster-sqlite-"))
    try:
        return run_setup("SQLite", data_dir, [], data_dir / "relay.sqlite3", {})
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def run_postgres() -> Measured:
    import psycopg

    from tests.servers import PostgresServer

    data_dir = Path(tempfile.mkdtemp(prefix="kefu-bench-cluster-pg-"))
    try:
        with PostgresServer(durable=True) as pg:
            dsn = pg.create_database("kefu_bench")
            with psycopg.connect(dsn) as conn:
                notes = {name: str(conn.execute(f"SHOW {name}").fetchone()[0]) for name in PG_SETTINGS}  # type: ignore[index]
            postmaster = pg.pid
            assert postmaster is not None
            pg_cpu = tree_cpu_seconds(postmaster)
            measured = run_setup("PostgreSQL", data_dir, ["--database", dsn], dsn,
                                 {"postgres": lambda: tree_cpu_seconds(postmaster)})
            pg_cpu = tree_cpu_seconds(postmaster) - pg_cpu
            measured.notes = notes | {"start_s": f"{pg.start_seconds:.1f}", "cpu_s": f"{pg_cpu:.3f}"}
            return measured
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def run_cluster(label: str, agents_lead: bool) -> Measured:
    """(c): relays A (the buyers') and B (the agents') on one durable PostgreSQL and one Redis, both
    started here."""
    from tests.servers import PostgresServer, RedisServer

    data_dir = Path(tempfile.mkdtemp(prefix="kefu-bench-cluster-two-"))
    try:
        with PostgresServer(durable=True) as pg, RedisServer() as redis:
            dsn = pg.create_database("kefu_bench")
            postmaster, redis_pid = pg.pid, redis.pid
            assert postmaster is not None and redis_pid is not None
            shared = ["--database", dsn, "--redis", redis.url]
            cpu = {"postgres": lambda: tree_cpu_seconds(postmaster), "redis": lambda: cpu_seconds(redis_pid)}
            pg_cpu = tree_cpu_seconds(postmaster)  # (Redis is this process's child: counted with it)
            measured = run_setup(label, data_dir / "a", shared, dsn, cpu,
                                 second=SecondRelay(data_dir / "b", leads=agents_lead))
            measured.notes = {"cpu_s": f"{tree_cpu_seconds(postmaster) - pg_cpu:.3f}"}
            return measured
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def machine_busy_seconds() -> float:
    """CPU time all of the machine's cores spent busy so far (/proc/stat: not idle, not waiting for I/O)."""
    with open("/proc/stat", encoding="ascii") as stat:
        ticks = [int(v) for v in stat.readline().split()[1:9]]  # user nice system idle iowait irq softirq steal
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


# --- report ------------------------------------------------------------------------------------


def delivery_ms(r: PhaseResult, agents: AgentReport) -> tuple[list[float], int]:
    """Delivery latencies of the phase's acked first sends, and how many of them no agent received."""
    received = agents.received_at
    latencies = [(received[key] - sent) * 1000 for key, sent in r.sent_at.items() if key in received]
    return latencies, len(r.sent_at) - len(latencies)


def row(m: Measured, phase: Phase) -> dict[str, Any]:
    r = m.run.phases[phase.name]
    delivered, undelivered = delivery_ms(r, m.agents)

    def cpu_us(name: str) -> float | None:
        return r.cpu_by[name] / r.acks * 1e6 if name in r.cpu_by and r.acks else None

    return {"store": m.label, "phase": phase.name, "offered": phase.rate or None, "rate": r.rate(phase.seconds),
            "p50": percentile(r.latencies_ms, 0.5), "p99": percentile(r.latencies_ms, 0.99),
            "d50": percentile(delivered, 0.5), "d99": percentile(delivered, 0.99), "undelivered": undelivered,
            "relay_us": cpu_us("relay"), "relay_b_us": cpu_us("relay_b"), "pg_us": cpu_us("postgres"),
            "redis_us": cpu_us("redis"), "errors": r.errors, "unsent": r.unsent, "unacked": r.unacked,
            "dropped": r.dropped}


def _ms(value: float) -> str:
    return "-" if value != value else (f"{value:,.0f}" if value >= 100 else f"{value:.2f}")


def _us(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _integrity(label: str, i: Integrity) -> str:
    return (f"{label} {'**ok**' if i.ok else '**FAILED**'}: {i.acks:,} acks for {i.acked_ids:,} distinct messages in"
            f" {i.conversations} conversations, {i.stored_buyer:,} buyer messages stored; acked but not stored"
            f" {i.acked_missing}, stored under another seq {i.acked_wrong_seq}, conversations with a seq gap"
            f" {i.seq_gaps}, last_seq off {i.last_seq_wrong}; delivered to an agent {i.delivered:,} (missing"
            f" {i.not_delivered}, unknown {i.delivered_unknown}, twice {i.agent_repeats}; agent reconnects"
            f" {i.agent_reconnects})")


def _cost(r: dict[str, Any]) -> float:
    """The relays' CPU per message (µs)."""
    return (r["relay_us"] or 0.0) + (r["relay_b_us"] or 0.0)


def table(sqlite: Measured, pg: Measured, clusters: list[Measured], others_cores: float) -> str:
    rows = [row(m, p) for m in (sqlite, pg, *clusters) for p in PHASES[1:]]
    by = {(r["store"], r["phase"]): r for r in rows}
    s10, p10 = by[("SQLite", DURABLE_PHASE)], by[("PostgreSQL", DURABLE_PHASE)]
    s1, p1 = by[("SQLite", "closed loop, 1 in flight")], by[("PostgreSQL", "closed loop, 1 in flight")]
    s2k, p2k = by[("SQLite", "open loop 2,000/s")], by[("PostgreSQL", "open loop 2,000/s")]
    p5k = by[("PostgreSQL", "open loop 5,000/s")]
    c2k = {label: by[(label, "open loop 2,000/s")] for label in CLUSTERS}
    c10 = {label: by[(label, DURABLE_PHASE)] for label in CLUSTERS}
    n = pg.notes
    lines = [
        f"The same load as `bench/relay_load.py` (its harness): {BUYERS} buyers in {PROCESSES} processes, 2 agents in"
        " a third receiving every message, ~200-byte texts, relay with uvloop; each set-up on its own relay, one"
        " after the other in this run, their databases in the same temporary directory's file system. (a) SQLite"
        " with synchronous=FULL. (b) PostgreSQL"
        f" {n['server_version']} started by the benchmark on loopback with its default settings and durability on:"
        f" fsync={n['fsync']}, synchronous_commit={n['synchronous_commit']}, full_page_writes={n['full_page_writes']},"
        f" wal_sync_method={n['wal_sync_method']}, shared_buffers={n['shared_buffers']}. (c) Two relays on one such"
        " PostgreSQL and one Redis (Debian's redis-server, no persistence): the buyers on relay A, the agents on"
        " relay B, so each delivery crosses relays through the Redis Stream; once with B (the agents' relay)"
        " leading routing, once with A (the buyers' relay) leading, when B serves the agents' sockets through A."
        " Ack latency counts from when a frame was due (open loop: its place in the schedule); delivery latency"
        " from the same moment to the agent's receipt of the message (buyers and agent process on one monotonic"
        " clock). CPU is per acked message over the phase and its drain: each relay process (every thread), the"
        " PostgreSQL server (the postmaster and every process it forked, from /proc) and the Redis server."
        f" Closed-loop phases last {PHASE_S:.0f} s, open-loop ones {OPEN_S:.0f} s.",
        "",
        "| set-up | phase | offered msgs/s | acked msgs/s | ack p50 ms | ack p99 ms | delivery p50 ms |"
        " delivery p99 ms | relay A (buyers') CPU µs/msg | relay B (agents') CPU µs/msg |"
        " PostgreSQL CPU µs/msg | Redis CPU µs/msg | errors | unsent | unacked |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        offered = f"{r['offered']:,.0f}" if r["offered"] else "-"
        lines.append(f"| {r['store']} | {r['phase']} | {offered} | {r['rate']:,.0f} | {_ms(r['p50'])} |"
                     f" {_ms(r['p99'])} | {_ms(r['d50'])} | {_ms(r['d99'])} |"
                     f" {_us(r['relay_us'])} | {_us(r['relay_b_us'])} | {_us(r['pg_us'])} | {_us(r['redis_us'])} |"
                     f" {r['errors']} | {r['unsent']:,} | {r['unacked']:,} |")
    met = p10["rate"] >= TARGET_PG_RATE
    ratio10 = p10["rate"] / s10["rate"] if s10["rate"] else float("nan")
    ratio1 = p1["rate"] / s1["rate"] if s1["rate"] else float("nan")
    s_cost = s10["relay_us"] or 0.0
    p_cost = (p10["relay_us"] or 0.0) + (p10["pg_us"] or 0.0)
    undelivered = sum(r["undelivered"] for r in rows)
    agents_lead, buyers_lead = c2k[AGENTS_LEAD], c2k[BUYERS_LEAD]

    def verdict(r: dict[str, Any]) -> str:
        return "met" if r["d99"] < TARGET_CROSS_P99_MS else "NOT met"

    cross_met = verdict(agents_lead) if verdict(agents_lead) == verdict(buyers_lead) else (
        f"{verdict(agents_lead)} when the agents' relay leads, {verdict(buyers_lead)} when the buyers' relay does")
    lines += [
        "",
        f"- **Target: the relay on PostgreSQL ≥ {TARGET_PG_RATE:,} durable msgs/s — "
        f"{'met' if met else 'NOT met'}**: {p10['rate']:,.0f} acked msgs/s with 10 in flight per buyer"
        f" (ack p99 {_ms(p10['p99'])} ms); at 5,000 msgs/s offered it acked {p5k['rate']:,.0f}/s,"
        f" p99 {_ms(p5k['p99'])} ms, {p5k['unsent']:,} frames held back.",
        f"- PostgreSQL ÷ SQLite, same run: **{ratio10:.2f}×** the durable rate with 10 in flight"
        f" ({p10['rate']:,.0f} vs {s10['rate']:,.0f} msgs/s), {ratio1:.2f}× with 1 in flight"
        f" ({p1['rate']:,.0f} vs {s1['rate']:,.0f}). CPU per message with 10 in flight: SQLite relay"
        f" {s_cost:.1f} µs; PostgreSQL relay {_us(p10['relay_us'])} µs + PostgreSQL server {_us(p10['pg_us'])} µs"
        f" = {p_cost:.1f} µs ({p_cost / s_cost if s_cost else float('nan'):.1f}×). These 2 cores are shared by the"
        " relay, PostgreSQL and the load clients, so compare costs per message rather than raw rates.",
        f"- **Target: cross-relay delivery p99 < {TARGET_CROSS_P99_MS:.0f} ms at 2,000 msgs/s — "
        f"{cross_met}**: buyers on A, agents on B; p50 {_ms(agents_lead['d50'])} / p99"
        f" {_ms(agents_lead['d99'])} ms when the agents' relay leads, {_ms(buyers_lead['d50'])} /"
        f" {_ms(buyers_lead['d99'])} ms when the buyers' relay leads (the agents' sockets tunnelled); one relay"
        f" on PostgreSQL, same load: {_ms(p2k['d50'])} / {_ms(p2k['d99'])} ms.",
        f"- Delivery to the agent at 2,000 msgs/s, one relay: p50 {_ms(s2k['d50'])} / p99 {_ms(s2k['d99'])} ms on"
        f" SQLite, {_ms(p2k['d50'])} / {_ms(p2k['d99'])} ms on PostgreSQL. Acked first sends that no agent"
        f" received, all set-ups: {undelivered}.",
        f"- What one more relay costs, with 10 in flight: the two relays spend {_cost(c10[AGENTS_LEAD]):.1f} µs/msg"
        f" together when the agents' relay leads (A {_us(c10[AGENTS_LEAD]['relay_us'])}, B"
        f" {_us(c10[AGENTS_LEAD]['relay_b_us'])}) and {_cost(c10[BUYERS_LEAD]):.1f} when the buyers' relay does"
        f" (A {_us(c10[BUYERS_LEAD]['relay_us'])}, B {_us(c10[BUYERS_LEAD]['relay_b_us'])}), against"
        f" {_us(p10['relay_us'])} for one relay alone on PostgreSQL; Redis"
        f" {_us(c10[AGENTS_LEAD]['redis_us'])} / {_us(c10[BUYERS_LEAD]['redis_us'])} µs/msg. The difference is"
        " the stream: each event written once (what gathered during the previous write goes as one entry) and"
        " read by every other relay. On a machine with more cores, a relay added costs each relay the reading"
        " of the others' events and adds its own clients' work, while PostgreSQL's cost per message stays and"
        " bounds the whole: the durable rate of the cluster is PostgreSQL's, shared by the relays.",
        f"- Integrity: {_integrity('SQLite', sqlite.integrity)}. {_integrity('PostgreSQL', pg.integrity)}. "
        + " ".join(f"{_integrity(m.label, m.integrity)}." for m in clusters),
        f"- Relay RSS at the end: {sqlite.relay_rss_kib / 1024:,.0f} MiB on SQLite,"
        f" {pg.relay_rss_kib / 1024:,.0f} MiB on PostgreSQL. PostgreSQL's initdb and start took"
        f" {n['start_s']} s (not in any figure). Other processes on this shared machine (not the benchmark's)"
        f" kept {others_cores:.2f} of its {os.cpu_count()} cores busy on average during the run (/proc/stat).",
    ]
    return "\n".join(lines)


def main() -> None:
    raise_file_limit()
    began, busy, ours = time.perf_counter(), machine_busy_seconds(), tree_cpu_seconds(os.getpid())
    sqlite = run_sqlite()
    print(f"SQLite relay done in {time.perf_counter() - began:.0f} s", flush=True)
    pg = run_postgres()
    print(f"PostgreSQL relay done in {time.perf_counter() - began:.0f} s", flush=True)
    clusters = [run_cluster(label, agents_lead=label == AGENTS_LEAD) for label in CLUSTERS]
    print(f"Two relays done in {time.perf_counter() - began:.0f} s", flush=True)
    # This process and its children (relays, clients, initdb, pg_ctl: reaped, so counted), and the postmaster's tree.
    ours = (tree_cpu_seconds(os.getpid()) - ours + float(pg.notes["cpu_s"])
            + sum(float(m.notes["cpu_s"]) for m in clusters))
    others = max(0.0, machine_busy_seconds() - busy - ours) / (time.perf_counter() - began)
    text = table(sqlite, pg, clusters, others)
    print(text)
    from bench.report import write_section

    write_section("relay_cluster", "Relays on SQLite, on PostgreSQL, and two on PostgreSQL + Redis"
                  " (`bench/relay_cluster.py`)", text, "python -m bench relay_cluster")


if __name__ == "__main__":
    main()
