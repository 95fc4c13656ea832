"""``SqlErpBackend``: the ERP port over SQL tables (SQLite file or PostgreSQL), SQLAlchemy 2 Core.

The sync-state store lives in the same database by default, so an ERP write and the state that records it
commit in one transaction: :meth:`SqlErpBackend.unit_of_work` yields a backend joined to the state store's
transaction. Underneath, every method takes ``conn=``: a caller that passes its own connection gets the work
done inside its transaction and decides itself whether to commit; without one (and outside a unit of work),
reads use a plain connection and writes a transaction of their own, committed before the method returns.

Database exceptions leave here translated into the :mod:`connectors.erp.errors` tree, so tasks never import
SQLAlchemy to decide whether to retry.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlalchemy as sa

from connectors.erp.errors import ErpRefused, ErpUnavailable
from connectors.erp.paging import require_limit, require_utc
from connectors.erp.port import (
    BookedPayment,
    BookedRefund,
    Cancellation,
    ErpBackend,
    Location,
    SalesOrder,
    SalesOrderState,
    ShipmentOutcome,
    UnitOfWork,
    separate_transactions,
)
from connectors.erp.sql import catalog, customers, orders, refunds, shipments
from connectors.erp.sql.engine import make_engine
from connectors.erp.sql.tables import metadata
from connectors.state import StateStore
from domain.models import (
    Category,
    Customer,
    Image,
    Order,
    OrderStatusChange,
    Page,
    Party,
    Product,
    Shipment,
    StockLevel,
    Transaction,
)
from domain.refunds import Refund

__all__ = ["SqlErpBackend"]

_SCHEMA_MISSING = ("no such table", "no such column")


def _first_line(exc: sa.exc.DBAPIError) -> str:
    text = str(exc.orig) if exc.orig is not None else ""
    return text.strip().splitlines()[0] if text.strip() else type(exc.orig).__name__


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SqlErpBackend(ErpBackend):
    """An ERP whose data sits in the ``erp_*`` tables (or views) described in docs/erp-sql-schema.md."""

    def __init__(self, engine: sa.Engine, *, clock: Callable[[], datetime] = _utc_now) -> None:
        self.engine = engine
        self._clock = clock
        self._joined: sa.Connection | None = None
        """The unit of work's transaction that calls without ``conn=`` join (None: each commits alone)."""

    @classmethod
    def from_url(cls, url: str | sa.URL, **engine_kwargs: object) -> SqlErpBackend:
        """A backend on its own engine (SQLite pragmas applied); see :func:`default_sqlite_url`."""
        return cls(make_engine(url, **engine_kwargs))

    def __repr__(self) -> str:
        return f"SqlErpBackend({self.engine.url.render_as_string(hide_password=True)!r})"

    def create_schema(self) -> None:
        """Create the ``erp_*`` tables that do not exist yet (existing tables and views are left alone)."""
        with self._tx(None, write=True, operation="create_schema") as conn:
            metadata.create_all(conn, checkfirst=True)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def unit_of_work(self, state: StateStore) -> Iterator[UnitOfWork]:
        """One transaction for the ERP writes and the state writes when ``state`` runs on this backend's engine
        (``engine.resources`` builds it so unless the shop names a state database of its own); otherwise the
        ERP writes commit first and the state after, as on any ERP without a shared transaction."""
        if state.engine is not self.engine:
            with separate_transactions(self, state) as work:
                yield work
            return
        with state.begin() as conn:
            joined = copy.copy(self)
            joined._joined = conn
            yield UnitOfWork(erp=joined, conn=conn)

    @contextmanager
    def _tx(self, conn: sa.Connection | None, *, write: bool, operation: str) -> Iterator[sa.Connection]:
        conn = conn if conn is not None else self._joined
        try:
            if conn is not None:
                yield conn
            elif write:
                with self.engine.begin() as own:
                    yield own
            else:
                with self.engine.connect() as own:
                    yield own
        except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
            detail = _first_line(exc)
            if any(marker in detail for marker in _SCHEMA_MISSING):
                raise ErpRefused(f"ERP tables missing in {operation} (run create_schema?): {detail}") from exc
            raise ErpUnavailable(f"ERP database unavailable in {operation}: {detail}") from exc
        except sa.exc.DBAPIError as exc:
            if exc.connection_invalidated:
                raise ErpUnavailable(f"ERP database connection lost in {operation}") from exc
            raise ErpRefused(f"ERP database refused {operation}: {_first_line(exc)}") from exc

    # ---- catalogue ------------------------------------------------------------------------------------------

    def list_products_changed(
        self,
        since: datetime | None,
        cursor: str | None,
        limit: int,
        *,
        until: datetime | None = None,
        conn: sa.Connection | None = None,
    ) -> Page[Product]:
        since, until = require_utc("since", since), require_utc("until", until)
        with self._tx(conn, write=False, operation="list_products_changed") as c:
            return catalog.products_changed(c, since, until, cursor, require_limit(limit))

    def get_products(self, erp_keys: Sequence[str], *, conn: sa.Connection | None = None) -> list[Product]:
        with self._tx(conn, write=False, operation="get_products") as c:
            return catalog.products_by_keys(c, erp_keys)

    def existing_item_keys(self, erp_keys: Sequence[str], *, conn: sa.Connection | None = None) -> set[str]:
        with self._tx(conn, write=False, operation="existing_item_keys") as c:
            return catalog.existing_keys(c, erp_keys)

    def get_products_by_sku(self, skus: Sequence[str], *, conn: sa.Connection | None = None) -> list[Product]:
        with self._tx(conn, write=False, operation="get_products_by_sku") as c:
            return catalog.products_by_skus(c, skus)

    def item_keys_by_barcode(self, barcodes: Sequence[str], *, conn: sa.Connection | None = None) -> dict[str, str]:
        with self._tx(conn, write=False, operation="item_keys_by_barcode") as c:
            return catalog.item_keys_by_barcode(c, barcodes)

    def upsert_item(self, product: Product, *, conn: sa.Connection | None = None) -> str:
        with self._tx(conn, write=True, operation="upsert_item") as c:
            return catalog.upsert_item(c, product, self._clock())

    def list_stock(
        self,
        skus: Sequence[str] | None = None,
        location_keys: Sequence[str] | None = None,
        cursor: str | None = None,
        limit: int = 1000,
        *,
        conn: sa.Connection | None = None,
    ) -> Page[StockLevel]:
        with self._tx(conn, write=False, operation="list_stock") as c:
            return catalog.stock_page(c, skus, location_keys, cursor, require_limit(limit))

    def list_locations(self, *, conn: sa.Connection | None = None) -> list[Location]:
        with self._tx(conn, write=False, operation="list_locations") as c:
            return catalog.all_locations(c)

    def list_categories(self, *, conn: sa.Connection | None = None) -> list[Category]:
        with self._tx(conn, write=False, operation="list_categories") as c:
            return catalog.all_categories(c)

    def list_parties(self, *, conn: sa.Connection | None = None) -> list[Party]:
        with self._tx(conn, write=False, operation="list_parties") as c:
            return catalog.all_parties(c)

    def list_item_images(
        self, item_keys: Sequence[str] | None = None, *, conn: sa.Connection | None = None
    ) -> list[Image]:
        with self._tx(conn, write=False, operation="list_item_images") as c:
            return catalog.item_images(c, item_keys)

    def put_item_image(self, image: Image, *, conn: sa.Connection | None = None) -> None:
        with self._tx(conn, write=True, operation="put_item_image") as c:
            catalog.put_image(c, image, self._clock())

    # ---- customers ------------------------------------------------------------------------------------------

    def find_customer(
        self, email: str | None, phone: str | None, *, conn: sa.Connection | None = None
    ) -> Customer | None:
        with self._tx(conn, write=False, operation="find_customer") as c:
            return customers.find_customer(c, email, phone)

    def upsert_customer(self, customer: Customer, *, conn: sa.Connection | None = None) -> str:
        with self._tx(conn, write=True, operation="upsert_customer") as c:
            return customers.upsert_customer(c, customer, self._clock())

    # ---- sales orders, payments, order states ---------------------------------------------------------------

    def create_sales_order(self, order: Order, customer_key: str | None, *, conn: sa.Connection | None = None) -> str:
        with self._tx(conn, write=True, operation="create_sales_order") as c:
            return orders.create_sales_order(c, order, customer_key, self._clock())

    def get_sales_order_by_shop_id(self, shop_id: str, *, conn: sa.Connection | None = None) -> SalesOrder | None:
        with self._tx(conn, write=False, operation="get_sales_order_by_shop_id") as c:
            return orders.get_sales_order_by_shop_id(c, shop_id)

    def delete_sales_order(self, erp_key: str, *, conn: sa.Connection | None = None) -> bool:
        with self._tx(conn, write=True, operation="delete_sales_order") as c:
            return orders.delete_sales_order(c, erp_key)

    def cancel_sales_order(self, erp_key: str, reason: str, *, conn: sa.Connection | None = None) -> Cancellation:
        with self._tx(conn, write=True, operation="cancel_sales_order") as c:
            return orders.cancel_sales_order(c, erp_key, reason, self._clock())

    def list_order_status_changes(
        self, since: datetime | None, cursor: str | None, limit: int, *, conn: sa.Connection | None = None
    ) -> Page[OrderStatusChange]:
        since = require_utc("since", since)
        with self._tx(conn, write=False, operation="list_order_status_changes") as c:
            return orders.status_changes(c, since, cursor, require_limit(limit))

    def record_payment(self, tx: Transaction, order_erp_key: str, *, conn: sa.Connection | None = None) -> bool:
        with self._tx(conn, write=True, operation="record_payment") as c:
            return orders.record_payment(c, tx, order_erp_key, self._clock())

    def record_refund(self, refund: Refund, order_erp_key: str, *, conn: sa.Connection | None = None) -> bool:
        with self._tx(conn, write=True, operation="record_refund") as c:
            return refunds.record_refund(c, refund, order_erp_key, self._clock())

    def sales_order_keys(self, shop_ids: Sequence[str], *, conn: sa.Connection | None = None) -> dict[str, str]:
        with self._tx(conn, write=False, operation="sales_order_keys") as c:
            return orders.sales_order_keys(c, shop_ids)

    def sales_order_states(
        self, shop_ids: Sequence[str], *, conn: sa.Connection | None = None
    ) -> list[SalesOrderState]:
        with self._tx(conn, write=False, operation="sales_order_states") as c:
            return orders.sales_order_states(c, shop_ids)

    def list_refunds(self, refund_ids: Sequence[str], *, conn: sa.Connection | None = None) -> list[BookedRefund]:
        with self._tx(conn, write=False, operation="list_refunds") as c:
            return refunds.booked_refunds(c, refund_ids)

    def list_payments(self, order_erp_keys: Sequence[str], *, conn: sa.Connection | None = None) -> list[BookedPayment]:
        with self._tx(conn, write=False, operation="list_payments") as c:
            return orders.booked_payments(c, order_erp_keys)

    # ---- shipments ------------------------------------------------------------------------------------------

    def list_unsynced_shipments(self, limit: int, *, conn: sa.Connection | None = None) -> list[Shipment]:
        with self._tx(conn, write=False, operation="list_unsynced_shipments") as c:
            return shipments.unsynced_shipments(c, require_limit(limit))

    def mark_shipment_synced(
        self, erp_key: str, fulfillment_id: str | None, error: str | None, *, conn: sa.Connection | None = None
    ) -> None:
        with self._tx(conn, write=True, operation="mark_shipment_synced") as c:
            shipments.mark_shipment(c, erp_key, fulfillment_id, error, self._clock())

    def list_shipment_outcomes(
        self, shop_order_ids: Sequence[str], *, conn: sa.Connection | None = None
    ) -> list[ShipmentOutcome]:
        with self._tx(conn, write=False, operation="list_shipment_outcomes") as c:
            return shipments.shipment_outcomes(c, shop_order_ids)
