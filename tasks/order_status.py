"""Order-status tasks: ERP order states → the shop (Pohoda "Vyřízeno" / "Přeneseno" / storno).

- processed ("Vyřízeno", executed) → ``orderClose`` (archive the shop order);
- transferred ("Přeneseno", turned into an invoice) → ``tagsAdd`` the transferred tag;
- cancelled (storno) → ``orderCancel`` (reason OTHER, restock, no customer notification).

Idempotent: the shop orders of a page are read first (one ``nodes`` query) and an order already closed, tagged
or cancelled is skipped, so a second run sends nothing. A mutation whose answer was lost is checked the same
way before the task gives up. Cancelling runs as a Shopify job (``connectors.shopify.order_cancel``): the job is
remembered per order, a run before it finished sends nothing again, and the order is a retry key until its
``cancelledAt`` shows. Failures are reported with the order and the reason and their order GIDs returned as
retry keys; an order that no longer exists in the shop is reported once — unless the shop hides orders older
than 60 days from this app (no ``read_all_orders``) and the order is not known to be younger: then it is
skipped, and one note per page counts and names those orders and says why.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from prefect import task

from connectors.shopify.errors import Retriable
from connectors.shopify.mutations import record_errors
from connectors.shopify.order_cancel import JOB_ENTITY, CancelResult, OrderCanceller
from connectors.shopify.scopes import ALL_ORDERS, ORDER_HISTORY, granted_scopes, history_note
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
    """Bring each shop order into its ERP state; orders Shopify refused, and cancels still running, are retry
    keys."""
    report, retry = SyncReport(), []
    shop_orders = _shop_orders(res, [c.order_shop_id for c in changes])
    if not ctx.dry_run:  # the ERP's own storno: its shop cancellation, read back by sync_orders, is no news
        res.state.mark_cancelled_by_erp(ctx.shop, [c.order_shop_id for c in changes if c.state is OrderState.CANCELLED])
    canceller = OrderCanceller(res.shopify, _StateJobs(res, ctx.shop))
    history: bool | None = None  # whether Shopify shows orders older than 60 days (asked once, when needed)
    hidden: list[str] = []
    for change in changes:
        label = f"order {change.order_shop_id} (sales order {change.erp_key})"
        node = shop_orders.get(change.order_shop_id)
        if node is None:
            history = ALL_ORDERS in granted_scopes(res.shopify) if history is None else history
            if history or _recent(res, ctx.shop, change.order_shop_id):
                report.fail(label, "the order does not exist in the shop", field="order_shop_id")
            else:
                report.skipped += 1
                hidden.append(label)
            continue
        if _in_state(node, change.state, tag):
            report.skipped += 1
            continue
        if ctx.dry_run:
            report.skipped += 1
            report.notes.append(f"dry run: {label} would be {_VERB[change.state]}")
            continue
        if change.state is OrderState.CANCELLED:
            result = canceller.cancel(change.order_shop_id, _cancel_variables(change))
        else:
            result = _close_or_tag(res, change, tag)
        if result.status == "refused":
            report.fail(label, "; ".join(result.reasons), field="state")
            retry.append(change.order_shop_id)
        elif result.status == "running":
            report.notes.append(f"{label}: Shopify's cancellation job has not finished; looked at again next run")
            retry.append(change.order_shop_id)
        else:
            report.updated += 1
    if hidden:
        shown = "; ".join(hidden[:HIDDEN_SHOWN]) + ("; …" if len(hidden) > HIDDEN_SHOWN else "")
        report.notes.append(
            f"{len(hidden)} order state change(s) not applied, the order not in the shop or older than Shopify "
            f"shows ({shown}): {history_note()}"
        )
    return Outcome(report=report, retry_keys=retry)


HIDDEN_SHOWN = 10


def _recent(res: ShopResources, shop: str, order_id: str) -> bool:
    """Whether the sync staged this order as created inside the 60 days Shopify shows any app: then its absence
    is no history limit (an order the sync never staged gets the benefit of the doubt)."""
    staged = res.state.staged_order(shop, order_id)
    return staged is not None and staged.order.created_at >= datetime.now(UTC) - ORDER_HISTORY


_VERB = {OrderState.PROCESSED: "closed", OrderState.TRANSFERRED: "tagged", OrderState.CANCELLED: "cancelled"}


def _in_state(node: Mapping[str, Any], state: OrderState, tag: str) -> bool:
    if state is OrderState.PROCESSED:
        return bool(node.get("closed"))
    if state is OrderState.TRANSFERRED:
        return tag in (node.get("tags") or ())
    return node.get("cancelledAt") is not None


def _close_or_tag(res: ShopResources, change: OrderStatusChange, tag: str) -> CancelResult:
    """Close or tag one order (both retry-safe); a lost answer is settled by reading the order again."""
    order_id = change.order_shop_id
    try:
        if change.state is OrderState.PROCESSED:
            operation, path, variables = "OrderClose", "orderClose", {"id": order_id}
        else:
            operation, path, variables = "TagsAdd", "tagsAdd", {"id": order_id, "tags": [tag]}
        _, errors = res.shopify.mutate(operation, variables, path)
    except Retriable:
        node = _shop_orders(res, [order_id]).get(order_id)
        if node is None or not _in_state(node, change.state, tag):
            raise  # not applied: the task is retried and reads the order again first
        return CancelResult("done")
    if errors:
        return CancelResult("refused", [e.reason for e in record_errors(order_id, errors, operation=operation)])
    return CancelResult("done")


def _cancel_variables(change: OrderStatusChange) -> dict[str, Any]:
    return {
        "orderId": change.order_shop_id,
        "reason": "OTHER",
        "restock": True,
        "notifyCustomer": False,
        "staffNote": f"Cancelled in the ERP (sales order {change.erp_key})",
    }


class _StateJobs:
    """The cancel jobs sent, per shop order, in the sync state (``JobMemory``)."""

    def __init__(self, res: ShopResources, shop: str):
        self.store, self.shop = res.state, shop

    def get(self, order_id: str) -> str | None:
        return self.store.get_hashes(self.shop, JOB_ENTITY, [order_id]).get(order_id)

    def put(self, order_id: str, job: str) -> None:
        self.store.put_hashes(self.shop, JOB_ENTITY, {order_id: job})

    def forget(self, order_id: str) -> None:
        self.store.delete_hashes(self.shop, JOB_ENTITY, [order_id])


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
