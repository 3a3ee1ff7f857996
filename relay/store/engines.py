"""Which store a relay runs on: SQLite in the data directory (the default), or PostgreSQL by URL."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from relay.store.interface import Store
from relay.store.postgres import PostgresStore, is_postgres_url
from relay.store.sqlite import SqliteStore


def make_store(database: str | None, db_path: Path, synchronous: Literal["FULL", "NORMAL"] = "FULL") -> Store:
    """An unopened store: PostgreSQL when `database` is a postgresql:// URL, else SQLite at `db_path`."""
    if database and is_postgres_url(database):
        return PostgresStore(database)
    return SqliteStore(db_path, synchronous=synchronous)
