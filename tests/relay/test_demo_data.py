"""The demo dataset: deterministic, internally consistent, and written in real Chinese."""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from relay.demo_data import (
    AFTER_SALE_KIND_LABELS_ZH,
    AFTER_SALE_STATUS_LABELS_ZH,
    DEMO_BASE_TIME,
    DEMO_DIR,
    STATUS_LABELS_ZH,
    DemoDataError,
    DemoDataset,
    DemoShop,
    build_demo_dataset,
    load_demo_dataset,
    load_followups,
    load_greetings,
    load_questions,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
JSON_FILES = ("shops.json", "buyers.json", "questions.json")


@pytest.fixture(scope="module")
def dataset() -> DemoDataset:
    return load_demo_dataset()


@pytest.fixture(scope="module")
def main_shop(dataset: DemoDataset) -> DemoShop:
    return dataset.shop("jiadian")


def _at(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.utcoffset() == timedelta(hours=8), text
    return moment


def test_deterministic(dataset: DemoDataset) -> None:
    assert build_demo_dataset() == build_demo_dataset()
    assert build_demo_dataset() == dataset
    assert load_demo_dataset() is dataset


def test_seed_changes_the_expansion_but_not_the_catalogue(dataset: DemoDataset) -> None:
    other = build_demo_dataset(seed=1)
    assert other != dataset
    assert [s.products for s in other.shops] == [s.products for s in dataset.shops]


def test_shops_and_accounts(dataset: DemoDataset, main_shop: DemoShop) -> None:
    assert dataset.demo_password == "kefu-demo"
    assert [s.slug for s in dataset.shops] == ["jiadian", "chaye"]
    roles = [a.role for a in main_shop.accounts]
    assert roles.count("agent") == 2 and roles.count("supervisor") == 1
    assert {a.username for a in main_shop.accounts} == {"agent1", "agent2", "super1"}
    tea = dataset.shop("chaye")
    assert sorted((a.username, a.role) for a in tea.accounts) == [("cha1", "agent"), ("cha_boss", "supervisor")]
    with pytest.raises(KeyError):
        dataset.shop("nope")


def test_buyer_counts_ids_and_nicknames(dataset: DemoDataset) -> None:
    assert len(dataset.shop("jiadian").buyers) == 200
    assert len(dataset.shop("chaye").buyers) == 20
    for shop in dataset.shops:
        ids = [b.buyer_id for b in shop.buyers]
        assert ids == [f"b-{shop.slug}-{n:04d}" for n in range(1, len(ids) + 1)]
        nicknames = [b.nickname for b in shop.buyers]
        assert len(set(nicknames)) == len(nicknames)
        assert all(CJK.search(b.city) for b in shop.buyers)
        assert 0 < sum(b.vip for b in shop.buyers) < len(shop.buyers)


def test_shops_buyers_disjoint(dataset: DemoDataset) -> None:
    seen: set[str] = set()
    for shop in dataset.shops:
        ids = {b.buyer_id for b in shop.buyers}
        assert not ids & seen
        seen |= ids


def test_products(main_shop: DemoShop, dataset: DemoDataset) -> None:
    assert len(main_shop.products) >= 12
    skus = [p.sku for s in dataset.shops for p in s.products]
    assert len(set(skus)) == len(skus)
    for shop in dataset.shops:
        for product in shop.products:
            assert product.price_cents > 0
            assert product.needs in ("installation", "explanation", "both")
            assert CJK.search(product.title)
            assert product.specs and all(CJK.search(k) for k in product.specs)
    categories = {p.category for p in main_shop.products}
    assert {"hood", "piano", "furniture", "network", "water"} <= categories


def test_order_numbers_unique(dataset: DemoDataset) -> None:
    numbers = [o.order_no for s in dataset.shops for o in s.orders]
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"\d{6}-\d{10}", n) for n in numbers)
    tracking = [o.tracking_no for s in dataset.shops for o in s.orders if o.tracking_no]
    assert len(set(tracking)) == len(tracking)


def test_orders_consistent_with_their_shop(dataset: DemoDataset) -> None:
    for shop in dataset.shops:
        buyers = {b.buyer_id for b in shop.buyers}
        products = {p.sku: p for p in shop.products}
        per_buyer: dict[str, int] = {}
        for order in shop.orders:
            assert order.shop_slug == shop.slug
            assert order.buyer_id in buyers
            per_buyer[order.buyer_id] = per_buyer.get(order.buyer_id, 0) + 1
            assert order.items
            for item in order.items:
                assert item.sku in products
                assert (item.title, item.price_cents) == (products[item.sku].title, products[item.sku].price_cents)
                assert item.quantity >= 1
            assert order.amount_cents == sum(i.quantity * i.price_cents for i in order.items)
            assert order.status in STATUS_LABELS_ZH
            assert _at(order.created_at) <= DEMO_BASE_TIME
            shipped = order.status in ("shipped", "delivered", "completed")
            if shipped:
                assert order.tracking_no and order.courier
            if order.status in ("pending_payment", "paid"):
                assert order.tracking_no is None and order.courier is None
        assert set(per_buyer) == buyers
        assert all(1 <= n <= 3 for n in per_buyer.values())
        assert [o.created_at for o in shop.orders] == sorted(o.created_at for o in shop.orders)


