"""Demo shops, buyers, orders and buyer questions, expanded deterministically from `resources/demo/`.

The JSON files hold hand-written seed material (shops and products, name parts, cities, couriers,
logistics step texts, after-sales reasons, buyer questions); this module expands it with a
`random.Random` seeded per shop, so every call and every run yields the same dataset. All
timestamps are ISO-8601 in +08:00, at or before `DEMO_BASE_TIME` (2026-11-01T10:00:00+08:00).

Public API:

- `load_demo_dataset() -> DemoDataset`: cached; the value is shared by all callers, so treat it,
  including `DemoProduct.specs`, as read-only.
- `build_demo_dataset(demo_dir=DEMO_DIR, seed=DEMO_SEED) -> DemoDataset`: the same, uncached.
- `DemoDataset.shop(slug) -> DemoShop` (KeyError if unknown); the main shop is `jiadian`, first.
- `load_questions() -> dict[str, list[str]]`: buyer questions by group; the keys are the product
  categories (`DemoProduct.category`) plus `"general"`. A fresh copy on every call.
- `load_followups() -> list[str]` ("好的谢谢", "还有一个问题", ...) and `load_greetings() -> list[str]`
  ("你好", "在吗", ...): fresh copies.
- `STATUS_LABELS_ZH`, `AFTER_SALE_KIND_LABELS_ZH`, `AFTER_SALE_STATUS_LABELS_ZH`: code -> Chinese label.

Malformed resource files raise `DemoDataError` (a `ValueError`).
"""

from __future__ import annotations

import functools
import logging
import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Final

from relay.demo_records import AFTER_SALE_KIND_LABELS_ZH as AFTER_SALE_KIND_LABELS_ZH
from relay.demo_records import AFTER_SALE_STATUS_LABELS_ZH as AFTER_SALE_STATUS_LABELS_ZH
from relay.demo_records import CST as CST
from relay.demo_records import DEMO_BASE_TIME as DEMO_BASE_TIME
from relay.demo_records import DEMO_DIR as DEMO_DIR
from relay.demo_records import DEMO_SEED as DEMO_SEED
from relay.demo_records import STATUS_LABELS_ZH as STATUS_LABELS_ZH
from relay.demo_records import AfterSaleKind as AfterSaleKind
from relay.demo_records import AfterSaleStatus as AfterSaleStatus
from relay.demo_records import Courier, Place, RawBuyers, RawQuestions, RawShop, decode, load_resources
from relay.demo_records import DemoAccount as DemoAccount
from relay.demo_records import DemoAfterSale as DemoAfterSale
from relay.demo_records import DemoBuyer as DemoBuyer
from relay.demo_records import DemoDataError as DemoDataError
from relay.demo_records import DemoDataset as DemoDataset
from relay.demo_records import DemoLogisticsEvent as DemoLogisticsEvent
from relay.demo_records import DemoOrder as DemoOrder
from relay.demo_records import DemoOrderItem as DemoOrderItem
from relay.demo_records import DemoProduct as DemoProduct
from relay.demo_records import DemoShop as DemoShop
from relay.demo_records import Needs as Needs
from relay.demo_records import OrderStatus as OrderStatus
from relay.demo_records import Role as Role

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# Generation

_STATUS_WEIGHTS: Final[dict[OrderStatus, int]] = {
    "pending_payment": 5,
    "paid": 14,
    "shipped": 18,
    "delivered": 14,
    "completed": 45,
    "refunding": 4,
}
_AFTER_SALE_SHARE: Final[float] = 0.10
_VIP_SHARE: Final[float] = 0.15
_HOUR: Final[float] = 3600.0
_DAY: Final[float] = 24 * _HOUR
_DAY_START: Final[int] = 8
_DAY_END: Final[int] = 21


def _iso(moment: datetime) -> str:
    """ISO-8601 with seconds and the +08:00 offset."""
    return moment.astimezone(CST).isoformat(timespec="seconds")


def _before_base(rng: random.Random, low_s: float, high_s: float) -> datetime:
    """A whole-second moment between `high_s` and `low_s` seconds before the base time."""
    return DEMO_BASE_TIME - timedelta(seconds=round(rng.uniform(low_s, high_s)))


def _daytime(rng: random.Random, moment: datetime) -> datetime:
    """`moment` if it is within 08:00-21:00, else a random time in the last such hour before it."""
    if _DAY_START <= moment.hour < _DAY_END:
        return moment
    day = moment.date() if moment.hour >= _DAY_END else moment.date() - timedelta(days=1)
    return datetime.combine(day, time(_DAY_END - 1), tzinfo=CST) + timedelta(seconds=rng.randrange(3600))


