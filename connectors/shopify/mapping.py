"""Shopify nodes (the shapes our .graphql documents select) → the domain models in ``domain.models``.

Kept next to the documents because it depends on exactly what they select (``OrderFields``,
``CustomersUpdatedSince``, ``LocationInventoryLevels``, the *Bulk queries). Decisions:

- Amounts are the **shop currency** (``shopMoney``): the ERP books in the shop's currency, presentment
  amounts are what the buyer saw; a transaction keeps both (``presentmentMoney`` beside), an order its
  ``presentmentCurrencyCode``.
- A line's quantity is the ordered ``quantity``, not ``currentQuantity`` (less refunded units): a refund is
  an ERP credit document of its own (``refund_from_node``), so reading it into the order too would count it
  twice and turn every refunded order into a "conflict". (An order *edit* that removes units is not seen.)
- A line's ``tax_rate`` is the sum of its tax lines' rates as a fraction (0.21), as Shopify reports it.
- A guest order (no customer) still carries the buyer's email/phone/name so the ERP can match a customer.
- Connections may arrive as ``{nodes: […]}`` (paged queries) or as a plain list (bulk results re-assembled).

Bad data raises ``RecordError`` naming the order/customer and the field, never a bare ValidationError.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from connectors.shopify.errors import RecordError
from domain.models import Address, Customer, Order, OrderLine, Transaction
from domain.refunds import Refund, RefundLine

__all__ = [
    "ShopStock",
    "address_from_node",
    "customer_from_node",
    "line_from_node",
    "more_lines_cursor",
    "nodes_of",
    "order_from_node",
    "refund_from_node",
    "stock_from_level",
    "transaction_from_node",
]

M = TypeVar("M", bound=BaseModel)


def nodes_of(value: Any) -> list[dict[str, Any]]:
    """The items of a connection in either shape (``{nodes}``, ``{edges{node}}``, or a re-assembled list)."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if "nodes" in value:
        return list(value["nodes"] or [])
    return [edge["node"] for edge in value.get("edges") or []]


def _money(bag: Mapping[str, Any] | None) -> Decimal:
    if not bag:
        return Decimal("0")
    return Decimal(str(bag["shopMoney"]["amount"]))


def _currency(bag: Mapping[str, Any] | None) -> str | None:
    return bag["shopMoney"]["currencyCode"] if bag else None


def _presentment(bag: Mapping[str, Any] | None) -> tuple[Decimal | None, str | None]:
    """What the buyer paid in (``presentmentMoney``), when the document selected it."""
    money = (bag or {}).get("presentmentMoney")
    if not money:
        return None, None
    return Decimal(str(money["amount"])), money.get("currencyCode")


