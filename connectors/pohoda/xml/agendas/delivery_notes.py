"""Delivery notes ("výdejky", ``vyd:vydejka``): the export request and the exported note — a shop fulfillment.

Each note item names its source order and order item (``linkedDocument`` with ``sourceAgenda`` =
``receivedOrder``), the card it took from which store, and the quantity; carrier and tracking live in the
header (``vyd:carrier``, user fields).
"""

from __future__ import annotations

from datetime import datetime
from typing import get_args
from zoneinfo import ZoneInfo

from lxml import etree

from connectors.pohoda.models.requests import DeliveryNoteListRequest, OrderPart
from connectors.pohoda.models.shipments import DeliveryItem, DeliveryNote
from connectors.pohoda.models.stock import UserParameter
from connectors.pohoda.xml.agendas._lists import (
    document_filter,
    ext_system,
    limit,
    list_item,
    restriction,
)
from connectors.pohoda.xml.agendas.addresses import read_address
from connectors.pohoda.xml.agendas.orders import read_links
from connectors.pohoda.xml.elements import ElementWriter, agenda, child, children, ref_of, sub, text_of
from connectors.pohoda.xml.pack import DataPackItem
from connectors.pohoda.xml.values import DEFAULT_TZ, read_date, read_decimal, read_int

__all__ = ["list_delivery_notes", "read_delivery_note"]


def list_delivery_notes(request: DeliveryNoteListRequest, *, tz: ZoneInfo = DEFAULT_TZ) -> DataPackItem:
    """One keyset page of delivery notes (or the ones with these numbers), with their order lines."""
    w = ElementWriter("delivery note list request", tz)
    attrib = {"version": "2.0", "vydejkaVersion": "2.0", **ext_system(w, request.ext_system)}
    root = agenda("lst:listVydejkaRequest", **attrib)
    limit(w, root, "lst:limit", request.page)
    flt = sub(sub(root, "lst:requestVydejka"), "ftr:filter")
    document_filter(w, flt, request)
    restriction(root, "lst:restrictionData", request.restriction, get_args(OrderPart))
    return list_item("list.deliveries", root, request.page, key=",".join(request.numbers) or None)


def _delivery_item(element: etree._Element, index: int) -> DeliveryItem:
    field = f"vydejkaItem[{index}]"
    linked = child(element, "vyd:linkedDocument")
    source = child(linked, "typ:sourceDocument")
    stock = child(element, "vyd:stockItem")
    stock_id, stock_code = ref_of(child(stock, "typ:stockItem"), f"{field}.stockItem")
    from_order = text_of(linked, "typ:sourceAgenda") == "receivedOrder"
    return DeliveryItem(
        id=read_int(text_of(element, "vyd:id"), f"{field}.id"),
        text=text_of(element, "vyd:text"),
        quantity=read_decimal(text_of(element, "vyd:quantity"), f"{field}.quantity") or 0,
        code=text_of(element, "vyd:code"),
        stock_id=stock_id,
        stock_code=stock_code,
        store=ref_of(child(stock, "typ:store"), f"{field}.store")[1],
        order_id=read_int(text_of(source, "typ:id"), f"{field}.linkedDocument") if from_order else None,
        order_number=text_of(source, "typ:number") if from_order else None,
        order_item_id=read_int(
            text_of(child(linked, "typ:sourceDocumentItem"), "typ:sourceItemId"), f"{field}.sourceItemId"
        )
        if from_order
        else None,
    )


def read_delivery_note(element: etree._Element, *, exported_at: datetime | None = None) -> DeliveryNote:
    header = child(element, "vyd:vydejkaHeader")
    number = child(header, "vyd:number")
    return DeliveryNote(
        id=read_int(text_of(header, "vyd:id"), "id"),
        number=text_of(number, "typ:numberRequested") or text_of(number, "typ:ids"),
        date=read_date(text_of(header, "vyd:date"), "date"),
        number_order=text_of(header, "vyd:numberOrder"),
        text=text_of(header, "vyd:text"),
        carrier=ref_of(child(header, "vyd:carrier"), "carrier")[1],
        partner=read_address(child(child(header, "vyd:partnerIdentity"), "typ:address")),
        parameters=[
            UserParameter(name=text_of(p, "typ:name") or "?", value=_parameter_value(p))
            for p in children(child(header, "vyd:parameters"), "typ:parameter")
        ],
        items=[
            _delivery_item(item, index)
            for index, item in enumerate(children(child(element, "vyd:vydejkaDetail"), "vyd:vydejkaItem"))
        ],
        linked_documents=read_links(child(element, "vyd:linkedDocuments")),
        exported_at=exported_at,
    )


def _parameter_value(parameter: etree._Element) -> str:
    for part in parameter:
        if part.tag.endswith("Value") and part.text:
            return part.text
        if part.tag.endswith("listValueRef"):
            return ref_of(part, "listValueRef")[1] or ""
    return ""
