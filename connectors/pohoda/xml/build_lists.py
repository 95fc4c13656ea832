"""Export requests: stock, received orders, e-shop categories, stock suppliers, address book, stores, bank.

Each returns a read-only dataPackItem (``writes=False``: no company check needed before it, no duplicity
check asked for). Its id still hashes the request, so the same page asked twice is recognisable in POHODA's
XML log.
"""

from __future__ import annotations

from typing import get_args
from zoneinfo import ZoneInfo

from lxml import etree

from connectors.pohoda.models.requests import (
    AddressBookListRequest,
    BankListRequest,
    CategoryListRequest,
    DeliveryNoteListRequest,
    OrderListRequest,
    OrderPart,
    Page,
    StockListRequest,
    StockPart,
    StoreListRequest,
    SupplierListRequest,
)
from connectors.pohoda.xml.elements import ElementWriter, agenda, sub
from connectors.pohoda.xml.limits import fit
from connectors.pohoda.xml.pack import DataPackItem, make_item
from connectors.pohoda.xml.values import DEFAULT_TZ, fmt_bool

__all__ = [
    "list_address_book",
    "list_bank",
    "list_categories",
    "list_delivery_notes",
    "list_orders",
    "list_stock",
    "list_stores",
    "list_suppliers",
]


def _item(operation: str, root: etree._Element, page: Page | None) -> DataPackItem:
    key = f"from-{page.id_from}" if page and page.id_from else "all"
    return make_item(operation, key, root, record=f"{operation} request", writes=False)


def _limit(w: ElementWriter, root: etree._Element, tag: str, page: Page | None) -> None:
    if page is not None and (page.id_from is not None or page.count is not None):
        limit = sub(root, tag)
        w.integer(limit, "ftr:idFrom", page.id_from)
        w.integer(limit, "ftr:count", page.count)


def _drop_if_empty(element: etree._Element) -> None:
    if not len(element):
        element.getparent().remove(element)


def _restriction(root: etree._Element, tag: str, parts: dict, order: tuple[str, ...]) -> None:
    if parts:
        element = sub(root, tag)
        for part in order:
            if part in parts:
                sub(element, tag.partition(":")[0] + ":" + part, fmt_bool(parts[part]))


def list_stock(request: StockListRequest, *, tz: ZoneInfo = DEFAULT_TZ) -> DataPackItem:
    w = ElementWriter("stock list request", tz)
    root = agenda("lStk:listStockRequest", version="2.0", stockVersion="2.0")
    _limit(w, root, "lStk:limit", request.page)
    flt = sub(sub(root, "lStk:requestStock"), "ftr:filter")
    w.integer(flt, "ftr:id", request.id)
    w.ext_id(flt, "ftr:extId", request.ext_id)
    w.text(flt, "ftr:code", request.code, "ftr:filterStocksType/code")
    w.text(flt, "ftr:EAN", request.ean, field="ean")
    w.text(flt, "ftr:name", request.name)
    w.ref(flt, "ftr:storage", ids=request.storage, limit=None, field="storage")
    w.ref(flt, "ftr:store", ids=request.store, field="store")
    w.boolean(flt, "ftr:internet", request.internet)
    w.local_datetime(flt, "ftr:lastChanges", request.last_changes)
    _drop_if_empty(flt)
    _restriction(root, "lStk:restrictionData", request.restriction, get_args(StockPart))
    return _item("list.stock", root, request.page)


def list_orders(request: OrderListRequest, *, tz: ZoneInfo = DEFAULT_TZ) -> DataPackItem:
    w = ElementWriter("order list request", tz)
    attrib = {"version": "2.0", "orderType": request.order_type, "orderVersion": "2.0"}
    if request.ext_system:
        attrib["extSystem"] = fit(request.ext_system, "typ:extIdType/exSystemName", record=w.record, field="ext_system")
    root = agenda("lst:listOrderRequest", **attrib)
    _limit(w, root, "lst:limit", request.page)
    flt = sub(sub(root, "lst:requestOrder"), "ftr:filter")
    w.integer(flt, "ftr:id", request.id)
    w.ext_id(flt, "ftr:extId", request.ext_id)
    w.date(flt, "ftr:dateFrom", request.date_from)
    w.date(flt, "ftr:dateTill", request.date_till)
    w.local_datetime(flt, "ftr:lastChanges", request.last_changes)
    _drop_if_empty(flt)
    _restriction(root, "lst:restrictionData", request.restriction, get_args(OrderPart))
    return _item("list.orders", root, request.page)


def list_categories(request: CategoryListRequest | None = None) -> DataPackItem:
    request = request or CategoryListRequest()
    root = agenda("lst:listCategoryRequest", version="2.0", categoryVersion="2.0")
    _limit(ElementWriter("category list request"), root, "lst:limit", request.page)
    sub(root, "lst:requestCategory")
    return _item("list.categories", root, request.page)


