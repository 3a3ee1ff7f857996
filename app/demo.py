"""`make demo`: the relay with the demo shops, simulated buyers, and the workstation, on embedded SQLite.

Starts the relay as its own process (as in production), waits until it is healthy, prints the
buyer page URL and the demo logins, starts the workstation logged in as a demo agent (when this
machine has a display; with `--supervisor` a second one logged in as the supervisor 王主管),
and keeps simulated buyers chatting until a workstation is closed or Ctrl-C. The buyers answer
video invitations (`--answer-calls`, accept by default): they join after a few seconds, turn the
rear camera (a product clip) on, and hang up after a while. Without a display it says so and
keeps the relay and the buyers running, so the workstation can be started on another machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import socket
import sys
from pathlib import Path
from typing import Any

from app.relay_process import ROOT, RelayProcess, spawn_relay
from app.simulator import ANSWERS, CallHabits, run_buyers

logger = logging.getLogger(__name__)

DEMO_PASSWORD = "kefu-demo"
LOGINS = [
    ("jiadian", "agent1", "客服 小美"),
    ("jiadian", "agent2", "客服 阿杰"),
    ("jiadian", "super1", "主管 王主管"),
    ("chaye", "cha1", "客服 茶茶"),
    ("chaye", "cha_boss", "主管 林老板"),
]


def _free_port(preferred: int) -> int:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            s.bind(("127.0.0.1", 0))
            return int(s.getsockname()[1])


def has_display() -> bool:
    """Whether a window can be shown here (an X or Wayland session, or a desktop OS)."""
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


async def start_workstation(url: str, data_dir: Path, user: str) -> asyncio.subprocess.Process:
    """The workstation as its own process, logged in as a demo agent (password from the environment)."""
    env = {**os.environ, "KEFU_DEMO_PASSWORD": DEMO_PASSWORD}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ui", "--relay-url", url, "--data-dir", str(data_dir), "--shop", "jiadian",
        "--user", user, "--password-env", "KEFU_DEMO_PASSWORD", cwd=ROOT, env=env,
    )


async def keep_buyers_chatting(url: str, args: argparse.Namespace) -> None:
    rounds = 0
    while args.rounds == 0 or rounds < args.rounds:
        stats = await run_buyers(url, buyers=args.buyers, duration=args.round_seconds, seed=rounds + 1,
                                 first_buyer=1 + (rounds * args.buyers) % 190, reply_wait=args.reply_wait,
                                 calls=CallHabits(answer=args.answer_calls))
        rounds += 1
        print(f"  round {rounds}: {stats.buyers} buyers sent {stats.sent} messages,"
              f" {stats.replies} agent replies seen", flush=True)
        if stats.invitations:
            print(f"    video invitations: {stats.invitations}, accepted {stats.accepted},"
                  f" declined {stats.declined}, left ringing {stats.ignored}", flush=True)


def print_banner(url: str, args: argparse.Namespace, desk: str) -> None:
    print(f"\n  买家页面 / buyer page:  {url}/")
    print(f"  relay health:          {url}/healthz")
    print(f"  演示账号 / demo logins (password: {DEMO_PASSWORD}):")
    for shop, user, who in LOGINS:
        print(f"    shop {shop:8} user {user:9} {who}")
    print(f"\n  simulated buyers: {args.buyers} at a time; video invitations: {args.answer_calls}", flush=True)
    print(f"  {desk}\n", flush=True)


async def run(args: argparse.Namespace) -> None:
    relay: RelayProcess = await spawn_relay(args.data_dir / "relay", "--demo", port=_free_port(args.port))
    url = relay.url
    desks: list[asyncio.subprocess.Process] = []
    try:
        if args.no_desk:
            note = "workstation not started (--no-desk); Ctrl-C stops everything"
        elif not has_display():
            note = ("no display here (DISPLAY is not set), so the workstation cannot open a window.\n"
                    "  The relay and the buyers keep running. On a machine with a screen that reaches this one:\n"
                    f"    .venv/bin/kefu-desk --relay-url {url}\n"
                    f"  and log in as shop jiadian, user agent1, password {DEMO_PASSWORD}.\n"
                    "  Ctrl-C stops everything")
        else:
            desks.append(await start_workstation(url, args.data_dir / "desk", args.agent))
            note = f"workstation started, logged in as {args.agent}"
            if args.supervisor:  # a second window: 王主管's wallboard, monitor, whisper, take over
                desks.append(await start_workstation(url, args.data_dir / "desk-supervisor", "super1"))
                note += " and a second one as super1 (王主管, the supervisor)"
            note += "; closing one (or Ctrl-C) stops the demo"
        print_banner(url, args, note)
        buyers = asyncio.create_task(keep_buyers_chatting(url, args))
        waits: list[asyncio.Future[Any]] = [buyers]
        waits += [asyncio.ensure_future(desk.wait()) for desk in desks]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:  # also at Ctrl-C: the buyers hang up and disconnect while the relay is still there
            for task in waits:
                task.cancel()
            await asyncio.gather(*waits, return_exceptions=True)
    finally:
        for desk in desks:
            if desk.returncode is None:
                desk.terminate()
        for desk in desks:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(desk.wait(), 10)
        await relay.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kefu-demo")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data" / "demo")
    parser.add_argument("--port", type=int, default=int(os.environ.get("KEFU_PORT", "8765")))
    parser.add_argument("--buyers", type=int, default=4)
    parser.add_argument("--round-seconds", type=float, default=90.0)
    parser.add_argument("--reply-wait", type=float, default=20.0, help="how long a buyer waits for a reply")
    parser.add_argument("--rounds", type=int, default=0, help="0 runs until Ctrl-C")
    parser.add_argument("--answer-calls", choices=ANSWERS, default="accept",
                        help="how the buyers answer video invitations (default accept; mixed: sometimes decline)")
    parser.add_argument("--agent", default="agent1", help="the demo agent the workstation logs in as")
    parser.add_argument("--supervisor", action="store_true",
                        help="also open a second workstation as the supervisor 王主管 (super1)")
    parser.add_argument("--no-desk", action="store_true", help="do not start the workstation")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    try:
        asyncio.run(run(args))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
