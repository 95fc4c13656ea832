"""Received orders (``ord:order``): the import, its deletion, the export request and the exported order.

An order is a create-once document — POHODA cannot update it through XML — so its dataPackItem id is derived
from the record key alone (``identity="record"``, see ``pack.py``): a retry, or a re-send of an edited shop
order, is answered with ``recordDuplicity`` instead of a second document. ``revision`` re-imports a document
that was deliberately deleted in POHODA.

The reader takes what the status mapping needs (``isExecuted``, ``isDelivered``, ``storno``,
``linkedDocuments``, item ``delivered`` quantities) besides the document itself, and each item's ``extId`` (the
shop line it came from). A bad value raises ``FieldValueError``/``ValidationError``; the response parser turns
that into a ``Rejected`` entry naming the order.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, get_args
from zoneinfo import ZoneInfo

from lxml import etree

from connectors.pohoda.errors import RecordError
from connectors.pohoda.models.orders import LinkedDocument, OrderItem, ReceivedOrder
from connectors.pohoda.models.requests import OrderListRequest, OrderPart
from connectors.pohoda.xml.agendas._lists import (
    document_filter,
    ext_system,
    limit,
    list_item,
    restriction,
)
from connectors.pohoda.xml.agendas.addresses import read_address, write_address
from connectors.pohoda.xml.agendas.summary import read_totals
from connectors.pohoda.xml.elements import ElementWriter, agenda, child, children, ext_id_of, ref_of, sub, text_of
from connectors.pohoda.xml.pack import DataPackItem, make_item
from connectors.pohoda.xml.values import DEFAULT_TZ, read_bool, read_date, read_decimal, read_int

__all__ = ["delete_order", "list_orders", "order_label", "read_links", "read_order", "received_order"]

PAYMENT_TYPES = frozenset(
    {"draft", "cash", "postal", "delivery", "creditcard", "advance", "encashment", "cheque", "compensation"}
)
"""``typ:paymentType/typ:paymentType`` values; anything else is a payment form's short name (``typ:ids``)."""


def received_order(
    order: ReceivedOrder, *, revision: int = 0, home_currency: str = "CZK", tz: ZoneInfo = DEFAULT_TZ
) -> DataPackItem:
    """The dataPackItem that imports ``order`` (keyed by its ext id, else its number)."""
    key = order.ext_id.ids if order.ext_id else order.number_order
    if not key:
        raise RecordError(order.record, "ext_id", "an imported order needs ext_id or number_order as its key")
    w = ElementWriter(order.record, tz)
    root = agenda("ord:order", version="2.0")
    header = sub(root, "ord:orderHeader")
    w.ext_id(header, "ord:extId", order.ext_id)
    sub(header, "ord:orderType", order.order_type)
    w.text(header, "ord:numberOrder", order.number_order, "ord:orderHeaderType/numberOrder", field="number_order")
    w.date(header, "ord:date", order.date)
    w.text(header, "ord:text", order.text, "ord:orderHeaderType/text")
    if order.partner_id is not None or order.partner is not None or order.ship_to is not None:
        identity = sub(header, "ord:partnerIdentity")
        w.integer(identity, "typ:id", order.partner_id)
        write_address(w, identity, "typ:address", order.partner, "partner")
        write_address(w, identity, "typ:shipToAddress", order.ship_to, "ship_to")
    if order.payment_type:
        payment = sub(header, "ord:paymentType")
        if order.payment_type in PAYMENT_TYPES:
            sub(payment, "typ:paymentType", order.payment_type)
        else:
            w.text(payment, "typ:ids", order.payment_type, "typ:paymentType/ids", field="payment_type")
    w.boolean(header, "ord:isExecuted", order.is_executed)
    w.boolean(header, "ord:isReserved", order.is_reserved)
    w.text(header, "ord:note", order.note)
    w.text(header, "ord:intNote", order.internal_note, field="internal_note")
    foreign = order.currency is not None and order.currency != home_currency
    if order.items:
        detail = sub(root, "ord:orderDetail")
        for index, item in enumerate(order.items):
            _order_item(w, detail, item, index, foreign)
    summary = sub(root, "ord:orderSummary")
    if order.rounding:
        sub(summary, "ord:roundingDocument", order.rounding)
    if foreign:
        w.ref(sub(summary, "ord:foreignCurrency"), "typ:currency", ids=order.currency, field="currency")
    if not len(summary):
        root.remove(summary)
    return make_item("order.add", key, root, record=order.record, writes=True, identity="record", revision=revision)


