"""The emulator's stored records: plain dataclasses, snake_case twins of the GraphQL fields they back.

A field the GraphQL schema names ``updatedAt`` is read from the attribute ``updated_at`` by the default
resolver, so most fields need no code. Each record knows its GraphQL type (``GQL_TYPE``), which gives its GID
and answers interface type resolution (``Node``, ``Media``, ``HasMetafields``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from .gids import gid


@dataclass(eq=False)
class Record:
    GQL_TYPE = ""
    id: int

    @property
    def gid(self) -> str:
        return gid(self.GQL_TYPE, self.id)

    @property
    def legacy_resource_id(self) -> str:
        return str(self.id)


@dataclass(eq=False)
class Location(Record):
    GQL_TYPE = "Location"
    name: str
    created_at: datetime
    updated_at: datetime
    address: dict = field(default_factory=dict)
    key: str | None = None  # the ERP location key it was seeded from (matches StockLevel.location_key)
    is_active: bool = True
    fulfills_online_orders: bool = True
    ships_inventory: bool = True


@dataclass(eq=False)
class ProductOption(Record):
    GQL_TYPE = "ProductOption"
    name: str
    position: int
    values: list[str] = field(default_factory=list)


@dataclass(eq=False)
class Product(Record):
    GQL_TYPE = "Product"
    title: str
    handle: str
    created_at: datetime
    updated_at: datetime
    description_html: str = ""
    vendor: str = ""
    product_type: str = ""
    status: str = "ACTIVE"
    tags: list[str] = field(default_factory=list)
    template_suffix: str | None = None
    published_at: datetime | None = None
    options: list[ProductOption] = field(default_factory=list)
    variant_ids: list[int] = field(default_factory=list)
    media_ids: list[int] = field(default_factory=list)
    publications: dict[int, datetime] = field(default_factory=dict)  # publication id → publish date


@dataclass(eq=False)
class Variant(Record):
    GQL_TYPE = "ProductVariant"
    product_id: int
    title: str
    price: Decimal
    inventory_item_id: int
    created_at: datetime
    updated_at: datetime
    sku: str | None = None
    barcode: str | None = None
    compare_at_price: Decimal | None = None
    position: int = 1
    taxable: bool = True
    inventory_policy: str = "DENY"
    option_values: list[tuple[str, str]] = field(default_factory=list)
    media_ids: list[int] = field(default_factory=list)


@dataclass(eq=False)
class InventoryItem(Record):
    GQL_TYPE = "InventoryItem"
    variant_id: int
    created_at: datetime
    updated_at: datetime
    tracked: bool = True
    requires_shipping: bool = True
    unit_cost: Decimal | None = None


# Quantity names an inventory level holds besides ``available``; ``on_hand`` is their sum with available.
HELD_STATES = ("committed", "reserved", "damaged", "safety_stock", "quality_control")
QUANTITY_NAMES = ("available", "on_hand", "incoming", *HELD_STATES)


@dataclass(eq=False)
class InventoryLevel(Record):
    GQL_TYPE = "InventoryLevel"
    item_id: int
    location_id: int
    created_at: datetime
    updated_at: datetime
    quantities: dict[str, int] = field(default_factory=dict)
    is_active: bool = True

    @property
    def gid(self) -> str:
        return f"{gid('InventoryLevel', self.id)}?inventory_item_id={self.item_id}"

    def quantity(self, name: str) -> int:
        if name == "on_hand":
            return self.quantities.get("available", 0) + sum(self.quantities.get(s, 0) for s in HELD_STATES)
        return self.quantities.get(name, 0)


@dataclass(eq=False)
class Collection(Record):
    GQL_TYPE = "Collection"
    title: str
    handle: str
    created_at: datetime
    updated_at: datetime
    description_html: str = ""
    sort_order: str = "MANUAL"
    template_suffix: str | None = None
    product_ids: list[int] = field(default_factory=list)
    publications: dict[int, datetime] = field(default_factory=dict)  # publication id → publish date


@dataclass(eq=False)
class Metafield(Record):
    GQL_TYPE = "Metafield"
    owner_type: str
    owner_id: int
    namespace: str
    key: str
    type: str
    value: str
    created_at: datetime
    updated_at: datetime


@dataclass(eq=False)
class MediaImage(Record):
    GQL_TYPE = "MediaImage"
    created_at: datetime
    updated_at: datetime
    alt: str | None = None
    source_url: str | None = None
    upload_key: str | None = None
    filename: str | None = None
    mime_type: str | None = None
    file_size: int | None = None
    status: str = "READY"
    product_ids: list[int] = field(default_factory=list)
    # asynchronous processing (``mutations.media.observe_status``): reads and time left, sources processed so far
    reads_left: int = 0
    ready_at: datetime | None = None
    attempts: int = 0


@dataclass(eq=False)
class AppCatalog(Record):
    """The catalog of a sales channel; its ``title`` is the channel's name ("Online Store")."""

    GQL_TYPE = "AppCatalog"
    title: str
    status: str = "ACTIVE"


@dataclass(eq=False)
class Publication(Record):
    """A sales channel's publication: the products and collections published to it are held on them
    (``Product.publications``), since a record is published or not per publication."""

    GQL_TYPE = "Publication"
    catalog: AppCatalog
    auto_publish: bool = False
    supports_future_publishing: bool = False

    @property
    def name(self) -> str:
        return self.catalog.title


@dataclass(eq=False)
class Address(Record):
    GQL_TYPE = "MailingAddress"
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    zip: str | None = None
    country_code: str | None = None
    province_code: str | None = None
    phone: str | None = None