def _short_city(city: str) -> str:
    """'杭州市' -> '杭州'."""
    return city.removesuffix("市")


def _nickname(rng: random.Random, names: RawBuyers, city: str) -> str:
    """One nickname in a randomly chosen style."""
    style = rng.choices(names.nickname_styles, weights=[s.weight for s in names.nickname_styles])[0]
    fields = {
        "surname": rng.choice(names.surnames),
        "given": rng.choice(names.given_names),
        "year": str(rng.randint(1975, 2004)),
        "food": rng.choice(names.foods),
        "animal": rng.choice(names.animals),
        "english": rng.choice(names.english_names),
        "english_suffix": rng.choice(names.english_suffixes),
        "adjective": rng.choice(names.adjectives),
        "noun": rng.choice(names.nouns),
        "city_short": _short_city(city),
        "identity": rng.choice(names.identities),
        "digits": str(rng.randrange(10**9, 10**10)),
        "ready_made": rng.choice(names.ready_made),
    }
    try:
        return style.template.format_map(fields)
    except (KeyError, IndexError, ValueError) as exc:
        raise DemoDataError(f"buyers.json: bad nickname template {style.template!r}") from exc


def _make_buyers(
    rng: random.Random, slug: str, count: int, names: RawBuyers
) -> tuple[list[DemoBuyer], dict[str, Place]]:
    """`count` buyers with unique nicknames, and each buyer's delivery place."""
    buyers: list[DemoBuyer] = []
    places: dict[str, Place] = {}
    taken: set[str] = set()
    for n in range(1, count + 1):
        city = rng.choice(names.cities)
        place = Place(province=city.province, city=city.city, district=rng.choice(city.districts))
        nickname = _nickname(rng, names, city.city)
        for _ in range(20):
            if nickname not in taken:
                break
            nickname = _nickname(rng, names, city.city)
        else:
            nickname = f"{nickname}{n}"
        taken.add(nickname)
        buyer_id = f"b-{slug}-{n:04d}"
        buyers.append(DemoBuyer(buyer_id, nickname, city.city, rng.random() < _VIP_SHARE))
        places[buyer_id] = place
    return buyers, places


def _pick_items(rng: random.Random, products: list[DemoProduct]) -> tuple[DemoOrderItem, ...]:
    """One to three distinct products, mostly one, mostly a single unit each."""
    lines = min(len(products), rng.choices((1, 2, 3), weights=(80, 15, 5))[0])
    return tuple(
        DemoOrderItem(p.sku, p.title, rng.choices((1, 2, 3), weights=(85, 12, 3))[0], p.price_cents)
        for p in rng.sample(products, lines)
    )


def _unique_digits(rng: random.Random, prefix: str, digits: int, taken: set[str]) -> str:
    """`prefix` followed by `digits` random digits, not yet in `taken` (which it joins)."""
    while True:
        candidate = f"{prefix}{rng.randrange(10 ** (digits - 1), 10**digits)}"
        if candidate not in taken:
            taken.add(candidate)
            return candidate


def _phone(rng: random.Random) -> str:
    """A masked mobile number, as couriers show them: 138****2291."""
    return f"1{rng.choice('3578')}{rng.randint(0, 9)}****{rng.randint(0, 9999):04d}"


@dataclass(frozen=True, slots=True)
class _Shipment:
    courier: Courier
    tracking_no: str
    events: list[tuple[datetime, str]]


