"""Order-status tasks: ERP order states → the shop (Pohoda "Vyřízeno" / "Přeneseno" / storno).

- processed ("Vyřízeno", executed) → ``orderClose`` (archive the shop order);
- transferred ("Přeneseno", turned into an invoice) → ``tagsAdd`` the transferred tag;
- cancelled (storno) → ``orderCancel`` (reason OTHER, restock, no customer notification).

Idempotent: the shop orders of a page are read first (one ``nodes`` query) and an order already closed, tagged
or cancelled is skipped, so a second run sends nothing; an "already cancelled" refusal also counts as done.
A mutation whose answer was lost is checked the same way before the task gives up. Failures are reported
with the order and the reason and their order GIDs returned as retry keys; an order that no longer exists in
the shop is reported once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from prefect import task

from connectors.shopify.errors import Retriable
from connectors.shopify.mutations import record_errors
from domain.models import OrderState, OrderStatusChange
from domain.report import SyncReport
from engine.context import SyncContext
from engine.outcomes import Outcome, PageOutcome
from engine.policy import IO_TASK
from engine.resources import ShopResources, resources

PAGE = 50
"""ERP changes per page; also the ids per ``OrderStates`` query (declared cost 51)."""


@task(**IO_TASK)
def order_status_page(
    ctx: SyncContext, since: datetime | None, tag: str, exclude: list[str], cursor: str | None = None
) -> PageOutcome[str]:
    """Apply one page of ERP order-state changes at or after ``since`` (orders in ``exclude`` were retried
    earlier in this run); the next page starts at the ERP's cursor."""
    res = resources(ctx.shop)
    page = res.erp.list_order_status_changes(since, cursor, PAGE)
    report = SyncReport()
    for rejected in page.rejected:  # "sales order SO1: state: <why>": the ERP row is no valid change
        record, field, reason = (rejected.split(": ", 2) + ["", ""])[:3]
        report.fail(record, reason or rejected, field=field or None)
    skip = set(exclude)
    applied = apply_changes(res, ctx, [c for c in page.items if c.order_shop_id not in skip], tag)
    return PageOutcome(report=report + applied.report, next_cursor=page.next_cursor, retry_keys=applied.retry_keys)


@task(**IO_TASK)
def retry_order_status(ctx: SyncContext, order_ids: list[str], tag: str) -> Outcome:
    """Try again the orders that failed last run, with the state their sales order holds now."""
    res = resources(ctx.shop)
    changes = []
    for order_id in order_ids:
        sales_order = res.erp.get_sales_order_by_shop_id(order_id)
        if sales_order is not None and sales_order.state is not None and sales_order.state_changed_at is not None:
            changes.append(
                OrderStatusChange(
                    order_shop_id=order_id,
                    erp_key=sales_order.erp_key,
                    state=sales_order.state,
                    changed_at=sales_order.state_changed_at,
                )
            )
    return apply_changes(res, ctx, changes, tag)


def apply_changes(res: ShopResources, ctx: SyncContext, changes: list[OrderStatusChange], tag: str) -> Outcome:
    """Bring each shop order into its ERP state; orders Shopify refused are retry keys."""
    report, retry = SyncReport(), []
    shop_orders = _shop_orders(res, [c.order_shop_id for c in changes])
    for change in changes:
        label = f"order {change.order_shop_id} (sales order {change.erp_key})"
        node = shop_orders.get(change.order_shop_id)
        if node is None:
            report.fail(label, "the order does not exist in the shop", field="order_shop_id")
            continue
        if _in_state(node, change.state, tag):
            report.skipped += 1
            continue
        if ctx.dry_run:
            report.skipped += 1
            report.notes.append(f"dry run: {label} would be {_VERB[change.state]}")
            continue
        try:
            refused = _apply(res, change, tag)
        except Retriable:
            node = _shop_orders(res, [change.order_shop_id]).get(change.order_shop_id)
            if node is None or not _in_state(node, change.state, tag):
                raise  # not applied: the task is retried and reads the order again first
            refused = []
        if refused and not _already_done(change.state, refused):
            report.fail(label, "; ".join(refused), field="state")
            retry.append(change.order_shop_id)
        elif refused:
            report.skipped += 1
        else:
            report.updated += 1
    return Outcome(report=report, retry_keys=retry)


_VERB = {OrderState.PROCESSED: "closed", OrderState.TRANSFERRED: "tagged", OrderState.CANCELLED: "cancelled"}


def _in_state(node: Mapping[str, Any], state: OrderState, tag: str) -> bool:
    if state is OrderState.PROCESSED:
        return bool(node.get("closed"))
    if state is OrderState.TRANSFERRED:
        return tag in (node.get("tags") or ())
    return node.get("cancelledAt") is not None


def _already_done(state: OrderState, refused: list[str]) -> bool:
    return state is OrderState.CANCELLED and all("already" in message.lower() for message in refused)


def _apply(res: ShopResources, change: OrderStatusChange, tag: str) -> list[str]:
    """Send the mutation for one change; returns Shopify's refusals (empty when applied)."""
    order_id = change.order_shop_id
    if change.state is OrderState.PROCESSED:
        _, errors = res.shopify.mutate("OrderClose", {"id": order_id}, "orderClose")
        operation = "OrderClose"
    elif change.state is OrderState.TRANSFERRED:
        _, errors = res.shopify.mutate("TagsAdd", {"id": order_id, "tags": [tag]}, "tagsAdd")
        operation = "TagsAdd"
    else:
        variables = {
            "orderId": order_id,
            "reason": "OTHER",
            "restock": True,
            "notifyCustomer": False,
            "staffNote": f"Cancelled in the ERP (sales order {change.erp_key})",
        }
        _, errors = res.shopify.mutate("OrderCancel", variables, "orderCancel", errors_field="orderCancelUserErrors")
        operation = "OrderCancel"
    return [e.reason for e in record_errors(order_id, errors, operation=operation)]


def _shop_orders(res: ShopResources, order_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Closed / cancelled / tags of these shop orders, by GID; unknown orders are absent."""
    found: dict[str, dict[str, Any]] = {}
    unique = list(dict.fromkeys(order_ids))
    for start in range(0, len(unique), PAGE):
        data = res.shopify.execute("OrderStates", {"ids": unique[start : start + PAGE]})
        for node in data.get("nodes") or ():
            if node and node.get("id"):
                found[str(node["id"])] = node
    return found
