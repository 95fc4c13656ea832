"""Sales orders from shop orders: one document per shop order, all or nothing, and their ERP state changes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from erp_builders import at, order, product, transaction

from connectors.erp.errors import RecordError, UnknownSkuError
from domain.models import Customer, OrderState


@pytest.fixture
def catalog(erp_harness):
    erp_harness.load(
        products=[product("CHAIR", "CHAIR-BUK", "CHAIR-DUB"), product("CHOC", "CHOC-70")],
        customers=[Customer(erp_key="K1", email="jana@example.cz")],
    )


def test_creating_the_same_shop_order_twice_makes_one_document(erp, catalog):
    shop_order = order(1001, ("CHAIR-BUK", 2, "1290.00"), ("CHOC-70", 1, "59.90"))
    first = erp.create_sales_order(shop_order, "K1")
    second = erp.create_sales_order(shop_order, "K1")
    assert first == second
    other = erp.create_sales_order(order(1002, ("CHOC-70", 3, "59.90")), None)
    assert other != first
    created = erp.get_sales_order_by_shop_id(shop_order.shop_id)
    assert created.erp_key == first and created.customer_key == "K1"
    assert [(line.sku, line.quantity, line.unit_price) for line in created.lines] == [
        ("CHAIR-BUK", 2, Decimal("1290.00")),
        ("CHOC-70", 1, Decimal("59.90")),
    ]
    assert created.total == Decimal("2639.90") and created.currency == "CZK"
    assert created.lines_signature == shop_order.lines_signature()
    assert created.state is None


def test_an_unknown_sku_names_order_and_sku_and_writes_nothing(erp, catalog):
    shop_order = order(1003, ("CHAIR-DUB", 1, "1290.00"), ("GHOST-SKU", 1, "10.00"))
    with pytest.raises(UnknownSkuError) as caught:
        erp.create_sales_order(shop_order, "K1")
    assert caught.value.sku == "GHOST-SKU" and "#1003" in caught.value.order
    assert "GHOST-SKU" in str(caught.value) and "#1003" in str(caught.value) and "lines[1].sku" in str(caught.value)
    assert isinstance(caught.value, RecordError)
    assert erp.get_sales_order_by_shop_id(shop_order.shop_id) is None
    assert erp.create_sales_order(order(1004, ("CHOC-70", 1, "59.90")), None)  # the next order is unaffected


def test_an_unknown_customer_key_is_a_record_error_and_writes_nothing(erp, catalog):
    shop_order = order(1005, ("CHOC-70", 1, "59.90"))
    with pytest.raises(RecordError, match="customer_key"):
        erp.create_sales_order(shop_order, "NO-SUCH-CUSTOMER")
    assert erp.get_sales_order_by_shop_id(shop_order.shop_id) is None


def test_a_line_without_sku_becomes_a_text_line(erp, catalog):
    erp.create_sales_order(order(1006, ("CHOC-70", 1, "59.90"), (None, 1, "25.00")), None)
    lines = erp.get_sales_order_by_shop_id("gid://shopify/Order/1006").lines
    assert [(line.sku, line.unit_price) for line in lines] == [("CHOC-70", Decimal("59.90")), (None, Decimal("25.00"))]


def test_a_half_created_document_can_be_deleted_and_then_created_again(erp, catalog):
    shop_order = order(1007, ("CHOC-70", 2, "59.90"))
    erp_key = erp.create_sales_order(shop_order, None)
    assert erp.delete_sales_order(erp_key) is True
    assert erp.get_sales_order_by_shop_id(shop_order.shop_id) is None
    assert erp.delete_sales_order(erp_key) is False
    assert erp.create_sales_order(shop_order, None)


def test_a_paid_order_is_not_deleted(erp, catalog):
    erp_key = erp.create_sales_order(order(1008, ("CHOC-70", 1, "59.90")), None)
    erp.record_payment(transaction(1, 1008, "59.90"), erp_key)
    with pytest.raises(RecordError, match="payments"):
        erp.delete_sales_order(erp_key)
    assert erp.get_sales_order_by_shop_id("gid://shopify/Order/1008") is not None


def test_order_state_changes_are_listed_since_a_time_in_tiny_pages(erp_harness, erp, catalog):
    keys = {n: erp.create_sales_order(order(n, ("CHOC-70", 1, "59.90")), None) for n in range(2001, 2006)}
    erp_harness.set_order_state(keys[2001], OrderState.PROCESSED, at(10))
    erp_harness.set_order_state(keys[2002], OrderState.TRANSFERRED, at(20))
    erp_harness.set_order_state(keys[2003], OrderState.CANCELLED, at(20))
    erp_harness.set_order_state(keys[2004], OrderState.PROCESSED, at(5))
    # 2005 stays open: not a change the shop must hear about
    changes = [c for page in erp.iter_order_status_changes(at(10), 1) for c in page.items]
    assert [(c.order_shop_id, c.state) for c in changes] == [
        ("gid://shopify/Order/2001", OrderState.PROCESSED),
        ("gid://shopify/Order/2002", OrderState.TRANSFERRED),
        ("gid://shopify/Order/2003", OrderState.CANCELLED),
    ]
    assert changes[0].erp_key == keys[2001] and changes[0].changed_at == at(10)
    everything = [c.erp_key for page in erp.iter_order_status_changes(None, 2) for c in page.items]
    assert everything == [keys[2004], keys[2001], keys[2002], keys[2003]]


def test_cancelling_an_open_paid_order_takes_it_off_the_books_once(erp, catalog):
    shop_order = order(1020, ("CHOC-70", 2, "59.90"))
    erp_key = erp.create_sales_order(shop_order, None)
    erp.record_payment(transaction(20, 1020, "119.80"), erp_key)
    first = erp.cancel_sales_order(erp_key, "cancelled in Shopify (#1020)")
    assert first.cancelled and not first.already and first.refused is None
    after = erp.get_sales_order_by_shop_id(shop_order.shop_id)
    assert after is None or after.state is OrderState.CANCELLED  # SQL: state cancelled; POHODA: deleted
    second = erp.cancel_sales_order(erp_key, "cancelled in Shopify (#1020)")
    assert second.cancelled and second.already
