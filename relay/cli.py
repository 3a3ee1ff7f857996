"""`kefu-relay`: run the relay (optionally with the demo shop), or manage accounts."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import resource
import signal
import sys
from pathlib import Path

from aiohttp import web

from relay.config import RateLimit, RelayConfig

logger = logging.getLogger(__name__)

LISTEN_BACKLOG = 1024
"""Pending handshakes the kernel queues (capped by net.core.somaxconn): many buyers reconnecting at
once after a restart must not find the door shut (aiohttp's default is 128)."""


def raise_file_limit() -> int:
    """Raise this process's soft limit of open files to the hard limit (one per connection); return it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1_048_576)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError) as exc:
            logger.warning("could not raise the open-files limit from %d: %s", soft, exc)
    return soft


def _rate(text: str) -> RateLimit:
    rate, _, burst = text.partition("/")
    return RateLimit(rate=float(rate), burst=int(burst or max(1, int(float(rate) * 2))))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kefu-relay", description="Kefu Desk relay server")
    parser.add_argument("--data-dir", type=Path, default=Path("data/relay"), help="where the database lives")
    parser.add_argument("--log-level", default="INFO")
    sub = parser.add_subparsers(dest="command")

    serve = sub.add_parser("serve", help="run the relay (the default)")
    for p in (parser, serve):
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8765, help="0 picks a free port")
        p.add_argument("--demo", action="store_true", help="seed the demo shops, accounts and buyers")
        p.add_argument("--fsync", choices=["full", "normal"], default="full",
                       help="full: acked messages survive power loss (default); normal: only a crash")
        p.add_argument("--allow-origin", action="append", default=[], metavar="ORIGIN",
                       help="an extra Origin allowed at the WebSocket handshake (repeatable)")
        p.add_argument("--buyer-rate", type=_rate, default=None, metavar="RATE[/BURST]")
        p.add_argument("--agent-rate", type=_rate, default=None, metavar="RATE[/BURST]")
        p.add_argument("--token-ttl", type=int, default=12 * 3600, help="agent token lifetime, seconds")
        p.add_argument("--no-uvloop", action="store_true", help="use the standard asyncio loop")
        p.add_argument("--port-file", type=Path, help="write the bound port here once listening")
        p.add_argument("--ice-server", action="append", default=[], metavar="URL",
                       help="a STUN or TURN URL handed to video call parties (repeatable); none by default")
        p.add_argument("--turn-secret-file", type=Path, metavar="PATH",
                       help="file holding coturn's static-auth-secret (or set KEFU_TURN_SECRET)")

    add = sub.add_parser("adduser", help="create an agent or supervisor account (password prompted)")
    add.add_argument("--shop", required=True, help="shop slug, e.g. jiadian")
    add.add_argument("--shop-name", help="create the shop with this name if it does not exist")
    add.add_argument("--username", required=True)
    add.add_argument("--display-name", required=True)
    add.add_argument("--role", choices=["agent", "supervisor"], default="agent")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    return parser


def config_from(args: argparse.Namespace) -> RelayConfig:
    extra = {}
    if args.buyer_rate:
        extra["buyer_rate"] = args.buyer_rate
    if args.agent_rate:
        extra["agent_rate"] = args.agent_rate
    secret = os.environ.get("KEFU_TURN_SECRET") or None
    if args.turn_secret_file is not None:
        secret = args.turn_secret_file.read_text(encoding="utf-8").strip() or None
    return RelayConfig(
        data_dir=args.data_dir, host=args.host, port=args.port, demo=args.demo,
        synchronous="FULL" if args.fsync == "full" else "NORMAL",
        allowed_origins=tuple(args.allow_origin), token_ttl_s=args.token_ttl,
        ice_servers=tuple(args.ice_server), turn_secret=secret, **extra,  # type: ignore[arg-type]
    )


async def serve(config: RelayConfig, port_file: Path | None = None) -> None:
    """Run until SIGTERM or SIGINT, then stop accepting, flush, and close with 'going away'."""
    from relay.server import create_app

    files = raise_file_limit()
    runner = web.AppRunner(create_app(config), access_log=None, shutdown_timeout=5.0)
    await runner.setup()
    site = web.TCPSite(runner, config.host, config.port, backlog=LISTEN_BACKLOG)
    await site.start()
    port = runner.addresses[0][1]
    if port_file is not None:
        await asyncio.to_thread(port_file.write_text, str(port))
    logger.info("relay listening on http://%s:%d/ (open-files limit %d: about as many connections)",
                config.host, port, files)
    print(f"relay: http://{config.host}:{port}/", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    logger.info("shutting down")
    await runner.cleanup()


async def adduser(args: argparse.Namespace) -> int:
    from relay.auth import hash_password
    from relay.store import StoreConflict
    from relay.store.sqlite import SqliteStore

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("password: ")
        if password != getpass.getpass("again: "):
            print("passwords differ; nothing created", file=sys.stderr)
            return 2
    if len(password) < 8:
        print("password must have at least 8 characters; nothing created", file=sys.stderr)
        return 2
    store = SqliteStore(args.data_dir / "relay.sqlite3")
    await store.open()
    try:
        if await store.get_shop(args.shop) is None:
            if not args.shop_name:
                print(f"no shop {args.shop!r}; pass --shop-name to create it", file=sys.stderr)
                return 2
            await store.ensure_shop(args.shop, args.shop_name)
        hashed = await asyncio.to_thread(hash_password, password)
        try:
            await store.create_account(args.shop, args.username, args.display_name, args.role, hashed)
        except StoreConflict as exc:
            print(f"{exc}; nothing created", file=sys.stderr)
            return 1
    finally:
        await store.close()
    print(f"created {args.role} {args.username} in {args.shop}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "adduser":
        return asyncio.run(adduser(args))
    config = config_from(args)
    loop_factory = None
    if not args.no_uvloop:
        try:
            import uvloop

            loop_factory = uvloop.new_event_loop
        except ImportError:
            logger.warning("uvloop not installed; using the standard loop")
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(serve(config, args.port_file))
    return 0


if __name__ == "__main__":
    sys.exit(main())
