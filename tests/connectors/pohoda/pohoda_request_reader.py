"""Test support: ``dat:dataPack`` bytes → the models our builders take, and back (``ParsedItem.rebuild()``).

The tests read what the client sent through it, and the shared STORMWARE-style samples prove the round trip
parse → model → build → validate. A request it cannot read as one of our models raises the connector's own
``RecordError`` naming the item and the field — a bad value, a missing one (a bank import without ``extId``),
or a filter element our list models do not hold (``ftr:store`` by ``typ:id``, ``ftr:selectedIco``…): a filter
is never dropped, or the rebuilt request would select more than the one sent.

Only tests use it: production never reads its own requests, and the emulators read requests with their own
lxml code (``emulators/pohoda/``) — an emulator that read through the connector's models would share the
connector's mistakes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from lxml import etree
from pydantic import ValidationError

from connectors.pohoda.errors import RecordError, UnexpectedAnswer
from connectors.pohoda.models.common import PohodaModel
from connectors.pohoda.models.payments import BankPayment
from connectors.pohoda.models.requests import (
    AddressBookListRequest,
    CategoryListRequest,
    DeliveryNoteListRequest,
    OrderListRequest,
    Page,
    StockListRequest,
    StoreListRequest,
)
from connectors.pohoda.namespaces import NS, local_name, q
from connectors.pohoda.xml import builders
from connectors.pohoda.xml.elements import child, children, ext_id_of, ref_of, text_of
from connectors.pohoda.xml.pack import DataPackItem
from connectors.pohoda.xml.parsers import read_address_book, read_order, read_stock_item
from connectors.pohoda.xml.safe import parse_document
from connectors.pohoda.xml.values import (
    DEFAULT_TZ,
    FieldValueError,
    read_bool,
    read_date,
    read_decimal,
    read_int,
    read_local_datetime,
)

__all__ = ["ParsedDataPack", "ParsedItem", "parse_data_pack"]


@dataclass
class ParsedItem:
    id: str
    agenda: str
    model: PohodaModel
    options: dict[str, Any] = field(default_factory=dict)

    def rebuild(self, tz: ZoneInfo = DEFAULT_TZ) -> DataPackItem:
        """The dataPackItem our builders make from the parsed model (and the options it was sent with)."""
        builder = _BUILDERS[self.agenda]
        return builder(self.model, tz=tz, **self.options)


@dataclass
class ParsedDataPack:
    id: str
    ico: str | None
    application: str | None
    note: str | None
    items: list[ParsedItem]


class UnreadFilter(ValueError):
    """A filter element our list models cannot hold (turned into ``RecordError`` by ``parse_data_pack``)."""

    def __init__(self, element: etree._Element, why: str) -> None:
        super().__init__(why)
        self.field = _prefixed(element.tag)


_MODELLED = {
    "lStk:listStockRequest": {"id", "extId", "code", "EAN", "name", "storage", "store", "internet", "lastChanges"},
    "lst:listOrderRequest": {"id", "extId", "dateFrom", "dateTill", "selectedNumbers", "lastChanges"},
    "lAdb:listAddressBookRequest": {"id", "extId", "company", "ico", "lastChanges"},
    "lst:listVydejkaRequest": {"id", "extId", "dateFrom", "dateTill", "selectedNumbers", "lastChanges"},
}


def _filter(request: etree._Element | None, agenda: str | None = None) -> etree._Element | None:
    """The request's ``ftr:filter``; each element in it must be one our models hold (refs by name only)."""
    flt = child(request, "ftr:filter")
    for element in [] if flt is None or agenda is None else flt:
        if not isinstance(element.tag, str):
            continue
        if local_name(element.tag) not in _MODELLED[agenda]:
            raise UnreadFilter(element, "a filter our list request models do not hold")
        if local_name(element.tag) in ("store", "storage") and text_of(element, "typ:ids") is None:
            raise UnreadFilter(element, "selects by typ:id; our list requests name a store or storage by typ:ids")
    return flt


def _numbers(flt: etree._Element | None) -> list[str]:
    selected = child(flt, "ftr:selectedNumbers")
    return [text_of(n, "typ:numberRequested") or "" for n in children(selected, "ftr:number")]


def _page(element: etree._Element, prefix: str) -> Page | None:
    limit = child(element, f"{prefix}:limit")
    if limit is None:
        return None
    return Page(
        id_from=read_int(text_of(limit, "ftr:idFrom"), "idFrom"), count=read_int(text_of(limit, "ftr:count"), "count")
    )


def _restriction(element: etree._Element, prefix: str) -> dict[str, bool]:
    found = child(element, f"{prefix}:restrictionData")
    return {} if found is None else {local_name(p.tag): read_bool(p.text, local_name(p.tag)) for p in found}


