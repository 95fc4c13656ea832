"""States tell the truth: a run with failed records or drift is not green in the Prefect UI, and says why."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import StateType
from prefect.settings import PREFECT_UI_URL, temporary_settings

from connectors.state import RunStatus
from domain.models import StockLevel
from domain.report import SyncReport
from engine.context import SyncContext
from flows.runtime import PartialRun, RunHandle, report_of
from flows.sync_inventory import SyncInventoryParams, sync_inventory
from tasks.runs import ClosedRun
from tests.flows.test_inventory import seed_catalog, set_erp_stock


def test_a_run_with_a_failed_record_ends_partial_a_failed_type_naming_its_failures_artifact(sqlite_shop):
    seed_catalog(sqlite_shop)
    set_erp_stock(sqlite_shop, StockLevel(sku="NOT-IN-SHOP", location_key="PRAHA", quantity=Decimal("5")))

    state = sync_inventory(SyncInventoryParams(shop=sqlite_shop.name), return_state=True)

    with get_client(sync_client=True) as client:
        stored = client.read_flow_run(state.state_details.flow_run_id).state
    assert (stored.type, stored.name) == (StateType.FAILED, "Partial")  # red in the runs list and dashboard
    assert re.match(
        rf"1 failed record: see \S*/artifacts/key/{sqlite_shop.name}-sync-inventory-failures \(", stored.message
    )
    assert [f.record for f in report_of(state).failures] == ["NOT-IN-SHOP"]
    assert sqlite_shop.state.list_runs(sqlite_shop.name, "sync_inventory", limit=1)[-1].status == RunStatus.PARTIAL


def test_calling_a_partial_flow_directly_raises_with_the_report(sqlite_shop):
    seed_catalog(sqlite_shop)
    set_erp_stock(sqlite_shop, StockLevel(sku="NOT-IN-SHOP", location_key="PRAHA", quantity=Decimal("5")))

    with pytest.raises(PartialRun, match=r"^1 failed record: see ") as raised:
        sync_inventory(SyncInventoryParams(shop=sqlite_shop.name))

    assert raised.value.report.failed == 1


def test_a_clean_run_completes_with_its_counts_as_the_message(sqlite_shop):
    seed_catalog(sqlite_shop)

    state = sync_inventory(SyncInventoryParams(shop=sqlite_shop.name), return_state=True)

    report = report_of(state)
    assert (state.type, state.name) == (StateType.COMPLETED, "Completed")
    assert report.failed == 0 and report.updated > 0
    assert state.message.startswith(f"{report.updated} updated")


def closed(sync_type: str, report: SyncReport, status: RunStatus) -> RunHandle:
    run = RunHandle(SyncContext(shop="acme", sync_type=sync_type))
    run.report = report
    run.closed = ClosedRun(status=status, artifacts=[])
    return run


def test_reconcile_drift_is_called_differences_and_points_at_the_drift_report():
    drift = SyncReport(skipped=40)
    for sku in ("A", "B"):
        drift.fail(sku, "price differs", field="price")

    with temporary_settings({PREFECT_UI_URL: "http://prefect.example:4200"}):
        state = closed("reconcile", drift, RunStatus.PARTIAL).final_state

    assert (state.type, state.name) == (StateType.FAILED, "Partial")
    assert state.message == (
        "2 differences: see http://prefect.example:4200/artifacts/key/acme-reconcile-drift (40 skipped, 2 failed)"
    )


def test_a_failed_record_links_the_failures_table():
    report = SyncReport()
    report.fail("#1001", "unknown SKU")
    with temporary_settings({PREFECT_UI_URL: "http://prefect.example:4200"}):
        message = closed("create_sales_orders", report, RunStatus.PARTIAL).final_state.message

    assert message.startswith(
        "1 failed record: see http://prefect.example:4200/artifacts/key/acme-create-sales-orders-failures"
    )
