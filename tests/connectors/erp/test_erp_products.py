"""Items changed since a time: keyset paging that neither loses nor repeats an item, and whole products."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from erp_builders import T0, at, product

from connectors.erp.errors import RecordError
from connectors.erp.paging import encode_cursor
from domain.models import Category, Party, PartyKind


def _all_keys(erp, since, limit, until=None) -> list[str]:
    keys: list[str] = []
    for page in erp.iter_products_changed(since, limit, until=until):
        assert len(page.items) <= limit
        keys += [p.erp_key for p in page.items]
    return keys


def test_tiny_pages_return_every_changed_item_exactly_once_in_update_order(erp_harness, erp):
    erp_harness.load(
        products=[
            product("A", updated=at(5)),
            product("B", updated=at(1)),
            product("C", updated=at(3)),
            product("D", updated=at(1)),
            product("E", updated=at(9)),
            product("F", updated=at(3)),
            product("G", updated=at(2)),
        ]
    )
    assert _all_keys(erp, None, 2) == ["B", "D", "G", "C", "F", "A", "E"]


def test_items_updated_at_the_same_instant_are_split_across_pages_without_loss(erp_harness, erp):
    erp_harness.load(products=[product(f"SAME{i}", updated=T0) for i in range(7)])
    first = erp.list_products_changed(None, None, 3)
    assert [p.erp_key for p in first.items] == ["SAME0", "SAME1", "SAME2"]
    assert first.next_cursor is not None
    assert _all_keys(erp, None, 3) == [f"SAME{i}" for i in range(7)]


def test_the_last_page_says_it_is_the_last(erp_harness, erp):
    erp_harness.load(products=[product(k) for k in "ABCD"])
    pages = list(erp.iter_products_changed(None, 2))
    assert [len(p.items) for p in pages] == [2, 2]
    assert pages[-1].next_cursor is None


def test_since_includes_its_own_instant_and_excludes_earlier_changes(erp_harness, erp):
    erp_harness.load(
        products=[product("OLD", updated=at(0)), product("EDGE", updated=at(10)), product("NEW", updated=at(20))]
    )
    assert _all_keys(erp, at(10), 5) == ["EDGE", "NEW"]


def test_until_makes_the_window_half_open(erp_harness, erp):
    erp_harness.load(products=[product("IN", updated=at(0)), product("EDGE", updated=at(10))])
    assert _all_keys(erp, at(0), 5, until=at(10)) == ["IN"]


def test_an_item_changed_again_while_paging_is_still_delivered(erp_harness, erp):
    erp_harness.load(products=[product(k, updated=at(i)) for i, k in enumerate("ABCDE")])
    first = erp.list_products_changed(None, None, 2)
    assert [p.erp_key for p in first.items] == ["A", "B"]
    erp_harness.load(products=[product("A", updated=at(50)), product("C", updated=at(60))])
    rest: list[str] = []
    cursor = first.next_cursor
    while cursor:
        page = erp.list_products_changed(None, cursor, 2)
        rest += [p.erp_key for p in page.items]
        cursor = page.next_cursor
    assert rest == ["D", "E", "A", "C"]


def test_a_product_carries_variants_prices_categories_parameters_and_its_producer_as_vendor(erp_harness, erp):
    erp_harness.load(
        parties=[Party(erp_key="P1", name="Dřevovýroba Novák s.r.o.", kind=PartyKind.PRODUCER)],
        categories=[Category(erp_key="NAB", name="Nábytek"), Category(erp_key="ZID", name="Židle", parent_key="NAB")],
        products=[
            product(
                "CHAIR",
                "CHAIR-BUK",
                "CHAIR-DUB",
                price="1290.50",
                categories=("ZID", "NAB"),
                producer="P1",
                parameters=(("Materiál", "buk"), ("Hmotnost", "4,2 kg")),
            )
        ],
    )
    (chair,) = erp.get_products(["CHAIR"])
    assert [v.sku for v in chair.variants] == ["CHAIR-BUK", "CHAIR-DUB"]
    assert chair.variants[1].options == {"Velikost": "1"}
    assert chair.variants[0].price == Decimal("1290.50")
    assert chair.category_keys == ["ZID", "NAB"]
    assert [(p.name, p.value) for p in chair.parameters] == [("Materiál", "buk"), ("Hmotnost", "4,2 kg")]
    assert chair.producer_key == "P1" and chair.vendor == "Dřevovýroba Novák s.r.o."
    assert chair.vat_rate == Decimal("21")
    assert chair.updated_at == T0 and chair.updated_at.tzinfo is not None


def test_products_are_found_by_key_and_by_any_of_their_skus(erp_harness, erp):
    erp_harness.load(products=[product("A", "A-S", "A-M"), product("B", "B-1"), product("C", "C-1")])
    assert [p.erp_key for p in erp.get_products(["C", "A", "MISSING"])] == ["A", "C"]
    by_sku = erp.get_products_by_sku(["A-M", "B-1", "NOPE"])
    assert [p.erp_key for p in by_sku] == ["A", "B"]
    assert [v.sku for v in by_sku[0].variants] == ["A-S", "A-M"]


def test_the_erp_tells_which_items_it_still_holds_inactive_ones_included(erp_harness, erp):
    erp_harness.load(products=[product("A", "A-1"), product("B", "B-1").model_copy(update={"active": False})])
    assert erp.existing_item_keys(["B", "A", "GONE"]) == {"A", "B"}
    assert erp.existing_item_keys([]) == set()


def test_a_cursor_from_another_listing_or_mangled_is_refused(erp_harness, erp):
    erp_harness.load(products=[product("A"), product("B")])
    with pytest.raises(RecordError, match="cursor"):
        erp.list_products_changed(None, "not-a-cursor", 1)
    with pytest.raises(RecordError, match="cursor"):
        erp.list_products_changed(None, encode_cursor("stock", "A", "B"), 1)


def test_a_naive_since_is_refused_naming_the_parameter(erp):
    with pytest.raises(ValueError, match="since"):
        erp.list_products_changed(datetime(2025, 1, 1), None, 10)