def delete_order(number: str, *, revision: int = 0) -> DataPackItem:
    """Delete the received order with this document number (POHODA refuses when documents link to it)."""
    record = f"sales order {number}"
    w = ElementWriter(record)
    root = agenda("ord:order", version="2.0")
    flt = sub(sub(sub(root, "ord:actionType"), "ord:delete"), "ftr:filter", agenda="prijate_objednavky")
    w.text(flt, "ftr:number", number, field="erp_key")
    return make_item("order.delete", number, root, record=record, writes=True, identity="record", revision=revision)


def _order_item(w: ElementWriter, detail: etree._Element, item: OrderItem, index: int, foreign: bool) -> None:
    element = sub(detail, "ord:orderItem")
    w.text(element, "ord:extId", item.ext_id, "ord:orderItemType/extId", field=f"items[{index}].ext_id")
    w.text(element, "ord:text", item.text, "ord:orderItemType/text", field=f"items[{index}].text")
    w.decimal(element, "ord:quantity", item.quantity)
    w.text(element, "ord:unit", item.unit, "ord:orderItemType/unit", field=f"items[{index}].unit")
    w.boolean(element, "ord:payVAT", item.pay_vat)
    sub(element, "ord:rateVAT", item.rate_vat.value)
    w.decimal(element, "ord:discountPercentage", item.discount_percentage)
    if item.unit_price is not None:
        w.decimal(
            sub(element, "ord:foreignCurrency" if foreign else "ord:homeCurrency"), "typ:unitPrice", item.unit_price
        )
    w.text(element, "ord:note", item.note, "ord:orderItemType/note", field=f"items[{index}].note")
    w.text(element, "ord:code", item.code, "ord:orderItemType/code", field=f"items[{index}].code")
    if item.stock_id is not None or item.stock_code is not None:
        ref = sub(sub(element, "ord:stockItem"), "typ:stockItem")
        w.integer(ref, "typ:id", item.stock_id)
        w.text(ref, "typ:ids", item.stock_code, "typ:stockRefType/ids", field=f"items[{index}].stock_code")


def list_orders(request: OrderListRequest, *, tz: ZoneInfo = DEFAULT_TZ) -> DataPackItem:
    """The order export: one keyset page of the orders ``request`` filters (by id, ext id, numbers, dates)."""
    w = ElementWriter("order list request", tz)
    attrib = {
        "version": "2.0",
        "orderType": request.order_type,
        "orderVersion": "2.0",
        **ext_system(w, request.ext_system),
    }
    root = agenda("lst:listOrderRequest", **attrib)
    limit(w, root, "lst:limit", request.page)
    flt = sub(sub(root, "lst:requestOrder"), "ftr:filter")
    document_filter(w, flt, request)
    restriction(root, "lst:restrictionData", request.restriction, get_args(OrderPart))
    return list_item("list.orders", root, request.page, key=",".join(request.numbers) or None)


