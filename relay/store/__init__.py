"""Durable storage behind a small interface; `sqlite.py` is the only module that speaks SQL."""

from relay.store.interface import (
    AccountRow,
    AppendResult,
    ConversationRow,
    MessageRow,
    ShopRow,
    Store,
    StoreConflict,
    StoreUnavailable,
)

__all__ = [
    "AccountRow",
    "AppendResult",
    "ConversationRow",
    "MessageRow",
    "ShopRow",
    "Store",
    "StoreConflict",
    "StoreUnavailable",
]
