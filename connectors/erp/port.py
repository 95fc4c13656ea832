"""The ERP port: what every sync needs from an ERP, whatever stores it (SQL tables, Pohoda mServer, ...).

Why it looks like this:
- Storage-neutral: arguments and results are the domain models of ``domain.models`` (plus the two small
  models below), never SQLAlchemy rows or XML, so the flows and tasks run unchanged on every adapter.
- Listings that can be large (items, stock, order states) are keyset-paged with an opaque cursor; the flows
  keep the cursor, the adapter alone knows what is inside. ``Page.next_cursor`` None ends the listing.
- Writes the shop drives (sales orders, payments) are idempotent by the shop's id, because a task may be
  retried after the ERP committed but before the answer arrived. A second call returns the first result.
- Errors are the tree in :mod:`connectors.erp.errors`: bad data → ``RecordError`` (fail that record),
  unreachable → ``ErpUnavailable`` (retry).

- An ERP write and the sync state that records it form one :class:`UnitOfWork`: one transaction where the
  ERP's data shares the state store's database, ERP first and state after where it cannot.

An adapter subclasses :class:`ErpBackend` and implements every abstract method.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field

from connectors.erp.paging import iter_pages
from connectors.state import StateStore
from domain.models import (
    Category,
    Customer,
    Image,
    Order,
    OrderLine,
    OrderState,
    OrderStatusChange,
    Page,
    Party,
    Product,
    Shipment,
    StockLevel,
    Transaction,
    UtcDatetime,
)
from domain.refunds import Refund

__all__ = [
    "BookedPayment",
    "BookedRefund",
    "Cancellation",
    "ErpBackend",
    "Location",
    "SalesOrder",
    "SalesOrderState",
    "ShipmentOutcome",
    "UnitOfWork",
    "separate_transactions",
]


class Location(BaseModel):
    """An ERP warehouse (Pohoda "sklad"); the shop-side location it feeds is configuration, not ERP data."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    erp_key: str = Field(min_length=1)
    name: str = Field(min_length=1)


class SalesOrder(BaseModel):
    """An ERP sales order created from a shop order, as the ERP holds it now.

    ``lines_signature`` is :meth:`Order.lines_signature` of the order it was built from, so a flow can tell an
    edited shop order from the document already in the ERP (BC's "Line Items Redundancy Code").
    """

    model_config = ConfigDict(extra="forbid")

    erp_key: str = Field(min_length=1)
    shop_order_id: str = Field(min_length=1)
    shop_order_name: str | None = None
    customer_key: str | None = None
    currency: str
    total: Decimal
    shipping_total: Decimal = Decimal("0")
    lines_signature: str | None = None
    state: OrderState | None = None
    state_changed_at: UtcDatetime | None = None
    created_at: UtcDatetime
    lines: list[OrderLine] = Field(default_factory=list)


class BookedPayment(BaseModel):
    """A shop transaction the ERP booked as a payment (what ``record_payment`` wrote), for reconcile.

    ``amount``/``currency`` are None when the adapter does not keep them (POHODA's bookkeeping keeps ids only).
    """

    model_config = ConfigDict(extra="forbid")

    transaction_id: str = Field(min_length=1)
    order_erp_key: str = Field(min_length=1)
    amount: Decimal | None = None
    currency: str | None = None


class BookedRefund(BaseModel):
    """A shop refund the ERP booked as a credit document (what ``record_refund`` wrote), for reconcile.

    ``amount`` is the money paid back (its refund rows), None with ``currency`` when the adapter does not keep it;
    ``order_erp_key`` None when the document does not name the sales order by its ERP key.
    """

    model_config = ConfigDict(extra="forbid")

    refund_id: str = Field(min_length=1)
    order_erp_key: str | None = None
    amount: Decimal | None = None
    currency: str | None = None


class SalesOrderState(BaseModel):
    """Where the ERP sales order of a shop order stands (``state`` None: open), for reconcile."""

    model_config = ConfigDict(extra="forbid")

    shop_order_id: str = Field(min_length=1)
    erp_key: str = Field(min_length=1)
    state: OrderState | None = None
    state_changed_at: UtcDatetime | None = None


