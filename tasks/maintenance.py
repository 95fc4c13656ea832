"""Maintenance tasks: purge old bookkeeping, check credentials, report what is unmapped or stuck.

Pohoda's bridge runs "údržba" (maintenance) as a background task; here it is also the shop's health report:
everything a data engineer should look at before records silently stop syncing.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta

import pandas as pd
from prefect import task
from prefect.artifacts import create_table_artifact

from connectors.shopify.errors import ShopifyError
from connectors.state.runs import RunStatus
from domain.report import SyncReport
from engine.context import SyncContext
from engine.policy import IO_TASK
from engine.resources import resources
from tasks.leftovers import dead_export_folders, dead_worker_workspaces
from tasks.runs import artifact_key


def purge_cutoff(ctx: SyncContext, retention_days: int) -> datetime:
    """What is older than this is purged: the retention counted back from the run's period end.

    The run's period end is its clock (the latest due date at its scheduled time, or the end a person gave to
    re-run a past date), not the wall clock when the task happens to run: a late run purges what an on-time
    one would have, and a run's outcome follows from its parameters and the data alone.
    """
    if ctx.period_end is None:
        raise ValueError(f"{ctx.shop}/{ctx.sync_type}: a run with nothing due has no period end to purge from")
    return ctx.period_end - timedelta(days=retention_days)


@task(**IO_TASK)
def purge_old_records(ctx: SyncContext, retention_days: int) -> SyncReport:
    """Delete finished staging rows and run records older than the retention (never pending or failed ones)."""
    res = resources(ctx.shop)
    cutoff = purge_cutoff(ctx, retention_days)
    report = SyncReport()
    if ctx.dry_run:
        report.notes.append(f"dry run: nothing purged (cutoff {cutoff:%Y-%m-%d})")
        return report
    staged = res.state.purge_staged(cutoff, shop=ctx.shop)
    runs = res.state.purge_runs(cutoff, shop=ctx.shop)
    report.updated += staged + runs
    report.notes.append(f"purged {staged} finished staging rows and {runs} run records older than {cutoff:%Y-%m-%d}")
    return report


STALE_REASON = "the run's process died before it recorded an outcome (closed by maintenance)"


@task(**IO_TASK)
def close_stale_runs(ctx: SyncContext) -> SyncReport:
    """Close the run records a dead process left "running" (SIGKILL, a power cut: no ``finally`` ran) as failed,
    and remove the stock export folders it left and the scratch folders of runs whose worker died
    (``tasks/leftovers.py``).

    Maintenance holds every category lock of the shop, so no other sync of the shop runs while it does: every
    "running" record but its own belongs to a process that will never finish it. Left open, the run history
    shows a sync running for ever and nobody looks at why it stopped.
    """
    res = resources(ctx.shop)
    stale = [
        r
        for r in res.state.list_runs(ctx.shop, limit=1_000_000)
        if r.status is RunStatus.RUNNING and r.id != ctx.run_id
    ]
    report = SyncReport()
    leftovers = {
        "stock export folder(s) a dead process left": dead_export_folders(ctx.shop),
        "scratch folder(s) of runs whose worker died": dead_worker_workspaces(),
    }
    for what, folders in leftovers.items():
        if not folders:
            continue
        if not ctx.dry_run:
            for folder in folders:
                shutil.rmtree(folder, ignore_errors=True)
        verb = "dry run: found" if ctx.dry_run else "removed"
        report.notes.append(f"{verb} {len(folders)} {what} in {folders[0].parent}")
    if not stale:
        return report
    names = ", ".join(f"{r.sync_type} (flow run {r.flow_run_id}, started {r.started_at:%Y-%m-%d %H:%M})" for r in stale)
    if ctx.dry_run:
        report.notes.append(f"dry run: {len(stale)} run record(s) left running by a dead process: {names}")
        return report
    for record in stale:
        error = {"record": f"run {record.id}", "field": None, "reason": STALE_REASON}
        res.state.finish_run(record.id, RunStatus.FAILED, record.counts, [error])
    report.updated += len(stale)
    report.notes.append(f"closed {len(stale)} run record(s) left running by a dead process as failed: {names}")
    return report


@task(**IO_TASK)
def check_connections(ctx: SyncContext) -> SyncReport:
    """Credentials and mapped locations: a revoked token or a renamed location fails here, not mid-sync."""
    res = resources(ctx.shop)
    report = SyncReport()
    try:
        shop_locations = list(res.shopify.iter_nodes("Locations", {}, "locations"))
        report.notes.append(f"shop credentials OK ({len(shop_locations)} locations)")
    except ShopifyError as exc:
        report.fail(ctx.shop, f"shop check failed: {exc}", field="access_token")
        shop_locations = []
    try:
        erp_locations = {loc.erp_key for loc in res.erp.list_locations()}
        report.notes.append(f"ERP reachable ({len(erp_locations)} locations)")
    except Exception as exc:
        report.fail(ctx.shop, f"ERP check failed: {type(exc).__name__}", field="erp_block")
        erp_locations = set()
    known = {n["id"] for n in shop_locations} | {n["name"] for n in shop_locations}
    for erp_key, target in res.shop.location_mapping.items():
        if erp_locations and erp_key not in erp_locations:
            report.fail(f"location {erp_key}", "mapped ERP location does not exist in the ERP", "location_mapping")
        if shop_locations and target not in known:
            report.fail(f"location {erp_key}", f"mapped shop location {target!r} does not exist", "location_mapping")
    return report


@task(**IO_TASK)
def report_unmapped_and_stuck(ctx: SyncContext, stuck_after_attempts: int) -> SyncReport:
    """Items no product sync has mapped, and orders that keep failing or conflict, as one table artifact."""
    res = resources(ctx.shop)
    keys = [p.erp_key for page in res.erp.iter_products_changed(None, 1000) for p in page.items]
    mapped = res.state.all_mappings(ctx.shop, "product")
    unmapped = pd.Index(keys).difference(pd.Index(mapped["erp_key"]))
    rows = [
        {"kind": "unmapped item", "record": key, "detail": "not yet in the shop (run sync_products)"}
        for key in unmapped[:500]
    ]
    for staged in res.state.pending_orders(ctx.shop, limit=1_000_000):
        if staged.attempts >= stuck_after_attempts:
            rows.append(
                {
                    "kind": "stuck order",
                    "record": staged.name,
                    "detail": f"{staged.attempts} attempts: {staged.last_error}",
                }
            )
    counts = res.state.count_staged(ctx.shop)
    report = SyncReport(skipped=len(unmapped))
    report.notes.append(f"{len(unmapped)} of {len(keys)} ERP items unmapped; staged orders by status: {counts}")
    if counts.get("conflict"):
        report.notes.append(f"{counts['conflict']} orders edited after their sales order was created (conflict)")
    if rows:
        create_table_artifact(
            table=rows,
            key=artifact_key(ctx.shop, "maintenance", "health"),
            description=f"Unmapped items and stuck orders of {ctx.shop}",
        )
    return report