def _make_shipment(
    rng: random.Random,
    names: RawBuyers,
    courier: Courier,
    tracking_no: str,
    origin: Place,
    dest: Place,
    last_at: datetime,
    delivered: bool,
) -> _Shipment:
    """A track from `origin` to `dest` whose latest event is at `last_at`, built backwards.

    Delivered tracks run to the 'signed' stage; others stop at a random earlier stage.
    """
    same_city = origin.city == dest.city
    steps = [s for s in names.logistics_steps if not (same_city and s.intercity)]
    count = len(steps) if delivered else rng.randint(1, len(steps) - 1)
    steps = steps[:count]
    fields = {
        "courier": courier.name,
        "origin_city": origin.city,
        "origin_district": origin.district,
        "origin_hub": _short_city(origin.city) + courier.hub_suffix,
        "dest_city": dest.city,
        "dest_district": dest.district,
        "dest_hub": _short_city(dest.city) + courier.hub_suffix,
        "collector": rng.choice(names.surnames) + "师傅",
        "deliverer": rng.choice(names.surnames) + "师傅",
        "phone": _phone(rng),
        "signer": rng.choice(names.signers),
    }
    times: list[datetime] = []
    at = last_at
    for index in range(len(steps) - 1, -1, -1):
        step = steps[index]
        if step.daytime:
            at = _daytime(rng, at)
        times.append(at)
        low, high = step.gap_hours
        at -= timedelta(seconds=round(rng.uniform(low, high) * _HOUR))
    times.reverse()
    try:
        events = [(at, step.text.format_map(fields)) for at, step in zip(times, steps, strict=True)]
    except (KeyError, IndexError, ValueError) as exc:
        raise DemoDataError("buyers.json: bad placeholder in logistics_steps") from exc
    return _Shipment(courier=courier, tracking_no=tracking_no, events=events)


def _order_times(rng: random.Random, status: OrderStatus) -> tuple[datetime | None, datetime | None, bool]:
    """(created_at if not shipped, latest track event if shipped, whether the track is complete)."""
    if status == "pending_payment":
        return _before_base(rng, 0.1 * _HOUR, 20 * _HOUR), None, False
    if status == "paid":
        return _before_base(rng, 0.5 * _HOUR, 40 * _HOUR), None, False
    if status == "shipped":
        return None, _before_base(rng, 0.2 * _HOUR, 10 * _HOUR), False
    if status == "delivered":
        return None, _before_base(rng, 2 * _HOUR, 6 * _DAY), True
    if status == "completed":
        return None, _before_base(rng, 7 * _DAY, 55 * _DAY), True
    # refunding: some before shipping, most after the buyer received the parcel
    if rng.random() < 0.35:
        return _before_base(rng, 2 * _HOUR, 3 * _DAY), None, False
    return None, _before_base(rng, 1 * _DAY, 12 * _DAY), True


def _make_shop(raw: RawShop, names: RawBuyers, seed: int, order_nos: set[str], tracking_nos: set[str]) -> DemoShop:
    """Expand one shop; `order_nos` and `tracking_nos` are shared across shops to keep them unique."""
    rng = random.Random(f"{seed}:{raw.slug}")
    accounts = tuple(DemoAccount(a.username, a.display_name, a.role) for a in raw.accounts)
    products = [DemoProduct(p.sku, p.title, p.price_cents, p.category, p.needs, dict(p.specs)) for p in raw.products]
    buyers, places = _make_buyers(rng, raw.slug, raw.buyer_count, names)
    couriers = {c.name: c for c in names.couriers}
    courier_names = list(raw.couriers)
    courier_weights = [raw.couriers[name] for name in courier_names]
    statuses = list(_STATUS_WEIGHTS)
    status_weights = [_STATUS_WEIGHTS[s] for s in statuses]

    orders: list[tuple[datetime, DemoOrder, _Shipment | None]] = []
    for buyer in buyers:
        for _ in range(rng.choices((1, 2, 3), weights=(50, 30, 20))[0]):
            status = rng.choices(statuses, weights=status_weights)[0]
            items = _pick_items(rng, products)
            created, last_event, delivered = _order_times(rng, status)
            shipment: _Shipment | None = None
            if last_event is not None:
                courier = couriers[rng.choices(courier_names, weights=courier_weights)[0]]
                tracking_no = _unique_digits(rng, courier.prefix, courier.digits, tracking_nos)
                shipment = _make_shipment(
                    rng, names, courier, tracking_no, raw.ship_from, places[buyer.buyer_id], last_event, delivered
                )
                # paid, then packed and handed to the courier some hours later
                created = shipment.events[0][0] - timedelta(seconds=round(rng.uniform(2, 30) * _HOUR))
            assert created is not None
            order = DemoOrder(
                order_no=_unique_digits(rng, f"{created:%y%m%d}-", 10, order_nos),
                shop_slug=raw.slug,
                buyer_id=buyer.buyer_id,
                items=items,
                amount_cents=sum(i.quantity * i.price_cents for i in items),
                status=status,
                created_at=_iso(created),
                tracking_no=shipment.tracking_no if shipment else None,
                courier=shipment.courier.name if shipment else None,
            )
            orders.append((created, order, shipment))
    orders.sort(key=lambda entry: (entry[0], entry[1].order_no))

    logistics = tuple(
        DemoLogisticsEvent(order.order_no, _iso(at), text)
        for _, order, shipment in orders
        if shipment is not None
        for at, text in shipment.events
    )
    after_sales = _make_after_sales(rng, raw.slug, names, [(o, s is not None) for _, o, s in orders], len(buyers))
    logger.debug(
        "demo shop %s: %d buyers, %d orders, %d after-sales cases",
        raw.slug,
        len(buyers),
        len(orders),
        len(after_sales),
    )
    return DemoShop(
        slug=raw.slug,
        name=raw.name,
        accounts=accounts,
        products=tuple(products),
        buyers=tuple(buyers),
        orders=tuple(order for _, order, _ in orders),
        logistics=logistics,
        after_sales=after_sales,
    )


