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
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from typing import Final, Literal, TypeVar

import msgspec

logger = logging.getLogger(__name__)

DEMO_DIR: Final[Path] = Path(__file__).resolve().parent.parent / "resources" / "demo"
DEMO_SEED: Final[int] = 20261101
CST: Final[timezone] = timezone(timedelta(hours=8), "CST")
DEMO_BASE_TIME: Final[datetime] = datetime(2026, 11, 1, 10, 0, 0, tzinfo=CST)
"""The fixed "now" of the demo: every generated timestamp is at or before it."""

Role = Literal["agent", "supervisor"]
Needs = Literal["installation", "explanation", "both"]
OrderStatus = Literal["pending_payment", "paid", "shipped", "delivered", "completed", "refunding"]
AfterSaleKind = Literal["return_refund", "refund_only", "coupon"]
AfterSaleStatus = Literal["open", "resolved", "declined"]

STATUS_LABELS_ZH: Final[dict[OrderStatus, str]] = {
    "pending_payment": "待付款",
    "paid": "待发货",
    "shipped": "已发货",
    "delivered": "已签收",
    "completed": "已完成",
    "refunding": "退款中",
}
AFTER_SALE_KIND_LABELS_ZH: Final[dict[AfterSaleKind, str]] = {
    "return_refund": "退货退款",
    "refund_only": "仅退款",
    "coupon": "补偿优惠券",
}
AFTER_SALE_STATUS_LABELS_ZH: Final[dict[AfterSaleStatus, str]] = {
    "open": "处理中",
    "resolved": "已解决",
    "declined": "已拒绝",
}


_T = TypeVar("_T")


class DemoDataError(ValueError):
    """A demo resource file is missing, malformed or inconsistent."""


# ---------------------------------------------------------------------------------------------
# Public, generated records


@dataclass(frozen=True, slots=True)
class DemoAccount:
    """A staff login of a demo shop; all share `DemoDataset.demo_password`."""

    username: str
    display_name: str
    role: Role


@dataclass(frozen=True, slots=True)
class DemoProduct:
    """A product on sale; `specs` is a few Chinese key/value pairs for the product card."""

    sku: str
    title: str
    price_cents: int
    category: str
    needs: Needs
    specs: dict[str, str]


@dataclass(frozen=True, slots=True)
class DemoBuyer:
    """A platform user who bought from the shop; `buyer_id` looks like `b-jiadian-0001`."""

    buyer_id: str
    nickname: str
    city: str
    vip: bool


@dataclass(frozen=True, slots=True)
class DemoOrderItem:
    """One order line; `price_cents` is the unit price."""

    sku: str
    title: str
    quantity: int
    price_cents: int


@dataclass(frozen=True, slots=True)
class DemoOrder:
    """An order; `amount_cents` is the sum of quantity × unit price; tracking only once shipped."""

    order_no: str
    shop_slug: str
    buyer_id: str
    items: tuple[DemoOrderItem, ...]
    amount_cents: int
    status: OrderStatus
    created_at: str
    tracking_no: str | None
    courier: str | None


@dataclass(frozen=True, slots=True)
class DemoLogisticsEvent:
    """One step of a parcel's track."""

    order_no: str
    at: str
    text: str


@dataclass(frozen=True, slots=True)
class DemoAfterSale:
    """An after-sales case; open cases belong to `refunding` orders."""

    case_id: str
    order_no: str
    buyer_id: str
    kind: AfterSaleKind
    reason: str
    status: AfterSaleStatus


@dataclass(frozen=True, slots=True)
class DemoShop:
    """A shop with its staff, catalogue, buyers and their history; orders are sorted by time."""

    slug: str
    name: str
    accounts: tuple[DemoAccount, ...]
    products: tuple[DemoProduct, ...]
    buyers: tuple[DemoBuyer, ...]
    orders: tuple[DemoOrder, ...]
    logistics: tuple[DemoLogisticsEvent, ...]
    after_sales: tuple[DemoAfterSale, ...]


@dataclass(frozen=True, slots=True)
class DemoDataset:
    """Everything the demo needs; the first shop is the main one."""

    demo_password: str
    shops: tuple[DemoShop, ...]

    def shop(self, slug: str) -> DemoShop:
        """The shop with this slug; KeyError if there is none."""
        for shop in self.shops:
            if shop.slug == slug:
                return shop
        raise KeyError(slug)


# ---------------------------------------------------------------------------------------------
# Raw resource schemas (validated on decode)