class Cancellation(BaseModel):
    """What ``cancel_sales_order`` did: cancelled (now or before), or left alone because the ERP has moved on.

    ``refused`` names what stops it (shipped, invoiced): such an order needs a person, who decides between a
    return, a credit note or nothing; the sync never undoes a shipment or an invoice on its own.
    """

    model_config = ConfigDict(extra="forbid")

    erp_key: str = Field(min_length=1)
    cancelled: bool
    already: bool = False
    refused: str | None = None


class ShipmentOutcome(BaseModel):
    """An ERP shipment of a shop order and what the shipment sync recorded about it (``state`` None: not yet)."""

    model_config = ConfigDict(extra="forbid")

    erp_key: str = Field(min_length=1)
    order_shop_id: str = Field(min_length=1)
    state: Literal["synced", "failed", "skipped"] | None = None
    fulfillment_ids: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class UnitOfWork:
    """ERP writes and the sync state that records them, committed together as far as the ERP allows.

    Write to the ERP through ``erp`` and pass ``conn`` as ``conn=`` to every state-store call of the unit::

        with res.erp.unit_of_work(res.state) as work:
            erp_key = work.erp.create_sales_order(order, customer_key)
            res.state.mark_order_done(shop, order.shop_id, erp_key, conn=work.conn)
    """

    erp: ErpBackend
    conn: sa.Connection


@contextmanager
def separate_transactions(erp: ErpBackend, state: StateStore) -> Iterator[UnitOfWork]:
    """The unit of work of an ERP that commits each write itself: the ERP writes commit as they are sent, the
    state writes together when the block ends (rolled back if it raises), so the state never records an ERP
    write that did not happen."""
    with state.begin() as conn:
        yield UnitOfWork(erp=erp, conn=conn)