def test_order_number_carries_the_order_date(dataset: DemoDataset) -> None:
    for order in (o for s in dataset.shops for o in s.orders):
        assert _at(order.created_at).strftime("%y%m%d") == order.order_no[:6]


def test_logistics_tracks(dataset: DemoDataset) -> None:
    for shop in dataset.shops:
        orders = {o.order_no: o for o in shop.orders}
        tracks: dict[str, list[tuple[datetime, str]]] = {}
        for event in shop.logistics:
            assert event.order_no in orders
            assert CJK.search(event.text) and "{" not in event.text
            tracks.setdefault(event.order_no, []).append((_at(event.at), event.text))
        assert set(tracks) == {o.order_no for o in shop.orders if o.tracking_no}
        for order_no, track in tracks.items():
            order = orders[order_no]
            times = [at for at, _ in track]
            assert times == sorted(times)
            assert _at(order.created_at) < times[0] and times[-1] <= DEMO_BASE_TIME
            assert order.courier is not None and order.courier in track[0][1]
            signed = track[-1][1].startswith("已签收")
            assert signed == (order.status != "shipped"), (order, track[-1])
            for at, text in track:
                if text.startswith(("已签收", "派送中")) or "揽收" in text:
                    assert 8 <= at.hour < 21, (at, text)


def test_after_sales(dataset: DemoDataset) -> None:
    for shop in dataset.shops:
        orders = {o.order_no: o for o in shop.orders}
        case_ids = [a.case_id for a in shop.after_sales]
        assert len(set(case_ids)) == len(case_ids)
        for case in shop.after_sales:
            order = orders[case.order_no]
            assert case.buyer_id == order.buyer_id
            assert case.kind in AFTER_SALE_KIND_LABELS_ZH and case.status in AFTER_SALE_STATUS_LABELS_ZH
            assert CJK.search(case.reason)
            assert (case.status == "open") == (order.status == "refunding")
        refunding = {o.order_no for o in shop.orders if o.status == "refunding"}
        assert refunding <= {a.order_no for a in shop.after_sales}
        share = len({a.buyer_id for a in shop.after_sales}) / len(shop.buyers)
        assert 0.05 <= share <= 0.2, share


def test_every_status_occurs_in_the_main_shop(main_shop: DemoShop) -> None:
    assert {o.status for o in main_shop.orders} == set(STATUS_LABELS_ZH)


def test_labels_are_chinese() -> None:
    for labels in (STATUS_LABELS_ZH, AFTER_SALE_KIND_LABELS_ZH, AFTER_SALE_STATUS_LABELS_ZH):
        assert all(CJK.fullmatch(label[0]) for label in labels.values())


@pytest.mark.parametrize("name", JSON_FILES)
def test_json_files_are_tidy_utf8_chinese(name: str) -> None:
    raw = (DEMO_DIR / name).read_bytes()
    text = raw.decode("utf-8")  # strict: raises on invalid UTF-8
    assert "\\u" not in text, "write with ensure_ascii=False"
    assert len(CJK.findall(text)) > 100
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2) + "\n"


def test_questions_corpus(dataset: DemoDataset) -> None:
    groups = load_questions()
    assert "general" in groups
    categories = {p.category for s in dataset.shops for p in s.products}
    assert categories <= set(groups)
    for group, questions in groups.items():
        assert 10 <= len(questions) <= 20, group
        assert len(set(questions)) == len(questions), group
    texts = [q for qs in groups.values() for q in qs] + load_followups() + load_greetings()
    assert all(CJK.search(t) for t in texts)
    assert "能视频教我装吗？" in groups["general"]
    assert {"你好", "在吗", "客服在吗？"} <= set(load_greetings())
    assert {"好的谢谢", "还有一个问题", "那什么时候能到？"} <= set(load_followups())


def test_question_lists_are_fresh_copies() -> None:
    load_questions()["general"].clear()
    load_greetings().clear()
    load_followups().clear()
    assert load_questions()["general"] and load_greetings() and load_followups()


def test_malformed_resources_are_reported(tmp_path: Path) -> None:
    for name in JSON_FILES:
        shutil.copy(DEMO_DIR / name, tmp_path / name)
    assert build_demo_dataset(tmp_path) == load_demo_dataset()

    shops = json.loads((tmp_path / "shops.json").read_text(encoding="utf-8"))
    shops["shops"][0]["products"][0]["needs"] = "magic"
    (tmp_path / "shops.json").write_text(json.dumps(shops, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DemoDataError, match=r"shops\.json"):
        build_demo_dataset(tmp_path)

    shops["shops"][0]["products"][0]["needs"] = "both"
    shops["shops"][1]["products"][0]["sku"] = shops["shops"][0]["products"][0]["sku"]
    (tmp_path / "shops.json").write_text(json.dumps(shops, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DemoDataError, match="duplicate sku"):
        build_demo_dataset(tmp_path)

    (tmp_path / "buyers.json").unlink()
    with pytest.raises(DemoDataError, match=r"buyers\.json"):
        build_demo_dataset(tmp_path)
