"""Cursors persisted per (shop, sync type): promoted at the end, never backwards, atomic with their records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError
from state_helpers import T0, make_order

from connectors.state import Cursor, CursorMovedBackwards, StateStore

D1 = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
D2 = D1 + timedelta(days=1)


class PageFailed(Exception):
    pass


def test_cursor_is_empty_before_the_first_successful_run(store: StateStore):
    cursor = store.get_cursor("shop-a", "orders")
    assert cursor.position is None and cursor.extra == {}


def test_a_cursor_needs_a_shop_and_a_sync_type():
    with pytest.raises(ValidationError, match="must not be empty"):
        Cursor(shop=" ", sync_type="orders")


def test_a_committed_cursor_is_read_back_with_its_extra(store: StateStore):
    store.commit_cursor("shop-a", "orders", D2, extra={"bulk_operation": "gid://shopify/BulkOperation/7"})
    cursor = store.get_cursor("shop-a", "orders")
    assert cursor.position == D2
    assert cursor.extra == {"bulk_operation": "gid://shopify/BulkOperation/7"}


def test_cursor_not_advanced_when_the_transaction_that_would_commit_it_rolls_back(store: StateStore):
    store.commit_cursor("shop-a", "orders", D1)
    with pytest.raises(PageFailed):
        with store.begin() as conn:
            store.stage_orders("shop-a", [make_order(1)], conn=conn)
            store.commit_cursor("shop-a", "orders", D2, conn=conn)
            raise PageFailed("the last page failed after the commit was issued")
    assert store.get_cursor("shop-a", "orders").position == D1
    assert store.staged_order("shop-a", "gid://shopify/Order/1") is None


def test_cursor_and_its_records_persist_together_when_the_transaction_succeeds(store: StateStore):
    with store.begin() as conn:
        store.stage_orders("shop-a", [make_order(1)], conn=conn)
        store.commit_cursor("shop-a", "orders", D2, conn=conn)
    assert store.get_cursor("shop-a", "orders").position == D2
    assert store.staged_order("shop-a", "gid://shopify/Order/1") is not None


def test_cursor_never_moves_backwards_without_force(store: StateStore):
    store.commit_cursor("shop-a", "orders", D2, extra={"page": 3})
    with pytest.raises(CursorMovedBackwards, match="shop-a/orders.*force=True"):
        store.commit_cursor("shop-a", "orders", D1, extra={"page": 1})
    with pytest.raises(CursorMovedBackwards):
        store.commit_cursor("shop-a", "orders", None)
    cursor = store.get_cursor("shop-a", "orders")
    assert (cursor.position, cursor.extra) == (D2, {"page": 3})


def test_backwards_commit_inside_a_transaction_rolls_back_the_records_with_it(store: StateStore):
    store.commit_cursor("shop-a", "orders", D2)
    with pytest.raises(CursorMovedBackwards):
        with store.begin() as conn:
            store.put_mappings("shop-a", "order", [("SO-1", "gid://shopify/Order/1")], conn=conn)
            store.commit_cursor("shop-a", "orders", D1, conn=conn)
    assert store.shop_ids("shop-a", "order", ["SO-1"]) == {}


def test_engineer_can_rewind_a_cursor_on_purpose_with_force(store: StateStore):
    store.commit_cursor("shop-a", "products", D2)
    assert store.commit_cursor("shop-a", "products", D1, force=True).position == D1
    assert store.get_cursor("shop-a", "products").position == D1


def test_recommitting_the_same_position_is_accepted_and_keeps_extra_unless_given(store: StateStore):
    store.commit_cursor("shop-a", "products", D1, extra={"chunk": 4})
    store.commit_cursor("shop-a", "products", D1)
    assert store.get_cursor("shop-a", "products").extra == {"chunk": 4}


def test_cursors_are_separate_per_shop_and_sync_type(store: StateStore):
    store.commit_cursor("shop-a", "orders", D2)
    store.commit_cursor("shop-b", "orders", D1)
    assert store.get_cursor("shop-a", "orders").position == D2
    assert store.get_cursor("shop-b", "orders").position == D1
    assert store.get_cursor("shop-a", "products").position is None


def test_cursor_given_in_another_zone_is_stored_and_returned_as_aware_utc(store: StateStore, clock):
    prague = timezone(timedelta(hours=1))
    store.commit_cursor("shop-a", "orders", datetime(2026, 3, 2, 7, 0, tzinfo=prague))
    cursor = store.get_cursor("shop-a", "orders")
    assert cursor.position == D2
    assert cursor.position.tzinfo == UTC
    assert cursor.updated_at == T0


def test_naive_cursor_position_is_refused_naming_the_cursor_and_field(sqlite_store: StateStore):
    with pytest.raises(ValueError, match="cursor shop-a/orders: position: .*timezone-aware"):
        sqlite_store.commit_cursor("shop-a", "orders", datetime(2026, 3, 2, 6, 0))
    assert sqlite_store.get_cursor("shop-a", "orders").position is None


def test_extra_that_is_not_json_is_refused_before_anything_is_written(sqlite_store: StateStore):
    with pytest.raises(ValueError, match="cursor shop-a/orders: extra is not JSON"):
        sqlite_store.commit_cursor("shop-a", "orders", D1, extra={"when": D1})
    assert sqlite_store.get_cursor("shop-a", "orders").position is None
