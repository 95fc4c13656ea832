"""``ord:orderType`` element → :class:`ReceivedOrder` (a ``lst:order`` of an export or an ``ord:order`` import).

Reads what the status mapping needs (``isExecuted``, ``isDelivered``, ``storno``, ``linkedDocuments``, item
``delivered`` quantities) besides the document itself. Raises ``FieldValueError``/``ValidationError`` for a bad
value; the response parser turns that into a ``Rejected`` entry naming the order.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lxml import etree

from connectors.pohoda.models.orders import LinkedDocument, OrderItem, PartyAddress, ReceivedOrder
from connectors.pohoda.xml.elements import child, children, ext_id_of, ref_of, text_of
from connectors.pohoda.xml.values import read_bool, read_date, read_decimal, read_int

__all__ = ["order_label", "read_address", "read_links", "read_order"]


def read_address(element: etree._Element | None) -> PartyAddress | None:
    if element is None:
        return None
    fields = {
        name: text_of(element, f"typ:{name}")
        for name in ("company", "division", "name", "city", "street", "zip", "ico", "dic", "phone", "email")
    }
    fields["mobile"] = text_of(element, "typ:mobilPhone")
    fields["country"] = ref_of(child(element, "typ:country"), "country")[1]
    return PartyAddress(**fields)


def _item(element: etree._Element, index: int) -> OrderItem:
    field = f"orderItem[{index}]"
    prices = child(element, "ord:homeCurrency")
    if prices is None:
        prices = child(element, "ord:foreignCurrency")
    stock = child(child(element, "ord:stockItem"), "typ:stockItem")
    stock_id, stock_code = ref_of(stock, f"{field}.stockItem")
    return OrderItem(
        id=read_int(text_of(element, "ord:id"), f"{field}.id"),
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
    foreign = child(summary, "ord:foreignCurrency")
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
        "currency": ref_of(child(foreign, "typ:currency"), "currency")[1],
        "is_reserved": read_bool(text_of(header, "ord:isReserved"), "isReserved"),
        "is_executed": read_bool(text_of(header, "ord:isExecuted"), "isExecuted"),
        "is_delivered": read_bool(text_of(header, "ord:isDelivered"), "isDelivered"),
        "cancelled": child(header, "ord:storno") is not None,
        "date_cancelled": read_date(text_of(header, "ord:dateCancellation"), "dateCancellation"),
        "note": text_of(header, "ord:note"),
        "internal_note": text_of(header, "ord:intNote"),
        "items": [_item(item, index) for index, item in enumerate(children(detail, "ord:orderItem"))],
        "rounding": text_of(summary, "ord:roundingDocument"),
        "linked_documents": read_links(child(element, "ord:linkedDocuments")),
        "exported_at": exported_at,
    }
    return ReceivedOrder(**fields)


def order_label(element: etree._Element) -> str:
    header = child(element, "ord:orderHeader")
    key = text_of(header, "ord:numberOrder") or text_of(child(header, "ord:number"), "typ:numberRequested")
    return f"order {key or text_of(header, 'ord:id') or 'without number'}"