class _RawAccount(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    username: str
    display_name: str
    role: Role


class _RawProduct(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    sku: str
    title: str
    price_cents: int
    category: str
    needs: Needs
    specs: dict[str, str]


class _Place(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    province: str
    city: str
    district: str


class _RawShop(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    slug: str
    name: str
    ship_from: _Place
    buyer_count: int
    couriers: dict[str, int]
    """Courier name -> relative weight."""
    accounts: list[_RawAccount]
    products: list[_RawProduct]


class _RawShops(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    demo_password: str
    shops: list[_RawShop]


class _NicknameStyle(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    template: str
    weight: int


class _City(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    province: str
    city: str
    districts: list[str]


class _Courier(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: str
    prefix: str
    digits: int
    hub_suffix: str


class _LogisticsStep(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    stage: str
    daytime: bool
    """Happens only between 08:00 and 21:00 (hand-overs to and from people)."""
    gap_hours: tuple[float, float]
    """Time since the previous step."""
    intercity: bool
    """Skipped when the parcel stays within one city."""
    text: str


class _Reasons(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    return_refund: list[str]
    refund_only: list[str]
    coupon: list[str]


class _RawBuyers(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    surnames: list[str]
    given_names: list[str]
    nickname_styles: list[_NicknameStyle]
    foods: list[str]
    animals: list[str]
    english_names: list[str]
    english_suffixes: list[str]
    adjectives: list[str]
    nouns: list[str]
    identities: list[str]
    ready_made: list[str]
    cities: list[_City]
    couriers: list[_Courier]
    signers: list[str]
    logistics_steps: list[_LogisticsStep]
    after_sale_reasons: dict[str, _Reasons]
    """Shop slug -> reasons by after-sales kind."""
    refund_before_shipping: list[str]


class _RawQuestions(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    greetings: list[str]
    followups: list[str]
    groups: dict[str, list[str]]


def _decode(path: Path, kind: type[_T]) -> _T:
    """Read and validate one resource file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DemoDataError(f"cannot read demo resource {path}: {exc}") from exc
    try:
        return msgspec.json.decode(raw, type=kind, strict=True)
    except msgspec.MsgspecError as exc:
        raise DemoDataError(f"{path.name}: {exc}") from exc


# ---------------------------------------------------------------------------------------------
# Loading and validation


@dataclass(frozen=True, slots=True)
class _Resources:
    shops: _RawShops
    names: _RawBuyers


def _load_resources(demo_dir: Path) -> _Resources:
    """Decode shops.json and buyers.json and check that they refer to each other consistently."""
    shops = _decode(demo_dir / "shops.json", _RawShops)
    names = _decode(demo_dir / "buyers.json", _RawBuyers)
    couriers = {c.name for c in names.couriers}
    slugs: set[str] = set()
    skus: set[str] = set()
    usernames: set[str] = set()
    for shop in shops.shops:
        where = f"shops.json: shop {shop.slug!r}"
        if shop.slug in slugs:
            raise DemoDataError(f"{where}: duplicate slug")
        slugs.add(shop.slug)
        if not shop.products or not shop.accounts or shop.buyer_count < 1:
            raise DemoDataError(f"{where}: needs products, accounts and buyers")
        for account in shop.accounts:
            if account.username in usernames:
                raise DemoDataError(f"{where}: duplicate username {account.username!r}")
            usernames.add(account.username)
        for product in shop.products:
            if product.sku in skus:
                raise DemoDataError(f"{where}: duplicate sku {product.sku!r}")
            skus.add(product.sku)
            if product.price_cents <= 0:
                raise DemoDataError(f"{where}: {product.sku} has a non-positive price")
        unknown = sorted(set(shop.couriers) - couriers)
        if unknown or not shop.couriers or min(shop.couriers.values()) <= 0:
            raise DemoDataError(f"{where}: bad courier weights (unknown: {unknown})")
        if shop.slug not in names.after_sale_reasons:
            raise DemoDataError(f"buyers.json: no after_sale_reasons for shop {shop.slug!r}")
    if not names.logistics_steps or names.logistics_steps[-1].stage != "signed":
        raise DemoDataError("buyers.json: logistics_steps must end with the 'signed' stage")
    return _Resources(shops=shops, names=names)


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


def _nickname(rng: random.Random, names: _RawBuyers, city: str) -> str:
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
    rng: random.Random, slug: str, count: int, names: _RawBuyers
) -> tuple[list[DemoBuyer], dict[str, _Place]]:
    """`count` buyers with unique nicknames, and each buyer's delivery place."""
    buyers: list[DemoBuyer] = []
    places: dict[str, _Place] = {}
    taken: set[str] = set()
    for n in range(1, count + 1):
        city = rng.choice(names.cities)
        place = _Place(province=city.province, city=city.city, district=rng.choice(city.districts))
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
    courier: _Courier
    tracking_no: str
    events: list[tuple[datetime, str]]


def _make_shipment(
    rng: random.Random,
    names: _RawBuyers,
    courier: _Courier,
    tracking_no: str,
    origin: _Place,
    dest: _Place,
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


def _make_shop(raw: _RawShop, names: _RawBuyers, seed: int, order_nos: set[str], tracking_nos: set[str]) -> DemoShop:
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
    names: _RawBuyers,
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
    resources = _load_resources(demo_dir)
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
def _questions() -> _RawQuestions:
    raw = _decode(DEMO_DIR / "questions.json", _RawQuestions)
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