@dataclass(eq=False)
class Customer(Record):
    GQL_TYPE = "Customer"
    created_at: datetime
    updated_at: datetime
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    note: str | None = None
    tags: list[str] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    tax_exempt: bool = False
    verified_email: bool = True
    state: str = "DISABLED"
    locale: str = "en"


@dataclass(eq=False)
class LineItem(Record):
    GQL_TYPE = "LineItem"
    order_id: int
    title: str
    quantity: int
    unit_price: Decimal
    discount: Decimal = Decimal("0")
    tax_rate: Decimal | None = None
    sku: str | None = None
    variant_title: str | None = None
    variant_id: int | None = None
    product_id: int | None = None
    vendor: str | None = None
    requires_shipping: bool = True
    taxable: bool = True


@dataclass(eq=False)
class Transaction(Record):
    GQL_TYPE = "OrderTransaction"
    order_id: int
    kind: str
    status: str
    amount: Decimal
    currency: str
    processed_at: datetime
    created_at: datetime
    gateway: str | None = None
    presentment_amount: Decimal | None = None  # in the order's presentment currency, as the checkout took it
    parent_id: int | None = None
    payment_id: str | None = None
    error_code: str | None = None
    test: bool = False


@dataclass(eq=False)
class Order(Record):
    GQL_TYPE = "Order"
    number: int
    name: str
    currency: str
    created_at: datetime
    updated_at: datetime
    processed_at: datetime
    total: Decimal
    customer_id: int | None = None
    email: str | None = None
    phone: str | None = None
    billing_address: Address | None = None
    shipping_address: Address | None = None
    line_items: list[LineItem] = field(default_factory=list)
    shipping_title: str | None = None
    shipping_total: Decimal = Decimal("0")
    tax_total: Decimal = Decimal("0")
    financial_status: str | None = "PENDING"
    fulfillment_status_override: str | None = None
    closed_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    tags: list[str] = field(default_factory=list)
    note: str | None = None
    transactions: list[Transaction] = field(default_factory=list)
    fulfillment_order_ids: list[int] = field(default_factory=list)
    fulfillment_ids: list[int] = field(default_factory=list)
    refund_ids: list[int] = field(default_factory=list)
    test: bool = False
    confirmed: bool = True
    taxes_included: bool = False
    source_name: str | None = "web"
    presentment_currency: str | None = None  # the buyer's currency at checkout, when not the shop currency
    presentment_rate: Decimal | None = None  # presentment units per shop unit, fixed at checkout

    @property
    def presentment(self) -> tuple[str, Decimal] | None:
        """(currency, rate) of a multi-currency order, for ``context.money_bag``; None: the shop currency."""
        if self.presentment_currency is None or self.presentment_rate is None:
            return None
        return self.presentment_currency, self.presentment_rate

    @property
    def closed(self) -> bool:
        return self.closed_at is not None


@dataclass(eq=False)
class FulfillmentOrderLine(Record):
    GQL_TYPE = "FulfillmentOrderLineItem"
    line_item_id: int
    total_quantity: int
    remaining_quantity: int


@dataclass(eq=False)
class FulfillmentOrder(Record):
    GQL_TYPE = "FulfillmentOrder"
    order_id: int
    location_id: int
    created_at: datetime
    updated_at: datetime
    lines: list[FulfillmentOrderLine] = field(default_factory=list)
    status: str = "OPEN"
    request_status: str = "UNSUBMITTED"
    fulfillment_ids: list[int] = field(default_factory=list)
    fulfill_at: datetime | None = None


@dataclass(eq=False)
class FulfillmentLine(Record):
    GQL_TYPE = "FulfillmentLineItem"
    line_item_id: int
    quantity: int


@dataclass(eq=False)
class Fulfillment(Record):
    GQL_TYPE = "Fulfillment"
    order_id: int
    location_id: int
    name: str
    created_at: datetime
    updated_at: datetime
    status: str = "SUCCESS"
    tracking: list[dict] = field(default_factory=list)
    lines: list[FulfillmentLine] = field(default_factory=list)
    fulfillment_order_ids: list[int] = field(default_factory=list)


@dataclass(eq=False)
class RefundLine(Record):
    GQL_TYPE = "RefundLineItem"
    line_item_id: int
    quantity: int
    restock_type: str = "NO_RESTOCK"
    location_id: int | None = None

    @property
    def restocked(self) -> bool:
        return self.restock_type != "NO_RESTOCK" and self.location_id is not None


@dataclass(eq=False)
class RefundShippingLine(Record):
    GQL_TYPE = "RefundShippingLine"
    subtotal: Decimal
    tax: Decimal = Decimal("0")


@dataclass(eq=False)
class Refund(Record):
    GQL_TYPE = "Refund"
    order_id: int
    created_at: datetime
    updated_at: datetime
    processed_at: datetime
    note: str | None = None
    lines: list[RefundLine] = field(default_factory=list)
    transaction_ids: list[int] = field(default_factory=list)
    shipping_lines: list[RefundShippingLine] = field(default_factory=list)


@dataclass(eq=False)
class BulkOperation(Record):
    GQL_TYPE = "BulkOperation"
    query: str
    created_at: datetime
    base_url: str
    type: str = "QUERY"
    status: str = "CREATED"
    error_code: str | None = None
    completed_at: datetime | None = None
    jsonl: bytes = b""
    partial_jsonl: bytes | None = None
    object_count: int = 0
    root_object_count: int = 0
    polls: int = 0
    outcome: str = "COMPLETED"

    @property
    def file_size(self) -> str | None:
        return str(len(self.jsonl)) if self.status == "COMPLETED" else None
