"""Read side of orders: the order, its line items, transactions, money sets and search fields."""

from __future__ import annotations

from typing import Any

from .. import order_math as om
from .. import records as r
from ..access import visible
from ..context import by_id, connection, count_matching, ctx, money, money_bag, time_key
from ..schema import resolver
from ..search import Field, Term, custom, dt, num, text

_FULFILLMENT_SEARCH = {
    "shipped": {"FULFILLED"},
    "fulfilled": {"FULFILLED"},
    "partial": {"PARTIALLY_FULFILLED"},
    "unshipped": {"UNFULFILLED"},
    "unfulfilled": {"UNFULFILLED", "PARTIALLY_FULFILLED"},
}


def order_fields(state: Any) -> dict[str, Field]:
    def fulfillment(order: r.Order, term: Term) -> bool:
        if term.value.lower() == "any":
            return True
        wanted = _FULFILLMENT_SEARCH.get(term.value.lower(), {term.value.upper()})
        return om.display_fulfillment_status(state, order) in wanted

    return {
        "id": num(by_id),
        "name": text(lambda o: [o.name, o.name.lstrip("#")]),
        "email": text(lambda o: o.email),
        "updated_at": dt(lambda o: o.updated_at),
        "created_at": dt(lambda o: o.created_at),
        "processed_at": dt(lambda o: o.processed_at),
        "status": custom(lambda o, term: any(om.order_status_matches(o, v) for v in term.value.split(","))),
        "financial_status": text(lambda o: o.financial_status),
        "fulfillment_status": custom(fulfillment),
        "tag": text(lambda o: o.tags),
        "sku": text(lambda o: [li.sku for li in o.line_items]),
        "customer_id": num(lambda o: o.customer_id),
        "test": text(lambda o: str(o.test).lower()),
    }


ORDER_SORTS = {
    "ID": by_id,
    "UPDATED_AT": lambda o: time_key(o.updated_at),
    "CREATED_AT": lambda o: time_key(o.created_at),
    "PROCESSED_AT": lambda o: time_key(o.processed_at),
    "ORDER_NUMBER": lambda o: o.number,
    "TOTAL_PRICE": lambda o: float(o.total),
    "CURRENT_TOTAL_PRICE": lambda o: float(o.total),
    "FINANCIAL_STATUS": lambda o: o.financial_status or "",
}
_ORDER_TEXT = [lambda o: o.name, lambda o: o.email]


def _orders(info: Any) -> list[r.Order]:
    """The orders this app may see (``access.visible``: 60 days without ``read_all_orders``)."""
    return [o for o in ctx(info).state.orders.values() if visible(info, o)]


@resolver("QueryRoot", "orders")
def resolve_orders(_: Any, info: Any, **args: Any) -> Any:
    state = ctx(info).state
    return connection(
        info, _orders(info), args, sorts=ORDER_SORTS, fields=order_fields(state), default_text=_ORDER_TEXT
    )


@resolver("QueryRoot", "ordersCount")
def resolve_orders_count(_: Any, info: Any, **args: Any) -> dict:
    return count_matching(_orders(info), args, order_fields(ctx(info).state), _ORDER_TEXT)


@resolver("QueryRoot", "order")
def resolve_order(_: Any, info: Any, id: str) -> r.Order | None:
    found = ctx(info).state.find(id, "Order")
    return found if found is not None and visible(info, found) else None


# ---- Order ------------------------------------------------------------------------------------------------


def _bag(order: r.Order, amount: Any) -> dict | None:
    return money_bag(amount, order.currency, order.presentment)


_MONEY_FIELDS = {
    "totalPriceSet": lambda o: o.total,
    "currentTotalPriceSet": lambda o: o.total,
    "subtotalPriceSet": om.subtotal,
    "totalTaxSet": lambda o: o.tax_total,
    "totalShippingPriceSet": lambda o: o.shipping_total,
    "totalDiscountsSet": om.discounts,
    "totalOutstandingSet": om.outstanding,
    "totalReceivedSet": om.received,
    "totalRefundedSet": om.refunded,
}


def _money_resolver(compute: Any) -> Any:
    return lambda order, info: _bag(order, compute(order))


for _field, _compute in _MONEY_FIELDS.items():
    resolver("Order", _field)(_money_resolver(_compute))


