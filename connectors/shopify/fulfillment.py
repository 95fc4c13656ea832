"""An ERP shipment → the ``fulfillmentCreate`` inputs that ship it, one per Shopify location.

Shopify fulfils *fulfillment orders* (one per location an order is assigned to), not orders. So each shipped
line's quantity is spread over fulfillment-order lines that still have ``remainingQuantity``, matched by the
order line GID when the ERP kept it, else by SKU; fulfillment orders that cannot be fulfilled now (closed,
cancelled, on hold, scheduled) are skipped. Allocations are grouped by assigned location, because one
``fulfillmentCreate`` may only cover fulfillment orders of a single location (BC's connector does the same).

What cannot be placed (unknown SKU, more than is still open) comes back as a ``RecordError`` naming the
shipment and the line, while the rest of the shipment is still planned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from connectors.shopify.errors import RecordError
from connectors.shopify.inputs import tracking_input
from connectors.shopify.mapping import nodes_of
from domain.models import Shipment

__all__ = ["FULFILLABLE_STATUSES", "FulfillmentPlan", "plan_fulfillments"]

FULFILLABLE_STATUSES = {"OPEN", "IN_PROGRESS"}


@dataclass
class FulfillmentPlan:
    """One ``fulfillmentCreate``: the location it ships from and its ``FulfillmentInput``."""

    location_id: str | None
    fulfillment: dict[str, Any]
    skus: dict[str, int] = field(default_factory=dict)
    """SKU → quantity this fulfillment covers (for the run report)."""


@dataclass
class _Open:
    fulfillment_order_id: str
    location_id: str | None
    line_id: str
    order_line_id: str | None
    sku: str | None
    remaining: int


def _open_lines(fulfillment_orders: Sequence[Mapping[str, Any]], prefer_location: str | None) -> list[_Open]:
    lines: list[_Open] = []
    for fo in fulfillment_orders:
        if fo.get("status") not in FULFILLABLE_STATUSES:
            continue
        location = ((fo.get("assignedLocation") or {}).get("location") or {}).get("id")
        for line in nodes_of(fo.get("lineItems")):
            if int(line.get("remainingQuantity") or 0) > 0:
                lines.append(
                    _Open(
                        fulfillment_order_id=fo["id"],
                        location_id=location,
                        line_id=line["id"],
                        order_line_id=(line.get("lineItem") or {}).get("id"),
                        sku=line.get("sku"),
                        remaining=int(line["remainingQuantity"]),
                    )
                )
    # the ERP's own location first, so a shipment from the Prague warehouse closes Prague's fulfillment order
    return sorted(lines, key=lambda o: o.location_id != prefer_location) if prefer_location else lines


def plan_fulfillments(
    shipment: Shipment,
    fulfillment_orders: Sequence[Mapping[str, Any]],
    *,
    notify_customer: bool,
    location_id: str | None = None,
) -> tuple[list[FulfillmentPlan], list[RecordError]]:
    """The fulfillments that ship ``shipment`` (nodes of ``OrderFulfillmentOrders``) and what could not be placed.

    ``location_id``: the Shopify location the ERP shipped from (mapped from ``shipment.location_key``),
    preferred when an item is open at several locations.
    """
    open_lines = _open_lines(fulfillment_orders, location_id)
    allocations: dict[str | None, dict[str, dict[str, int]]] = {}  # location → FO → FO line → qty
    skus: dict[str | None, dict[str, int]] = {}
    errors: list[RecordError] = []
    for index, line in enumerate(shipment.lines):
        wanted = line.quantity
        for candidate in open_lines:
            if wanted == 0:
                break
            matches = (
                candidate.order_line_id == line.order_line_shop_id
                if line.order_line_shop_id
                else candidate.sku == line.sku
            )
            if not matches or candidate.remaining == 0:
                continue
            take = min(wanted, candidate.remaining)
            candidate.remaining -= take
            wanted -= take
            per_fo = allocations.setdefault(candidate.location_id, {}).setdefault(candidate.fulfillment_order_id, {})
            per_fo[candidate.line_id] = per_fo.get(candidate.line_id, 0) + take
            per_sku = skus.setdefault(candidate.location_id, {})
            per_sku[line.sku] = per_sku.get(line.sku, 0) + take
        if wanted:
            placed = line.quantity - wanted
            reason = "is not open on any fulfillment order" if placed == 0 else f"only {placed} still open"
            errors.append(
                RecordError(
                    shipment.erp_key,
                    f"lines[{index}].quantity",
                    f"SKU {line.sku!r}: {line.quantity} shipped, {reason}",
                    "NOT_FULFILLABLE",
                    "FulfillmentCreate",
                )
            )
    tracking = tracking_input(shipment.tracking)
    plans = []
    for location, by_fo in allocations.items():
        fulfillment: dict[str, Any] = {
            "lineItemsByFulfillmentOrder": [
                {
                    "fulfillmentOrderId": fo_id,
                    "fulfillmentOrderLineItems": [{"id": line_id, "quantity": qty} for line_id, qty in lines.items()],
                }
                for fo_id, lines in by_fo.items()
            ],
            "notifyCustomer": notify_customer,
        }
        if tracking:
            fulfillment["trackingInfo"] = tracking
        plans.append(FulfillmentPlan(location_id=location, fulfillment=fulfillment, skus=skus[location]))
    return plans, errors
