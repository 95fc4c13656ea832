"""Domain models shared by every layer: what an ERP and a shop exchange, independent of either protocol.

Why these rules:
- Money is ``Decimal`` (never float): ERP totals must add up to the cent after thousands of lines.
- Datetimes are timezone-aware UTC inside the system; naive values are refused because a naive time in a
  cursor is the classic source of records lost at a DST boundary. Shop zones are applied only at the edges.
- Identifiers: ``shop_id`` is a Shopify GID (``gid://shopify/Order/1``), ``erp_key`` the ERP's own key
  (item code, order number). Mapping between them lives in the state store, not in these models.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Generic, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

__all__ = [
    "Address",
    "Category",
    "GIFT_CARD_GATEWAY",
    "Customer",
    "FinancialStatus",
    "FulfillmentStatus",
    "Image",
    "Order",
    "OrderLine",
    "OrderState",
    "OrderStatusChange",
    "Page",
    "Parameter",
    "Party",
    "PartyKind",
    "Product",
    "Shipment",
    "ShipmentLine",
    "StockLevel",
    "Tracking",
    "Transaction",
    "TransactionKind",
    "TransactionStatus",
    "UtcDatetime",
    "Variant",
    "build_category_tree",
    "phone_digits",
]


def _to_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError("datetime must be timezone-aware (naive datetimes are ambiguous)")
    return value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_to_utc)]
"""An aware datetime normalised to UTC; naive input is a validation error."""

Money = Annotated[Decimal, Field(max_digits=18, decimal_places=4)]
Quantity = Annotated[Decimal, Field(max_digits=18, decimal_places=4)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


def phone_digits(phone: str | None) -> str:
    """Digits of a phone number, for matching ``+420 777 123 456`` with ``777123456``.

    Matching uses the last 9 digits so a national number matches its international form.
    """
    digits = re.sub(r"\D", "", phone or "")
    return digits[-9:] if len(digits) > 9 else digits


class _Model(BaseModel):
    model_config = ConfigDict(frozen=False, extra="forbid", str_strip_whitespace=True)


class Address(_Model):
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    street: str | None = None
    street2: str | None = None
    city: str | None = None
    zip: str | None = None
    country_code: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    phone: str | None = None


class Parameter(_Model):
    """A named item parameter (Pohoda "parametr", Shopify metafield)."""

    name: str = Field(min_length=1)
    value: str
    unit: str | None = None


class PartyKind(StrEnum):
    SUPPLIER = "supplier"
    PRODUCER = "producer"


class Party(_Model):
    """A supplier or producer (manufacturer); a producer becomes the Shopify product's vendor."""

    erp_key: str = Field(min_length=1)
    name: str = Field(min_length=1)
    kind: PartyKind


class Category(_Model):
    """One node of the ERP category tree; ``parent_key`` None marks a root."""

    erp_key: str = Field(min_length=1)
    name: str = Field(min_length=1)
    parent_key: str | None = None
    position: int = 0


def build_category_tree(categories: list[Category]) -> dict[str | None, list[Category]]:
    """Children by parent key (``None`` = roots), each list in display order.

    Raises ``ValueError`` naming the category when a parent is unknown or the tree has a cycle, because a
    collection hierarchy built from a broken tree would silently drop branches.
    """
    by_key = {c.erp_key: c for c in categories}
    children: dict[str | None, list[Category]] = {}
    for cat in categories:
        if cat.parent_key is not None and cat.parent_key not in by_key:
            raise ValueError(f"category {cat.erp_key!r}: parent_key {cat.parent_key!r} does not exist")
        children.setdefault(cat.parent_key, []).append(cat)
    for cat in categories:
        seen: set[str] = set()
        node: Category | None = cat
        while node is not None:
            if node.erp_key in seen:
                raise ValueError(f"category {cat.erp_key!r}: parent_key forms a cycle")
            seen.add(node.erp_key)
            node = by_key.get(node.parent_key) if node.parent_key else None
    for kids in children.values():
        kids.sort(key=lambda c: (c.position, c.erp_key))
    return children


