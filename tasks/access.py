"""Access tasks: what the shop lets this app see, against what the flows need (``connectors.shopify.scopes``).

- ``check_access_scopes`` (maintenance): each flow whose scopes the shop did not grant is reported as a failure
  naming the missing scopes, before that flow fails on ``ACCESS_DENIED`` at its first request.
- ``order_history_limit`` (first import): without ``read_all_orders`` Shopify shows only the last 60 days of
  orders, so a period reaching further back is read only in part; the report says so, instead of the orders
  Shopify hides looking missing. (Reconcile counts and names the orders it could not check itself:
  ``tasks.reconcile.reads``.)
"""

from __future__ import annotations

from datetime import UTC, datetime

from prefect import task

from connectors.shopify.errors import AuthenticationError
from connectors.shopify.scopes import ALL_ORDERS, ORDER_HISTORY, check_scopes, granted_scopes, history_note
from domain.report import SyncReport
from engine.context import SyncContext
from engine.policy import IO_TASK
from engine.resources import resources


@task(**IO_TASK)
def check_access_scopes(ctx: SyncContext) -> SyncReport:
    """Granted scopes against each flow's needed ones; a missing scope fails its flow here, by name."""
    report = SyncReport()
    try:
        check = check_scopes(granted_scopes(resources(ctx.shop).shopify))
    except AuthenticationError:  # check_connections reports the refused credentials
        report.notes.append("access scopes not checked: the shop refused the credentials")
        return report
    for flow, scopes in sorted(check.missing.items()):
        report.fail(f"flow {flow}", f"the app lacks the access scope(s) {', '.join(sorted(scopes))}", field="scopes")
    if not check.order_history:
        report.notes.append(history_note())
    return report


@task(**IO_TASK)
def order_history_limit(ctx: SyncContext) -> SyncReport:
    """A note when the run's period reaches before the 60 days Shopify shows without ``read_all_orders``."""
    report = SyncReport()
    oldest_visible = datetime.now(UTC) - ORDER_HISTORY
    if ctx.period_start is not None and ctx.period_start >= oldest_visible:
        return report
    if ALL_ORDERS not in granted_scopes(resources(ctx.shop).shopify):
        report.notes.append(f"{history_note()} (this run's period starts before {oldest_visible:%Y-%m-%d})")
    return report