@resolver("Order", "currencyCode")
def resolve_currency(order: r.Order, info: Any) -> str:
    return order.currency


@resolver("Order", "presentmentCurrencyCode")
def resolve_presentment_currency(order: r.Order, info: Any) -> str:
    return order.presentment_currency or order.currency


@resolver("Order", "displayFinancialStatus")
def resolve_financial_status(order: r.Order, info: Any) -> str | None:
    return order.financial_status


@resolver("Order", "displayFulfillmentStatus")
def resolve_fulfillment_status(order: r.Order, info: Any) -> str:
    return om.display_fulfillment_status(ctx(info).state, order)


@resolver("Order", "fullyPaid")
def resolve_fully_paid(order: r.Order, info: Any) -> bool:
    return om.outstanding(order) == 0 and om.received(order) > 0


@resolver("Order", "unpaid")
def resolve_unpaid(order: r.Order, info: Any) -> bool:
    return om.received(order) <= 0


@resolver("Order", "canMarkAsPaid")
def resolve_can_mark_as_paid(order: r.Order, info: Any) -> bool:
    return can_mark_as_paid(order)


def can_mark_as_paid(order: r.Order) -> bool:
    return (
        order.cancelled_at is None
        and om.outstanding(order) > 0
        and order.financial_status in ("PENDING", "PARTIALLY_PAID", "AUTHORIZED", None)
    )


@resolver("Order", "customer")
def resolve_order_customer(order: r.Order, info: Any) -> r.Customer | None:
    return ctx(info).state.customers.get(order.customer_id) if order.customer_id else None


@resolver("Order", "lineItems")
def resolve_line_items(order: r.Order, info: Any, **args: Any) -> Any:
    return connection(info, order.line_items, args)


@resolver("Order", "shippingLine")
def resolve_shipping_line(order: r.Order, info: Any) -> dict | None:
    if order.shipping_title is None and not order.shipping_total:
        return None
    title = order.shipping_title or "Shipping"
    bag = _bag(order, order.shipping_total)
    return {
        "id": f"gid://shopify/ShippingLine/{order.id}",
        "title": title,
        "code": title,
        "source": "shopify",
        "originalPriceSet": bag,
        "discountedPriceSet": bag,
        "taxLines": [],
    }


def _tax_line(order: r.Order, rate: Any, amount: Any) -> dict:
    return {
        "title": "VAT" if rate is not None else "Tax",
        "rate": float(rate) if rate is not None else None,
        "ratePercentage": float(rate * 100) if rate is not None else None,
        "priceSet": _bag(order, amount),
    }


@resolver("Order", "taxLines")
def resolve_order_tax_lines(order: r.Order, info: Any) -> list[dict]:
    return [_tax_line(order, rate, amount) for rate, amount in om.tax_lines(order)]


@resolver("Order", "transactions")
def resolve_transactions(
    order: r.Order,
    info: Any,
    first: int | None = None,
    capturable: bool | None = None,
    manuallyResolvable: bool | None = None,
) -> list[r.Transaction]:
    found = order.transactions
    if capturable:
        captured = {t.parent_id for t in found if t.kind == "CAPTURE" and t.status == "SUCCESS"}
        found = [t for t in found if t.kind == "AUTHORIZATION" and t.status == "SUCCESS" and t.id not in captured]
    return found[:first] if first is not None else found


@resolver("Order", "fulfillmentOrders")
def resolve_order_fulfillment_orders(order: r.Order, info: Any, **args: Any) -> Any:
    from .fulfillment import FULFILLMENT_ORDER_FIELDS

    state = ctx(info).state
    found = [state.fulfillment_orders[i] for i in order.fulfillment_order_ids]
    return connection(info, found, args, fields=FULFILLMENT_ORDER_FIELDS)


@resolver("Order", "fulfillments")
def resolve_order_fulfillments(
    order: r.Order, info: Any, first: int | None = None, query: str | None = None
) -> list[r.Fulfillment]:
    state = ctx(info).state
    found = [state.fulfillments[i] for i in order.fulfillment_ids]
    return found[:first] if first is not None else found


@resolver("Order", "paymentGatewayNames")
def resolve_gateways(order: r.Order, info: Any) -> list[str]:
    return list(dict.fromkeys(t.gateway for t in order.transactions if t.gateway))


