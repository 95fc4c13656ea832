"""Orders end to end: shop orders → staging → ERP sales orders, against the emulator and the SQL ERP."""

from __future__ import annotations

import sqlalchemy as sa

from flows.create_sales_orders import CreateSalesOrdersParams, create_sales_orders
from flows.params import SyncParams
from flows.sync_orders import sync_orders


def erp_order_count(shop) -> int:
    with shop.erp.engine.connect() as conn:
        return conn.execute(sa.text("select count(*) from erp_sales_orders")).scalar_one()


def test_open_orders_arrive_in_the_erp_once_and_a_second_run_changes_nothing(flow_shop):
    open_orders = [o for o in flow_shop.data.orders if not o.closed and o.cancelled_at is None]
    staged = sync_orders(SyncParams(shop=flow_shop.name))
    assert staged.created == len(open_orders)
    created = create_sales_orders(CreateSalesOrdersParams(shop=flow_shop.name))
    assert created.created + created.failed == len(open_orders)
    assert erp_order_count(flow_shop) == created.created

    again = sync_orders(
        SyncParams(
            shop=flow_shop.name, period_start=staged_period(flow_shop)[0], period_end=staged_period(flow_shop)[1]
        )
    )
    assert again.created == 0 and again.updated == 0
    assert create_sales_orders(CreateSalesOrdersParams(shop=flow_shop.name)).created == 0
    assert erp_order_count(flow_shop) == created.created


def staged_period(shop):
    run = shop.state.list_runs(shop.name, "sync_orders", limit=10)[-1]
    return run.period_start, run.period_end