def _make_after_sales(
    rng: random.Random,
    slug: str,
    names: RawBuyers,
    orders: list[tuple[DemoOrder, bool]],
    buyer_count: int,
) -> tuple[DemoAfterSale, ...]:
    """An open case for every refunding order, then settled cases until ~10% of buyers have one."""
    reasons = names.after_sale_reasons[slug]
    by_kind: dict[AfterSaleKind, list[str]] = {
        "return_refund": reasons.return_refund,
        "refund_only": reasons.refund_only,
        "coupon": reasons.coupon,
    }
    cases: list[DemoAfterSale] = []
    with_case: set[str] = set()

    def add(order: DemoOrder, kind: AfterSaleKind, reason: str, status: AfterSaleStatus) -> None:
        case_id = f"as-{slug}-{len(cases) + 1:04d}"
        cases.append(DemoAfterSale(case_id, order.order_no, order.buyer_id, kind, reason, status))
        with_case.add(order.buyer_id)

    for order, shipped in orders:
        if order.status != "refunding":
            continue
        if not shipped:
            add(order, "refund_only", rng.choice(names.refund_before_shipping), "open")
        else:
            kind: AfterSaleKind = rng.choices(("return_refund", "refund_only"), weights=(3, 1))[0]
            add(order, kind, rng.choice(by_kind[kind]), "open")

    target = round(buyer_count * _AFTER_SALE_SHARE)
    settled = [o for o, _ in orders if o.status in ("delivered", "completed")]
    rng.shuffle(settled)
    for order in settled:
        if len(with_case) >= target:
            break
        if order.buyer_id in with_case:
            continue
        # A settled case leaves the order as it was: a return that went through would have closed it.
        kind = rng.choices(("return_refund", "refund_only", "coupon"), weights=(2, 3, 4))[0]
        status: AfterSaleStatus = (
            "declined" if kind == "return_refund" else (rng.choices(("resolved", "declined"), weights=(4, 1))[0])
        )
        add(order, kind, rng.choice(by_kind[kind]), status)
    return tuple(cases)


def build_demo_dataset(demo_dir: Path = DEMO_DIR, seed: int = DEMO_SEED) -> DemoDataset:
    """Expand the resource files in `demo_dir`; uncached, and equal for equal inputs."""
    resources = load_resources(demo_dir)
    order_nos: set[str] = set()
    tracking_nos: set[str] = set()
    shops = tuple(_make_shop(raw, resources.names, seed, order_nos, tracking_nos) for raw in resources.shops.shops)
    return DemoDataset(demo_password=resources.shops.demo_password, shops=shops)


@functools.lru_cache(maxsize=1)
def load_demo_dataset() -> DemoDataset:
    """The demo dataset from the repository's `resources/demo/`, built once per process."""
    return build_demo_dataset()


# ---------------------------------------------------------------------------------------------
# Buyer simulator corpus


@functools.lru_cache(maxsize=1)
def _questions() -> RawQuestions:
    raw = decode(DEMO_DIR / "questions.json", RawQuestions)
    if "general" not in raw.groups or not raw.greetings or not raw.followups:
        raise DemoDataError("questions.json: needs greetings, followups and a 'general' group")
    return raw


def load_questions() -> dict[str, list[str]]:
    """Buyer questions by group: product categories plus "general"; a fresh copy."""
    return {group: list(texts) for group, texts in _questions().groups.items()}


def load_followups() -> list[str]:
    """Follow-up lines ("好的谢谢", "还有一个问题", ...); a fresh copy."""
    return list(_questions().followups)


def load_greetings() -> list[str]:
    """Opening lines ("你好", "在吗", ...); a fresh copy."""
    return list(_questions().greetings)
