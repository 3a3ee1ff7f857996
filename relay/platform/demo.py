"""The platform stand-in: the demo shops' orders, logistics and after-sales, read from the relay's store."""

from __future__ import annotations

import logging
from typing import cast

from relay.demo_data import STATUS_LABELS_ZH
from relay.platform.interface import PlatformError, RoutingFacts
from relay.store import Store
from wire import frames as f

logger = logging.getLogger(__name__)

HIGH_VALUE_CENTS = 200_000
"""An order of ¥2,000 or more that is still in progress makes its buyer high-value for routing."""
IN_PROGRESS = frozenset({"pending_payment", "paid", "shipped", "delivered", "refunding"})
OPEN_CASE = frozenset({"open", "offered"})
"""Cases still in progress: the buyer has a problem (an offer not yet answered counts)."""


class DemoPlatform:
    """`Platform` over the demo tables."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def routing_facts(self, shop_id: int, buyer_id: str) -> RoutingFacts:
        cases = await self._store.platform_cases(shop_id, buyer_id)
        orders = await self._store.platform_orders(shop_id, buyer_id)
        return RoutingFacts(
            open_case=any(c.status in OPEN_CASE for c in cases),
            high_value=any(o.status in IN_PROGRESS and o.amount_cents >= HIGH_VALUE_CENTS for o in orders),
        )

    async def orders(self, shop_id: int, buyer_id: str) -> list[f.OrderInfo]:
        orders = await self._store.platform_orders(shop_id, buyer_id)
        for order in orders:
            order.status_label = cast(dict[str, str], STATUS_LABELS_ZH).get(order.status, order.status)
        return orders

    async def cases(self, shop_id: int, buyer_id: str) -> list[f.CaseInfo]:
        return await self._store.platform_cases(shop_id, buyer_id)

    async def product(self, shop_id: int, sku: str) -> f.ProductCard:
        card = await self._store.platform_product(shop_id, sku)
        if card is None:
            raise PlatformError("not_found", f"no product {sku!r} in this shop")
        return card
