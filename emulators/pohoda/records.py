"""What the emulated accounting unit holds, one dataclass per POHODA agenda we emulate.

Every record has POHODA's integer ``id`` (one sequence per agenda, never reused) and ``changed_at`` (aware UTC),
the moment ``lastChanges`` filters compare against. Amounts are ``Decimal``; quantities on stock cards are
``Decimal`` too because POHODA keeps fractional stock (2.5 kg).

Why a stock card per (store, code): in POHODA a card lives in one store (sklad, the root of its
``stk:storage`` path); the same code in three stores is three cards, each with its own quantity. A product
with variants is one card per variant SKU; the cards of one product share the user parameter ``VPrItemKey``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass
class ExtId:
    """``typ:extIdType``: the id a foreign system gave the record, and that system's name."""

    ids: str
    system: str

    def key(self) -> tuple[str, str]:
        return (self.ids, self.system)


@dataclass
class Store:
    id: int
    name: str  # ≤10, what typ:store/typ:ids and the root of stk:storage refer to
    text: str
    changed_at: datetime


@dataclass
class Category:
    id: int
    name: str
    parent_id: int | None
    sequence: int
    changed_at: datetime
    description: str | None = None
    displayed: bool = True


@dataclass
class IntParam:
    """An internet-parameter definition; ``listValue`` ones carry their allowed values (variant options)."""

    id: int
    name: str
    parameter_type: str  # textValue | numberValue | listValue | …
    unit: str | None = None
    values: list[str] = field(default_factory=list)


@dataclass
class IntParamValue:
    param_id: int
    value: str
    order: int = 1


@dataclass
class Picture:
    id: int
    filepath: str  # file name only; the bytes live in the documents folder under ``Obrázky/``
    description: str
    default: bool
    order: int


@dataclass
class Component:
    """A card a package or set is made of (``stk:stockDetail/stk:stockItem``): ``quantity`` per package."""

    card_id: int
    quantity: Decimal


@dataclass
class StockCard:
    """A stock card. A ``package``/``set`` ("komplet"/"sada") keeps no quantity of its own: POHODA exports it
    without ``stk:count`` and lists its ``components`` instead (real: ``soukupm2__acc-sync/…/zasoby_03_…``)."""

    id: int
    store_id: int
    code: str
    name: str
    changed_at: datetime
    storage: str  # "Členění skladu" path; its first segment is the store name
    stock_type: str = "card"
    ext_id: ExtId | None = None
    ean: str | None = None
    plu: int | None = None
    name_complement: str | None = None
    unit: str = "ks"
    is_sales: bool = True
    is_internet: bool = True
    selling_rate_vat: str = "high"
    type_price: str = "SK"
    purchasing_price: Decimal = Decimal("0")
    selling_price: Decimal = Decimal("0")
    selling_price_vat: bool = True
    mass: Decimal | None = None
    count: Decimal = Decimal("0")
    supplier_id: int | None = None  # address-book id
    producer: str | None = None
    availability: str | None = None
    description: str | None = None
    description2: str | None = None
    note: str | None = None
    prices: dict[str, Decimal] = field(default_factory=dict)  # price level name → price (stockPriceItem)
    category_ids: list[int] = field(default_factory=list)
    int_params: list[IntParamValue] = field(default_factory=list)
    user_params: dict[str, str] = field(default_factory=dict)  # stk:parameters (VPr… → text)
    pictures: list[Picture] = field(default_factory=list)
    related_ids: list[int] = field(default_factory=list)
    components: list[Component] = field(default_factory=list)

    @property
    def is_package(self) -> bool:
        return self.stock_type in ("package", "set")


@dataclass
class Address:
    """``typ:addressType``/``typ:shipToAddressType`` fields we keep (names as in the XSD)."""

    company: str | None = None
    name: str | None = None
    city: str | None = None
    street: str | None = None
    zip: str | None = None
    ico: str | None = None
    dic: str | None = None
    country: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass
