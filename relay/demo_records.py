"""The demo data's records (what `relay.demo_data` generates) and the schemas of its resource files
(`resources/demo/*.json`, validated on decode: a malformed file raises `DemoDataError`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Final, Literal, TypeVar

import msgspec

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


T = TypeVar("T")


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


class RawAccount(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    username: str
    display_name: str
    role: Role


class RawProduct(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    sku: str
    title: str
    price_cents: int
    category: str
    needs: Needs
    specs: dict[str, str]


class Place(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    province: str
    city: str
    district: str


class RawShop(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    slug: str
    name: str
    ship_from: Place
    buyer_count: int
    couriers: dict[str, int]
    """Courier name -> relative weight."""
    accounts: list[RawAccount]
    products: list[RawProduct]


class RawShops(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    demo_password: str
    shops: list[RawShop]


class NicknameStyle(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    template: str
    weight: int


class City(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    province: str
    city: str
    districts: list[str]


class Courier(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: str
    prefix: str
    digits: int
    hub_suffix: str


class LogisticsStep(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    stage: str
    daytime: bool
    """Happens only between 08:00 and 21:00 (hand-overs to and from people)."""
    gap_hours: tuple[float, float]
    """Time since the previous step."""
    intercity: bool
    """Skipped when the parcel stays within one city."""
    text: str


class Reasons(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    return_refund: list[str]
    refund_only: list[str]
    coupon: list[str]


class RawBuyers(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    surnames: list[str]
    given_names: list[str]
    nickname_styles: list[NicknameStyle]
    foods: list[str]
    animals: list[str]
    english_names: list[str]
    english_suffixes: list[str]
    adjectives: list[str]
    nouns: list[str]
    identities: list[str]
    ready_made: list[str]
    cities: list[City]
    couriers: list[Courier]
    signers: list[str]
    logistics_steps: list[LogisticsStep]
    after_sale_reasons: dict[str, Reasons]
    """Shop slug -> reasons by after-sales kind."""
    refund_before_shipping: list[str]


class RawQuestions(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    greetings: list[str]
    followups: list[str]
    groups: dict[str, list[str]]


def decode(path: Path, kind: type[T]) -> T:
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
class Resources:
    shops: RawShops
    names: RawBuyers


def load_resources(demo_dir: Path) -> Resources:
    """Decode shops.json and buyers.json and check that they refer to each other consistently."""
    shops = decode(demo_dir / "shops.json", RawShops)
    names = decode(demo_dir / "buyers.json", RawBuyers)
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
    return Resources(shops=shops, names=names)