def _build(model: type[M], record: str, data: dict[str, Any]) -> M:
    try:
        return model(**data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or None
        raise RecordError(record, field, first["msg"], "INVALID_SHOP_DATA", f"map {model.__name__}") from None


def address_from_node(node: Mapping[str, Any] | None, record: str = "address") -> Address | None:
    if not node:
        return None
    return _build(
        Address,
        record,
        {
            "first_name": node.get("firstName"),
            "last_name": node.get("lastName"),
            "company": node.get("company"),
            "street": node.get("address1"),
            "street2": node.get("address2"),
            "city": node.get("city"),
            "zip": node.get("zip"),
            "country_code": node.get("countryCodeV2"),
            "phone": node.get("phone"),
        },
    )


def customer_from_node(node: Mapping[str, Any]) -> Customer:
    """A node of ``CustomersUpdatedSince`` / ``CustomersBulk`` (or an order's ``customer``)."""
    record = str(node.get("id"))
    address = address_from_node(node.get("defaultAddress"), record)
    return _build(
        Customer,
        record,
        {
            "shop_id": node.get("id"),
            "email": (node.get("defaultEmailAddress") or {}).get("emailAddress"),
            "phone": (node.get("defaultPhoneNumber") or {}).get("phoneNumber"),
            "first_name": node.get("firstName"),
            "last_name": node.get("lastName"),
            "addresses": [address] if address else [],
            "updated_at": node.get("updatedAt"),
        },
    )


def line_from_node(node: Mapping[str, Any], record: str) -> OrderLine:
    rates = [Decimal(str(t["rate"])) for t in node.get("taxLines") or () if t.get("rate") is not None]
    quantity = node.get("quantity")
    return _build(
        OrderLine,
        f"{record} line {node.get('id')}",
        {
            "shop_id": node.get("id"),
            "sku": node.get("sku") or None,
            "variant_id": (node.get("variant") or {}).get("id"),
            "title": node.get("title") or node.get("name") or "",
            "quantity": quantity,
            "unit_price": _money(node.get("originalUnitPriceSet")),
            "discount": _money(node.get("totalDiscountSet")),
            "tax_rate": sum(rates, Decimal("0")) if rates else None,
        },
    )


def transaction_from_node(node: Mapping[str, Any], order_id: str) -> Transaction:
    presentment_amount, presentment_currency = _presentment(node.get("amountSet"))
    return _build(
        Transaction,
        f"{order_id} transaction {node.get('id')}",
        {
            "shop_id": node.get("id"),
            "order_shop_id": order_id,
            "kind": node.get("kind"),
            "status": node.get("status"),
            "gateway": node.get("gateway"),
            "amount": _money(node.get("amountSet")),
            "currency": _currency(node.get("amountSet")),
            "presentment_amount": presentment_amount,
            "presentment_currency": presentment_currency,
            "processed_at": node.get("processedAt") or node.get("createdAt"),
        },
    )


def refund_from_node(
    node: Mapping[str, Any],
    order_id: str,
    order_name: str | None = None,
    order_currency: str | None = None,
    taxes_included: bool = False,
) -> Refund:
    """A ``RefundFields`` node of the order ``order_id`` (``order_currency`` when no amount names one).

    With ``taxes_included`` (the order's prices contain VAT) Shopify's subtotals contain the tax too; the
    refund's amounts are kept without it, so both kinds of shop give the same totals."""
    net = (lambda amount, tax: amount - tax) if taxes_included else (lambda amount, tax: amount)
    record = f"{order_name or order_id} refund {node.get('id')}"
    lines = [
        _build(
            RefundLine,
            record,
            {
                "line_shop_id": (line.get("lineItem") or {}).get("id"),
                "sku": (line.get("lineItem") or {}).get("sku") or None,
                "title": (line.get("lineItem") or {}).get("title") or "",
                "quantity": line.get("quantity"),
                "amount": net(_money(line.get("subtotalSet")), _money(line.get("totalTaxSet"))),
                "tax": _money(line.get("totalTaxSet")),
                "restock_type": line.get("restockType") or "NO_RESTOCK",
            },
        )
        for line in nodes_of(node.get("refundLineItems"))
    ]
    shipping = nodes_of(node.get("refundShippingLines"))
    bags = [
        *(line.get("subtotalSet") for line in nodes_of(node.get("refundLineItems"))),
        *(s.get("subtotalAmountSet") for s in shipping),
    ]
    transactions = [transaction_from_node(t, order_id) for t in nodes_of(node.get("transactions"))]
    currency = next((c for bag in bags if (c := _currency(bag))), None) or next(
        (t.currency for t in transactions), order_currency
    )
    return _build(
        Refund,
        record,
        {
            "shop_id": node.get("id"),
            "order_shop_id": order_id,
            "order_name": order_name,
            "processed_at": node.get("processedAt") or node.get("createdAt"),
            "currency": currency,
            "note": node.get("note"),
            "lines": lines,
            "shipping": sum(
                (net(_money(s.get("subtotalAmountSet")), _money(s.get("taxAmountSet"))) for s in shipping), Decimal("0")
            ),
            "shipping_tax": sum((_money(s.get("taxAmountSet")) for s in shipping), Decimal("0")),
            "adjustments": sum(
                (_money(a.get("amountSet")) for a in nodes_of(node.get("orderAdjustments"))), Decimal("0")
            ),
            "transactions": transactions,
        },
    )


def more_lines_cursor(node: Mapping[str, Any]) -> str | None:
    """The cursor to page the rest of an order's lines with ``OrderLineItems`` (None: all lines are here)."""
    items = node.get("lineItems")
    info = items.get("pageInfo") if isinstance(items, Mapping) else None
    return info["endCursor"] if info and info.get("hasNextPage") else None


def order_from_node(node: Mapping[str, Any], more_lines: Iterable[Mapping[str, Any]] = ()) -> Order:
    """An ``OrderFields`` node (or an ``OrdersBulk`` record); ``more_lines`` are pages fetched after
    ``more_lines_cursor``."""
    record = f"{node.get('name') or node.get('id')}"
    order_id = str(node.get("id"))
    customer_node = node.get("customer")
    billing = address_from_node(node.get("billingAddress"), record)
    if customer_node:
        customer = customer_from_node(customer_node)
    elif node.get("email") or node.get("phone"):  # a guest checkout: who bought is still known
        customer = _build(
            Customer,
            record,
            {
                "email": node.get("email"),
                "phone": node.get("phone"),
                "first_name": billing.first_name if billing else None,
                "last_name": billing.last_name if billing else None,
            },
        )
    else:
        customer = None
    lines = [line_from_node(n, record) for n in [*nodes_of(node.get("lineItems")), *more_lines]]
    return _build(
        Order,
        record,
        {
            "shop_id": order_id,
            "name": node.get("name"),
            "created_at": node.get("createdAt"),
            "updated_at": node.get("updatedAt"),
            "currency": _currency(node.get("totalPriceSet")) or node.get("currencyCode"),
            "presentment_currency": node.get("presentmentCurrencyCode"),
            "customer": customer,
            "billing_address": billing,
            "shipping_address": address_from_node(node.get("shippingAddress"), record),
            "lines": lines,
            "shipping_total": _money(node.get("totalShippingPriceSet")),
            "tax_total": _money(node.get("totalTaxSet")),
            "total": _money(node.get("totalPriceSet")),
            "financial_status": node.get("displayFinancialStatus"),
            "fulfillment_status": node.get("displayFulfillmentStatus"),
            "cancelled_at": node.get("cancelledAt"),
            "closed": bool(node.get("closed")),
            "tags": list(node.get("tags") or []),
            "transactions": [transaction_from_node(t, order_id) for t in node.get("transactions") or []],
            "note": node.get("note"),
            "test": bool(node.get("test")),
            "source_name": node.get("sourceName"),
        },
    )


@dataclass(frozen=True)
class ShopStock:
    """What the shop holds of one inventory item at one location (the "shop side" of the inventory diff)."""

    inventory_item_id: str
    location_id: str
    sku: str | None
    on_hand: int | None
    available: int | None


def stock_from_level(node: Mapping[str, Any], location_id: str) -> ShopStock:
    """A node of ``LocationInventoryLevels`` (or an ``inventoryLevels`` child in ``InventoryLevelsBulk``)."""
    quantities = {q["name"]: int(q["quantity"]) for q in node.get("quantities") or ()}
    item = node.get("item") or {}
    return ShopStock(
        inventory_item_id=str(item.get("id")),
        location_id=location_id,
        sku=item.get("sku") or None,
        on_hand=quantities.get("on_hand"),
        available=quantities.get("available"),
    )
