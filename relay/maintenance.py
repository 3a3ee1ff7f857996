"""`kefu-relay backup` and `kefu-relay migrate`: the store's maintenance, with the relay running or not.

A SQLite backup uses SQLite's online backup API from a connection of its own: one step, inside one
read transaction, so the copy is the database as of one instant (every message acknowledged before
the backup began is in it) while the relay keeps writing (WAL: readers do not block the writer). It
is written next to DEST and renamed into place only once `PRAGMA quick_check` passed on it, so DEST
is never half a database. PostgreSQL has its own tools for this (pg_dump; see docs/deploy.md).
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from relay.store.postgres import is_postgres_url, redacted


class MaintenanceError(Exception):
    """What could not be done, in one line a person can act on."""


@dataclass(frozen=True, slots=True)
class BackupReport:
    path: Path
    bytes: int
    messages: int
    seconds: float


PG_DUMP_HINT = ("this relay's database is PostgreSQL: back it up with pg_dump, e.g. "
                "pg_dump --format=custom --file DEST 'postgresql://...' (docs/deploy.md, \"Backups\")")


def backup_sqlite(source: Path, dest: Path) -> BackupReport:
    """Copy the SQLite database at `source` to `dest` (a file; replaced atomically)."""
    if not source.is_file():
        raise MaintenanceError(f"no database at {source} (is --data-dir right?)")
    if dest.is_dir():
        dest = dest / f"relay-{time.strftime('%Y%m%d-%H%M%S')}.sqlite3"
    if not dest.parent.is_dir():
        raise MaintenanceError(f"{dest.parent} is not a directory")
    if dest.resolve() == source.resolve():
        raise MaintenanceError("the backup cannot replace the database itself")
    started = time.perf_counter()
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        try:
            out = sqlite3.connect(partial)
            try:
                src.backup(out)  # pages=-1: everything in one step, one snapshot
                checked = out.execute("PRAGMA quick_check").fetchone()[0]
                if checked != "ok":
                    raise MaintenanceError(f"the copy failed its check ({checked}); nothing was replaced")
                messages = int(out.execute("SELECT COUNT(*) FROM messages").fetchone()[0])
                out.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            finally:
                out.close()
        finally:
            src.close()
        with partial.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, dest)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise MaintenanceError(f"backup failed: {exc}") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupReport(dest, dest.stat().st_size, messages, time.perf_counter() - started)


def migrate_database(database: str | None, data_dir: Path) -> tuple[str, list[str]]:
    """Apply the migrations the database lacks; (what was migrated, the names applied)."""
    if database and is_postgres_url(database):
        import psycopg

        from relay.store.postgres_writer import migrate as pg_migrate

        try:
            return redacted(database), pg_migrate(database)
        except psycopg.Error as exc:
            raise MaintenanceError(f"cannot migrate {redacted(database)}: {exc}") from None
    from relay.store.sqlite_writer import connect, migrate

    path = data_dir / "relay.sqlite3"
    try:
        conn = connect(path, "FULL")
        try:
            return str(path), migrate(conn)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise MaintenanceError(f"cannot migrate {path}: {exc}") from None