def _stock(element: etree._Element, tz: ZoneInfo) -> tuple[PohodaModel, dict[str, Any]]:
    action = child(element, "stk:actionType")
    request = next(iter(action), None) if action is not None else None
    mode, match = "add", "code"
    if request is not None:
        mode = "upsert" if request.get("add") == "true" else local_name(request.tag)
        flt = _filter(request)
        if flt is not None and len(flt):
            match = {"code": "code", "extId": "ext_id", "id": "id"}.get(local_name(flt[0].tag), "code")
    return read_stock_item(element), {"mode": mode, "match": match}


def _addressbook(element: etree._Element, tz: ZoneInfo) -> tuple[PohodaModel, dict[str, Any]]:
    action = child(element, "adb:actionType")
    request = next(iter(action), None) if action is not None else None
    match = "none"
    flt = _filter(request)
    if flt is not None and len(flt):
        match = {"extId": "ext_id", "id": "id"}.get(local_name(flt[0].tag), "none")
    return read_address_book(element), {"match": match}


def _bank(element: etree._Element, tz: ZoneInfo) -> tuple[PohodaModel, dict[str, Any]]:
    header = child(element, "bnk:bankHeader")
    summary = child(element, "bnk:bankSummary")
    foreign = child(summary, "bnk:foreignCurrency")
    amount = text_of(child(summary, "bnk:homeCurrency"), "typ:priceNone") or text_of(foreign, "typ:priceSum")
    if child(header, "bnk:extId") is None:
        raise RecordError("bank", "extId", "missing: every bank document we send carries the shop transaction id")
    payment = BankPayment(
        kind=text_of(header, "bnk:bankType") or "receipt",
        ext_id=ext_id_of(child(header, "bnk:extId")),
        account=ref_of(child(header, "bnk:account"), "account")[1] or "",
        date=read_date(text_of(header, "bnk:datePayment") or text_of(header, "bnk:dateStatement"), "date"),
        amount=read_decimal(amount, "amount"),
        currency=ref_of(child(foreign, "typ:currency"), "currency")[1],
        variable_symbol=text_of(header, "bnk:symVar") or "",
        text=text_of(header, "bnk:text"),
        partner_id=read_int(text_of(child(header, "bnk:partnerIdentity"), "typ:id"), "partnerIdentity"),
        note=text_of(header, "bnk:note"),
    )
    return payment, {}


def _list_stock(element: etree._Element, tz: ZoneInfo) -> tuple[PohodaModel, dict[str, Any]]:
    flt = _filter(child(element, "lStk:requestStock"), "lStk:listStockRequest")
    return StockListRequest(
        page=_page(element, "lStk"),
        id=read_int(text_of(flt, "ftr:id"), "id"),
        ext_id=ext_id_of(child(flt, "ftr:extId")),
        code=text_of(flt, "ftr:code"),
        ean=text_of(flt, "ftr:EAN"),
        name=text_of(flt, "ftr:name"),
        storage=ref_of(child(flt, "ftr:storage"), "storage")[1],
        store=ref_of(child(flt, "ftr:store"), "store")[1],
        internet=read_bool(text_of(flt, "ftr:internet"), "internet"),
        last_changes=read_local_datetime(text_of(flt, "ftr:lastChanges"), "lastChanges", tz),
        restriction=_restriction(element, "lStk"),
    ), {}


def _list_orders(element: etree._Element, tz: ZoneInfo) -> tuple[PohodaModel, dict[str, Any]]:
    flt = _filter(child(element, "lst:requestOrder"), "lst:listOrderRequest")
    return OrderListRequest(
        order_type=element.get("orderType") or "receivedOrder",
        ext_system=element.get("extSystem"),
        page=_page(element, "lst"),
        id=read_int(text_of(flt, "ftr:id"), "id"),
        ext_id=ext_id_of(child(flt, "ftr:extId")),
        date_from=read_date(text_of(flt, "ftr:dateFrom"), "dateFrom"),
        date_till=read_date(text_of(flt, "ftr:dateTill"), "dateTill"),
        numbers=_numbers(flt),
        last_changes=read_local_datetime(text_of(flt, "ftr:lastChanges"), "lastChanges", tz),
        restriction=_restriction(element, "lst"),
    ), {}


def _list_addresses(element: etree._Element, tz: ZoneInfo) -> tuple[PohodaModel, dict[str, Any]]:
    flt = _filter(child(element, "lAdb:requestAddressBook"), "lAdb:listAddressBookRequest")
    return AddressBookListRequest(
        ext_system=element.get("extSystem"),
        page=_page(element, "lAdb"),
        id=read_int(text_of(flt, "ftr:id"), "id"),
        ext_id=ext_id_of(child(flt, "ftr:extId")),
        company=text_of(flt, "ftr:company"),
        ico=text_of(flt, "ftr:ico"),
        last_changes=read_local_datetime(text_of(flt, "ftr:lastChanges"), "lastChanges", tz),
    ), {}


