"""Payment task: the transactions of one page of shop orders → ERP payments (BC: order transactions → cash
receipts), idempotent by the transaction's GID; and their refunds → ERP credit documents, idempotent by the
refund's GID.

Only money that came in is booked (``Transaction.is_money_in``: a successful sale or capture); authorisations,
pending cash-on-delivery sales, refunds and voids are not payments. A payment is booked against the order's
ERP sales order, found through the staging row (``done``/``conflict`` with its ERP key) or asked of the ERP.

A refund (the page lists only its id) is read whole with ``OrderRefunds`` and booked as one ERP credit document
with its goods, shipping, adjustments and the money paid back (``ErpBackend.record_refund``); a refund booked
before writes nothing, so re-reading an order's refunds each time it changes is harmless.

An order that is not an ERP sales order *yet* is no failure: staged and waiting for create_sales_orders, or
not staged because sync_orders has not covered its last change yet, its GID is returned as a retry key and its
payments are booked by a later run. An order sync_orders covered without staging it (closed or cancelled
before the first order sync), or staged as skipped by the import conditions, is no document: it is passed over
with a note, not retried for ever (a skipped order that becomes importable changes, so a later run sees it).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from prefect import task

from connectors.erp.errors import RecordError as ErpRecordError
from connectors.shopify.errors import RecordError as ShopRecordError
from connectors.shopify.mapping import refund_from_node, transaction_from_node
from connectors.state import StagedStatus
from domain.models import Transaction
from domain.report import SyncReport
from engine.context import SyncContext
from engine.outcomes import PageOutcome
from engine.policy import IO_TASK
from engine.resources import ShopResources, resources

_WAITING = (StagedStatus.PENDING, StagedStatus.FAILED)
ORDERS_SYNC = "sync_orders"


@task(**IO_TASK)
def book_payments_page(ctx: SyncContext, query: str, exclude: list[str], cursor: str | None = None) -> PageOutcome[str]:
    """Book the money-in transactions of one page of orders matching ``query``.

    Retry keys are the GIDs of orders to try again next run. Orders in ``exclude`` were handled earlier in
    this run and are passed over.
    """
    res = resources(ctx.shop)
    # only the transactions: a page of 29 orders for what a page of 11 full orders (OrdersUpdatedSince) costs
    page = res.shopify.fetch_page("OrderTransactionsUpdatedSince", {"query": query}, "orders", after=cursor)
    report, retry = SyncReport(), []
    waiting = never = 0
    skip = set(exclude)
    for node in page.items:
        if node.get("id") in skip:
            continue
        outcome = _book_order(res, ctx, node, report)
        if outcome == "waiting":
            waiting += 1
            retry.append(str(node["id"]))
        elif outcome == "retry":
            retry.append(str(node["id"]))
        elif outcome == "never":
            never += 1
    if waiting:
        report.notes.append(f"{waiting} order(s) with payments are no ERP sales order yet; retried next run")
    if never:
        report.notes.append(
            f"{never} order(s) with payments were closed, cancelled or skipped by the import conditions "
            "before becoming ERP sales orders; their payments are not booked"
        )
    return PageOutcome(report=report, next_cursor=page.next_cursor, retry_keys=retry)


def _book_order(res: ShopResources, ctx: SyncContext, node: Mapping[str, Any], report: SyncReport) -> str:
    """Book one order's money-in transactions; returns booked / waiting / never / retry / none."""
    order_id, name = str(node["id"]), str(node.get("name") or node["id"])
    money_in: list[Transaction] = []
    for raw in node.get("transactions") or ():
        try:
            tx = transaction_from_node(raw, order_id)
        except ShopRecordError as exc:
            report.fail(f"{name} transaction {raw.get('id')}", exc.reason, field=exc.field)
            continue
        if tx.is_money_in:
            money_in.append(tx)
    refunds = [str(refund["id"]) for refund in node.get("refunds") or ()]
    if not money_in and not refunds:
        return "none"
    erp_key, waiting = _sales_order_key(res, ctx.shop, order_id, node)
    if erp_key is None:
        report.skipped += len(money_in) + len(refunds)
        return "waiting" if waiting else "never"
    if ctx.dry_run:
        report.skipped += len(money_in) + len(refunds)
        report.notes.append(
            f"dry run: would book {len(money_in)} payment(s) and {len(refunds)} refund(s) of {name} "
            "unless booked already"
        )
        return "booked"
    outcome = "booked"
    for tx in money_in:
        try:
            if res.erp.record_payment(tx, erp_key):
                report.created += 1
            else:
                report.skipped += 1  # booked by an earlier run: idempotent by transaction GID
        except ErpRecordError as exc:
            report.fail(f"{name} transaction {tx.shop_id}", exc.reason, field=exc.field)
            outcome = "retry"
    if refunds and not _book_refunds(res, order_id, name, erp_key, report):
        outcome = "retry"
    return outcome


def _book_refunds(res: ShopResources, order_id: str, name: str, erp_key: str, report: SyncReport) -> bool:
    """Book each refund of the order as one ERP credit document; False when one failed (retried next run)."""
    order = res.shopify.execute("OrderRefunds", {"id": order_id}).get("order") or {}
    ok = True
    for raw in order.get("refunds") or ():
        try:
            refund = refund_from_node(raw, order_id, name, order.get("currencyCode"), bool(order.get("taxesIncluded")))
            if res.erp.record_refund(refund, erp_key):
                report.created += 1
                restocked = sum(line.quantity for line in refund.lines if line.restocked)
                report.notes.append(
                    f"{name}: refund of {refund.total} {refund.currency} booked against {erp_key}"
                    + (f" ({restocked} unit(s) returned to stock)" if restocked else "")
                )
            else:
                report.skipped += 1  # booked by an earlier run: idempotent by refund GID
        except (ShopRecordError, ErpRecordError) as exc:
            report.fail(f"{name} refund {raw.get('id')}", exc.reason, field=exc.field)
            ok = False
    return ok


def _sales_order_key(res: ShopResources, shop: str, order_id: str, node: Mapping[str, Any]) -> tuple[str | None, bool]:
    """(ERP key of the order's sales order, whether one is still to come when there is none)."""
    staged = res.state.staged_order(shop, order_id)
    if staged is not None and staged.erp_key:
        return staged.erp_key, False
    sales_order = res.erp.get_sales_order_by_shop_id(order_id)
    if sales_order is not None:
        return sales_order.erp_key, False
    if staged is not None:
        return None, staged.status in _WAITING
    covered_until = res.state.get_cursor(shop, ORDERS_SYNC).position
    updated_at = datetime.fromisoformat(str(node["updatedAt"]))
    return None, covered_until is None or updated_at >= covered_until
