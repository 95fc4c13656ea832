"""Orders end to end: shop orders → staging → ERP sales orders, against the emulator and the SQL ERP."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from flows.create_sales_orders import CreateSalesOrdersParams, create_sales_orders
from flows.params import SyncParams
from flows.sync_orders import sync_orders

HOUR = timedelta(hours=1)


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


def extra_order(shop, number: int, **changes):
    """A copy of an open sample order under a new id, lines and payments included (as new records)."""
    base = next(o for o in shop.data.orders if not o.closed and o.cancelled_at is None and o.lines)
    lines = [line.model_copy(update={"shop_id": None}) for line in base.lines]
    update = {"shop_id": f"gid://shopify/Order/{number}", "name": f"#{number}", "lines": lines, "transactions": []}
    return base.model_copy(update={**update, **changes})


def test_skipped_orders_are_listed_with_why_and_a_test_order_made_real_is_imported_later(sqlite_shop):
    from domain.models import FinancialStatus

    test_gid, voided_gid = sqlite_shop.emulator.state.seed_orders(
        [
            extra_order(sqlite_shop, 990001, test=True),
            extra_order(sqlite_shop, 990002, financial_status=FinancialStatus.VOIDED),
        ]
    )
    staged = sync_orders(SyncParams(shop=sqlite_shop.name))
    assert "1 order(s) not imported (test order): #990001" in staged.notes
    assert "1 order(s) not imported (payment status VOIDED is not imported): #990002" in staged.notes
    create_sales_orders(CreateSalesOrdersParams(shop=sqlite_shop.name))
    assert sqlite_shop.erp.sales_order_keys([test_gid, voided_gid]) == {}

    shop_state = sqlite_shop.emulator.state
    with shop_state.lock:  # the merchant turned it into a real order
        record = shop_state.find(test_gid, "Order")
        record.test = False
        shop_state.touch(record)
    start = staged_period(sqlite_shop)[0]
    period = {"period_start": start, "period_end": record.updated_at + HOUR}  # an ad-hoc re-run of the day
    again = sync_orders(SyncParams(shop=sqlite_shop.name, **period))
    assert again.updated == 1 and not any("#990001" in note for note in again.notes)
    create_sales_orders(CreateSalesOrdersParams(shop=sqlite_shop.name, **period))
    assert list(sqlite_shop.erp.sales_order_keys([test_gid, voided_gid])) == [test_gid]
