""" "Sync now" between two due dates, on the PostgreSQL stack: a person's run syncs up to now.

A buyer's order placed a minute ago, a quarter of an hour before ``sync_orders``' next due date: a person runs
``sync-orders`` (as the UI's Run button, ``prefect deployment run`` or ``commerce-sync run`` do), it imports the
order, ``create-sales-orders`` makes its ERP sales order, and the scheduler's run of the next due date then covers
``[where the person's run ended, due)``, importing nothing twice.

It runs after ``test_shop_events.py`` (the tests are ordered by module): the scheduler's run is started before
its due date comes, so it leaves the cursor at a due date still ahead, where a webhook run after it would begin.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from commerce_sync.serve import LocalStack
from connectors.erp.sql import tables as t
from tests.e2e.shop_day import ORDERS_DEPLOYMENT, SHOP, place_order, trigger_as_scheduled
from tests.e2e.stacks import ON_POSTGRESQL_EVENTS

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.timeout(600),
    ON_POSTGRESQL_EVENTS,
]


def _orders_schedule(stack: LocalStack) -> Any:
    from deployments.builder import load_shops

    entry = next(s for s in load_shops(stack.shops_file).shops if s.name == SHOP)
    return entry.schedules(["sync_orders"])["sync_orders"]


def _completed(stack: LocalStack, run_id: str) -> Any:
    run = stack.wait_for([run_id], timeout=300)[run_id]
    assert run.state.type.value == "COMPLETED", f"{run.state.name}: {run.state.message}\n{stack.worker_tail()}"
    return run


def test_sync_now_imports_an_order_of_a_minute_ago_and_the_next_scheduled_run_imports_nothing_twice(
    stack: LocalStack,
) -> None:
    from connectors.state import StateStore

    schedule = _orders_schedule(stack)
    store = StateStore.from_url(stack.erp_url)
    erp = sa.create_engine(stack.erp_url)
    try:
        cursor_before = store.get_cursor(SHOP, "sync_orders").position
        gid = place_order(stack, 990101, minutes_ago=1)

        manual = _completed(stack, stack.trigger(ORDERS_DEPLOYMENT))
        (now_record,) = [r for r in store.list_runs(SHOP, "sync_orders") if r.flow_run_id == str(manual.id)]
        staged = store.staged_order(SHOP, gid)
        _completed(stack, stack.trigger(f"create-sales-orders/{SHOP}"))
        with erp.connect() as conn:
            sales_orders = conn.execute(
                sa.select(t.sales_orders.c.shop_order_name).where(t.sales_orders.c.shop_order_id == gid)
            ).all()

        due = schedule.next_due_date(datetime.now(UTC))
        scheduled = _completed(stack, trigger_as_scheduled(stack, ORDERS_DEPLOYMENT, due, start_at=datetime.now(UTC)))
        (due_record,) = [r for r in store.list_runs(SHOP, "sync_orders") if r.flow_run_id == str(scheduled.id)]
        with erp.connect() as conn:
            sales_orders_after = conn.execute(
                sa.select(sa.func.count()).where(t.sales_orders.c.shop_order_id == gid)
            ).scalar_one()
        staged_after = store.staged_order(SHOP, gid)
    finally:
        store.engine.dispose()
        erp.dispose()
    print(
        f"sync now: {now_record.period_start:%H:%M:%S} – {now_record.period_end:%H:%M:%S} {now_record.counts}; "
        f"scheduled for {due:%H:%M}: {due_record.period_start:%H:%M:%S} – {due_record.period_end:%H:%M} "
        f"{due_record.counts}"
    )

    assert now_record.period_start == (cursor_before or schedule.first_period_start())
    # up to now, not to a due date (a period ends on a whole second: Shopify stamps records in whole seconds)
    assert manual.start_time.replace(microsecond=0) <= now_record.period_end <= manual.end_time
    assert staged is not None and staged.name == "#990101"
    assert sales_orders == [("#990101",)]
    assert (due_record.period_start, due_record.period_end) == (now_record.period_end, due)
    assert due_record.counts["created"] == 0
    assert sales_orders_after == 1
    assert staged_after is not None and staged_after.staged_at == staged.staged_at
