"""``refundCreate`` (``@idempotent`` required in 2026-04) and the Refund type.

A refund records refunded line quantities (restocking ``available`` at the given location for RETURN/CANCEL),
refunded shipping (``shipping``: an amount, or ``fullRefund`` for what shipping is left) and REFUND
transactions; a line's ``currentQuantity`` drops by what was refunded. Order adjustments are always empty here
(real Shopify adds one where goods and money refunded differ); the order's financial status becomes
PARTIALLY_REFUNDED or REFUNDED. Refunding more than was received is refused unless ``allowOverRefunding``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .. import catalog_ops as ops
from .. import order_math as om
from .. import records as r
from ..context import connection, ctx, money_bag, user_error
from ..schema import resolver

_RESTOCKING = ("RETURN", "CANCEL", "LEGACY_RESTOCK")


def _refunded_quantity(state: Any, order: r.Order, line_id: int) -> int:
    return sum(
        line.quantity for rid in order.refund_ids for line in state.refunds[rid].lines if line.line_item_id == line_id
    )


def _check(state: Any, order: r.Order, data: dict) -> list[dict]:
    errors = []
    lines = {li.id: li for li in order.line_items}
    for i, item in enumerate(data.get("refundLineItems") or []):
        line = state.find(item["lineItemId"], "LineItem")
        if line is None or line.id not in lines:
            errors.append(user_error(["refundLineItems", i, "lineItemId"], "Line item does not belong to the order"))
            continue
        if item["quantity"] <= 0 or item["quantity"] > line.quantity - _refunded_quantity(state, order, line.id):
            errors.append(
                user_error(["refundLineItems", i, "quantity"], "Quantity cannot refund more items than were purchased")
            )
        if item.get("locationId") and state.find(item["locationId"], "Location") is None:
            errors.append(user_error(["refundLineItems", i, "locationId"], "Location does not exist"))
    refundable = om.received(order)
    total = Decimal("0")
    for i, tx in enumerate(data.get("transactions") or []):
        if tx["kind"] != "REFUND":
            errors.append(user_error(["transactions", i, "kind"], "Transaction kind must be REFUND"))
        if tx.get("parentId") and state.find(tx["parentId"], "OrderTransaction") is None:
            errors.append(user_error(["transactions", i, "parentId"], "Parent transaction does not exist"))
        if Decimal(tx["amount"]) <= 0:
            errors.append(user_error(["transactions", i, "amount"], "Amount must be greater than 0"))
        total += Decimal(tx["amount"])
    if total > refundable and not data.get("allowOverRefunding"):
        errors.append(
            user_error(["transactions"], f"Refund amount {total} is greater than the refundable amount {refundable}")
        )
    return errors


@resolver("Mutation", "refundCreate")
def refund_create(_: Any, info: Any, input: dict) -> dict:
    state = ctx(info).state
    order = state.find(input["orderId"], "Order")
    if order is None:
        return {"order": None, "refund": None, "userErrors": [user_error(["orderId"], "Order does not exist")]}
    errors = _check(state, order, input)
    if errors:
        return {"order": order, "refund": None, "userErrors": errors}
    now = state.now()
    refund = r.Refund(
        id=state.next_id("refunds"),
        order_id=order.id,
        created_at=now,
        updated_at=now,
        processed_at=input.get("processedAt") or now,
        note=input.get("note"),
    )
    for item in input.get("refundLineItems") or []:
        line = state.find(item["lineItemId"], "LineItem")
        location = state.find(item["locationId"], "Location") if item.get("locationId") else None
        restock = item.get("restockType") or "NO_RESTOCK"
        refund.lines.append(
            r.RefundLine(
                id=state.next_id("_refund_lines"),
                line_item_id=line.id,
                quantity=item["quantity"],
                restock_type=restock,
                location_id=location.id if location else None,
            )
        )
        variant = state.variants.get(line.variant_id) if line.variant_id else None
        if restock in _RESTOCKING and location is not None and variant is not None:
            item_rec = state.inventory_items[variant.inventory_item_id]
            level = ops.activate(state, item_rec, location)
            ops.set_quantity(state, level, "available", level.quantity("available") + item["quantity"])
    if shipping := _shipping_refunded(state, order, input.get("shipping")):
        refund.shipping_lines.append(r.RefundShippingLine(id=state.next_id("_refund_shipping"), subtotal=shipping))
    for tx_input in input.get("transactions") or []:
        tx = r.Transaction(
            id=state.next_id("transactions"),
            order_id=order.id,
            kind="REFUND",
            status="SUCCESS",
            amount=Decimal(tx_input["amount"]),
            currency=order.currency,
            processed_at=now,
            created_at=now,
            gateway=tx_input["gateway"],
            parent_id=(state.find(tx_input["parentId"], "OrderTransaction").id if tx_input.get("parentId") else None),
        )
        state.transactions[tx.id] = tx
        order.transactions.append(tx)
        refund.transaction_ids.append(tx.id)
    state.refunds[refund.id] = refund
    order.refund_ids.append(refund.id)
    if om.refunded(order) > 0:
        order.financial_status = "REFUNDED" if om.received(order) <= 0 else "PARTIALLY_REFUNDED"
    state.touch(order)
    return {"order": order, "refund": refund, "userErrors": []}


def _shipping_refunded(state: Any, order: r.Order, shipping: dict | None) -> Decimal:
    if not shipping:
        return Decimal("0")
    done = sum((s.subtotal for rid in order.refund_ids for s in state.refunds[rid].shipping_lines), Decimal("0"))
    left = max(order.shipping_total - done, Decimal("0"))
    return left if shipping.get("fullRefund") else min(Decimal(str(shipping.get("amount") or 0)), left)


@resolver("Order", "refunds")
def resolve_order_refunds(order: r.Order, info: Any, first: int | None = None) -> list[r.Refund]:
    state = ctx(info).state
    return [state.refunds[rid] for rid in order.refund_ids][:first]


@resolver("Refund", "order")
def resolve_refund_order(refund: r.Refund, info: Any) -> r.Order:
    return ctx(info).state.orders[refund.order_id]


@resolver("Refund", "totalRefundedSet")
def resolve_total_refunded(refund: r.Refund, info: Any) -> dict:
    state = ctx(info).state
    amount = sum((state.transactions[t].amount for t in refund.transaction_ids), Decimal("0"))
    order = state.orders[refund.order_id]
    return money_bag(amount, order.currency, order.presentment)


@resolver("Refund", "transactions")
def resolve_refund_transactions(refund: r.Refund, info: Any, **args: Any) -> Any:
    state = ctx(info).state
    return connection(info, [state.transactions[t] for t in refund.transaction_ids], args)


@resolver("Refund", "refundLineItems")
def resolve_refund_lines(refund: r.Refund, info: Any, **args: Any) -> Any:
    return connection(info, refund.lines, args)


def _refund_line_bag(info: Any, line: r.RefundLine, amount: Decimal) -> dict:
    state = ctx(info).state
    order = state.orders[state.line_items[line.line_item_id].order_id]
    return money_bag(amount, order.currency, order.presentment)


@resolver("Refund", "refundShippingLines")
def resolve_refund_shipping(refund: r.Refund, info: Any, **args: Any) -> Any:
    return connection(info, refund.shipping_lines, args)


@resolver("Refund", "orderAdjustments")
def resolve_order_adjustments(refund: r.Refund, info: Any, **args: Any) -> Any:
    return connection(info, [], args)


@resolver("RefundShippingLine", "subtotalAmountSet")
def resolve_refund_shipping_subtotal(line: r.RefundShippingLine, info: Any) -> dict:
    return money_bag(line.subtotal, *_shipping_currency(info, line))


@resolver("RefundShippingLine", "taxAmountSet")
def resolve_refund_shipping_tax(line: r.RefundShippingLine, info: Any) -> dict:
    return money_bag(line.tax, *_shipping_currency(info, line))


def _shipping_currency(info: Any, line: r.RefundShippingLine) -> tuple[str, tuple[str, Decimal] | None]:
    state = ctx(info).state
    refund = next(f for f in state.refunds.values() if line in f.shipping_lines)
    order = state.orders[refund.order_id]
    return order.currency, order.presentment


@resolver("RefundLineItem", "lineItem")
def resolve_refund_line_item(line: r.RefundLine, info: Any) -> r.LineItem:
    return ctx(info).state.line_items[line.line_item_id]


@resolver("RefundLineItem", "location")
def resolve_refund_line_location(line: r.RefundLine, info: Any) -> r.Location | None:
    return ctx(info).state.locations.get(line.location_id) if line.location_id else None


@resolver("RefundLineItem", "priceSet")
def resolve_refund_line_price(line: r.RefundLine, info: Any) -> dict:
    return _refund_line_bag(info, line, ctx(info).state.line_items[line.line_item_id].unit_price)


@resolver("RefundLineItem", "subtotalSet")
def resolve_refund_line_subtotal(line: r.RefundLine, info: Any) -> dict:
    item = ctx(info).state.line_items[line.line_item_id]
    return _refund_line_bag(info, line, item.unit_price * line.quantity)


@resolver("RefundLineItem", "totalTaxSet")
def resolve_refund_line_tax(line: r.RefundLine, info: Any) -> dict:
    state = ctx(info).state
    item = state.line_items[line.line_item_id]
    order = state.orders[item.order_id]
    tax = om.line_tax(item, order.taxes_included) * line.quantity / item.quantity if item.quantity else 0
    return _refund_line_bag(info, line, Decimal(tax).quantize(Decimal("0.01")))
