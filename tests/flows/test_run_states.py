"""States tell the truth: a run with failed records or drift is not green in the Prefect UI, and says why."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from prefect import flow, task
from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import StateType
from prefect.settings import PREFECT_UI_URL, temporary_settings

from connectors.state import RunStatus
from domain.models import StockLevel
from domain.report import SyncReport
from engine.context import SyncContext
from engine.policy import IO_TASK
from flows.runtime import PartialRun, RunHandle, describe_start, report_of
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


def test_a_run_logs_its_period_at_the_start_and_its_end_counts_and_artifacts(sqlite_shop, caplog):
    seed_catalog(sqlite_shop)
    # the run logger's own level and handler: an earlier test in this process may have applied Prefect's logging
    # config, which raises the ``prefect`` logger's level and stops prefect.* records from propagating to the
    # root handler caplog listens on
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.INFO, logger="prefect.flow_runs")
    run_logger = logging.getLogger("prefect.flow_runs")
    run_logger.addHandler(caplog.handler)
    try:
        sync_inventory(SyncInventoryParams(shop=sqlite_shop.name, dry_run=True), return_state=True)
    finally:
        run_logger.removeHandler(caplog.handler)

    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("sync_inventory for ")]
    assert re.fullmatch(
        rf"sync_inventory for {sqlite_shop.name} \(dry run: nothing is written\): due-date period "
        r"\d{4}-\d\d-\d\d \d\d:\d\d → \d{4}-\d\d-\d\d \d\d:\d\d UTC",
        lines[0],
    )
    assert re.fullmatch(
        rf"sync_inventory for {sqlite_shop.name}: Completed, \d+ .*; artifacts: "
        rf"\S*{sqlite_shop.name}-sync-inventory-summary",
        lines[-1],
    )


def test_a_period_override_says_so_and_that_the_cursor_stays():
    ctx = SyncContext(
        shop="acme",
        sync_type="sync_orders",
        period_start=datetime(2026, 1, 1, tzinfo=UTC),
        period_end=datetime(2026, 1, 2, tzinfo=UTC),
        overridden=True,
        retry_keys=["a", "b"],
    )

    assert describe_start(ctx) == (
        "sync_orders for acme: period override: a past window, the cursor stays 2026-01-01 00:00 → 2026-01-02 "
        "00:00 UTC; 2 record(s) of the last run to retry"
    )


def test_io_tasks_in_worker_threads_log_no_timeout_warning(caplog):
    @task(**IO_TASK)
    def one_page() -> int:
        return 1

    @flow
    def pages() -> int:
        return sum(f.result() for f in [one_page.submit(), one_page.submit()])

    assert pages() == 2
    assert "Timeout of" not in caplog.text
