"""The SQLite store's part for a shop's own data: reply templates, video calls and their policy,
the marketplace stand-in (orders, after-sales, offers, products) and the demo data.

A mixin of `SqliteStore`: it uses the store's one writer (`_write`) and read connection (`_one`,
`_all`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from relay.store.interface import (
    CALL_FIELDS,
    CallBlockRow,
    CallFacts,
    CallRow,
    CallSettingsRow,
    StoreConflict,
    TemplateRow,
)
from relay.store.rows import CALL_COLUMNS, call_row
from relay.store.sql import Db
from wire import frames as f
from wire.errors import ConflictReason

if TYPE_CHECKING:
    from relay.demo_data import DemoDataset

T = TypeVar("T")


class SqlShopData:
    """Mixin of both stores (see the module's docstring)."""

    if TYPE_CHECKING:
        async def _write(self, fn: Callable[[Db], T]) -> T: ...
        async def _one(self, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None: ...
        async def _all(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]: ...

    # templates ------------------------------------------------------------------------------

    _TEMPLATE_COLUMNS = "id, shop_id, owner_id, grp, title, body, shortcut, initials, usage_count, updated_at, position"

    # video calls ----------------------------------------------------------------------------

    async def call_settings(self, shop_id: int) -> CallSettingsRow:
        row = await self._one(
            "SELECT shop_id, enabled, invites_per_day, decline_cooldown_s, activity_window_s, invite_ttl_s,"
            " max_duration_s, warning_before_s FROM call_settings WHERE shop_id = ?", (shop_id,))
        if row is None:
            return CallSettingsRow(shop_id)
        return CallSettingsRow(row[0], bool(row[1]), *row[2:])

    async def save_call_settings(self, settings: CallSettingsRow) -> None:
        s = settings

        def write(conn: Db) -> None:
            conn.execute(
                "INSERT INTO call_settings (shop_id, enabled, invites_per_day, decline_cooldown_s,"
                " activity_window_s, invite_ttl_s, max_duration_s, warning_before_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (shop_id) DO UPDATE SET enabled = excluded.enabled,"
                " invites_per_day = excluded.invites_per_day, decline_cooldown_s = excluded.decline_cooldown_s,"
                " activity_window_s = excluded.activity_window_s, invite_ttl_s = excluded.invite_ttl_s,"
                " max_duration_s = excluded.max_duration_s, warning_before_s = excluded.warning_before_s",
                (s.shop_id, int(s.enabled), s.invites_per_day, s.decline_cooldown_s, s.activity_window_s,
                 s.invite_ttl_s, s.max_duration_s, s.warning_before_s),
            )

        await self._write(write)

    async def call_facts(self, conversation_id: int, shop_id: int, buyer_id: str, day_start_ms: int) -> CallFacts:
        wrote = await self._one("SELECT 1 FROM messages WHERE conversation_id = ? AND sender_kind = 'buyer' LIMIT 1",
                          (conversation_id,))
        last = await self._one("SELECT MAX(ts) FROM messages WHERE conversation_id = ?"
                               " AND sender_kind IN ('buyer', 'agent')", (conversation_id,))
        today = await self._one("SELECT COUNT(*) FROM calls WHERE shop_id = ? AND buyer_id = ? AND invited_at >= ?",
                          (shop_id, buyer_id, day_start_ms))
        declined = await self._one(
            "SELECT MAX(answered_at) FROM calls WHERE shop_id = ? AND buyer_id = ? AND state = 'declined'",
            (shop_id, buyer_id))
        blocked = await self._one("SELECT 1 FROM call_blocks WHERE shop_id = ? AND buyer_id = ?", (shop_id, buyer_id))
        return CallFacts(
            buyer_wrote=wrote is not None, last_human_at=last[0] if last else None,
            invites_today=int(today[0]) if today else 0, last_decline_at=declined[0] if declined else None,
            blocked=blocked is not None,
        )

    async def get_call(self, call_id: str) -> CallRow | None:
        row = await self._one(f"SELECT {CALL_COLUMNS} FROM calls WHERE id = ?", (call_id,))
        return call_row(row) if row else None

    async def open_calls(self) -> list[CallRow]:
        rows = await self._all(f"SELECT {CALL_COLUMNS} FROM calls WHERE state IN ('invited', 'accepted', 'connected')",
                         ())
        return [call_row(r) for r in rows]

    async def recent_calls(self, *, buyer_id: str | None = None, agent_id: int | None = None,
                           since_ms: int) -> list[CallRow]:
        column, value = ("buyer_id", buyer_id) if buyer_id is not None else ("agent_id", agent_id)
        rows = await self._all(f"SELECT {CALL_COLUMNS} FROM calls WHERE {column} = ? AND invited_at >= ?"
                         " ORDER BY invited_at", (value, since_ms))
        return [call_row(r) for r in rows]

    async def update_call(self, call_id: str, **fields: int | str | bool | None) -> None:
        unknown = set(fields) - CALL_FIELDS
        if unknown:
            raise ValueError(f"not call fields: {sorted(unknown)}")
        if not fields:
            return
        assignments = ", ".join(f"{name} = ?" for name in fields)
        params = (*(int(v) if isinstance(v, bool) else v for v in fields.values()), call_id)

        def write(conn: Db) -> None:
            conn.execute(f"UPDATE calls SET {assignments} WHERE id = ?", params)

        await self._write(write)

    async def block_calls(self, shop_id: int, buyer_id: str, at: int) -> None:
        def write(conn: Db) -> None:
            conn.execute("INSERT INTO call_blocks (shop_id, buyer_id, at) VALUES (?, ?, ?)"
                         " ON CONFLICT (shop_id, buyer_id) DO NOTHING",
                         (shop_id, buyer_id, at))

        await self._write(write)

    async def call_blocks(self, buyer_id: str) -> list[CallBlockRow]:
        rows = await self._all(
            "SELECT b.shop_id, s.slug, c.id, b.at FROM call_blocks b JOIN shops s ON s.id = b.shop_id"
            " JOIN conversations c ON c.shop_id = b.shop_id AND c.buyer_id = b.buyer_id"
            " WHERE b.buyer_id = ? ORDER BY b.shop_id", (buyer_id,))
        return [CallBlockRow(*r) for r in rows]

    async def unblock_calls(self, shop_id: int, buyer_id: str, conversation_id: int, at: int) -> int | None:
        def write(conn: Db) -> int | None:
            row = conn.execute("SELECT at FROM call_blocks WHERE shop_id = ? AND buyer_id = ?",
                               (shop_id, buyer_id)).fetchone()
            if row is None:
                return None
            conn.execute("DELETE FROM call_blocks WHERE shop_id = ? AND buyer_id = ?", (shop_id, buyer_id))
            conn.execute(
                "INSERT INTO conversation_events (conversation_id, shop_id, at, kind, actor, note)"
                " VALUES (?, ?, ?, 'call_unblocked', 'buyer', ?)",
                (conversation_id, shop_id, at, f"blocked_at={row[0]}"))
            return int(row[0])

        return await self._write(write)

    async def list_templates(self, shop_id: int, owner_id: int) -> list[TemplateRow]:
        rows = await self._all(
            f"SELECT {self._TEMPLATE_COLUMNS} FROM templates WHERE shop_id = ? AND (owner_id IS NULL OR owner_id = ?)"
            " ORDER BY position, id", (shop_id, owner_id))
        return [TemplateRow(*r) for r in rows]

    async def get_template(self, template_id: int) -> TemplateRow | None:
        row = await self._one(f"SELECT {self._TEMPLATE_COLUMNS} FROM templates WHERE id = ?", (template_id,))
        return TemplateRow(*row) if row else None

    async def save_template(self, row: TemplateRow) -> TemplateRow:
        def write(conn: Db) -> TemplateRow:
            values = (row.group, row.title, row.body, row.shortcut, row.initials, row.updated_at)
            if row.id:
                conn.execute("UPDATE templates SET grp = ?, title = ?, body = ?, shortcut = ?, initials = ?,"
                             " updated_at = ? WHERE id = ?", (*values, row.id))
                template_id = row.id
            else:
                last = conn.execute("SELECT MAX(position) FROM templates WHERE shop_id = ?"
                                    " AND owner_id IS NOT DISTINCT FROM ?", (row.shop_id, row.owner_id)).fetchone()[0]
                template_id = int(conn.execute(
                    "INSERT INTO templates (grp, title, body, shortcut, initials, updated_at, shop_id, owner_id,"
                    " position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    (*values, row.shop_id, row.owner_id, 0 if last is None else last + 1)).fetchone()[0])
            stored = conn.execute(f"SELECT {self._TEMPLATE_COLUMNS} FROM templates WHERE id = ?",
                                  (template_id,)).fetchone()
            return TemplateRow(*stored)

        return await self._write(write)

    async def delete_template(self, template_id: int) -> None:
        def write(conn: Db) -> None:
            conn.execute("DELETE FROM templates WHERE id = ?", (template_id,))

        await self._write(write)

    async def seed_templates(self, shop_id: int, rows: list[TemplateRow]) -> bool:
        def write(conn: Db) -> bool:
            if conn.execute("SELECT 1 FROM templates WHERE shop_id = ? AND owner_id IS NULL LIMIT 1",
                            (shop_id,)).fetchone():
                return False
            conn.executemany(
                "INSERT INTO templates (shop_id, owner_id, grp, title, body, shortcut, initials, usage_count,"
                " updated_at, position) VALUES (?, NULL, ?, ?, ?, ?, ?, 0, ?, ?)",
                [(shop_id, r.group, r.title, r.body, r.shortcut, r.initials, r.updated_at, i)
                 for i, r in enumerate(rows)])
            return True

        return await self._write(write)

    async def count_template_use(self, template_id: int) -> None:
        def write(conn: Db) -> None:
            conn.execute("UPDATE templates SET usage_count = usage_count + 1 WHERE id = ?", (template_id,))

        await self._write(write)

    # platform stand-in ----------------------------------------------------------------------

    async def platform_orders(self, shop_id: int, buyer_id: str) -> list[f.OrderInfo]:
        orders = await self._all(
            "SELECT order_no, status, amount_cents, created_at, courier, tracking_no FROM orders"
            " WHERE shop_id = ? AND buyer_id = ? ORDER BY created_at DESC", (shop_id, buyer_id))
        result = []
        for order_no, status, amount, created_at, courier, tracking_no in orders:
            items = [f.OrderItemInfo(sku=r[0], title=r[1], quantity=r[2], price_cents=r[3]) for r in await self._all(
                "SELECT sku, title, quantity, price_cents FROM order_items WHERE order_no = ? ORDER BY rowid",
                (order_no,))]
            steps = [f.LogisticsStep(at=r[0], text=r[1]) for r in await self._all(
                "SELECT at, text FROM logistics_events WHERE order_no = ? ORDER BY at DESC", (order_no,))]
            result.append(f.OrderInfo(order_no=order_no, status=status, status_label=status, amount_cents=amount,
                                      created_at=created_at, courier=courier, tracking_no=tracking_no, items=items,
                                      logistics=steps))
        return result

    async def platform_cases(self, shop_id: int, buyer_id: str) -> list[f.CaseInfo]:
        rows = await self._all(
            "SELECT case_id, order_no, kind, reason, status, amount_cents FROM after_sales"
            " WHERE shop_id = ? AND buyer_id = ? ORDER BY rowid DESC", (shop_id, buyer_id))
        return [f.CaseInfo(case_id=r[0], order_no=r[1], kind=r[2], reason=r[3], status=r[4], amount_cents=r[5])
                for r in rows]

    async def answer_offer(
        self, case_id: str, conversation_id: int, buyer_id: str, accept: bool, at: int
    ) -> tuple[f.CaseInfo, int]:
        status = "accepted" if accept else "declined"

        def write(conn: Db) -> tuple[f.CaseInfo, int]:
            row = conn.execute(
                "SELECT order_no, kind, reason, status, amount_cents, card_seq FROM after_sales"
                " WHERE case_id = ? AND conversation_id = ? AND buyer_id = ?",
                (case_id, conversation_id, buyer_id)).fetchone()
            if row is None:
                raise KeyError(case_id)
            order_no, kind, reason, current, amount, card_seq = row
            if current != "offered":
                raise StoreConflict(f"this offer was already {current}", ConflictReason.ALREADY_ANSWERED)
            conn.execute("UPDATE after_sales SET status = ?, updated_at = ? WHERE case_id = ?", (status, at, case_id))
            card = conn.execute("SELECT card_json FROM messages WHERE conversation_id = ? AND seq = ?",
                                (conversation_id, card_seq)).fetchone()
            if card is not None and card[0]:
                updated = json.loads(card[0])
                updated["status"] = status
                conn.execute("UPDATE messages SET card_json = ? WHERE conversation_id = ? AND seq = ?",
                             (json.dumps(updated, ensure_ascii=False), conversation_id, card_seq))
            conn.execute(
                "INSERT INTO case_audit (case_id, at, actor_kind, actor_id, action) VALUES (?, ?, 'buyer', ?, ?)",
                (case_id, at, buyer_id, status))
            return f.CaseInfo(case_id=case_id, order_no=order_no, kind=kind, reason=reason, status=status,
                              amount_cents=amount), int(card_seq)

        return await self._write(write)

    async def platform_product(self, shop_id: int, sku: str) -> f.ProductCard | None:
        row = await self._one("SELECT sku, title, price_cents FROM products WHERE shop_id = ? AND sku = ?",
                              (shop_id, sku))
        return f.ProductCard(sku=row[0], title=row[1], price_cents=row[2]) if row else None

    async def platform_buyer(self, buyer_id: str) -> tuple[str, bool] | None:
        row = await self._one("SELECT nickname, vip FROM buyers WHERE id = ?", (buyer_id,))
        return (row[0], bool(row[1])) if row else None

    # demo -----------------------------------------------------------------------------------

    async def seed_demo(self, dataset: DemoDataset, hash_password: Callable[[str], str]) -> bool:
        """Insert the demo shops, accounts, buyers and orders that are missing; True if any were."""

        def write(conn: Db) -> bool:
            changed = 0
            for shop in dataset.shops:
                changed += conn.execute("INSERT INTO shops (slug, name) VALUES (?, ?) ON CONFLICT (slug) DO NOTHING",
                                        (shop.slug, shop.name)).rowcount
                (shop_id,) = conn.execute("SELECT id FROM shops WHERE slug = ?", (shop.slug,)).fetchone()
                for acc in shop.accounts:
                    exists = conn.execute(
                        "SELECT 1 FROM accounts WHERE shop_id = ? AND username = ?", (shop_id, acc.username)
                    ).fetchone()
                    if not exists:
                        changed += conn.execute(
                            "INSERT INTO accounts (shop_id, username, display_name, role, password_hash)"
                            " VALUES (?, ?, ?, ?, ?)",
                            (shop_id, acc.username, acc.display_name, acc.role,
                             hash_password(dataset.demo_password)),
                        ).rowcount
                for p in shop.products:
                    changed += conn.execute(
                        "INSERT INTO products (shop_id, sku, title, price_cents, category, needs, specs_json)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (shop_id, sku) DO NOTHING",
                        (shop_id, p.sku, p.title, p.price_cents, p.category, p.needs,
                         json.dumps(p.specs, ensure_ascii=False))).rowcount
                for b in shop.buyers:
                    changed += conn.execute(
                        "INSERT INTO buyers (id, nickname, city, vip) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                        (b.buyer_id, b.nickname, b.city, int(b.vip))).rowcount
                for o in shop.orders:
                    if conn.execute("INSERT INTO orders (order_no, shop_id, buyer_id, amount_cents, status, created_at,"
                                    " tracking_no, courier) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                                    " ON CONFLICT (order_no) DO NOTHING",
                                    (o.order_no, shop_id, o.buyer_id, o.amount_cents, o.status,
                                     o.created_at, o.tracking_no, o.courier)).rowcount:
                        changed += 1
                        conn.executemany(
                            "INSERT INTO order_items (order_no, sku, title, quantity, price_cents)"
                            " VALUES (?, ?, ?, ?, ?)",
                            [(o.order_no, i.sku, i.title, i.quantity, i.price_cents) for i in o.items],
                        )
                        conn.executemany(
                            "INSERT INTO logistics_events (order_no, at, text) VALUES (?, ?, ?)",
                            [(e.order_no, e.at, e.text) for e in shop.logistics if e.order_no == o.order_no],
                        )
                for c in shop.after_sales:
                    changed += conn.execute(
                        "INSERT INTO after_sales (case_id, shop_id, order_no, buyer_id, kind, reason, status)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id) DO NOTHING",
                        (c.case_id, shop_id, c.order_no, c.buyer_id, c.kind, c.reason, c.status)).rowcount
            return changed > 0

        return await self._write(write)
