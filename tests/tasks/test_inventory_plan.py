"""The inventory flow's diff, without Prefect: which stock rows go to the shop and which SKUs are reported."""

from __future__ import annotations

import pandas as pd

from domain.report import SyncReport
from tasks.inventory import (
    CONCURRENT,
    NOT_STOCKED,
    RETRIES,
    STALE,
    changed_rows,
    last_sent,
    mapped_stock,
    worth_retrying,
)

LOCATIONS = {"MAIN": "gid://shopify/Location/1", "SHOP": "gid://shopify/Location/2"}


def stock(*rows: tuple[str, str, int]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["sku", "location_key", "quantity"]).astype({"quantity": "int64"})


def items(**mapped: str) -> pd.DataFrame:
    return pd.DataFrame(sorted(mapped.items()), columns=["erp_key", "shop_id"])


def test_mapped_stock_keys_each_row_by_sku_and_location_and_names_its_shop_item_and_location():
    report = SyncReport()
    frame = mapped_stock(
        stock(("CHAIR", "MAIN", 4), ("CHAIR", "SHOP", 1)), items(CHAIR="gid://shopify/II/9"), LOCATIONS, report
    )
    assert frame[["key", "inventory_item_id", "location_id", "quantity"]].to_dict("records") == [
        {
            "key": "CHAIR@MAIN",
            "inventory_item_id": "gid://shopify/II/9",
            "location_id": LOCATIONS["MAIN"],
            "quantity": 4,
        },
        {
            "key": "CHAIR@SHOP",
            "inventory_item_id": "gid://shopify/II/9",
            "location_id": LOCATIONS["SHOP"],
            "quantity": 1,
        },
    ]
    assert report.failed == 0


def test_a_sku_with_no_shop_item_is_reported_once_naming_its_locations_and_left_out():
    report = SyncReport()
    frame = mapped_stock(
        stock(("LAMP", "MAIN", 2), ("CHAIR", "MAIN", 4), ("LAMP", "SHOP", 0)),
        items(CHAIR="gid://shopify/II/9"),
        LOCATIONS,
        report,
    )
    assert list(frame.key) == ["CHAIR@MAIN"]
    assert [(f.record, f.field) for f in report.failures] == [("LAMP", "sku")]
    assert "stock at MAIN, SHOP not sent" in report.failures[0].reason


def test_only_rows_never_sent_or_sent_with_another_quantity_change_in_key_order():
    frame = mapped_stock(
        stock(("B", "MAIN", 5), ("A", "MAIN", 3), ("C", "MAIN", 0), ("D", "MAIN", 7)),
        items(A="ii-a", B="ii-b", C="ii-c", D="ii-d"),
        LOCATIONS,
        SyncReport(),
    )
    frame["last"] = last_sent(frame, {"A@MAIN": "3", "B@MAIN": "4", "C@MAIN": "not a number"})
    changed = changed_rows(frame)
    assert list(changed.key) == ["B@MAIN", "C@MAIN", "D@MAIN"]  # A unchanged; C's hash unreadable; D never sent
    assert len(frame) - len(changed) == 1


def test_a_quantity_of_zero_sent_before_is_not_sent_again():
    frame = mapped_stock(stock(("A", "MAIN", 0)), items(A="ii-a"), LOCATIONS, SyncReport())
    frame["last"] = last_sent(frame, {"A@MAIN": "0"})
    assert changed_rows(frame).empty


def test_concurrent_and_stale_refusals_are_retried_until_the_last_attempt():
    for code in (CONCURRENT, STALE):
        assert all(worth_retrying({code}, attempt) for attempt in range(RETRIES))
        assert not worth_retrying({code}, RETRIES)


def test_not_stocked_is_retried_once_and_any_other_refusal_never():
    assert worth_retrying({NOT_STOCKED}, 0)
    assert not worth_retrying({NOT_STOCKED}, 1)
    assert not worth_retrying({"INVALID_QUANTITY"}, 0)
    assert not worth_retrying({CONCURRENT, None}, 0)  # one refusal a retry cannot fix keeps the row from retrying
