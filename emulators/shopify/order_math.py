"""Derived order values (payments received, outstanding, fulfillment status, tax lines), computed from the
stored facts so they can never disagree with the transactions and fulfillment orders behind them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from . import records as r

ZERO = Decimal("0")
MONEY_IN = ("SALE", "CAPTURE")


def received(order: r.Order) -> Decimal:
    paid = sum((t.amount for t in order.transactions if t.status == "SUCCESS" and t.kind in MONEY_IN), ZERO)
    return paid - refunded(order)


def refunded(order: r.Order) -> Decimal:
    return sum((t.amount for t in order.transactions if t.status == "SUCCESS" and t.kind == "REFUND"), ZERO)


def outstanding(order: r.Order) -> Decimal:
    if order.cancelled_at is not None:
        return ZERO
    return max(order.total - received(order) - refunded(order), ZERO)


def subtotal(order: r.Order) -> Decimal:
    return sum((line_total(li) for li in order.line_items), ZERO)


def discounts(order: r.Order) -> Decimal:
    return sum((li.discount for li in order.line_items), ZERO)


def line_total(line: r.LineItem) -> Decimal:
    return line.unit_price * line.quantity - line.discount


def rate_fraction(rate: Decimal | None) -> Decimal | None:
    """Tax rates arrive as fractions (0.21) or percentages (21); Shopify's ``rate`` is the fraction."""
    if rate is None:
        return None
    return rate / 100 if rate > 1 else rate


def line_tax(line: r.LineItem, taxes_included: bool) -> Decimal:
    rate = rate_fraction(line.tax_rate)
    if not rate:
        return ZERO
    base = line_total(line)
    tax = base * rate / (1 + rate) if taxes_included else base * rate
    return tax.quantize(Decimal("0.01"))


def tax_lines(order: r.Order) -> list[tuple[Decimal | None, Decimal]]:
    """(rate, amount) per distinct rate; one rate-less line carries a tax total given without line rates."""
    by_rate: dict[Decimal, Decimal] = {}
    for line in order.line_items:
        rate = rate_fraction(line.tax_rate)
        if rate:
            by_rate[rate] = by_rate.get(rate, ZERO) + line_tax(line, order.taxes_included)
    if not by_rate and order.tax_total:
        return [(None, order.tax_total)]
    return sorted(by_rate.items())


def display_fulfillment_status(state: Any, order: r.Order) -> str:
    if order.fulfillment_status_override:
        return order.fulfillment_status_override
    lines = [
        line
        for fo_id in order.fulfillment_order_ids
        if state.fulfillment_orders[fo_id].status not in ("CANCELLED",)
        for line in state.fulfillment_orders[fo_id].lines
    ]
    total = sum(line.total_quantity for line in lines)
    remaining = sum(line.remaining_quantity for line in lines)
    if total == 0:
        return "FULFILLED" if order.fulfillment_ids else "UNFULFILLED"
    if remaining == 0:
        return "FULFILLED"
    return "UNFULFILLED" if remaining == total else "PARTIALLY_FULFILLED"


def unfulfilled_quantity(state: Any, line: r.LineItem) -> int:
    order = state.orders[line.order_id]
    return sum(
        fo_line.remaining_quantity
        for fo_id in order.fulfillment_order_ids
        if state.fulfillment_orders[fo_id].status not in ("CANCELLED", "CLOSED")
        for fo_line in state.fulfillment_orders[fo_id].lines
        if fo_line.line_item_id == line.id
    )


def order_status_matches(order: r.Order, wanted: str) -> bool:
    """Shopify's ``status:`` search on orders: open, closed, cancelled, any."""
    wanted = wanted.lower()
    if wanted == "any":
        return True
    if wanted == "cancelled":
        return order.cancelled_at is not None
    if wanted == "closed":
        return order.closed_at is not None
    if wanted == "open":
        return order.closed_at is None and order.cancelled_at is None
    return False
