"""`kefu-relay`: run the relay (optionally with the demo shop), or manage accounts."""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import os
import re
import resource
import signal
import ssl
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from relay import logs
from relay.cli_admin import ADMIN_COMMANDS
from relay.config import RateLimit, RelayConfig
from relay.settings import SettingsError, defaults_from
from relay.store.postgres import is_postgres_url
from relay.tls import TlsSetupError, is_loopback, server_context

logger = logging.getLogger(__name__)

SERVE_PREFIX = "serve_"
"""Where the repeatable options given after `serve` collect before parse_args merges them."""

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


class UsageError(Exception):
    """A command line that cannot work (a file that cannot be read, a TURN URL without a secret...): one line."""


MAX_RATE = 1e6
"""Frames per second a connection may be allowed (beyond it, the bucket's arithmetic overflows)."""


def _rate(text: str) -> RateLimit:
    """`RATE[/BURST]`: frames per second (> 0), and the bucket size (>= 1, default twice the rate)."""
    rate_text, slash, burst_text = text.partition("/")
    try:
        rate = float(rate_text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: the rate must be a number, as in 5 or 5/20") from None
    if not math.isfinite(rate) or not 0 < rate <= MAX_RATE:
        raise argparse.ArgumentTypeError(f"{text!r}: the rate must be a number above 0 and at most {MAX_RATE:g}")
    if not slash:
        return RateLimit(rate=rate, burst=max(1, int(rate * 2)))
    try:
        burst = int(burst_text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: the burst must be a whole number, as in 5/20") from None
    if burst < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: the burst must be at least 1")
    return RateLimit(rate=rate, burst=burst)


ICE_SCHEMES = ("stun", "stuns", "turn", "turns")
_ICE_URL = re.compile(
    r"(?P<scheme>[A-Za-z]+):(?P<host>\[[0-9A-Fa-f:.]+\]|[^\s?:/\[\]@]+)(?::(?P<port>[0-9]{1,5}))?"
    r"(?:\?transport=(?P<transport>udp|tcp))?"
)


def _ice_url(text: str) -> str:
    """A STUN or TURN URL as RFC 7064/7065 write them: `stun:host[:port]`, `turn:host[:port][?transport=udp|tcp]`."""
    url = text.strip()
    match = _ICE_URL.fullmatch(url)
    scheme = url.partition(":")[0].lower()
    if scheme not in ICE_SCHEMES:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a STUN or TURN URL (it must start with stun:, stuns:, turn: or turns:)")
    if match is None or not 0 < int(match["port"] or 3478) < 65536:
        form = f"{scheme}:HOST[:PORT]" + ("[?transport=udp|tcp]" if scheme.startswith("turn") else "")
        raise argparse.ArgumentTypeError(f"{text!r} is not a valid {scheme}: URL (expected {form}, no //)")
    if match["transport"] and not scheme.startswith("turn"):
        raise argparse.ArgumentTypeError(f"{text!r}: ?transport= is for turn: URLs only")
    return scheme + url[len(scheme):]


def _whole(low: int, high: int | None, what: str) -> Callable[[str], int]:
    """An argparse type: a whole number from `low` to `high` (no upper bound when None)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if high is None and value < low:
            raise argparse.ArgumentTypeError(f"{text!r} must be at least {low}")
        if high is not None and not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what} ({low} to {high})")
        return value
    return parse


_port = _whole(0, 65535, "a port number; 0 picks a free one")
_positive_int = _whole(1, None, "a whole number")


def _log_level(text: str) -> str:
    level = text.upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise argparse.ArgumentTypeError(f"{text!r} is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
    return level


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kefu-relay", description="Kefu Desk relay server")
    parser.add_argument("--data-dir", type=Path, default=Path("data/relay"), help="where the database lives")
    parser.add_argument("--log-level", type=_log_level, default="INFO")
    parser.add_argument("--log-format", choices=["text", "json"], default="text",
                        help="text: lines for a person (default); json: one JSON object per line")
    parser.add_argument("--config", type=Path, default=None, metavar="FILE",
                        help="a TOML file of these options (or set KEFU_RELAY_CONFIG); flags and KEFU_RELAY_*"
                             " variables override it (docs/deploy.md)")
    sub = parser.add_subparsers(dest="command")

    serve = sub.add_parser("serve", help="run the relay (the default)")
    for p in (parser, serve):
        # The options may come before or after `serve`. After it, an option left out must not reset one
        # given before it (argparse copies every subparser default over the main parser's values), so
        # the subparser has no defaults; its repeatable options collect separately and are merged in main().
        def default(value: object, p: argparse.ArgumentParser = p) -> object:
            return value if p is parser else argparse.SUPPRESS

        def dest(name: str, p: argparse.ArgumentParser = p) -> str:
            return name if p is parser else SERVE_PREFIX + name

        p.add_argument("--host", default=default("127.0.0.1"),
                       help="address to listen on (default 127.0.0.1); any other than localhost, 127.x or ::1"
                            " needs --tls-cert and --tls-key, or --insecure")
        p.add_argument("--port", type=_port, default=default(8765), help="0 picks a free port")
        p.add_argument("--database", default=default(None), metavar="URL",
                       help="postgresql://user@host/db: run on PostgreSQL (docs/deploy.md); default: SQLite in"
                            " --data-dir")
        p.add_argument("--redis", default=default(None), metavar="URL",
                       help="redis://host:6379/0: share live delivery with the other relays on the same"
                            " PostgreSQL (docs/deploy.md, \"Several relays\"); default: this relay alone")
        p.add_argument("--demo", action="store_true", default=default(False),
                       help="seed the demo shops, accounts and buyers")
        p.add_argument("--fsync", choices=["full", "normal"], default=default("full"),
                       help="full: acked messages survive power loss (default); normal: only a crash")
        p.add_argument("--allow-origin", action="append", default=default([]), dest=dest("allow_origin"),
                       metavar="ORIGIN", help="an extra Origin allowed at the WebSocket handshake (repeatable)")
        p.add_argument("--buyer-rate", type=_rate, default=default(None), metavar="RATE[/BURST]")
        p.add_argument("--agent-rate", type=_rate, default=default(None), metavar="RATE[/BURST]")
        p.add_argument("--token-ttl", type=_positive_int, default=default(12 * 3600),
                       help="agent token lifetime, seconds")
        p.add_argument("--no-uvloop", action="store_true", default=default(False),
                       help="use the standard asyncio loop")
        p.add_argument("--port-file", type=Path, default=default(None),
                       help="write the bound port here once listening")
        p.add_argument("--ice-server", type=_ice_url, action="append", default=default([]),
                       dest=dest("ice_server"), metavar="URL",
                       help="a STUN or TURN URL handed to video call parties (repeatable); none by default")
        p.add_argument("--turn-secret-file", type=Path, default=default(None), metavar="PATH",
                       help="file holding coturn's static-auth-secret (or set KEFU_TURN_SECRET)")
        p.add_argument("--metrics-token-file", type=Path, default=default(None), metavar="PATH",
                       help="file holding the bearer token GET /metrics asks for (or set KEFU_METRICS_TOKEN);"
                            " without one, /metrics answers loopback clients only")
        p.add_argument("--tls-cert", type=Path, default=default(None), metavar="PATH",
                       help="PEM certificate chain (the relay's certificate first): serve HTTPS and WSS;"
                            " needs --tls-key")
        p.add_argument("--tls-key", type=Path, default=default(None), metavar="PATH",
                       help="PEM private key of --tls-cert, unencrypted")
        p.add_argument("--insecure", action="store_true", default=default(False),
                       help="listen on a non-loopback --host without TLS: only behind a reverse proxy that"
                            " terminates TLS (docs/deploy.md)")

    back = sub.add_parser("backup", help="copy the SQLite database while the relay runs (PostgreSQL: pg_dump)")
    back.add_argument("dest", type=Path, metavar="DEST", help="the copy's file, or a directory to put it in")
    sub.add_parser("migrate", help="apply the database migrations it lacks, then exit")

    add = sub.add_parser("adduser", help="create an agent or supervisor account (password prompted)")
    add.add_argument("--shop", required=True, help="shop slug, e.g. jiadian")
    add.add_argument("--shop-name", help="create the shop with this name if it does not exist")
    add.add_argument("--username", required=True)
    add.add_argument("--display-name", required=True)
    add.add_argument("--role", choices=["agent", "supervisor"], default="agent")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    return parser


def secret_file(path: Path | None, option: str, variable: str) -> str | None:
    """A secret from the file `option` names, else from the environment `variable`; UsageError if the file is
    unusable."""
    if path is None:
        return os.environ.get(variable) or None
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{option} {path}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{option} {path}: is a directory, not a file") from None
    except UnicodeDecodeError:
        raise UsageError(f"{option} {path}: not UTF-8 text") from None
    except OSError as exc:
        raise UsageError(f"{option} {path}: cannot read it ({exc.strerror or exc})") from None
    secret = text.strip()
    if not secret:
        raise UsageError(f"{option} {path}: the file is empty")
    return secret


def turn_secret(args: argparse.Namespace) -> str | None:
    """The TURN secret from --turn-secret-file, else from KEFU_TURN_SECRET."""
    return secret_file(args.turn_secret_file, "--turn-secret-file", "KEFU_TURN_SECRET")


def check_data_dir(path: Path) -> None:
    """Create the data directory if needed and make sure the relay can write there; UsageError if not."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise UsageError(f"--data-dir {path}: exists and is not a directory") from None
    except NotADirectoryError:
        blocker = next((p for p in (path, *path.parents) if p.exists() and not p.is_dir()), path)
        raise UsageError(f"--data-dir {path}: {blocker} is a file, not a directory") from None
    except OSError as exc:
        raise UsageError(f"--data-dir {path}: cannot create it ({exc.strerror or exc})") from None
    try:
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise UsageError(f"--data-dir {path}: not writable ({exc.strerror or exc})") from None
    for name, mode, what in (("relay.sqlite3", "r+b", "readable and writable"),
                             ("buyer-session.key", "rb", "readable")):
        file = path / name
        if file.exists():
            try:
                with file.open(mode):
                    pass
            except OSError as exc:
                raise UsageError(f"--data-dir {path}: {file} is not a {what} file ({exc.strerror or exc})") from None


def check_database(url: str | None) -> str | None:
    """A postgresql:// URL, or None for SQLite ("sqlite" or nothing); UsageError otherwise."""
    if not url or url == "sqlite":
        return None
    if not is_postgres_url(url):
        raise UsageError(f"--database {url.split('://')[0]}://...: only postgresql:// URLs (or sqlite) are known")
    return url


def config_from(args: argparse.Namespace) -> RelayConfig:
    """The relay's configuration from parsed arguments; UsageError when they cannot work together."""
    extra = {}
    if args.buyer_rate:
        extra["buyer_rate"] = args.buyer_rate
    if args.agent_rate:
        extra["agent_rate"] = args.agent_rate
    secret = turn_secret(args)
    turn = [url for url in args.ice_server if url.startswith(("turn:", "turns:"))]
    if turn and secret is None:
        raise UsageError(f"--ice-server {turn[0]} needs the TURN secret: pass --turn-secret-file PATH "
                         "or set KEFU_TURN_SECRET")
    if (args.tls_cert is None) != (args.tls_key is None):
        given, missing = ("--tls-cert", "--tls-key") if args.tls_key is None else ("--tls-key", "--tls-cert")
        raise UsageError(f"{given} needs {missing}: pass both, the certificate and its private key")
    if args.tls_cert is None and not args.insecure and not is_loopback(args.host):
        raise UsageError(f"--host {args.host or '(every interface)'} is reachable from other machines and would"
                         " carry passwords and chats unencrypted: pass --tls-cert and --tls-key, or --insecure"
                         " if a reverse proxy in front of the relay terminates TLS")
    database = check_database(args.database)
    if args.redis and not args.redis.startswith(("redis://", "rediss://", "unix://")):
        raise UsageError(f"--redis {args.redis}: a redis://, rediss:// or unix:// URL is needed")
    if args.redis and database is None:
        raise UsageError("--redis joins relays that share one database: pass --database postgresql://... too"
                         " (several relays cannot share a SQLite file)")
    return RelayConfig(redis_url=args.redis or None,
        data_dir=args.data_dir, host=args.host, port=args.port, demo=args.demo, database=database,
        tls_cert=args.tls_cert, tls_key=args.tls_key, insecure=args.insecure,
        synchronous="FULL" if args.fsync == "full" else "NORMAL",
        allowed_origins=tuple(args.allow_origin), token_ttl_s=args.token_ttl,
        ice_servers=tuple(args.ice_server), turn_secret=secret,
        metrics_token=secret_file(args.metrics_token_file, "--metrics-token-file", "KEFU_METRICS_TOKEN"),
        **extra,  # type: ignore[arg-type]
    )


def parse_args(parser: argparse.ArgumentParser, argv: list[str] | None = None) -> argparse.Namespace:
    """Parse and merge the options given before and after `serve`."""
    args = parser.parse_args(argv)
    for name in ("allow_origin", "ice_server"):
        setattr(args, name, getattr(args, name) + getattr(args, SERVE_PREFIX + name, []))
    return args


def tls_context(config: RelayConfig) -> ssl.SSLContext | None:
    """The server's SSL context when TLS is configured (built once, before the relay starts); UsageError
    naming the file that cannot be served."""
    if config.tls_cert is None or config.tls_key is None:
        return None
    try:
        return server_context(config.tls_cert, config.tls_key)
    except TlsSetupError as exc:
        raise UsageError(str(exc)) from None


def listen_url(config: RelayConfig, port: int) -> str:
    host = f"[{config.host}]" if ":" in config.host else config.host
    return f"{'https' if config.tls else 'http'}://{host}:{port}/"


async def serve(config: RelayConfig, port_file: Path | None = None, ssl_context: ssl.SSLContext | None = None) -> None:
    """Run until SIGTERM or SIGINT, then stop accepting, flush, and close with 'going away'.

    With TLS configured, `ssl_context` is the one `tls_context` built (built here if not given)."""
    from relay.server import create_app

    if ssl_context is None:
        ssl_context = tls_context(config)
    files = raise_file_limit()
    runner = web.AppRunner(create_app(config), access_log=None, shutdown_timeout=5.0)
    await runner.setup()
    site = web.TCPSite(runner, config.host, config.port, backlog=LISTEN_BACKLOG, ssl_context=ssl_context)
    await site.start()
    port = runner.addresses[0][1]
    if port_file is not None:
        await asyncio.to_thread(port_file.write_text, str(port))
    url = listen_url(config, port)
    if config.insecure and not config.tls and not is_loopback(config.host):
        logger.warning("listening without TLS on %s (--insecure): only a TLS-terminating proxy may reach it", url)
    logger.info("relay listening on %s (open-files limit %d: about as many connections)", url, files)
    print(f"relay: {url}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    logger.info("shutting down")
    await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else argv
    # Every mistake in the command line, the config file or the environment ends here, as one line and
    # exit status 2, before anything starts.
    try:
        parser.set_defaults(**defaults_from(parser, argv))
    except SettingsError as exc:
        parser.error(str(exc))
    args = parse_args(parser, argv)
    try:
        if args.command in ADMIN_COMMANDS:
            config = None
            args.database = check_database(args.database)
        else:
            config = config_from(args)
        check_data_dir(args.data_dir)
        ssl_context = None if config is None else tls_context(config)
    except UsageError as exc:
        parser.error(str(exc))
    logs.configure(args.log_level, args.log_format)
    if config is None:
        return asyncio.run(ADMIN_COMMANDS[args.command](args))
    loop_factory = None
    if not args.no_uvloop:
        try:
            import uvloop

            loop_factory = uvloop.new_event_loop
        except ImportError:
            logger.warning("uvloop not installed; using the standard loop")
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(serve(config, args.port_file, ssl_context))
    return 0


if __name__ == "__main__":
    sys.exit(main())
