"""Order tasks: stage one page of shop orders; turn one batch of staged orders into ERP sales orders."""

from __future__ import annotations

from collections.abc import Sequence

from prefect import task
from pydantic import ValidationError

from connectors.erp.errors import RecordError as ErpRecordError
from connectors.shopify.errors import RecordError as ShopRecordError
from connectors.shopify.mapping import more_lines_cursor, order_from_node
from connectors.state.staged import SkippedOrder
from domain.models import Order
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


@task(**IO_TASK)
def pending_order_ids(ctx: SyncContext, max_attempts: int | None) -> list[str]:
    """The staged orders this run will try, fixed up front so each is tried once per run, oldest first."""
    res = resources(ctx.shop)
    wanted = set(ctx.filters.get("order_ids") or [])
    pending = res.state.pending_orders(ctx.shop, limit=1_000_000, max_attempts=max_attempts)
    return [s.shop_id for s in pending if not wanted or s.shop_id in wanted]


@task(**IO_TASK)
def create_sales_orders_batch(ctx: SyncContext, shop_ids: list[str]) -> SyncReport:
    """One try per staged order of this batch.

    Each order commits alone (ERP document + staging row in one transaction when they share a database), so a
    failure never costs the others; a failed order keeps its error and attempt count and is retried next run.
    """
    res = resources(ctx.shop)
    report = SyncReport()
    for shop_id in shop_ids:
        staged = res.state.staged_order(ctx.shop, shop_id)
        if staged is None or staged.status.value not in ("pending", "failed"):
            report.skipped += 1  # done meanwhile (a retried task) or turned into a conflict
            continue
        if ctx.dry_run:
            report.skipped += 1
            continue
        try:
            _create_one(res, ctx.shop, staged.order)
            report.created += 1
        except ErpRecordError as exc:
            res.state.mark_order_failed(ctx.shop, staged.shop_id, str(exc))
            report.fail(staged.name, exc.reason, field=exc.field)
    return report


def _create_one(res, shop: str, order: Order) -> str:
    customer_key = None
    if order.customer and (order.customer.email or order.customer.phone):
        found = res.erp.find_customer(order.customer.email, order.customer.phone)
        customer_key = found.erp_key if found else res.erp.upsert_customer(order.customer)
    with res.erp.unit_of_work(res.state) as work:
        erp_key = work.erp.create_sales_order(order, customer_key)  # idempotent by shop order id
        res.state.mark_order_done(shop, order.shop_id, erp_key, conn=work.conn)
    return erp_key


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
