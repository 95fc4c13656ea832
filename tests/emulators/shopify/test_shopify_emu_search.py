"""The ``query:`` search syntax: date windows (quoted vs unquoted), status, sku, email, id ranges, AND/OR/NOT."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from shopify_emu_support import order_model, product_model

from emulators.shopify import search

DAY = datetime(2026, 2, 10, tzinfo=UTC)


def ids(body: dict, field: str) -> list[str]:
    return [n["id"] for n in body["data"][field]["nodes"]]


def orders(gql, query: str) -> list[str]:
    return ids(gql("query($q: String) { orders(first: 50, query: $q) { nodes { id } } }", {"q": query}), "orders")


@pytest.fixture
def timeline(shop):
    """Orders 1–4 updated at 08:00, 10:00, 12:00 on DAY and 09:00 the next day; 3 is closed, 4 cancelled."""
    stamps = [
        DAY + timedelta(hours=8),
        DAY + timedelta(hours=10),
        DAY + timedelta(hours=12),
        DAY + timedelta(days=1, hours=9),
    ]
    shop.seed_products([product_model("P1")])
    made = shop.seed_orders(
        [
            order_model(1, updated_at=stamps[0]),
            order_model(2, updated_at=stamps[1], skus=("P1-M",)),
            order_model(3, updated_at=stamps[2], closed=True),
            order_model(4, updated_at=stamps[3], cancelled_at=stamps[3], customer_email="Special@Example.com"),
        ]
    )
    return made


def test_a_quoted_datetime_window_is_half_open_and_keeps_its_time(gql, timeline):
    found = orders(gql, "updated_at:>='2026-02-10T10:00:00Z' AND updated_at:<'2026-02-10T12:00:00Z'")
    assert found == [timeline[1]]


def test_an_unquoted_datetime_keeps_only_its_date(gql, timeline):
    quoted = orders(gql, "updated_at:>='2026-02-10T11:00:00Z'")
    unquoted = orders(gql, "updated_at:>=2026-02-10T11:00:00Z")
    assert quoted == timeline[2:]
    assert unquoted == timeline  # 11:00 dropped: the whole of 2026-02-10 counts


def test_a_date_with_a_colon_matches_the_whole_day(gql, timeline):
    assert orders(gql, "updated_at:2026-02-10") == timeline[:3]
    assert orders(gql, "created_at:<2026-02-11") == timeline[:3]


@pytest.mark.parametrize(
    ("status", "expected"), [("open", [0, 1]), ("closed", [2, 3]), ("cancelled", [3]), ("any", [0, 1, 2, 3])]
)
def test_order_status_filters(gql, timeline, status, expected):
    assert orders(gql, f"status:{status}") == [timeline[i] for i in expected]


def test_sku_email_and_id_terms(gql, timeline):
    assert orders(gql, "sku:P1-M") == [timeline[1]]
    assert orders(gql, "email:special@example.com") == [timeline[3]]
    assert orders(gql, "id:>2") == timeline[2:]
    assert orders(gql, f"id:{timeline[0]}") == [timeline[0]]


def test_or_not_and_parentheses(gql, timeline):
    assert orders(gql, "sku:P1-M OR status:cancelled") == [timeline[1], timeline[3]]
    assert orders(gql, "-status:closed") == timeline[:2]
    assert orders(gql, "NOT (id:1 OR id:2) AND status:any") == timeline[2:]


def test_product_title_prefix_and_status_lists(gql, shop):
    made = list(shop.seed_products([product_model("A1"), product_model("B1")]).values())
    shop.find(made[1], "Product").status = "DRAFT"
    shop.search_index.catch_up()
    body = gql("{ products(first: 10, query: \"title:'Product A*'\") { nodes { id } } }")
    assert ids(body, "products") == [made[0]]
    body = gql('{ products(first: 10, query: "status:active,draft") { nodes { id } } }')
    assert ids(body, "products") == made


def test_an_unknown_search_field_is_ignored_with_a_warning(gql, timeline):
    body = gql('{ orders(first: 10, query: "colour:red AND id:1") { nodes { id } } }')
    assert ids(body, "orders") == [timeline[0]]
    assert body["extensions"]["search"][0]["warnings"] == [
        {"field": "colour", "message": "Invalid search field for this query."}
    ]


def test_a_malformed_query_is_an_error(gql, timeline):
    body = gql('{ orders(first: 10, query: "(status:open") { nodes { id } } }')
    assert body["errors"][0]["message"] == "missing ')' in search query"


def test_the_parser_builds_the_expected_tree():
    tree = search.parse("updated_at:>='2024-01-01T00:00:00Z' title:\"A B\" OR -tag:x")
    assert tree == search.Or(
        (
            search.And(
                (search.Term("updated_at", ">=", "2024-01-01T00:00:00Z", True), search.Term("title", ":", "A B", True))
            ),
            search.Not(search.Term("tag", ":", "x", False)),
        )
    )


# ---- the index lags writes (search_index.py) ----------------------------------------------------------------

CREATE_COLLECTION = """mutation($title: String!) { collectionCreate(input: {title: $title, handle: $title}) {
    collection { id } userErrors { message } } }"""
BY_HANDLE = "query($q: String!) { collections(first: 5, query: $q) { nodes { id handle } } }"
BY_IDENTIFIER = "query($h: String!) { collectionByIdentifier(identifier: {handle: $h}) { id handle } }"


def test_a_created_record_is_found_by_search_only_after_the_lag_but_by_identifier_at_once(gql, shop, clock):
    made = gql(CREATE_COLLECTION, {"title": "shoes"})["data"]["collectionCreate"]["collection"]["id"]

    assert gql(BY_HANDLE, {"q": "handle:shoes"})["data"]["collections"]["nodes"] == []
    assert gql(BY_IDENTIFIER, {"h": "shoes"})["data"]["collectionByIdentifier"] == {"id": made, "handle": "shoes"}
    assert gql("{ collections(first: 5) { nodes { id } } }")["data"]["collections"]["nodes"] == [{"id": made}]

    clock.advance(2)  # EmulatorConfig.search_lag_seconds
    assert gql(BY_HANDLE, {"q": "handle:shoes"})["data"]["collections"]["nodes"] == [{"id": made, "handle": "shoes"}]
    assert gql(BY_IDENTIFIER, {"h": "boots"})["data"]["collectionByIdentifier"] is None


def test_an_updated_record_is_matched_by_its_old_values_until_the_index_catches_up(gql, seeded, clock):
    open_orders = '{ orders(first: 5, query: "status:open") { nodes { id } } }'
    assert len(gql(open_orders)["data"]["orders"]["nodes"]) == 3
    gql('mutation { orderClose(input: {id: "gid://shopify/Order/1001"}) { userErrors { message } } }')

    assert len(gql(open_orders)["data"]["orders"]["nodes"]) == 3  # the index still holds it open
    assert gql('{ order(id: "gid://shopify/Order/1001") { closed } }')["data"]["order"]["closed"] is True
    clock.advance(2)
    assert [n["id"] for n in gql(open_orders)["data"]["orders"]["nodes"]] == seeded.orders[1:]