class Variant(_Model):
    sku: str = Field(min_length=1, max_length=255)
    barcode: str | None = None
    title: str | None = None
    options: dict[str, str] = Field(default_factory=dict)
    price: Money
    compare_at_price: Money | None = None
    shop_id: str | None = None

    @field_validator("price", "compare_at_price")
    @classmethod
    def _not_negative(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and value < 0:
            raise ValueError("price must not be negative")
        return value


class Product(_Model):
    """An ERP item (stock card) with its variants; a single-variant item has one variant with its own SKU."""

    erp_key: str = Field(min_length=1)
    title: str = Field(min_length=1)
    description: str | None = None
    vendor: str | None = None
    supplier_key: str | None = None
    producer_key: str | None = None
    category_keys: list[str] = Field(default_factory=list)
    parameters: list[Parameter] = Field(default_factory=list)
    vat_rate: Decimal | None = None
    active: bool = True
    variants: list[Variant] = Field(min_length=1)
    updated_at: UtcDatetime | None = None

    @model_validator(mode="after")
    def _unique_skus(self) -> Product:
        skus = [v.sku for v in self.variants]
        dupes = sorted({s for s in skus if skus.count(s) > 1})
        if dupes:
            raise ValueError(f"product {self.erp_key!r}: duplicate variant sku {dupes[0]!r}")
        return self


class StockLevel(_Model):
    """ERP stock of one SKU at one ERP location (quantity may be fractional in the ERP)."""

    sku: str = Field(min_length=1)
    location_key: str = Field(min_length=1)
    quantity: Quantity
    updated_at: UtcDatetime | None = None

    def shop_quantity(self) -> int:
        """What the shop may sell: integer floor, never below zero (a shop cannot hold 2.5 or -3 units)."""
        return max(0, int(self.quantity // 1))


class Customer(_Model):
    shop_id: str | None = None
    erp_key: str | None = None
    email: str | None = None
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    addresses: list[Address] = Field(default_factory=list)
    updated_at: UtcDatetime | None = None

    @field_validator("email")
    @classmethod
    def _email_shape(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise ValueError(f"not an email address: {value!r}")
        return value

    @property
    def email_key(self) -> str | None:
        """Case-insensitive match key: shops and ERPs disagree on the case of the same address."""
        return self.email.casefold() if self.email else None

    @property
    def phone_key(self) -> str:
        return phone_digits(self.phone)


class FinancialStatus(StrEnum):
    PENDING = "PENDING"
    AUTHORIZED = "AUTHORIZED"
    PARTIALLY_PAID = "PARTIALLY_PAID"
    PAID = "PAID"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"
    REFUNDED = "REFUNDED"
    VOIDED = "VOIDED"
    EXPIRED = "EXPIRED"


class FulfillmentStatus(StrEnum):
    UNFULFILLED = "UNFULFILLED"
    PARTIALLY_FULFILLED = "PARTIALLY_FULFILLED"
    FULFILLED = "FULFILLED"
    ON_HOLD = "ON_HOLD"
    IN_PROGRESS = "IN_PROGRESS"
    SCHEDULED = "SCHEDULED"
    RESTOCKED = "RESTOCKED"
    OPEN = "OPEN"
    PENDING_FULFILLMENT = "PENDING_FULFILLMENT"
    REQUEST_DECLINED = "REQUEST_DECLINED"


class TransactionKind(StrEnum):
    AUTHORIZATION = "AUTHORIZATION"
    CAPTURE = "CAPTURE"
    SALE = "SALE"
    REFUND = "REFUND"
    VOID = "VOID"
    CHANGE = "CHANGE"
    SUGGESTED_REFUND = "SUGGESTED_REFUND"
    EMV_AUTHORIZATION = "EMV_AUTHORIZATION"


class TransactionStatus(StrEnum):
    SUCCESS = "SUCCESS"
    PENDING = "PENDING"
    FAILURE = "FAILURE"
    ERROR = "ERROR"
    AWAITING_RESPONSE = "AWAITING_RESPONSE"
    UNKNOWN = "UNKNOWN"


GIFT_CARD_GATEWAY = "gift_card"


class Transaction(_Model):
    """A shop order transaction; becomes an ERP payment, idempotent by ``shop_id``.

    ``amount``/``currency`` are the shop currency (``shopMoney``): what the ERP books, as every other amount of
    the order is in it. ``presentment_amount``/``presentment_currency`` are what the buyer paid in
    (``presentmentMoney``), kept beside it; None when the shop does not say (then it is the shop currency).
    """

    shop_id: str = Field(min_length=1)
    order_shop_id: str = Field(min_length=1)
    kind: TransactionKind
    status: TransactionStatus
    gateway: str | None = None
    amount: Money
    currency: Currency
    presentment_amount: Money | None = None
    presentment_currency: Currency | None = None
    processed_at: UtcDatetime

    @property
    def in_other_currency(self) -> bool:
        """The buyer paid in another currency than the shop books in (a multi-currency checkout)."""
        return self.presentment_currency is not None and self.presentment_currency != self.currency

    @property
    def is_gift_card(self) -> bool:
        """Paid with a shop gift card (gateway ``gift_card``): the money came in when the card was sold, so the
        ERP books the redemption as its own kind (``erp_payments.method``, a POHODA account of its own), never as
        cash or a bank receipt."""
        return (self.gateway or "").casefold() == GIFT_CARD_GATEWAY

    @property
    def is_money_in(self) -> bool:
        """A successful sale or capture: what the ERP books as a received payment."""
        return self.status is TransactionStatus.SUCCESS and self.kind in (
            TransactionKind.SALE,
            TransactionKind.CAPTURE,
        )


class OrderLine(_Model):
    shop_id: str | None = None
    sku: str | None = None
    variant_id: str | None = None  # the shop variant ordered (None: deleted since, or a custom line)
    title: str
    quantity: int = Field(ge=0)
    unit_price: Money
    discount: Money = Decimal("0")
    tax_rate: Decimal | None = None

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity - self.discount


class Order(_Model):
    shop_id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    created_at: UtcDatetime
    updated_at: UtcDatetime
    currency: Currency  # the shop currency: every amount of the order is in it
    presentment_currency: Currency | None = None  # what the buyer saw and paid in (Order.presentmentCurrencyCode)
    customer: Customer | None = None
    billing_address: Address | None = None
    shipping_address: Address | None = None
    lines: list[OrderLine] = Field(default_factory=list)
    shipping_total: Money = Decimal("0")
    tax_total: Money = Decimal("0")
    total: Money
    financial_status: FinancialStatus | None = None
    fulfillment_status: FulfillmentStatus | None = None
    cancelled_at: UtcDatetime | None = None
    closed: bool = False
    tags: list[str] = Field(default_factory=list)
    transactions: list[Transaction] = Field(default_factory=list)
    note: str | None = None
    test: bool = False  # placed with Shopify's test gateway
    source_name: str | None = None  # the sales channel (Order.sourceName: web, pos, an app's name)

    def lines_signature(self) -> str:
        """Hash of what the ERP document is built from (line ids, SKUs, quantities, prices, shipping).

        An edit to an order already turned into an ERP sales order changes this; BC's connector calls the
        equivalent its "Line Items Redundancy Code" and flags a conflict instead of re-applying.
        """
        parts = sorted(
            f"{line.shop_id}|{line.sku}|{line.quantity}|{line.unit_price}|{line.discount}" for line in self.lines
        )
        parts.append(f"shipping|{self.shipping_total}")
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()


class OrderState(StrEnum):
    """ERP-side order state that the shop should reflect."""

    PROCESSED = "processed"  # Pohoda "Vyřízeno": executed → close the shop order
    TRANSFERRED = "transferred"  # Pohoda "Přeneseno": turned into an invoice → tag the shop order
    CANCELLED = "cancelled"  # storno → cancel the shop order


class OrderStatusChange(_Model):
    order_shop_id: str = Field(min_length=1)
    erp_key: str = Field(min_length=1)
    state: OrderState
    changed_at: UtcDatetime


class Tracking(_Model):
    company: str | None = None
    number: str | None = None
    url: str | None = None


class ShipmentLine(_Model):
    sku: str = Field(min_length=1)
    quantity: int = Field(gt=0)
    order_line_shop_id: str | None = None


class Shipment(_Model):
    """An ERP shipment (delivery note) of a shop order; becomes Shopify fulfillments."""

    erp_key: str = Field(min_length=1)
    order_shop_id: str = Field(min_length=1)
    location_key: str | None = None
    lines: list[ShipmentLine] = Field(min_length=1)
    tracking: Tracking | None = None
    shipped_at: UtcDatetime


class Image(_Model):
    """An item image: bytes we hold, or a URL we can fetch, identified by a SHA-256 of its content."""

    item_key: str = Field(min_length=1)
    position: int = 0
    filename: str | None = None
    content: bytes | None = Field(default=None, repr=False)
    url: str | None = None
    content_hash: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    mime_type: str | None = None

    @model_validator(mode="after")
    def _content_or_url(self) -> Image:
        if self.content is None and self.url is None:
            raise ValueError(f"image of item {self.item_key!r}: needs content or url")
        if self.content is not None:
            digest = hashlib.sha256(self.content).hexdigest()
            if self.content_hash is not None and self.content_hash != digest:
                raise ValueError(f"image of item {self.item_key!r}: content_hash does not match content")
            self.content_hash = digest
        return self


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a paged listing; ``next_cursor`` None means it was the last page.

    ``rejected`` names the source records of this page that could not become models (each message names the
    record and the field); the listing went on past them, so one bad record does not hold up the rest.
    """

    items: list[T]
    next_cursor: str | None = None
    rejected: list[str] = Field(default_factory=list)
