"""Sales-order tasks: the staged orders a run tries, and one batch of them turned into ERP sales orders.

Each order commits alone (the ERP document and its staging row in one transaction where they share a database),
so a failure never costs the others; a failed order keeps its error and attempt count and is retried next run.
An order naming a SKU the ERP does not know fails naming it, unless the shop block's ``auto_create_items`` is
on: then its items are created first (``tasks.order_items``).
"""

from __future__ import annotations

from prefect import task

from connectors.erp.errors import RecordError as ErpRecordError
from connectors.erp.errors import UnknownSkuError
from domain.models import Order
from domain.report import SyncReport
from engine.context import SyncContext
from engine.policy import IO_TASK
from engine.resources import ShopResources, resources
from tasks.order_items import create_missing_items


@task(**IO_TASK)
def pending_order_ids(ctx: SyncContext, max_attempts: int | None) -> list[str]:
    """The staged orders this run will try, fixed up front so each is tried once per run, oldest first."""
    res = resources(ctx.shop)
    wanted = set(ctx.filters.get("order_ids") or [])
    pending = res.state.pending_orders(ctx.shop, limit=1_000_000, max_attempts=max_attempts)
    return [s.shop_id for s in pending if not wanted or s.shop_id in wanted]


@task(**IO_TASK)
def create_sales_orders_batch(ctx: SyncContext, shop_ids: list[str]) -> SyncReport:
    """One try per staged order of this batch; each commits alone, a failed one keeps its error."""
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
            _create_one(res, ctx.shop, staged.order, report)
            report.created += 1
        except ErpRecordError as exc:
            res.state.mark_order_failed(ctx.shop, staged.shop_id, str(exc))
            report.fail(staged.name, exc.reason, field=exc.field)
    return report


def _create_one(res: ShopResources, shop: str, order: Order, report: SyncReport) -> str:
    customer_key = None
    if order.customer and (order.customer.email or order.customer.phone):
        found = res.erp.find_customer(order.customer.email, order.customer.phone)
        customer_key = found.erp_key if found else res.erp.upsert_customer(order.customer)
    try:
        return _write_order(res, shop, order, customer_key)
    except UnknownSkuError as exc:
        if not res.shop.auto_create_items:
            raise
        items = create_missing_items(res, shop, order, exc.record)  # tasks.order_items: its rules and why
        report.notes.append(f"order {order.name}: ERP item(s) created for its unknown SKUs: {', '.join(items)}")
    return _write_order(res, shop, order, customer_key)


def _write_order(res: ShopResources, shop: str, order: Order, customer_key: str | None) -> str:
    with res.erp.unit_of_work(res.state) as work:
        erp_key = work.erp.create_sales_order(order, customer_key)  # idempotent by shop order id
        res.state.mark_order_done(shop, order.shop_id, erp_key, conn=work.conn)
    return erp_key