def _list_deliveries(element: etree._Element, tz: ZoneInfo) -> tuple[PohodaModel, dict[str, Any]]:
    flt = _filter(child(element, "lst:requestVydejka"), "lst:listVydejkaRequest")
    return DeliveryNoteListRequest(
        ext_system=element.get("extSystem"),
        page=_page(element, "lst"),
        id=read_int(text_of(flt, "ftr:id"), "id"),
        ext_id=ext_id_of(child(flt, "ftr:extId")),
        date_from=read_date(text_of(flt, "ftr:dateFrom"), "dateFrom"),
        date_till=read_date(text_of(flt, "ftr:dateTill"), "dateTill"),
        numbers=_numbers(flt),
        last_changes=read_local_datetime(text_of(flt, "ftr:lastChanges"), "lastChanges", tz),
        restriction=_restriction(element, "lst"),
    ), {}


_READERS = {
    "stk:stock": _stock,
    "ord:order": lambda e, tz: (read_order(e), {}),
    "adb:addressbook": _addressbook,
    "bnk:bank": _bank,
    "lStk:listStockRequest": _list_stock,
    "lst:listOrderRequest": _list_orders,
    "lst:listCategoryRequest": lambda e, tz: (CategoryListRequest(page=_page(e, "lst")), {}),
    "lAdb:listAddressBookRequest": _list_addresses,
    "lst:listStoreRequest": lambda e, tz: (StoreListRequest(page=_page(e, "lst")), {}),
    "lst:listVydejkaRequest": _list_deliveries,
}

_BUILDERS: dict[str, Any] = {
    "stk:stock": builders.stock_card,
    "ord:order": builders.received_order,
    "adb:addressbook": builders.address_book_entry,
    "bnk:bank": builders.bank_receipt,
    "lStk:listStockRequest": builders.list_stock,
    "lst:listOrderRequest": builders.list_orders,
    "lst:listCategoryRequest": lambda model, tz: builders.list_categories(model),
    "lAdb:listAddressBookRequest": builders.list_address_book,
    "lst:listStoreRequest": lambda model, tz: builders.list_stores(model),
    "lst:listVydejkaRequest": builders.list_delivery_notes,
}


def _prefixed(tag: str) -> str:
    namespace, _, local = tag[1:].partition("}")
    prefix = next((p for p, uri in NS.items() if uri == namespace), "?")
    return f"{prefix}:{local}"


def _read(element: etree._Element, item_id: str, agenda: str, tz: ZoneInfo) -> tuple[PohodaModel, dict[str, Any]]:
    """One item as our model, or the connector's ``RecordError`` naming the item and the field."""
    record = f"dataPackItem {item_id!r} ({agenda})"
    try:
        return _READERS[agenda](element, tz)
    except RecordError as exc:
        raise RecordError(record, exc.field, exc.reason) from None
    except FieldValueError as exc:
        raise RecordError(record, exc.field, f"{exc.value!r} is not {exc.expected}") from None
    except UnreadFilter as exc:
        raise RecordError(record, exc.field, str(exc)) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "record"
        raise RecordError(record, field, first["msg"]) from None


def parse_data_pack(data: bytes, *, tz: ZoneInfo = DEFAULT_TZ, skip: frozenset[str] = frozenset()) -> ParsedDataPack:
    """Read a dataPack with the safe parser; items of the ``skip`` agendas (``"lst:listSupplierRequest"``) are
    left out, any other agenda we do not build raises ``UnexpectedAnswer``, an item we cannot read as our model
    ``RecordError`` (item, field, reason)."""
    root = parse_document(data)
    if root.tag != q("dat:dataPack"):
        raise UnexpectedAnswer(f"expected dat:dataPack, got <{local_name(root.tag)}>")
    items = []
    for wrapper in root.iterchildren(q("dat:dataPackItem")):
        element = next(iter(wrapper), None)
        if element is None:
            raise UnexpectedAnswer(f"dataPackItem {wrapper.get('id')!r} is empty")
        agenda = _prefixed(element.tag)
        if agenda in skip:
            continue
        if agenda not in _READERS:
            raise UnexpectedAnswer(f"dataPackItem {wrapper.get('id')!r}: agenda {agenda} is not one we build")
        model, options = _read(element, wrapper.get("id") or "", agenda, tz)
        items.append(ParsedItem(wrapper.get("id") or "", agenda, model, options))
    return ParsedDataPack(root.get("id") or "", root.get("ico"), root.get("application"), root.get("note"), items)
