"""Chaos: the embedded relay killed with SIGKILL again and again during one burst, restarted each time.

100 buyers each send 100 messages (10 in flight) to the demo shop; the relay process is SIGKILLed
whenever the acks reach the next mark (20 marks spread over the burst), and started again on the same
database. After each restart every buyer reconnects and resends what was not acked, then goes on.
In the end: every acked message stored at the seq its ack named, each message stored once, each
conversation's seqs dense and in the order sent. Printed per run: kills, messages, lost, duplicated,
moved, time from a kill to every buyer resumed (p50 / max).

`tests/chaos/test_kill_burst.py` runs the same driver with 3 kills; `python -m bench.chaos` runs 20
and writes its section of docs/benchmarks.md; `python -m bench.chaos --kills 5` is a quick check
that writes nothing.
"""

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
                     relay_args: tuple[str, ...] = RELAY_ARGS) -> KillRun:
    """Run the burst against a relay process on `data_dir` (a seeded demo database), killing it `kills` times."""
    run = KillRun(plan=[[f"买家{i}的第{n}条" for n in range(per_client)] for i in range(clients)])
    reached = [0] * clients
    began = time.monotonic()
    relay: RelayProcess = await spawn_relay(data_dir, *relay_args)
    buyers: list[KefuClient] = []
    try:
        for i in range(clients):
            buyer = KefuClient(relay.url, (await buyer_session(relay.url, f"b-jiadian-{i + 1:04d}")).token)
            await buyer.connect()
            run.conversations.append((await buyer.open_conversation("jiadian")).conversation_id)
            buyers.append(buyer)

        up = asyncio.Event()  # cleared while the relay is down
        up.set()
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
            """After a drop: wait for the relay, reconnect, resend what was not acked (in order)."""
            while True:
                await up.wait()
                buyers[i].base_url = relay.url
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
            nonlocal finished
            finished += 1
            if finished == clients:
                acked_enough.set()  # the killer must not wait for a mark that can no longer come

        async def killer() -> None:
            nonlocal relay, threshold, killed_at
            for mark in marks(kills, clients * per_client):
                threshold = mark
                acked_enough.clear()
                await acked_enough.wait()
                if finished == clients or len(run.acked) >= clients * per_client:
                    raise AssertionError(f"the burst ended before kill {run.kills + 1} (its mark: {mark} acks,"
                                         f" acked: {len(run.acked)})")
                up.clear()
                await relay.kill()
                killed_at = time.monotonic()
                run.kills += 1
                relay = await spawn_relay(data_dir, *relay_args)
                up.set()

        await asyncio.gather(killer(), *(burst(i) for i in range(clients)))  # the first failure ends the run
        if any(b.unacked for b in buyers):
            raise AssertionError("messages left unacked after the last restart")
    finally:
        for buyer in buyers:
            await buyer.close()
        await relay.stop()
    run.seconds = time.monotonic() - began
    return run


def problems(database: Path, run: KillRun) -> dict[str, int]:
    """What broke a promise (all zero when none did): lost, duplicated, moved acks, gaps, order."""
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT conversation_id, seq, client_msg_id, text FROM messages WHERE kind = 'text'"
                          " AND sender_kind = 'buyer' ORDER BY conversation_id, seq").fetchall()
        all_seqs = db.execute("SELECT conversation_id, seq FROM messages ORDER BY conversation_id, seq").fetchall()
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


def table(run: KillRun, found: dict[str, int]) -> str:
    resume = sorted(run.resume_s)
    lines = ["| figure | value | target |", "|---|---:|---|",
             f"| relay processes SIGKILLed mid-burst | {run.kills} | {KILLS} |",
             f"| buyers × messages | {len(run.plan)} × {len(run.plan[0])} | 100 × 100 |",
             f"| acks received | {len(run.acked):,} | every message |"]
    lines += [f"| {name} | {count} | 0 |" for name, count in found.items()]
    if resume:
        lines.append(f"| kill → a buyer resumed (restart, reconnect, resend), p50 / max"
                     f" | {resume[len(resume) // 2]:.2f} s / {resume[-1]:.2f} s | |")
    lines.append(f"| whole run | {run.seconds:.1f} s | |")
    return "\n".join(lines)


async def _seeded(data_dir: Path) -> None:
    relay = await spawn_relay(data_dir, "--demo")
    await relay.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.chaos", description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=KILLS,
                        help=f"kills during the burst (default {KILLS}; fewer: a quick check, docs untouched)")
    args = parser.parse_args(sys.argv[1:] if argv is None and __name__ == "__main__" else argv or [])
    with tempfile.TemporaryDirectory(prefix="kefu-chaos-") as tmp:
        data_dir = Path(tmp)
        asyncio.run(_seeded(data_dir))
        run = asyncio.run(asyncio.wait_for(kill_burst(data_dir, kills=args.kills), RUN_LIMIT_S))
        found = problems(data_dir / "relay.sqlite3", run)
    text = table(run, found)
    print(text)
    if args.kills >= KILLS:
        from bench.report import write_section

        write_section("chaos", "Chaos: the relay SIGKILLed 20 times in one burst (`bench/chaos.py`)", text,
                      "python -m bench chaos")
    else:
        print(f"(a quick run of {args.kills} kills: docs/benchmarks.md is left as it is)")
    if sum(found.values()):
        raise SystemExit("a promise broke: see above")


if __name__ == "__main__":
    main()