class AddressBookEntry:
    id: int
    address: Address
    changed_at: datetime
    number: str | None = None  # "Číslo" of the record: our party / customer key
    ext_id: ExtId | None = None
    email: str | None = None
    phone: str | None = None
    mobil: str | None = None
    note: str | None = None
    ship_to: list[Address] = field(default_factory=list)


@dataclass
class DocLink:
    """A document linked to another one (``typ:link``): the agenda and number of the other side."""

    agenda: str  # typ:agendaType: receivedOrder, issuedInvoice, issueSlip, …
    id: int
    number: str


@dataclass
class OrderItem:
    id: int
    text: str
    quantity: Decimal
    unit_price: Decimal
    pay_vat: bool
    rate_vat: str
    delivered: Decimal = Decimal("0")
    unit: str | None = None
    code: str | None = None
    discount_percentage: Decimal = Decimal("0")
    stock_card_id: int | None = None
    store_id: int | None = None
    ext_id: str | None = None
    note: str | None = None


@dataclass
class Order:
    id: int
    number: str
    order_type: str
    date: date
    changed_at: datetime
    created_at: datetime
    items: list[OrderItem]
    ext_id: ExtId | None = None
    number_order: str | None = None
    text: str | None = None
    partner: Address | None = None
    partner_id: int | None = None
    ship_to: Address | None = None
    payment_type: str | None = None
    carrier: str | None = None
    note: str | None = None
    int_note: str | None = None
    is_reserved: bool = False
    is_executed: bool = False
    cancelled_on: date | None = None
    links: list[DocLink] = field(default_factory=list)

    @property
    def is_delivered(self) -> bool:
        stock_items = [i for i in self.items if i.stock_card_id is not None]
        return bool(stock_items) and all(i.delivered >= i.quantity for i in stock_items)

    @property
    def is_open(self) -> bool:
        return not self.is_executed and self.cancelled_on is None


@dataclass
class InvoiceItem:
    id: int
    text: str
    quantity: Decimal
    unit_price: Decimal
    pay_vat: bool = False
    rate_vat: str = "none"
    code: str | None = None
    stock_card_id: int | None = None
    ext_id: str | None = None


@dataclass
class Invoice:
    """An invoice made from an order (``make_invoice``), or one imported (``inv:invoice``: a credit note)."""

    id: int
    number: str
    invoice_type: str
    date: date
    changed_at: datetime
    order_id: int | None
    total: Decimal
    ext_id: ExtId | None = None
    number_order: str | None = None
    sym_var: str | None = None
    text: str | None = None
    partner_id: int | None = None
    currency: str | None = None
    items: list[InvoiceItem] = field(default_factory=list)


@dataclass
class DeliveryNoteItem:
    id: int
    text: str
    quantity: Decimal
    code: str | None
    stock_card_id: int | None
    store_id: int | None
    order_item_id: int | None
    unit_price: Decimal = Decimal("0")


@dataclass
class DeliveryNote:
    """Výdejka (issue slip): goods leaving a store; created from a received order for a shipment."""

    id: int
    number: str
    date: date
    changed_at: datetime
    items: list[DeliveryNoteItem]
    order_id: int | None = None
    number_order: str | None = None
    partner: Address | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None
    text: str | None = None


@dataclass
class Payment:
    """A bank or cash receipt (``bnk:bank`` / ``vch:voucher`` of type receipt)."""

    id: int
    agenda: str  # "bank" | "cash"
    number: str
    kind: str  # receipt | expense
    date: date
    amount: Decimal
    changed_at: datetime
    ext_id: ExtId | None = None
    sym_var: str | None = None
    text: str | None = None
    order_id: int | None = None  # order whose number / numberOrder the reference names
    partner: Address | None = None
    account: str | None = None  # bnk:account / vch:cashAccount short name (the bank account, or a clearing one)
    currency: str | None = None  # a foreign-currency document's currency (``amount`` is then in it); None: home
