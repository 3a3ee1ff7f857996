"""Today's figures, live: kept per event, pushed to the shop's supervisors.

The desk, the calls and the ratings tell the book each time a fact changes (`round_changed(old,
new)`, `session_changed`, `call_changed`, `transfer`), after the change is stored. The book moves
the fact out of its old cells and into its new ones: a few dictionary updates, no query. At start
it fills today's cells from the store once. Supervisors get a `figures` frame after their `sync`
and then at most once a second while something changed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from relay.clock import Clock
from relay.metrics import rules
from relay.metrics.cells import Key, Sums, apply_call, apply_round, apply_session, apply_transfer, from_groups
from relay.metrics.days import KeptDays, days_of, summarize
from relay.metrics.report import Member, compose
from relay.store import Store
from relay.store.interface import CallRow, RoundRow, SessionRow
from wire import figures as w
from wire import frames as f
from wire.codec import encode

logger = logging.getLogger(__name__)

PUSH_INTERVAL_S = 1.0
KEEP_DAYS = 30
"""Days that are over the book sums and keeps in the background (a 30-day report's)."""


class ShopView(Protocol):
    """What the book needs to know of a shop from the desk."""

    def shop_ids(self) -> list[int]: ...
    def shop_slug(self, shop_id: int) -> str: ...
    def timezone(self, shop_id: int) -> str: ...
    def members(self, shop_id: int) -> list[Member]: ...
    def queue_figures(self, shop_id: int) -> w.QueueFigures: ...


Send = Callable[[int, bytes], None]
"""Sends a frame to every supervisor connection of a shop."""


@dataclass
class LiveShop:
    """Today's cells of one shop."""

    day: int
    """Start of today (unix ms, shop time)."""
    cells: dict[Key, Sums] = field(default_factory=dict)
    messages: dict[str, int] = field(default_factory=dict)
    """Messages stored since the relay started, by sender kind (for /metrics)."""

    def cell(self, hour: int, account: int) -> Sums:
        found = self.cells.get((hour, account))
        if found is None:
            found = self.cells[(hour, account)] = Sums()
        return found


class MetricsBook:
    """The live figures of every shop of this relay."""

    def __init__(self, store: Store, clock: Clock, keep_days_after_s: float | None = None) -> None:
        self._store = store
        self._clock = clock
        self._keep_after_s = keep_days_after_s
        self._keeping: dict[int, asyncio.Task[None]] = {}
        self._view: ShopView | None = None
        self._send: Send | None = None
        self._shops: dict[int, LiveShop] = {}
        self._dirty: set[int] = set()
        self._flush: asyncio.TimerHandle | None = None
        self.events = 0
        """Fact changes applied (for /metrics and the benchmark)."""
        self.kept_days = KeptDays()
        """The past days the API's reports decoded last (`relay.metrics.days`)."""

    def attach(self, view: ShopView, send: Send) -> None:
        self._view = view
        self._send = send

    @property
    def view(self) -> ShopView:
        assert self._view is not None, "MetricsBook.attach(view, send) first"
        return self._view

    # loading ----------------------------------------------------------------------------------

    async def load_shop(self, shop_id: int) -> LiveShop:
        """Fill a shop's cells of today from the store (when the desk loads the shop, before any fact moves)."""
        tz = self.view.timezone(shop_id)
        now = self._clock.now_ms()
        day = rules.day_start(now, tz)
        until = rules.window(rules.local_date(now, tz), rules.local_date(now, tz), tz)[1]
        groups = await self._store.metric_groups(shop_id, day, until)
        live = self._shops[shop_id] = LiveShop(day, from_groups(groups))
        self._keep_days(shop_id)
        return live

    def _keep_days(self, shop_id: int) -> None:
        """In a while, sum and keep the shop's last KEEP_DAYS days that are over (those not kept yet)."""
        if self._keep_after_s is None or (shop_id in self._keeping and not self._keeping[shop_id].done()):
            return
        task = asyncio.get_running_loop().create_task(self._keep_days_later(shop_id, self._keep_after_s))
        self._keeping[shop_id] = task

    async def _keep_days_later(self, shop_id: int, delay_s: float) -> None:
        await asyncio.sleep(delay_s)
        tz = self.view.timezone(shop_id)
        now = self._clock.now_ms()
        today = rules.local_date(now, tz)
        try:
            await days_of(self._store, shop_id, tz, today - timedelta(days=KEEP_DAYS), today - timedelta(days=1),
                          now, kept=self.kept_days)
        except Exception:
            logger.exception("summing the past days of shop %s failed (a report will sum them)", shop_id)

    def _live(self, shop_id: int, start_ms: int) -> LiveShop | None:
        """The shop's cells if a fact that started at `start_ms` belongs to today; rolls the day over."""
        live = self._shops.get(shop_id)
        if live is None:
            tz = self.view.timezone(shop_id)
            live = self._shops[shop_id] = LiveShop(rules.day_start(self._clock.now_ms(), tz))
        else:
            self._roll(shop_id, live)
        return live if start_ms >= live.day else None

    def _roll(self, shop_id: int, live: LiveShop) -> None:
        today = rules.day_start(self._clock.now_ms(), self.view.timezone(shop_id))
        if today != live.day:
            live.day = today
            live.cells = {k: v for k, v in live.cells.items() if k[0] >= today}
            self._keep_days(shop_id)  # yesterday is over

    # facts ------------------------------------------------------------------------------------

    def round_changed(self, old: RoundRow | None, new: RoundRow) -> None:
        live = self._live(new.shop_id, new.hour)
        if live is None:
            return
        if old is not None:
            apply_round(live.cell, old, -1)
        apply_round(live.cell, new, +1)
        self._changed(new.shop_id)

    def session_changed(self, old: SessionRow | None, new: SessionRow) -> None:
        live = self._live(new.shop_id, new.hour)
        if live is None:
            return
        if old is not None:
            apply_session(live.cell, old, -1)
        apply_session(live.cell, new, +1)
        self._changed(new.shop_id)

    def call_changed(self, old: CallRow | None, new: CallRow) -> None:
        live = self._live(new.shop_id, new.hour)
        if live is None:
            return
        if old is not None:
            apply_call(live.cell, old, -1)
        apply_call(live.cell, new, +1)
        self._changed(new.shop_id)

    def transfer(self, shop_id: int, hour: int, from_agent: int | None, kind: str) -> None:
        live = self._live(shop_id, hour)
        if live is None:
            return
        apply_transfer(live.cell, hour, from_agent, kind)
        self._changed(shop_id)

    def message(self, shop_id: int, sender_kind: str) -> None:
        """A message was stored (counted for /metrics only)."""
        live = self._shops.get(shop_id)
        if live is not None:
            live.messages[sender_kind] = live.messages.get(sender_kind, 0) + 1

    def live_changed(self, shop_id: int) -> None:
        """The queue, an agent's state or a chat's wait changed: supervisors hear of it with the figures."""
        self._changed(shop_id, count=False)

    # reading ----------------------------------------------------------------------------------

    def today(self, shop_id: int) -> w.FiguresReport:
        """Today's report of a shop: in total, by agent and by hour."""
        view = self.view
        tz = view.timezone(shop_id)
        live = self._shops.get(shop_id) or LiveShop(rules.day_start(self._clock.now_ms(), tz))
        self._roll(shop_id, live)
        day = rules.local_date(live.day, tz)
        return compose([(day, summarize(live.cells))], shop=view.shop_slug(shop_id), tz=tz, first=day, last=day,
                       generated_at=self._clock.now_ms(), members=view.members(shop_id),
                       by=frozenset({"agent", "hour"}))

    def update_frame(self, shop_id: int) -> f.FiguresUpdate:
        return f.FiguresUpdate(today=self.today(shop_id), queue=self.view.queue_figures(shop_id))

    def cells(self, shop_id: int) -> list[Sums]:
        """Today's cells of a shop (every agent, every hour)."""
        live = self._shops.get(shop_id)
        if live is None:
            return []
        self._roll(shop_id, live)
        return list(live.cells.values())

    def live_day(self, shop_id: int) -> tuple[int, dict[Key, Sums]] | None:
        """(start of today, today's cells) of a shop this book keeps, else None. Not to be changed."""
        live = self._shops.get(shop_id)
        if live is None:
            return None
        self._roll(shop_id, live)
        return live.day, live.cells

    def messages(self, shop_id: int) -> dict[str, int]:
        live = self._shops.get(shop_id)
        return dict(live.messages) if live else {}

    # pushing ----------------------------------------------------------------------------------

    def _changed(self, shop_id: int, count: bool = True) -> None:
        if count:
            self.events += 1
        self._dirty.add(shop_id)
        if self._flush is None and self._send is not None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                return
            self._flush = loop.call_later(PUSH_INTERVAL_S, self._push)

    def _push(self) -> None:
        self._flush = None
        dirty, self._dirty = self._dirty, set()
        for shop_id in dirty:
            self.push_now(shop_id)

    def push_now(self, shop_id: int) -> None:
        """Send the shop's figures to its supervisors at once."""
        if self._send is None:
            return
        try:
            self._send(shop_id, encode(self.update_frame(shop_id)))
        except Exception:
            logger.exception("figures for shop %d could not be sent", shop_id)

    async def close(self) -> None:
        if self._flush is not None:
            self._flush.cancel()
            self._flush = None
        tasks = list(self._keeping.values())
        self._keeping.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)  # none still writing when the store closes
