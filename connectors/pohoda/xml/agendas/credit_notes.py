"""Issued credit notes (``inv:invoice``, ``issuedCreditNotice``): the import of a shop refund.

A create-once document keyed by the shop refund id (``identity="record"``, see ``pack.py``): a retry is
answered with ``recordDuplicity`` (or POHODA's extId check), never a second credit note. Prices are in the
document's currency: ``foreignCurrency`` (with ``invoiceSummary/foreignCurrency/currency``) when the shop order
is not in the company's home currency, else ``homeCurrency``.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from lxml import etree

from connectors.pohoda.models.credit_notes import IssuedCreditNote
from connectors.pohoda.models.orders import OrderItem
from connectors.pohoda.xml.elements import ElementWriter, agenda, sub
from connectors.pohoda.xml.pack import DataPackItem, make_item
from connectors.pohoda.xml.values import DEFAULT_TZ

__all__ = ["issued_credit_note"]


def issued_credit_note(
    note: IssuedCreditNote, *, home_currency: str = "CZK", tz: ZoneInfo = DEFAULT_TZ
) -> DataPackItem:
    """The dataPackItem that imports ``note`` as an issued credit note."""
    w = ElementWriter(note.record, tz)
    root = agenda("inv:invoice", version="2.0")
    header = sub(root, "inv:invoiceHeader")
    w.ext_id(header, "inv:extId", note.ext_id)
    sub(header, "inv:invoiceType", "issuedCreditNotice")
    w.text(header, "inv:symVar", note.variable_symbol, field="variable_symbol")
    w.date(header, "inv:date", note.date)
    w.date(header, "inv:dateTax", note.date)
    w.text(header, "inv:text", None if note.text is None else note.text[:240])
    if note.partner_id is not None:
        w.integer(sub(header, "inv:partnerIdentity"), "typ:id", note.partner_id)
    w.text(header, "inv:numberOrder", note.number_order, field="number_order")
    foreign = note.currency is not None and note.currency != home_currency
    detail = sub(root, "inv:invoiceDetail")
    for index, item in enumerate(note.items):
        _item(w, detail, item, index, foreign)
    if foreign:
        summary = sub(root, "inv:invoiceSummary")
        w.ref(sub(summary, "inv:foreignCurrency"), "typ:currency", ids=note.currency, field="currency")
    return make_item("invoice.add", note.ext_id.ids, root, record=note.record, writes=True, identity="record")


def _item(w: ElementWriter, detail: etree._Element, item: OrderItem, index: int, foreign: bool) -> None:
    element = sub(detail, "inv:invoiceItem")
    w.text(element, "inv:extId", item.ext_id, field=f"items[{index}].ext_id")
    sub(element, "inv:text", item.text[:90])
    w.decimal(element, "inv:quantity", item.quantity)
    w.boolean(element, "inv:payVAT", item.pay_vat)
    sub(element, "inv:rateVAT", item.rate_vat.value)
    if item.unit_price is not None:
        w.decimal(
            sub(element, "inv:foreignCurrency" if foreign else "inv:homeCurrency"), "typ:unitPrice", item.unit_price
        )
    w.text(element, "inv:code", item.code, "typ:stockRefType/ids", field=f"items[{index}].code")
    if item.stock_code is not None:
        ref = sub(sub(element, "inv:stockItem"), "typ:stockItem")
        w.text(ref, "typ:ids", item.stock_code, "typ:stockRefType/ids", field=f"items[{index}].stock_code")
