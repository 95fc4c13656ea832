""" "Sync now": a run a person starts between two due dates syncs up to now, and the next scheduled run starts
where it ended; syncs whose work is whatever is pending do it on every run; the summary says which kind of run
it was and why it covered what it covered.

The shop's deployments run on a 15-minute grid (``SyncParams.schedule``, as prefect.yaml passes it). A flow
called here is a real Prefect flow run that nobody scheduled, so it is a person's run; a scheduled run is the
same call with ``flows.runtime.run_start`` saying the scheduler started it at a due date.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactCollectionFilter, ArtifactCollectionFilterKey

import flows.runtime
from connectors.erp.sql import tables as t
from domain.schedule import SyncSchedule
from engine.opening import RunKind, RunStart
from flows.create_sales_orders import CreateSalesOrdersParams, create_sales_orders
from flows.params import SyncParams
from flows.sync_orders import sync_orders
from tasks.runs import artifact_key

QUARTER = SyncSchedule(every="15m", startDate="2025-01-01", timeZone="Europe/Prague")


def scheduled(monkeypatch: pytest.MonkeyPatch, due: datetime) -> None:
    """The next runs start as Prefect's scheduler starts them: auto-scheduled, for ``due``."""
    start = RunStart(kind=RunKind.SCHEDULED, scheduled_at=due, started_at=datetime.now(UTC))
    monkeypatch.setattr(flows.runtime, "run_start", lambda: start)


def orders(shop) -> SyncParams:
    return SyncParams(shop=shop.name, schedule=QUARTER)


def sales_orders(shop) -> CreateSalesOrdersParams:
    return CreateSalesOrdersParams(shop=shop.name, schedule=QUARTER)


def place_order(shop, minutes_ago: int = 1) -> str:
    """A customer places an order in the shop ``minutes_ago``; returns its GID."""
    template = next(o for o in shop.data.orders if not o.closed and o.cancelled_at is None and o.lines)
    placed = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    order = template.model_copy(
        update={"shop_id": "gid://shopify/Order/990001", "name": "#9901", "created_at": placed, "updated_at": placed}
    )
    return shop.emulator.state.seed_orders([order])[0]


def sales_order_of(shop, gid: str) -> int:
    with shop.erp.engine.connect() as conn:
        query = sa.select(sa.func.count()).select_from(t.sales_orders).where(t.sales_orders.c.shop_order_id == gid)
        return conn.execute(query).scalar_one()


def last_period(shop, sync_type: str) -> tuple[datetime, datetime]:
    run = shop.state.list_runs(shop.name, sync_type, limit=1)[0]
    return run.period_start, run.period_end


def summary(shop, sync_type: str) -> str:
    """The last run's summary artifact, as the Prefect UI shows it."""
    with get_client(sync_client=True) as client:
        found = client.read_latest_artifacts(
            artifact_filter=ArtifactCollectionFilter(
                key=ArtifactCollectionFilterKey(any_=[artifact_key(shop.name, sync_type, "summary")])
            )
        )
    assert len(found) == 1, f"no summary artifact for {sync_type}"
    return str(found[0].data)


def test_a_manual_run_between_due_dates_imports_an_order_placed_a_minute_ago_and_the_next_scheduled_run_not_again(
    sqlite_shop, monkeypatch
):
    due = QUARTER.latest_due_date(datetime.now(UTC))
    assert due is not None
    with monkeypatch.context() as patch:
        scheduled(patch, due)
        first = sync_orders(orders(sqlite_shop))
        create_sales_orders(sales_orders(sqlite_shop))
    assert last_period(sqlite_shop, "sync_orders")[1] == due
    assert "scheduled run" in summary(sqlite_shop, "sync_orders")

    gid = place_order(sqlite_shop)
    now = sync_orders(orders(sqlite_shop))  # a person's run: nobody scheduled it
    assert now.created == 1
    start, end = last_period(sqlite_shop, "sync_orders")
    assert start == due and due < end <= datetime.now(UTC)
    assert "manual run" in summary(sqlite_shop, "sync_orders")
    assert create_sales_orders(sales_orders(sqlite_shop)).created == 1
    assert sales_order_of(sqlite_shop, gid) == 1

    following = QUARTER.next_due_date(end)
    with monkeypatch.context() as patch:
        scheduled(patch, following)
        again = sync_orders(orders(sqlite_shop))
        assert create_sales_orders(sales_orders(sqlite_shop)).created == 0
    assert last_period(sqlite_shop, "sync_orders") == (end, following)
    assert again.created == 0 and first.created > 0
    assert sales_order_of(sqlite_shop, gid) == 1


def test_create_sales_orders_does_its_pending_work_on_a_scheduled_run_whose_due_date_is_already_covered(
    sqlite_shop, monkeypatch
):
    due = QUARTER.latest_due_date(datetime.now(UTC))
    assert due is not None
    with monkeypatch.context() as patch:
        scheduled(patch, due)
        sync_orders(orders(sqlite_shop))
        create_sales_orders(sales_orders(sqlite_shop))

    gid = place_order(sqlite_shop)
    sync_orders(orders(sqlite_shop))  # staged by a person's run
    with monkeypatch.context() as patch:
        scheduled(patch, due)  # fired again for the same due date (a retry, an early cron)
        late_orders = sync_orders(orders(sqlite_shop))
        made = create_sales_orders(sales_orders(sqlite_shop))
    assert late_orders.created == 0 and "nothing due" in summary(sqlite_shop, "sync_orders")
    assert made.created == 1 and sales_order_of(sqlite_shop, gid) == 1
    assert "whatever is pending" in summary(sqlite_shop, "create_sales_orders")


def test_re_running_a_past_window_never_moves_the_cursor(sqlite_shop):
    sync_orders(orders(sqlite_shop))
    cursor = sqlite_shop.state.get_cursor(sqlite_shop.name, "sync_orders").position
    window = {"period_start": datetime(2025, 3, 1, tzinfo=UTC), "period_end": datetime(2025, 3, 2, tzinfo=UTC)}
    sync_orders(SyncParams(shop=sqlite_shop.name, schedule=QUARTER, **window))
    assert sqlite_shop.state.get_cursor(sqlite_shop.name, "sync_orders").position == cursor
    assert "re-runs the period given" in summary(sqlite_shop, "sync_orders")