class ErpBackend(abc.ABC):
    """One ERP, read and written by the syncs. Every method may raise ``ErpUnavailable``."""

    # ---- transactions -------------------------------------------------------------------------------------

    @abc.abstractmethod
    def unit_of_work(self, state: StateStore) -> AbstractContextManager[UnitOfWork]:
        """A block whose ERP writes and ``state`` writes commit together where this ERP allows it.

        Exactly-once rests on it, so every adapter decides: one whose data shares the state store's database
        commits both in one transaction (a crash leaves neither); one that cannot uses
        :func:`separate_transactions`, and a crash between the ERP's commit and the state's leaves an ERP
        record the state does not know. The port's writes are built for that gap: sales orders and payments
        are idempotent by the shop's id, customers are found again by email or phone, images are replaced at
        their position, and a shipment's outcome is kept by the ERP itself.
        """

    # ---- catalogue (ERP → shop) ---------------------------------------------------------------------------

    @abc.abstractmethod
    def list_products_changed(
        self, since: datetime | None, cursor: str | None, limit: int, *, until: datetime | None = None
    ) -> Page[Product]:
        """Items with ``since <= updated_at`` (and ``< until`` when given), ordered by ``(updated_at, erp_key)``.

        ``since`` None lists every item. Each product carries its variants with prices, category keys,
        parameters and supplier/producer keys. The cursor continues after the last item of the previous page,
        so items updated at the same instant are neither lost nor repeated across pages. An item the ERP holds
        that is no valid product (no variant, a negative price) is left out and named in ``Page.rejected``.
        """

    @abc.abstractmethod
    def get_products(self, erp_keys: Sequence[str]) -> list[Product]:
        """The items with these keys, ordered by key; unknown keys are left out (the caller compares).

        An item that is no valid product raises ``RecordError`` naming it.
        """

    @abc.abstractmethod
    def existing_item_keys(self, erp_keys: Sequence[str]) -> set[str]:
        """Which of these items the ERP still holds, active or not (a deleted item's shop product is archived).

        Cheap next to ``get_products``: keys only, and an item that is no valid product still counts.
        """

    @abc.abstractmethod
    def get_products_by_sku(self, skus: Sequence[str]) -> list[Product]:
        """The items owning any of these SKUs (each item once, with all its variants), ordered by key."""

    @abc.abstractmethod
    def item_keys_by_barcode(self, barcodes: Sequence[str]) -> dict[str, str]:
        """Barcode → key of the item one of whose variants carries it, for the barcodes the ERP knows."""

    @abc.abstractmethod
    def upsert_item(self, product: Product) -> str:
        """Create the item ``product.erp_key``, or write its fields (title, description, VAT, category links,
        variants with barcodes and prices) over the ERP's: the shop → ERP item import (``import_items``).

        Idempotent: writing the same product again changes nothing, so a run that died after this call may
        make it again. A variant SKU that belongs to another item is refused (``RecordError``). Returns the key.
        """

    @abc.abstractmethod
    def list_stock(
        self,
        skus: Sequence[str] | None = None,
        location_keys: Sequence[str] | None = None,
        cursor: str | None = None,
        limit: int = 1000,
    ) -> Page[StockLevel]:
        """Stock per SKU and location, ordered by ``(sku, location_key)``; ``None`` filters mean all.

        Invalid rows are left out and named in ``Page.rejected``.
        """

    @abc.abstractmethod
    def list_locations(self) -> list[Location]:
        """The ERP warehouses, ordered by key."""

    @abc.abstractmethod
    def list_categories(self) -> list[Category]:
        """The whole category tree (use :func:`domain.models.build_category_tree` to nest it)."""

    @abc.abstractmethod
    def list_parties(self) -> list[Party]:
        """Suppliers and producers, ordered by (kind, key)."""

    @abc.abstractmethod
    def list_item_images(self, item_keys: Sequence[str] | None = None) -> list[Image]:
        """Item images with their content, ordered by (item key, position); ``None`` = every item's."""

    @abc.abstractmethod
    def put_item_image(self, image: Image) -> None:
        """Create or replace the image at ``(image.item_key, image.position)``; unknown item → ``RecordError``."""

    # ---- customers (shop → ERP) ---------------------------------------------------------------------------

    @abc.abstractmethod
    def find_customer(self, email: str | None, phone: str | None) -> Customer | None:
        """The ERP customer with this email (case-insensitive), else with this phone (digits only, last 9).

        Email wins over phone, as in BC's "By EMail/Phone" mapping; with several matches the lowest key wins.
        """

    @abc.abstractmethod
    def upsert_customer(self, customer: Customer) -> str:
        """Create the customer (no ``erp_key``) or update the one with ``erp_key``; returns the ERP key."""

    # ---- sales orders (shop → ERP) ------------------------------------------------------------------------

    @abc.abstractmethod
    def create_sales_order(self, order: Order, customer_key: str | None) -> str:
        """Create the ERP sales order of a shop order and return its ERP key.

        Idempotent by ``order.shop_id``: a second call returns the first document's key and writes nothing.
        A line whose SKU is unknown raises ``UnknownSkuError`` (naming order and SKU) and nothing is written.
        Lines without a SKU (custom items) become text lines.
        """

    @abc.abstractmethod
    def get_sales_order_by_shop_id(self, shop_id: str) -> SalesOrder | None:
        """The sales order created from this shop order, or None."""

    @abc.abstractmethod
    def delete_sales_order(self, erp_key: str) -> bool:
        """Remove a (half-created) sales order; False when there was none. Refused once paid or shipped."""

    @abc.abstractmethod
    def cancel_sales_order(self, erp_key: str, reason: str) -> Cancellation:
        """Cancel a sales order the shop cancelled, unless the ERP shipped or invoiced it (then ``refused``).

        Idempotent: an order cancelled before, or no longer there (deleted by hand), answers ``already``.
        """

    @abc.abstractmethod
    def list_order_status_changes(
        self, since: datetime | None, cursor: str | None, limit: int
    ) -> Page[OrderStatusChange]:
        """Sales orders from the shop whose state (processed/transferred/cancelled) changed at or after ``since``.

        Ordered by ``(changed_at, erp_key)``; orders still open are not listed.
        """

    # ---- payments and shipments ---------------------------------------------------------------------------

    @abc.abstractmethod
    def record_payment(self, tx: Transaction, order_erp_key: str) -> bool:
        """Book a shop transaction against a sales order; False when ``tx.shop_id`` was booked already."""

    @abc.abstractmethod
    def record_refund(self, refund: Refund, order_erp_key: str) -> bool:
        """Book a shop refund as one ERP credit document against the sales order; False when booked already.

        Idempotent by ``refund.shop_id``: the document (goods with their restock type, shipping, adjustments)
        and the money paid back are written once. The sales order itself is never changed, and the sync writes
        no stock: the ERP receives restocked units when it processes its return, so nothing is counted twice.
        """

    @abc.abstractmethod
    def list_unsynced_shipments(self, limit: int) -> list[Shipment]:
        """Shipments of shop orders not yet sent to the shop and not failed, oldest first."""

    @abc.abstractmethod
    def mark_shipment_synced(self, erp_key: str, fulfillment_id: str | None, error: str | None) -> None:
        """Record the outcome of sending a shipment, so it is not listed again.

        ``fulfillment_id`` set: sent. ``error`` set: failed with that reason (not retried automatically, like
        BC's -1). Both None: nothing applicable to send (BC's -2).
        """

    # ---- reads for reconcile (optional: an adapter that cannot answer leaves the check out) ----------------

    def sales_order_keys(self, shop_ids: Sequence[str]) -> dict[str, str]:
        """``{shop order id: ERP key}`` for the shop orders that are ERP sales orders; others are absent.

        The default asks :meth:`get_sales_order_by_shop_id` once per id; adapters override it with one read.
        """
        found = {shop_id: self.get_sales_order_by_shop_id(shop_id) for shop_id in dict.fromkeys(shop_ids)}
        return {shop_id: order.erp_key for shop_id, order in found.items() if order is not None}

    def sales_order_states(self, shop_ids: Sequence[str]) -> list[SalesOrderState]:
        """The state of each of these shop orders' ERP sales orders, ordered by shop id; orders the ERP does not
        hold (never imported, or deleted when cancelled) are absent.

        The default asks :meth:`get_sales_order_by_shop_id` once per id; adapters override it with one read.
        """
        found = [self.get_sales_order_by_shop_id(shop_id) for shop_id in sorted(set(shop_ids))]
        return [
            SalesOrderState(
                shop_order_id=o.shop_order_id, erp_key=o.erp_key, state=o.state, state_changed_at=o.state_changed_at
            )
            for o in found
            if o is not None
        ]

    def list_refunds(self, refund_ids: Sequence[str]) -> list[BookedRefund]:
        """Which of these shop refunds the ERP booked as a credit document, ordered by refund id.

        Raises ``NotImplementedError`` when the adapter keeps no record it could answer from.
        """
        raise NotImplementedError(f"{type(self).__name__} cannot list booked refunds")

    def list_payments(self, order_erp_keys: Sequence[str]) -> list[BookedPayment]:
        """The payments booked against these sales orders, ordered by transaction id.

        Raises ``NotImplementedError`` when the adapter keeps no record it could answer from.
        """
        raise NotImplementedError(f"{type(self).__name__} cannot list booked payments")

    def list_shipment_outcomes(self, shop_order_ids: Sequence[str]) -> list[ShipmentOutcome]:
        """The ERP shipments of these shop orders with their sync outcome, ordered by ERP key.

        Raises ``NotImplementedError`` when the adapter cannot tell which shipments belong to an order.
        """
        raise NotImplementedError(f"{type(self).__name__} cannot list shipments by shop order")

    # ---- conveniences every adapter gets ------------------------------------------------------------------

    def iter_products_changed(
        self, since: datetime | None, limit: int, *, until: datetime | None = None
    ) -> Iterator[Page[Product]]:
        """Every page of :meth:`list_products_changed`."""
        return iter_pages(lambda cursor: self.list_products_changed(since, cursor, limit, until=until))

    def iter_stock(
        self, skus: Sequence[str] | None = None, location_keys: Sequence[str] | None = None, limit: int = 1000
    ) -> Iterator[Page[StockLevel]]:
        """Every page of :meth:`list_stock`."""
        return iter_pages(lambda cursor: self.list_stock(skus, location_keys, cursor, limit))

    def iter_order_status_changes(self, since: datetime | None, limit: int) -> Iterator[Page[OrderStatusChange]]:
        """Every page of :meth:`list_order_status_changes`."""
        return iter_pages(lambda cursor: self.list_order_status_changes(since, cursor, limit))
