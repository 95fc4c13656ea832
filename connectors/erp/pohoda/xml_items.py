"""The few dataPackItems and readers the adapter needs beyond ``connectors.pohoda.xml``'s builders and parsers.

Built with lxml like the connector's own builders (texts through ``limits.fit``: Windows-1250, XSD lengths),
and checked against ``data.xsd`` by the emulator in the tests:
- received orders by document number (``ftr:selectedNumbers``), delivery notes (``lst:listVydejkaRequest``),
  internet-parameter definitions (``lst:listIntParamRequest``);
- deleting a received order by number, a cash receipt (``vch:voucher``);
- ``ord:extId`` on order items, so a delivery-note line leads back to the shop's line item.
Readers for the answers the connector has no model of (delivery notes, parameter definitions, the address
book's ``number``) work on the raw answer element and never guess: absent means ``None``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from lxml import etree

from connectors.pohoda.namespaces import BASE, NS
from connectors.pohoda.xml.elements import ElementWriter
from connectors.pohoda.xml.limits import fit
from connectors.pohoda.xml.pack import DataPackItem, make_item
from connectors.pohoda.xml.values import fmt_date, fmt_decimal, read_date, read_decimal, read_int

__all__ = [
    "DeliveryNote",
    "IntParamDefinition",
    "NoteLine",
    "address_number",
    "cash_receipt",
    "delete_order",
    "item_ext_ids_in_order",
    "list_delivery_notes",
    "list_int_params",
    "list_orders_by_number",
    "order_item_ext_ids",
    "read_delivery_note",
    "read_int_params",
    "with_item_ext_ids",
]

XNS: dict[str, str] = {**NS, "vyd": BASE + "vydejka.xsd", "ipm": BASE + "intParam.xsd", "vch": BASE + "voucher.xsd"}


def x(name: str) -> str:
    """``"vyd:id"`` → Clark name, for every namespace the adapter reads or writes."""
    prefix, _, local = name.partition(":")
    return f"{{{XNS[prefix]}}}{local}"


def el(parent: etree._Element | None, name: str, text: str | None = None, **attrib: str) -> etree._Element:
    element = etree.Element(x(name), attrib, nsmap=XNS) if parent is None else etree.SubElement(parent, x(name), attrib)
    if text is not None:
        element.text = text
    return element


def find(element: etree._Element | None, path: str) -> etree._Element | None:
    return None if element is None else element.find(path, XNS)


def text(element: etree._Element | None, path: str) -> str | None:
    found = find(element, path)
    value = found.text.strip() if found is not None and found.text else None
    return value or None


# ---- requests ---------------------------------------------------------------------------------------------


def _selected_numbers(parent: etree._Element, numbers: Sequence[str], w: ElementWriter) -> None:
    selected = el(el(parent, "ftr:filter"), "ftr:selectedNumbers")
    for number in numbers:
        w.text(el(selected, "ftr:number"), "typ:numberRequested", number, field="number")


def list_orders_by_number(numbers: Sequence[str], *, ext_system: str) -> DataPackItem:
    """Received orders with these document numbers, their shop ids (``extSystem``) and linked documents."""
    w = ElementWriter("order list request")
    root = el(
        None, "lst:listOrderRequest", version="2.0", orderType="receivedOrder", orderVersion="2.0", extSystem=ext_system
    )
    _selected_numbers(el(root, "lst:requestOrder"), numbers, w)
    el(el(root, "lst:restrictionData"), "lst:documents", "true")
    return make_item("list.orders", ",".join(numbers), root, record="order list request", writes=False)


def list_delivery_notes(
    *, id_from: int | None = None, count: int | None = None, numbers: Sequence[str] = ()
) -> DataPackItem:
    """Delivery notes (výdejky) from ``id_from`` on, or the ones with these numbers."""
    w = ElementWriter("delivery note list request")
    root = el(None, "lst:listVydejkaRequest", version="2.0", vydejkaVersion="2.0")
    if id_from is not None or count is not None:
        limit = el(root, "lst:limit")
        w.integer(limit, "ftr:idFrom", id_from)
        w.integer(limit, "ftr:count", count)
    request = el(root, "lst:requestVydejka")
    if numbers:
        _selected_numbers(request, numbers, w)
    key = ",".join(numbers) if numbers else f"from-{id_from or 1}-{count or 'all'}"
    return make_item("list.notes", key, root, record="delivery note list request", writes=False)


def list_int_params() -> DataPackItem:
    """Every internet-parameter definition (name, type, unit, list values)."""
    root = el(None, "lst:listIntParamRequest", version="2.0")
    el(root, "lst:requestIntParam")
    return make_item("list.intparams", "all", root, record="parameter list request", writes=False)


def delete_order(number: str, *, revision: int = 0) -> DataPackItem:
    """Delete the received order with this document number (POHODA refuses when documents link to it)."""
    w = ElementWriter(f"sales order {number}")
    root = el(None, "ord:order", version="2.0")
    flt = el(el(el(root, "ord:actionType"), "ord:delete"), "ftr:filter", agenda="prijate_objednavky")
    w.text(flt, "ftr:number", number, field="erp_key")
    return make_item(
        "order.delete", number, root, record=f"sales order {number}", writes=True, identity="record", revision=revision
    )


def cash_receipt(
    *,
    ext_id: str,
    ext_system: str,
    cash_desk: str,
    order_number: str,
    day: date,
    amount: Decimal,
    text_value: str,
    partner_id: int | None = None,
) -> DataPackItem:
    """A cash receipt (``vch:voucher``) paying ``order_number`` (``originalDocument``), keyed by ``ext_id``."""
    record = f"payment {ext_id}"
    w = ElementWriter(record)
    root = el(None, "vch:voucher", version="2.0")
    header = el(root, "vch:voucherHeader")
    ext = el(header, "vch:extId")
    w.text(ext, "typ:ids", ext_id, "typ:extIdType/ids", field="ext_id")
    w.text(ext, "typ:exSystemName", ext_system, "typ:extIdType/exSystemName", field="ext_system")
    el(header, "vch:voucherType", "receipt")
    w.text(el(header, "vch:cashAccount"), "typ:ids", cash_desk, "typ:refType/ids", field="cash_desk")
    el(header, "vch:originalDocument", fit(order_number, None, record=record, field="order_number")[:32])
    el(header, "vch:date", fmt_date(day))
    el(header, "vch:datePayment", fmt_date(day))
    el(header, "vch:text", fit(text_value, None, record=record, field="text")[:240])
    if partner_id is not None:
        el(el(header, "vch:partnerIdentity"), "typ:id", str(partner_id))
    el(el(el(root, "vch:voucherSummary"), "vch:homeCurrency"), "typ:priceNone", fmt_decimal(amount))
    return make_item("cash.receipt", ext_id, root, record=record, writes=True, identity="record")


def with_item_ext_ids(item: DataPackItem, ext_ids: Sequence[str | None]) -> DataPackItem:
    """``item`` (an ``ord:order``) with ``ord:extId`` on its order items, in order; ``None`` leaves one out.

    The item id is unchanged: orders are keyed by record, not content (see ``connectors/pohoda/xml/pack.py``).
    """
    items = item.element.findall("ord:orderDetail/ord:orderItem", XNS)
    if len(items) != len(ext_ids):
        raise ValueError(f"{item.record}: {len(items)} order items but {len(ext_ids)} ext ids")
    w = ElementWriter(item.record)
    for index, (element, ext_id) in enumerate(zip(items, ext_ids, strict=False)):
        if ext_id is not None:
            w.text(element, "ord:extId", ext_id, field=f"items[{index}].ext_id")
    return item


# ---- readers ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IntParamDefinition:
    id: int
    name: str
    type: str
    unit: str | None = None


def read_int_params(answer: etree._Element) -> dict[int, IntParamDefinition]:
    found: dict[int, IntParamDefinition] = {}
    for node in answer.iterfind(".//ipm:intParam", XNS):
        ident = read_int(text(node, "ipm:id"), "intParam.id")
        if ident is None:
            continue
        found[ident] = IntParamDefinition(
            ident,
            text(node, "ipm:name") or str(ident),
            text(node, "ipm:parameterType") or "textValue",
            text(node, "ipm:parameterSettings/ipm:unit"),
        )
    return found


def address_number(entry: etree._Element) -> str | None:
    """The "Číslo" of an exported address-book entry (``adb:number``), the customer key we use."""
    header = find(entry, "adb:addressbookHeader")
    return text(header, "adb:number/typ:numberRequested") or text(header, "adb:number/typ:ids")


@dataclass(frozen=True)
class NoteLine:
    code: str | None
    quantity: Decimal
    store: str | None
    order_id: int | None
    order_item_id: int | None


@dataclass(frozen=True)
class DeliveryNote:
    """A delivery note (výdejka) as exported, with what a shipment needs."""

    id: int
    number: str
    date: date | None
    number_order: str | None
    carrier: str | None
    parameters: dict[str, str] = field(default_factory=dict)
    lines: tuple[NoteLine, ...] = ()

    @property
    def order_ids(self) -> set[int]:
        return {line.order_id for line in self.lines if line.order_id is not None}


def read_delivery_note(node: etree._Element) -> DeliveryNote:
    """One ``lst:vydejka``; raises ``FieldValueError`` naming the field for a value of the wrong type."""
    header = find(node, "vyd:vydejkaHeader")
    parameters = {}
    for parameter in node.iterfind("vyd:vydejkaHeader/vyd:parameters/typ:parameter", XNS):
        name = text(parameter, "typ:name")
        value = next((v.text.strip() for v in parameter if v.tag != x("typ:name") and v.text and v.text.strip()), None)
        if name and value:
            parameters[name] = value
    lines = []
    for index, item in enumerate(node.iterfind("vyd:vydejkaDetail/vyd:vydejkaItem", XNS)):
        where = f"vydejkaItem[{index}]"
        lines.append(
            NoteLine(
                code=text(item, "vyd:code") or text(item, "vyd:stockItem/typ:stockItem/typ:ids"),
                quantity=read_decimal(text(item, "vyd:quantity"), f"{where}.quantity") or Decimal("0"),
                store=text(item, "vyd:stockItem/typ:store/typ:ids"),
                order_id=read_int(text(item, "vyd:linkedDocument/typ:sourceDocument/typ:id"), f"{where}.order"),
                order_item_id=read_int(
                    text(item, "vyd:linkedDocument/typ:sourceDocumentItem/typ:sourceItemId"), f"{where}.sourceItemId"
                ),
            )
        )
    ident = read_int(text(header, "vyd:id"), "vyd:id")
    number = text(header, "vyd:number/typ:numberRequested") or text(header, "vyd:number/typ:ids")
    return DeliveryNote(
        id=ident or 0,
        number=number or str(ident),
        date=read_date(text(header, "vyd:date"), "vyd:date"),
        number_order=text(header, "vyd:numberOrder"),
        carrier=text(header, "vyd:carrier/typ:ids"),
        parameters=parameters,
        lines=tuple(lines),
    )


def order_item_ext_ids(order: etree._Element) -> dict[int, str]:
    """``ord:extId`` per order item id of an exported ``lst:order``."""
    found = {}
    for item in order.iterfind("ord:orderDetail/ord:orderItem", XNS):
        ident = read_int(text(item, "ord:id"), "orderItem.id")
        ext = text(item, "ord:extId")
        if ident is not None and ext:
            found[ident] = ext
    return found


def item_ext_ids_in_order(order: etree._Element) -> list[str | None]:
    """``ord:extId`` of each order item of an exported ``lst:order``, in document order."""
    return [text(item, "ord:extId") for item in order.iterfind("ord:orderDetail/ord:orderItem", XNS)]
