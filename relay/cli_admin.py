"""`kefu-relay adduser`, `backup` and `migrate`: the relay's commands that do one thing and exit."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from relay.maintenance import PG_DUMP_HINT, MaintenanceError, backup_sqlite, migrate_database
from relay.store.engines import make_store
from wire import MIN_PASSWORD_CHARS


async def adduser(args: argparse.Namespace) -> int:
    from relay.auth import hash_password
    from relay.store import StoreConflict

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("password: ")
        if password != getpass.getpass("again: "):
            print("passwords differ; nothing created", file=sys.stderr)
            return 2
    if len(password) < MIN_PASSWORD_CHARS:
        print(f"password must have at least {MIN_PASSWORD_CHARS} characters; nothing created", file=sys.stderr)
        return 2
    store = make_store(args.database, args.data_dir / "relay.sqlite3")
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


async def backup(args: argparse.Namespace) -> int:
    if args.database:
        print(f"kefu-relay backup: {PG_DUMP_HINT}", file=sys.stderr)
        return 2
    try:
        report = await asyncio.to_thread(backup_sqlite, args.data_dir / "relay.sqlite3", args.dest)
    except MaintenanceError as exc:
        print(f"kefu-relay backup: {exc}", file=sys.stderr)
        return 1
    print(f"backed up {report.messages} messages ({report.bytes / 1e6:.1f} MB) to {report.path}"
          f" in {report.seconds:.2f} s; keep buyer-session.key from the data directory with it")
    return 0


async def migrate(args: argparse.Namespace) -> int:
    try:
        where, applied = await asyncio.to_thread(migrate_database, args.database, args.data_dir)
    except MaintenanceError as exc:
        print(f"kefu-relay migrate: {exc}", file=sys.stderr)
        return 1
    if applied:
        print(f"{where}: applied {', '.join(applied)}")
    else:
        print(f"{where}: up to date")
    return 0


ADMIN_COMMANDS: dict[str, Callable[[argparse.Namespace], Coroutine[Any, Any, int]]] = {
    "adduser": adduser, "backup": backup, "migrate": migrate,
}
