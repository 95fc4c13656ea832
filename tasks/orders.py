"""Order tasks: stage one page of shop orders (``sync_orders``); sales orders are ``tasks.sales_orders``."""

from __future__ import annotations

from collections.abc import Sequence

from prefect import task
from pydantic import ValidationError

from connectors.shopify.errors import RecordError as ShopRecordError
from connectors.shopify.mapping import more_lines_cursor, order_from_node
from connectors.state.staged import SkippedOrder
from domain.order_import import skip_reason
from domain.report import SyncReport
from engine.context import SyncContext
from engine.outcomes import PageOutcome
from engine.policy import IO_TASK
from engine.resources import resources


@task(**IO_TASK)
def stage_orders_page(ctx: SyncContext, query: str, cursor: str | None = None) -> PageOutcome[str]:
    """Fetch one page of orders matching ``query`` and upsert them into the staging table (dedupe by id)."""
    res = resources(ctx.shop)
    page = res.shopify.fetch_page("OrdersUpdatedSince", {"query": query}, "orders", after=cursor)
    report, orders = SyncReport(), []
    for node in page.items:
        try:
            more = []
            if cursor := more_lines_cursor(node):  # the page carries the first 5 lines: read on from there
                pages = res.shopify.iter_pages(
                    "OrderLineItems", {"id": node["id"]}, ("order", "lineItems"), after=cursor
                )
                seen = {n["id"] for n in node["lineItems"]["nodes"]}
                more = [n for page in pages for n in page.items if n["id"] not in seen]
            orders.append(order_from_node(node, more))
        except (ShopRecordError, ValidationError) as exc:
            report.fail(str(node.get("name") or node.get("id")), _reason(exc))
    if ctx.dry_run:
        report.skipped += len(orders)
        return PageOutcome(report=report, next_cursor=page.next_cursor)
    conditions = res.shop.order_import
    reasons = {o.shop_id: why for o in orders if (why := skip_reason(o, conditions)) is not None}
    staged = res.state.stage_orders(ctx.shop, orders, reasons)
    report.created += staged.new
    report.updated += staged.updated
    report.skipped += staged.unchanged + staged.refreshed + len(staged.skipped)
    report.notes += skipped_notes(staged.skipped)
    if staged.cancelled:
        report.notes.append(
            f"{len(staged.cancelled)} imported order(s) cancelled in the shop, to cancel in the ERP: "
            + ", ".join(staged.cancelled)
        )
    for conflict in staged.conflicts:
        report.fail(
            conflict.name,
            f"edited after its sales order {conflict.erp_key} was created: {conflict.reason}",
            field="lines",
        )
    return PageOutcome(report=report, next_cursor=page.next_cursor)


def skipped_notes(skipped: Sequence[SkippedOrder], most: int = 20) -> list[str]:
    """One report line per reason, naming the orders, so nobody wonders where an order went."""
    by_reason: dict[str, list[str]] = {}
    for order in skipped:
        by_reason.setdefault(order.reason, []).append(order.name)
    notes = []
    for reason, names in sorted(by_reason.items()):
        shown = ", ".join(names[:most]) + (f" and {len(names) - most} more" if len(names) > most else "")
        notes.append(f"{len(names)} order(s) not imported ({reason}): {shown}")
    return notes


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(exc)