def list_suppliers(request: SupplierListRequest | None = None, *, tz: ZoneInfo = DEFAULT_TZ) -> DataPackItem:
    request = request or SupplierListRequest()
    w = ElementWriter("supplier list request", tz)
    attrib = {"version": "2.0", "supplierVersion": "2.0"}
    if request.ext_system:
        attrib["extSystem"] = fit(request.ext_system, "typ:extIdType/exSystemName", record=w.record, field="ext_system")
    root = agenda("lst:listSupplierRequest", **attrib)
    _limit(w, root, "lst:limit", request.page)
    flt = sub(sub(root, "lst:requestSupplier"), "ftr:filter")
    w.integer(flt, "ftr:id", request.id)
    w.text(flt, "ftr:code", request.code, "ftr:filterStocksType/code")
    w.ref(flt, "ftr:store", ids=request.store, field="store")
    w.boolean(flt, "ftr:internet", request.internet)
    w.local_datetime(flt, "ftr:lastChanges", request.last_changes)
    _drop_if_empty(flt)
    return _item("list.suppliers", root, request.page)


def list_address_book(request: AddressBookListRequest | None = None, *, tz: ZoneInfo = DEFAULT_TZ) -> DataPackItem:
    request = request or AddressBookListRequest()
    w = ElementWriter("address book list request", tz)
    attrib = {"version": "2.0", "addressBookVersion": "2.0"}
    if request.ext_system:
        attrib["extSystem"] = fit(request.ext_system, "typ:extIdType/exSystemName", record=w.record, field="ext_system")
    root = agenda("lAdb:listAddressBookRequest", **attrib)
    _limit(w, root, "lAdb:limit", request.page)
    flt = sub(sub(root, "lAdb:requestAddressBook"), "ftr:filter")
    w.integer(flt, "ftr:id", request.id)
    w.ext_id(flt, "ftr:extId", request.ext_id)
    w.text(flt, "ftr:company", request.company, "typ:addressType/company")
    w.text(flt, "ftr:ico", request.ico, "typ:addressType/ico")
    w.local_datetime(flt, "ftr:lastChanges", request.last_changes)
    _drop_if_empty(flt)
    return _item("list.addresses", root, request.page)


def list_stores(request: StoreListRequest | None = None) -> DataPackItem:
    request = request or StoreListRequest()
    root = agenda("lst:listStoreRequest", version="2.0", storeVersion="2.0")
    _limit(ElementWriter("store list request"), root, "lst:limit", request.page)
    sub(root, "lst:requestStore")
    return _item("list.stores", root, request.page)


def list_bank(request: BankListRequest, *, tz: ZoneInfo = DEFAULT_TZ) -> DataPackItem:
    w = ElementWriter("bank list request", tz)
    root = agenda("lst:listBankRequest", version="2.0", bankVersion="2.0")
    _limit(w, root, "lst:limit", request.page)
    flt = sub(sub(root, "lst:requestBank"), "ftr:filter")
    w.integer(flt, "ftr:id", request.id)
    w.ext_id(flt, "ftr:extId", request.ext_id)
    w.date(flt, "ftr:dateFrom", request.date_from)
    w.date(flt, "ftr:dateTill", request.date_till)
    w.local_datetime(flt, "ftr:lastChanges", request.last_changes)
    _drop_if_empty(flt)
    return _item("list.bank", root, request.page)


def list_delivery_notes(request: DeliveryNoteListRequest, *, tz: ZoneInfo = DEFAULT_TZ) -> DataPackItem:
    """Delivery notes ("výdejky"): what was shipped, with carrier, tracking fields and the order lines."""
    w = ElementWriter("delivery note list request", tz)
    attrib = {"version": "2.0", "vydejkaVersion": "2.0"}
    if request.ext_system:
        attrib["extSystem"] = fit(request.ext_system, "typ:extIdType/exSystemName", record=w.record, field="ext_system")
    root = agenda("lst:listVydejkaRequest", **attrib)
    _limit(w, root, "lst:limit", request.page)
    flt = sub(sub(root, "lst:requestVydejka"), "ftr:filter")
    w.integer(flt, "ftr:id", request.id)
    w.ext_id(flt, "ftr:extId", request.ext_id)
    w.date(flt, "ftr:dateFrom", request.date_from)
    w.date(flt, "ftr:dateTill", request.date_till)
    w.local_datetime(flt, "ftr:lastChanges", request.last_changes)
    _drop_if_empty(flt)
    _restriction(root, "lst:restrictionData", request.restriction, get_args(OrderPart))
    return _item("list.deliveries", root, request.page)
