"""``PohodaErpBackend``: the ERP port over STORMWARE POHODA's mServer, with a local state store beside it.

Each concern has a module of its own (``catalog``, ``stock``, ``customers``, ``orders``, ``order_states``,
``shipments``, ``images``, ``directory``); this class only builds them over one :class:`MServer` and one
:class:`LocalState`, checks arguments, and turns POHODA's errors into the port's (``errors.erp_errors``).

Before its first write the adapter asks mServer which accounting unit it serves and refuses to write into
another IČO or fiscal year (``MServerClient.check_company``), so nothing reaches the wrong books.

Build it with :meth:`from_config` (what ``blocks.PohodaMServer.backend()`` does) or from a client you made::

    backend = PohodaErpBackend(MServerClient(url, user, password, application="commerce-sync",
                                             company_ico="12345678"),
                               LocalState.from_url("sqlite:///state.db", scope="12345678"))
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime

import httpx
from pydantic import SecretStr

from connectors.erp.paging import require_limit, require_utc
from connectors.erp.pohoda import directory
from connectors.erp.pohoda.cancellations import cancel_received_order
from connectors.erp.pohoda.cards import product_key
from connectors.erp.pohoda.catalog import INDEX_PARTS, Cards
from connectors.erp.pohoda.customers import Customers
from connectors.erp.pohoda.documents import DocumentStore
from connectors.erp.pohoda.errors import erp_errors
from connectors.erp.pohoda.health import MServerHealth, check_mserver
from connectors.erp.pohoda.images import Images
from connectors.erp.pohoda.item_import import ItemImport
from connectors.erp.pohoda.local_state import LocalState
from connectors.erp.pohoda.mserver import MServer
from connectors.erp.pohoda.order_states import OrderStates
from connectors.erp.pohoda.orders import Orders
from connectors.erp.pohoda.refunds import Refunds
from connectors.erp.pohoda.settings import PohodaSettings
from connectors.erp.pohoda.shipments import Shipments
from connectors.erp.pohoda.stock import Stock
from connectors.erp.port import (
    BookedPayment,
    BookedRefund,
    Cancellation,
    ErpBackend,
    Location,
    SalesOrder,
    UnitOfWork,
    separate_transactions,
)
from connectors.pohoda.client import MServerClient
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

__all__ = ["PohodaErpBackend"]


class PohodaErpBackend(ErpBackend):
    """One POHODA accounting unit behind mServer, read and written by the syncs."""

    def __init__(
        self,
        client: MServerClient,
        local: LocalState,
        *,
        documents: DocumentStore | None = None,
        settings: PohodaSettings | None = None,
    ) -> None:
        self.settings = settings or PohodaSettings()
        self.mserver = MServer(client, pack_size=self.settings.pack_size)
        self.local = local
        self.documents = documents
        s = self.settings
        self._cards = Cards(self.mserver, local, s.catalog, page_size=s.page_size)
        self._stock = Stock(self.mserver, self._cards, local, basis=s.stock_basis)
        self._customers = Customers(self.mserver, local, ex_system=s.ex_system_name, page_size=s.page_size)
        self._orders = Orders(self.mserver, local, self._cards, self._customers, s)
        self._states = OrderStates(self.mserver, local, self._orders, s)
        self._shipments = Shipments(self.mserver, local, self._orders, s)
        self._refunds = Refunds(self.mserver, local, self._orders, s)
        self._images = Images(self.mserver, self._cards, documents)
        self._import = ItemImport(self.mserver, self._cards, s)

    @classmethod
    def from_config(
        cls,
        *,
        url: str,
        user: str,
        password: SecretStr | str,
        company_ico: str,
        state_url: str,
        application: str = "commerce-sync",
        fiscal_year: int | None = None,
        documents: DocumentStore | None = None,
        settings: PohodaSettings | None = None,
        http: httpx.Client | None = None,
    ) -> PohodaErpBackend:
        """A backend on a new mServer client and the local state at ``state_url`` (tables created)."""
        client = MServerClient(
            url, user, password, application=application, company_ico=company_ico, fiscal_year=fiscal_year, http=http
        )
        return cls(
            client, LocalState.from_url(state_url, scope=client.company_ico), documents=documents, settings=settings
        )

    def __repr__(self) -> str:
        return f"PohodaErpBackend({self.mserver.client!r})"

    def mserver_health(self) -> MServerHealth:
        """mServer's status, accounting unit, program version and response time; never raises."""
        return check_mserver(self.mserver)

    def close(self) -> None:
        self.mserver.close()
        self.local.close()

    def unit_of_work(self, state: StateStore) -> AbstractContextManager[UnitOfWork]:
        """No transaction spans mServer and the state store: mServer commits each data pack it imports, so the
        ERP write commits first and the state when the block ends."""
        return separate_transactions(self, state)

    # ---- catalogue ------------------------------------------------------------------------------------------

    def list_products_changed(
        self, since: datetime | None, cursor: str | None, limit: int, *, until: datetime | None = None
    ) -> Page[Product]:
        since, until = require_utc("since", since), require_utc("until", until)
        with erp_errors("list_products_changed"):
            return self._cards.changed_page(since, until, cursor, require_limit(limit))

    def get_products(self, erp_keys: Sequence[str]) -> list[Product]:
        with erp_errors("get_products"):
            assembled = self._cards.products(erp_keys)
        if assembled.problems:  # asked for by key, so the caller must hear about a bad one
            raise assembled.problems[0]
        return assembled.products

    def existing_item_keys(self, erp_keys: Sequence[str]) -> set[str]:
        with erp_errors("existing_item_keys"):
            return self._cards.existing_keys(erp_keys)

    def get_products_by_sku(self, skus: Sequence[str]) -> list[Product]:
        with erp_errors("get_products_by_sku"):
            cards, _, _ = self._cards.by_codes(list(skus), INDEX_PARTS)
            keys = {product_key(card, self.settings.item_key_parameter) for card in cards}
        return self.get_products(sorted(keys)) if keys else []

    def item_keys_by_barcode(self, barcodes: Sequence[str]) -> dict[str, str]:
        with erp_errors("item_keys_by_barcode"):
            return self._import.keys_by_barcode(barcodes)

    def upsert_item(self, product: Product) -> str:
        with erp_errors("upsert_item"):
            return self._import.upsert(product)

    def list_stock(
        self,
        skus: Sequence[str] | None = None,
        location_keys: Sequence[str] | None = None,
        cursor: str | None = None,
        limit: int = 1000,
    ) -> Page[StockLevel]:
        with erp_errors("list_stock"):
            return self._stock.page(skus, location_keys, cursor, require_limit(limit))

    def list_locations(self) -> list[Location]:
        with erp_errors("list_locations"):
            return self._stock.locations()

    def list_categories(self) -> list[Category]:
        with erp_errors("list_categories"):
            return directory.categories(self.mserver)

    def list_parties(self) -> list[Party]:
        with erp_errors("list_parties"):
            return directory.parties(self._cards, self._customers)

    def list_item_images(self, item_keys: Sequence[str] | None = None) -> list[Image]:
        with erp_errors("list_item_images"):
            return self._images.list(item_keys)

    def put_item_image(self, image: Image) -> None:
        with erp_errors("put_item_image"):
            self._images.put(image)

    # ---- customers ------------------------------------------------------------------------------------------

    def find_customer(self, email: str | None, phone: str | None) -> Customer | None:
        with erp_errors("find_customer"):
            return self._customers.find(email, phone)

    def upsert_customer(self, customer: Customer) -> str:
        with erp_errors("upsert_customer"):
            return self._customers.upsert(customer)

    # ---- sales orders, order states, payments ---------------------------------------------------------------

    def create_sales_order(self, order: Order, customer_key: str | None) -> str:
        with erp_errors("create_sales_order"):
            return self._orders.create(order, customer_key)

    def get_sales_order_by_shop_id(self, shop_id: str) -> SalesOrder | None:
        with erp_errors("get_sales_order_by_shop_id"):
            return self._orders.get_by_shop_id(shop_id)

    def delete_sales_order(self, erp_key: str) -> bool:
        with erp_errors("delete_sales_order"):
            return self._orders.delete(erp_key)

    def cancel_sales_order(self, erp_key: str, reason: str) -> Cancellation:
        """POHODA keeps no reason: the received order is deleted (see ``cancellations``), the reason reported."""
        with erp_errors("cancel_sales_order"):
            return cancel_received_order(self.mserver, self._orders, erp_key)

    def list_order_status_changes(
        self, since: datetime | None, cursor: str | None, limit: int
    ) -> Page[OrderStatusChange]:
        since = require_utc("since", since)
        with erp_errors("list_order_status_changes"):
            return self._states.changes(since, cursor, require_limit(limit))

    def record_payment(self, tx: Transaction, order_erp_key: str) -> bool:
        with erp_errors("record_payment"):
            return self._states.record_payment(tx, order_erp_key)

    def record_refund(self, refund: Refund, order_erp_key: str) -> bool:
        with erp_errors("record_refund"):
            return self._refunds.record(refund, order_erp_key)

    def list_refunds(self, refund_ids: Sequence[str]) -> list[BookedRefund]:
        """POHODA's issued credit notes of these refunds (by ``extId``): ids, no amounts."""
        with erp_errors("list_refunds"):
            return self._refunds.booked(refund_ids)

    def list_payments(self, order_erp_keys: Sequence[str]) -> list[BookedPayment]:
        """From the adapter's own bookkeeping (POHODA's documents carry no shop transaction id): ids, no amounts."""
        with erp_errors("list_payments"):
            booked = self.local.payments_of(order_erp_keys)
        return [BookedPayment(transaction_id=tx, order_erp_key=key) for tx, key in booked]

    # ---- shipments ------------------------------------------------------------------------------------------

    def list_unsynced_shipments(self, limit: int) -> list[Shipment]:
        with erp_errors("list_unsynced_shipments"):
            return self._shipments.unsynced(require_limit(limit))

    def mark_shipment_synced(self, erp_key: str, fulfillment_id: str | None, error: str | None) -> None:
        with erp_errors("mark_shipment_synced"):
            self._shipments.mark(erp_key, fulfillment_id, error)
