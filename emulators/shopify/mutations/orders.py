"""Order writes: close, cancel, mark as paid, and fulfillments (with tracking) on fulfillment orders."""

from __future__ import annotations

from typing import Any

from .. import order_math as om
from .. import order_ops
from .. import records as r
from ..context import ctx, user_error
from ..resolvers.orders import can_mark_as_paid
from ..schema import resolver


@resolver("Mutation", "orderClose")
def order_close(_: Any, info: Any, input: dict) -> dict:
    state = ctx(info).state
    order = state.find(input["id"], "Order")
    if order is None:
        return {"order": None, "userErrors": [user_error(["id"], "Order does not exist")]}
    if order.closed_at is None:
        order.closed_at = state.now()
        state.touch(order)
    return {"order": order, "userErrors": []}


@resolver("Mutation", "orderCancel")
def order_cancel(
    _: Any,
    info: Any,
    orderId: str,
    reason: str,
    restock: bool,
    notifyCustomer: bool = False,
    refundMethod: dict | None = None,
    staffNote: str | None = None,
) -> dict:
    """Checks the order now and cancels it when its job finishes (``jobs.py``): the answer's ``job`` is not done
    yet, the order is not cancelled yet, and a second request before then is accepted with a second job."""
    context = ctx(info)
    state = context.state
    order = state.find(orderId, "Order")
    if order is None:
        errors = [user_error(["orderId"], "Order does not exist", "NOT_FOUND")]
        return {"job": None, "orderCancelUserErrors": errors, "userErrors": errors}
    if order.cancelled_at is not None:
        errors = [user_error(["orderId"], "Order has already been cancelled", "INVALID")]
        return {"job": None, "orderCancelUserErrors": errors, "userErrors": errors}
    if order.fulfillment_ids:
        errors = [user_error(["orderId"], "Cannot cancel an order that has fulfillments", "INVALID")]
        return {"job": None, "orderCancelUserErrors": errors, "userErrors": errors}
    refund = bool(refundMethod and refundMethod.get("originalPaymentMethodsRefund"))
    job = state.jobs.submit(
        lambda: _cancel(state, order, reason, refund),
        seconds=context.config.job_seconds,
        polls=context.config.job_polls,
    )
    return {"job": job, "orderCancelUserErrors": [], "userErrors": []}


def _cancel(state: Any, order: r.Order, reason: str, refund: bool) -> None:
    """The cancel job's work: nothing when the order was cancelled (an earlier job) or fulfilled meanwhile."""
    if order.cancelled_at is not None or order.fulfillment_ids:
        return
    order_ops.cancel(state, order, reason)
    if refund and om.received(order) > 0:
        _add_transaction(state, order, "REFUND", om.received(order), "manual")
        order.financial_status = "REFUNDED"


@resolver("QueryRoot", "job")
def resolve_job(_: Any, info: Any, id: str) -> Any:
    return ctx(info).state.jobs.poll(id)


@resolver("Job", "query")
def resolve_job_query(job: Any, info: Any) -> dict | None:
    """The query root, once the job is done ("This field will only resolve once the job is done")."""
    return {} if job.done else None


def _add_transaction(state: Any, order: r.Order, kind: str, amount: Any, gateway: str) -> r.Transaction:
    now = state.now()
    tx = r.Transaction(
        id=state.next_id("transactions"),
        order_id=order.id,
        kind=kind,
        status="SUCCESS",
        amount=amount,
        currency=order.currency,
        processed_at=now,
        created_at=now,
        gateway=gateway,
    )
    state.transactions[tx.id] = tx
    order.transactions.append(tx)
    return tx


@resolver("Mutation", "orderMarkAsPaid")
def order_mark_as_paid(_: Any, info: Any, input: dict) -> dict:
    state = ctx(info).state
    order = state.find(input["id"], "Order")
    if order is None:
        return {"order": None, "userErrors": [user_error(["id"], "Order does not exist")]}
    if not can_mark_as_paid(order):
        return {"order": order, "userErrors": [user_error(["id"], "Order cannot be marked as paid.")]}
    _add_transaction(state, order, "SALE", om.outstanding(order), "manual")
    order.financial_status = "PAID"
    state.touch(order)
    return {"order": order, "userErrors": []}


