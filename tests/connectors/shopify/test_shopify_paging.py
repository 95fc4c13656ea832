"""Cursor pagination: endCursor fed back as $after, page size within the document's costed maximum."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.shopify import paging
from connectors.shopify.errors import NotFound, OperationError, QueryError
from connectors.shopify.operations import catalog
from connectors.shopify.search import updated_at_filter
from connectors.shopify.testing import ScriptedShop, connection, ok

WINDOW = updated_at_filter(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC))


def orders_page(ids: list[int], *, has_next: bool, cursor: str | None):
    nodes = [{"id": f"gid://shopify/Order/{i}"} for i in ids]
    return ok({"orders": connection(nodes, has_next=has_next, cursor=cursor)})


def test_pages_are_followed_by_feeding_end_cursor_back_as_after(make_client):
    shop = ScriptedShop(
        [
            orders_page([1, 2], has_next=True, cursor="c1"),
            orders_page([3, 4], has_next=True, cursor="c2"),
            orders_page([5], has_next=False, cursor="c3"),
        ]
    )
    client = make_client(shop)

    pages = list(client.iter_pages("OrdersUpdatedSince", {"query": WINDOW}, "orders", page_size=2))

    assert [[o["id"][-1] for o in p.items] for p in pages] == [["1", "2"], ["3", "4"], ["5"]]
    assert [p.next_cursor for p in pages] == ["c1", "c2", None]
    assert [v["after"] for v in shop.variables] == [None, "c1", "c2"]
    assert all(v["first"] == 2 and v["query"] == WINDOW for v in shop.variables)


def test_iter_nodes_flattens_every_page(make_client):
    shop = ScriptedShop([orders_page([1], has_next=True, cursor="a"), orders_page([2], has_next=False, cursor="b")])
    nodes = list(make_client(shop).iter_nodes("OrdersUpdatedSince", {"query": WINDOW}, "orders"))
    assert [n["id"] for n in nodes] == ["gid://shopify/Order/1", "gid://shopify/Order/2"]


def test_fetch_page_resumes_from_a_saved_cursor(make_client):
    shop = ScriptedShop([orders_page([7], has_next=False, cursor="z")])
    page = make_client(shop).fetch_page("OrdersUpdatedSince", {"query": WINDOW}, "orders", after="saved")
    assert shop.variables[0]["after"] == "saved" and page.next_cursor is None


def test_a_nested_connection_is_paged_through_its_path(make_client):
    fulfillment_orders = connection([{"id": "gid://shopify/FulfillmentOrder/1"}], has_next=False, cursor="f1")
    shop = ScriptedShop([ok({"order": {"id": "gid://shopify/Order/1", "fulfillmentOrders": fulfillment_orders}})])
    nodes = list(
        make_client(shop).iter_nodes(
            "OrderFulfillmentOrders", {"id": "gid://shopify/Order/1"}, "order.fulfillmentOrders"
        )
    )
    assert nodes == [{"id": "gid://shopify/FulfillmentOrder/1"}]


def test_a_missing_parent_object_is_not_found_rather_than_an_empty_listing(make_client):
    shop = ScriptedShop([ok({"order": None})])
    with pytest.raises(NotFound, match="order is null"):
        list(make_client(shop).iter_nodes("OrderLineItems", {"id": "gid://shopify/Order/404"}, "order.lineItems"))


def test_page_size_never_exceeds_what_the_document_is_costed_for():
    orders = catalog.get("OrdersUpdatedSince")
    assert paging.page_size(orders) == orders.max_first
    assert paging.page_size(orders, 10_000) == orders.max_first
    assert paging.page_size(orders, 2) == 2
    with pytest.raises(ValueError):
        paging.page_size(orders, 0)


def test_a_document_without_paging_variables_cannot_be_paged():
    with pytest.raises(OperationError, match="not a paged operation"):
        paging.page_size(catalog.get("Order"))


def test_the_first_sent_is_capped_even_when_the_caller_asks_for_more(make_client):
    shop = ScriptedShop([orders_page([1], has_next=False, cursor=None)])
    list(make_client(shop).iter_pages("OrdersUpdatedSince", {"query": WINDOW}, "orders", page_size=250))
    assert shop.variables[0]["first"] == catalog.get("OrdersUpdatedSince").max_first


def test_edges_shaped_connections_are_read_too():
    data = {"things": {"edges": [{"node": {"id": 1}}], "pageInfo": {"hasNextPage": False, "endCursor": None}}}
    assert paging.read_connection(data, "things").nodes == [{"id": 1}]


def test_a_connection_without_page_info_is_a_document_error():
    with pytest.raises(OperationError, match="pageInfo"):
        paging.read_connection({"things": {"nodes": []}}, "things", operation="X")


def test_a_server_repeating_a_cursor_stops_the_loop_with_an_error():
    pages = iter([paging.Connection([{"id": 1}], True, "same"), paging.Connection([{"id": 2}], True, "same")])
    with pytest.raises(QueryError, match="repeated"):
        list(paging.iter_connection(lambda after: next(pages)))
