"""Seeding the demo: shops, accounts, buyers, orders (the platform stand-in) and starter templates."""

from __future__ import annotations

import logging

from relay import templates
from relay.auth import hash_password
from relay.demo_data import DemoDataset, load_demo_dataset
from relay.store import Store
from relay.store.interface import TemplateRow

logger = logging.getLogger(__name__)

TEMPLATE_SHOP = "jiadian"
"""The demo shop that ships starter templates."""


async def seed_demo(store: Store, now_ms: int, dataset: DemoDataset | None = None) -> bool:
    """Insert whatever part of the demo is missing; True if anything was. Seeding twice changes nothing.

    `dataset` replaces the standard demo (benchmarks seed shops with more buyers)."""
    changed = await store.seed_demo(dataset or load_demo_dataset(), hash_password)
    shop = await store.get_shop(TEMPLATE_SHOP)
    if shop is not None:
        rows = [
            TemplateRow(id=0, shop_id=shop.id, owner_id=None, group=t.group, title=t.title, body=t.body,
                        shortcut=t.shortcut, initials=templates.initials(t.title), usage_count=0, updated_at=now_ms)
            for t in templates.load_demo_templates()
        ]
        changed = await store.seed_templates(shop.id, rows) or changed
    logger.info("demo data %s", "seeded" if changed else "already present")
    return changed