# ---- fulfillments -----------------------------------------------------------------------------------------


@resolver("Mutation", "fulfillmentCreate")
def fulfillment_create(_: Any, info: Any, fulfillment: dict, message: str | None = None) -> dict:
    state = ctx(info).state
    requests, errors = _plan(state, fulfillment["lineItemsByFulfillmentOrder"])
    if errors:
        return {"fulfillment": None, "userErrors": errors}
    order = state.orders[requests[0][0].order_id]
    made = order_ops.fulfill(state, order, requests, order_ops.tracking_entries(fulfillment.get("trackingInfo")))
    return {"fulfillment": made, "userErrors": []}


def _plan(state: Any, groups: list[dict]) -> tuple[list, list[dict]]:
    """Validated (fulfillment order, [(line, quantity)]) pairs, or userErrors naming the offending input."""
    errors: list[dict] = []
    requests = []
    for i, group in enumerate(groups):
        path = ["fulfillment", "lineItemsByFulfillmentOrder", i]
        fo = state.find(group["fulfillmentOrderId"], "FulfillmentOrder")
        if fo is None:
            errors.append(user_error([*path, "fulfillmentOrderId"], "Fulfillment order does not exist."))
            continue
        if fo.status not in order_ops.OPEN_FO:
            errors.append(
                user_error(
                    [*path, "fulfillmentOrderId"],
                    f"Fulfillment order {fo.gid} has an unfulfillable status= {fo.status.lower()}.",
                )
            )
            continue
        wanted = group.get("fulfillmentOrderLineItems")
        if wanted is None:
            taken = [(line, line.remaining_quantity) for line in fo.lines if line.remaining_quantity > 0]
        else:
            taken = []
            by_id = {line.gid: line for line in fo.lines}
            for j, item in enumerate(wanted):
                line = by_id.get(item["id"])
                if line is None:
                    errors.append(
                        user_error(
                            [*path, "fulfillmentOrderLineItems", j, "id"],
                            "Fulfillment order line item does not belong to the fulfillment order.",
                        )
                    )
                elif item["quantity"] <= 0 or item["quantity"] > line.remaining_quantity:
                    errors.append(
                        user_error(
                            [*path, "fulfillmentOrderLineItems", j, "quantity"],
                            "Invalid fulfillment order line item quantity requested.",
                        )
                    )
                else:
                    taken.append((line, item["quantity"]))
        if not taken and not errors:
            errors.append(user_error(path, "Fulfillment order has no line items left to fulfill."))
        requests.append((fo, taken))
    if not errors and requests:
        if len({fo.order_id for fo, _ in requests}) > 1:
            errors.append(user_error(["fulfillment"], "All fulfillment orders must belong to the same order."))
        if len({fo.location_id for fo, _ in requests}) > 1:
            errors.append(user_error(["fulfillment"], "All fulfillment orders must be assigned to the same location."))
    if not requests and not errors:
        errors.append(
            user_error(["fulfillment", "lineItemsByFulfillmentOrder"], "At least one fulfillment order is required.")
        )
    return requests, errors


@resolver("Mutation", "fulfillmentTrackingInfoUpdate")
def fulfillment_tracking_update(
    _: Any, info: Any, fulfillmentId: str, trackingInfoInput: dict, notifyCustomer: bool | None = None
) -> dict:
    state = ctx(info).state
    record = state.find(fulfillmentId, "Fulfillment")
    if record is None:
        return {"fulfillment": None, "userErrors": [user_error(["fulfillmentId"], "Fulfillment does not exist.")]}
    record.tracking = order_ops.tracking_entries(trackingInfoInput)
    state.touch(record, state.orders[record.order_id])
    return {"fulfillment": record, "userErrors": []}