@resolver("Order", "subtotalLineItemsQuantity")
def resolve_items_quantity(order: r.Order, info: Any) -> int:
    return sum(li.quantity for li in order.line_items)


@resolver("Order", "requiresShipping")
def resolve_requires_shipping(order: r.Order, info: Any) -> bool:
    return any(li.requires_shipping for li in order.line_items)


# ---- LineItem ---------------------------------------------------------------------------------------------


def _line_bag(info: Any, line: r.LineItem, amount: Any) -> dict | None:
    return _bag(ctx(info).state.orders[line.order_id], amount)


@resolver("LineItem", "name")
def resolve_line_name(line: r.LineItem, info: Any) -> str:
    return f"{line.title} - {line.variant_title}" if line.variant_title else line.title


@resolver("LineItem", "currentQuantity")
def resolve_current_quantity(line: r.LineItem, info: Any) -> int:
    """Ordered units less refunded ones, as Shopify counts it (the sync must not read it as the ERP quantity)."""
    state = ctx(info).state
    order = state.orders[line.order_id]
    refunded = sum(
        x.quantity for rid in order.refund_ids for x in state.refunds[rid].lines if x.line_item_id == line.id
    )
    return line.quantity - refunded


@resolver("LineItem", "unfulfilledQuantity")
def resolve_unfulfilled(line: r.LineItem, info: Any) -> int:
    return om.unfulfilled_quantity(ctx(info).state, line)


@resolver("LineItem", "variant")
def resolve_line_variant(line: r.LineItem, info: Any) -> r.Variant | None:
    return ctx(info).state.variants.get(line.variant_id) if line.variant_id else None


@resolver("LineItem", "product")
def resolve_line_product(line: r.LineItem, info: Any) -> r.Product | None:
    return ctx(info).state.products.get(line.product_id) if line.product_id else None


_LINE_MONEY = {
    "originalUnitPriceSet": lambda li: li.unit_price,
    "discountedUnitPriceSet": lambda li: (
        (om.line_total(li) / li.quantity).quantize(li.unit_price) if li.quantity else li.unit_price
    ),
    "originalTotalSet": lambda li: li.unit_price * li.quantity,
    "discountedTotalSet": om.line_total,
    "totalDiscountSet": lambda li: li.discount,
}


def _line_money_resolver(compute: Any) -> Any:
    return lambda line, info, **_: _line_bag(info, line, compute(line))


for _field, _compute in _LINE_MONEY.items():
    resolver("LineItem", _field)(_line_money_resolver(_compute))


@resolver("LineItem", "taxLines")
def resolve_line_tax_lines(line: r.LineItem, info: Any, first: int | None = None) -> list[dict]:
    order = ctx(info).state.orders[line.order_id]
    rate = om.rate_fraction(line.tax_rate)
    if not rate:
        return []
    return [_tax_line(order, rate, om.line_tax(line, order.taxes_included))][:first]


# ---- OrderTransaction -------------------------------------------------------------------------------------


@resolver("OrderTransaction", "amountSet")
def resolve_amount(tx: r.Transaction, info: Any) -> dict | None:
    """The amount in the shop currency and in the order's presentment currency (the transaction's own, when
    the checkout recorded one)."""
    order = ctx(info).state.orders.get(tx.order_id)
    bag = money_bag(tx.amount, tx.currency, order.presentment if order else None)
    if bag is not None and tx.presentment_amount is not None and order is not None and order.presentment:
        bag["presentmentMoney"] = money(tx.presentment_amount, order.presentment[0])
    return bag


@resolver("OrderTransaction", "parentTransaction")
def resolve_parent(tx: r.Transaction, info: Any) -> r.Transaction | None:
    return ctx(info).state.transactions.get(tx.parent_id) if tx.parent_id else None


@resolver("OrderTransaction", "order")
def resolve_tx_order(tx: r.Transaction, info: Any) -> r.Order | None:
    return ctx(info).state.orders.get(tx.order_id)


@resolver("OrderTransaction", "formattedGateway")
def resolve_formatted_gateway(tx: r.Transaction, info: Any) -> str | None:
    return tx.gateway.replace("_", " ").title() if tx.gateway else None


@resolver("OrderTransaction", "manualPaymentGateway")
def resolve_manual_gateway(tx: r.Transaction, info: Any) -> bool:
    return (tx.gateway or "").lower() in ("manual", "cash on delivery (cod)", "bank deposit")