def _read_item(element: etree._Element, index: int, foreign: bool) -> OrderItem:
    """One line; its prices in the order's currency (POHODA exports both blocks, the unused one as zeros)."""
    field = f"orderItem[{index}]"
    prices = child(element, "ord:foreignCurrency" if foreign else "ord:homeCurrency")
    if prices is None:
        prices = child(element, "ord:homeCurrency")
    stock = child(child(element, "ord:stockItem"), "typ:stockItem")
    stock_id, stock_code = ref_of(stock, f"{field}.stockItem")
    return OrderItem(
        id=read_int(text_of(element, "ord:id"), f"{field}.id"),
        ext_id=text_of(element, "ord:extId"),
        text=text_of(element, "ord:text") or text_of(element, "ord:code") or "?",
        quantity=read_decimal(text_of(element, "ord:quantity"), f"{field}.quantity") or 0,
        delivered=read_decimal(text_of(element, "ord:delivered"), f"{field}.delivered"),
        unit=text_of(element, "ord:unit"),
        pay_vat=read_bool(text_of(element, "ord:payVAT"), f"{field}.payVAT") or False,
        rate_vat=text_of(element, "ord:rateVAT") or "none",
        unit_price=read_decimal(text_of(prices, "typ:unitPrice"), f"{field}.unitPrice"),
        discount_percentage=read_decimal(text_of(element, "ord:discountPercentage"), f"{field}.discountPercentage"),
        code=text_of(element, "ord:code"),
        stock_id=stock_id,
        stock_code=stock_code,
        note=text_of(element, "ord:note"),
    )


def read_links(element: etree._Element | None) -> list[LinkedDocument]:
    """``typ:linksType`` (``linkedDocuments``): the documents POHODA links to this one."""
    found = []
    for link in children(element, "typ:link"):
        source = child(link, "typ:sourceDocument")
        found.append(
            LinkedDocument(
                agenda=text_of(link, "typ:sourceAgenda") or "?",
                id=read_int(text_of(source, "typ:id"), "linkedDocuments.id"),
                number=text_of(source, "typ:number"),
            )
        )
    return found


def read_order(element: etree._Element, *, exported_at: datetime | None = None) -> ReceivedOrder:
    header = child(element, "ord:orderHeader")
    number = child(header, "ord:number")
    identity = child(header, "ord:partnerIdentity")
    payment = child(header, "ord:paymentType")
    summary = child(element, "ord:orderSummary")
    totals = read_totals(summary, "ord")
    detail = child(element, "ord:orderDetail")
    fields: dict[str, Any] = {
        "id": read_int(text_of(header, "ord:id"), "id"),
        "ext_id": ext_id_of(child(header, "ord:extId")),
        "order_type": text_of(header, "ord:orderType") or "receivedOrder",
        "number": text_of(number, "typ:numberRequested") or text_of(number, "typ:ids"),
        "number_order": text_of(header, "ord:numberOrder"),
        "date": read_date(text_of(header, "ord:date"), "date"),
        "text": text_of(header, "ord:text"),
        "partner_id": read_int(text_of(identity, "typ:id"), "partnerIdentity.id"),
        "partner": read_address(child(identity, "typ:address")),
        "ship_to": read_address(child(identity, "typ:shipToAddress")),
        "payment_type": text_of(payment, "typ:ids") or text_of(payment, "typ:paymentType"),
        "currency": totals.currency,
        "totals": totals,
        "is_reserved": read_bool(text_of(header, "ord:isReserved"), "isReserved"),
        "is_executed": read_bool(text_of(header, "ord:isExecuted"), "isExecuted"),
        "is_delivered": read_bool(text_of(header, "ord:isDelivered"), "isDelivered"),
        "cancelled": child(header, "ord:storno") is not None,
        "date_cancelled": read_date(text_of(header, "ord:dateCancellation"), "dateCancellation"),
        "note": text_of(header, "ord:note"),
        "internal_note": text_of(header, "ord:intNote"),
        "items": [
            _read_item(item, index, totals.currency is not None)
            for index, item in enumerate(children(detail, "ord:orderItem"))
        ],
        "rounding": text_of(summary, "ord:roundingDocument"),
        "linked_documents": read_links(child(element, "ord:linkedDocuments")),
        "exported_at": exported_at,
    }
    return ReceivedOrder(**fields)


def order_label(element: etree._Element) -> str:
    header = child(element, "ord:orderHeader")
    key = text_of(header, "ord:numberOrder") or text_of(child(header, "ord:number"), "typ:numberRequested")
    return f"order {key or text_of(header, 'ord:id') or 'without number'}"
