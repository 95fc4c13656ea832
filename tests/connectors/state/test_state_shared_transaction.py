"""The state store and the SQL ERP adapter in one database: an ERP document and its state row commit together."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from state_helpers import make_order

from connectors.erp.sql.backend import SqlErpBackend
from connectors.state import StagedStatus, StateStore

SHOP = "shop-a"


@pytest.fixture
def erp(store: StateStore) -> Iterator[SqlErpBackend]:
    backend = SqlErpBackend(store.engine)
    backend.create_schema()
    yield backend


def unlisted_item_order(number: int):
    """An order whose line has no SKU, so the ERP accepts it without a stock card."""
    order = make_order(number)
    return order.model_copy(update={"lines": [order.lines[0].model_copy(update={"sku": None})]})


def test_sales_order_and_done_mark_commit_together(store: StateStore, erp: SqlErpBackend):
    order = unlisted_item_order(1)
    store.stage_orders(SHOP, [order])
    with store.begin() as conn:
        erp_key = erp.create_sales_order(order, None, conn=conn)
        store.mark_order_done(SHOP, order.shop_id, erp_key, conn=conn)
    assert erp.get_sales_order_by_shop_id(order.shop_id).erp_key == erp_key
    assert store.staged_order(SHOP, order.shop_id).erp_key == erp_key


def test_neither_sales_order_nor_done_mark_persist_when_the_transaction_fails(store: StateStore, erp: SqlErpBackend):
    order = unlisted_item_order(1)
    store.stage_orders(SHOP, [order])
    with pytest.raises(RuntimeError):
        with store.begin() as conn:
            erp_key = erp.create_sales_order(order, None, conn=conn)
            store.mark_order_done(SHOP, order.shop_id, erp_key, conn=conn)
            raise RuntimeError("crash before commit")
    assert erp.get_sales_order_by_shop_id(order.shop_id) is None
    assert store.staged_order(SHOP, order.shop_id).status is StagedStatus.PENDING
