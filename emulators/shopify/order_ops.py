"""Order-side writes shared by seeding and the mutations: fulfillment orders and fulfillments.

A fulfillment order holds the shippable lines of one order at one location; a fulfillment takes quantities
from one or more fulfillment orders of the same order and location. When nothing remains, the fulfillment
order closes; the order's display status follows from what remains (see ``order_math``).
"""

from __future__ import annotations

from typing import Any

from . import order_math as om
from . import records as r


def create_fulfillment_order(state: Any, order: r.Order, location: r.Location) -> r.FulfillmentOrder:
    now = state.now()
    lines = [
        r.FulfillmentOrderLine(
            id=state.next_id("fulfillment_order_lines"),
            line_item_id=li.id,
            total_quantity=li.quantity,
            remaining_quantity=li.quantity,
        )
        for li in order.line_items
        if li.requires_shipping and li.quantity > 0
    ]
    fo = r.FulfillmentOrder(
        id=state.next_id("fulfillment_orders"),
        order_id=order.id,
        location_id=location.id,
        created_at=order.created_at,
        updated_at=now,
        lines=lines,
    )
    if order.cancelled_at is not None:
        fo.status = "CANCELLED"
    elif order.closed_at is not None and not lines:
        fo.status = "CLOSED"
    state.add_fulfillment_order(fo)
    order.fulfillment_order_ids.append(fo.id)
    return fo


def fulfill(
    state: Any,
    order: r.Order,
    requests: list[tuple[r.FulfillmentOrder, list[tuple[r.FulfillmentOrderLine, int]]]],
    tracking: list[dict],
) -> r.Fulfillment:
    """Apply one fulfillment (already validated): reduce remaining quantities, close finished orders' FOs."""
    now = state.now()
    lines: list[r.FulfillmentLine] = []
    for fo, taken in requests:
        for fo_line, quantity in taken:
            fo_line.remaining_quantity -= quantity
            lines.append(
                r.FulfillmentLine(
                    id=state.next_id("_fulfillment_lines"), line_item_id=fo_line.line_item_id, quantity=quantity
                )
            )
        fo.status = "CLOSED" if all(li.remaining_quantity == 0 for li in fo.lines) else "IN_PROGRESS"
        fo.request_status = "CLOSED" if fo.status == "CLOSED" else fo.request_status
    location_id = requests[0][0].location_id
    fulfillment = r.Fulfillment(
        id=state.next_id("fulfillments"),
        order_id=order.id,
        location_id=location_id,
        name=f"{order.name}-F{len(order.fulfillment_ids) + 1}",
        created_at=now,
        updated_at=now,
        tracking=tracking,
        lines=lines,
        fulfillment_order_ids=[fo.id for fo, _ in requests],
    )
    state.fulfillments[fulfillment.id] = fulfillment
    order.fulfillment_ids.append(fulfillment.id)
    order.fulfillment_status_override = None
    for fo, _ in requests:
        fo.fulfillment_ids.append(fulfillment.id)
        state.touch(fo)
    state.touch(order)
    return fulfillment


def fulfill_everything(state: Any, order: r.Order) -> None:
    """Seeded orders marked FULFILLED: one fulfillment per fulfillment order, for all that remains."""
    for fo_id in order.fulfillment_order_ids:
        fo = state.fulfillment_orders[fo_id]
        taken = [(line, line.remaining_quantity) for line in fo.lines if line.remaining_quantity > 0]
        if taken and fo.status not in ("CANCELLED", "CLOSED"):
            fulfill(state, order, [(fo, taken)], [])


OPEN_FO = ("OPEN", "IN_PROGRESS")


def cancel(state: Any, order: r.Order, reason: str) -> None:
    """Cancel an order as Shopify does (the ``orderCancel`` job's work, or a merchant's cancel in the admin):
    cancelled and closed now, an unpaid order's payment voided, its open fulfillment orders cancelled. Money
    received is left to a refund (``orderCancel``'s ``refundMethod``)."""
    now = state.now()
    order.cancelled_at, order.cancel_reason = now, reason
    order.closed_at = order.closed_at or now
    if om.received(order) <= 0:
        order.financial_status = (
            "VOIDED" if order.financial_status in ("AUTHORIZED", "PENDING") else order.financial_status
        )
    for fo_id in order.fulfillment_order_ids:
        fo = state.fulfillment_orders[fo_id]
        if fo.status in OPEN_FO:
            fo.status = "CANCELLED"
            state.touch(fo)
    state.touch(order)


def tracking_entries(info: dict | None) -> list[dict]:
    """FulfillmentTrackingInput → tracking entries; ``numbers``/``urls`` pair up, a lone ``number`` stays."""
    if not info:
        return []
    numbers = list(info.get("numbers") or []) or ([info["number"]] if info.get("number") else [])
    urls = list(info.get("urls") or []) or ([info["url"]] if info.get("url") else [])
    count = max(len(numbers), len(urls), 1 if info.get("company") else 0)
    return [
        {
            "company": info.get("company"),
            "number": numbers[i] if i < len(numbers) else None,
            "url": urls[i] if i < len(urls) else None,
        }
        for i in range(count)
    ]
