"""The orders flow's report lines for orders kept out of the ERP, without Prefect."""

from __future__ import annotations

from connectors.state.staged import SkippedOrder
from tasks.orders import skipped_notes


def skipped(name: str, reason: str) -> SkippedOrder:
    return SkippedOrder(shop_id=f"gid://shopify/Order/{name.strip('#')}", name=name, reason=reason)


def test_one_line_per_reason_in_reason_order_naming_its_orders():
    notes = skipped_notes([skipped("#1001", "not paid"), skipped("#1002", "test order"), skipped("#1003", "not paid")])
    assert notes == [
        "2 order(s) not imported (not paid): #1001, #1003",
        "1 order(s) not imported (test order): #1002",
    ]


def test_a_long_list_names_the_first_orders_and_counts_the_rest():
    notes = skipped_notes([skipped(f"#{n}", "not paid") for n in range(1, 26)], most=3)
    assert notes == ["25 order(s) not imported (not paid): #1, #2, #3 and 22 more"]


def test_nothing_skipped_is_no_line():
    assert skipped_notes([]) == []
