"""What the relay asks of the marketplace: a buyer's orders, logistics and after-sales cases.

A real adapter (the platform's open API) implements `Platform`; `demo.py` reads the demo data
from the relay's store. Every call is scoped to one shop and one buyer: callers check first that
the asking agent may see the conversation, the platform checks that the order belongs to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from wire import frames as f


class PlatformError(Exception):
    """A platform request refused or failed; `code` is a wire error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class RoutingFacts:
    """What routing needs to prioritise a buyer."""

    open_case: bool
    high_value: bool


class Platform(Protocol):
    """The marketplace, for one relay."""

    async def routing_facts(self, shop_id: int, buyer_id: str) -> RoutingFacts: ...

    async def orders(self, shop_id: int, buyer_id: str) -> list[f.OrderInfo]:
        """The buyer's orders in this shop, newest first, with items and logistics."""

    async def cases(self, shop_id: int, buyer_id: str) -> list[f.CaseInfo]:
        """The buyer's after-sales cases in this shop, newest first."""

    async def product(self, shop_id: int, sku: str) -> f.ProductCard:
        """A product of the shop as a card; PlatformError(not_found) otherwise."""
