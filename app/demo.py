"""`make demo`: the relay with the demo shops, plus simulated buyers, on embedded SQLite.

Starts the relay as its own process (as in production), waits until it is healthy, prints the
buyer page URL and the demo logins, then keeps simulated buyers chatting until Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import socket
import sys
from pathlib import Path

from app.relay_process import ROOT, spawn_relay
from app.simulator import run_buyers

logger = logging.getLogger(__name__)

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


async def run(args: argparse.Namespace) -> None:
    relay = await spawn_relay(args.data_dir, "--demo", port=_free_port(args.port))
    url = relay.url
    try:
        print(f"\n  买家页面 / buyer page:  {url}/")
        print(f"  relay health:          {url}/healthz")
        print("  演示账号 / demo logins (password: kefu-demo):")
        for shop, user, who in LOGINS:
            print(f"    shop {shop:8} user {user:9} {who}")
        print(f"\n  simulated buyers: {args.buyers} at a time; Ctrl-C stops everything\n", flush=True)
        rounds = 0
        while args.rounds == 0 or rounds < args.rounds:
            stats = await run_buyers(url, buyers=args.buyers, duration=args.round_seconds,
                                     seed=rounds + 1, first_buyer=1 + (rounds * args.buyers) % 190)
            rounds += 1
            print(f"  round {rounds}: {stats.buyers} buyers sent {stats.sent} messages,"
                  f" {stats.replies} agent replies seen", flush=True)
    finally:
        await relay.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kefu-demo")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data" / "demo")
    parser.add_argument("--port", type=int, default=int(os.environ.get("KEFU_PORT", "8765")))
    parser.add_argument("--buyers", type=int, default=4)
    parser.add_argument("--round-seconds", type=float, default=90.0)
    parser.add_argument("--rounds", type=int, default=0, help="0 runs until Ctrl-C")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    try:
        asyncio.run(run(args))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
