"""Invoices (``inv:invoice``), read only: the ``lst:invoice`` records of a ``listInvoice`` answer.

commerce-sync never writes invoices (POHODA makes them from the orders we import); it reads them to see what an
order became. Lines are ``invoiceItem`` and ``invoiceAdvancePaymentItem`` (a deducted advance), their prices in
the document's currency: ``foreignCurrency`` when the invoice is in one, else ``homeCurrency``.
"""

from __future__ import annotations

from datetime import datetime
from typing import get_args
from zoneinfo import ZoneInfo

from lxml import etree

from connectors.pohoda.models.common import ExtId
from connectors.pohoda.models.documents import Invoice, InvoiceItem
from connectors.pohoda.models.requests import InvoiceListRequest, OrderPart
from connectors.pohoda.namespaces import local_name, q
from connectors.pohoda.xml.agendas._lists import ext_system, list_item, restriction
from connectors.pohoda.xml.agendas.addresses import read_address
from connectors.pohoda.xml.agendas.orders import read_links
from connectors.pohoda.xml.agendas.summary import read_totals
from connectors.pohoda.xml.elements import ElementWriter, agenda, child, ext_id_of, ref_of, sub, text_of
from connectors.pohoda.xml.pack import DataPackItem
from connectors.pohoda.xml.values import DEFAULT_TZ, read_bool, read_date, read_decimal, read_int

__all__ = ["invoice_label", "list_invoices", "read_invoice"]

_LINES = (q("inv:invoiceItem"), q("inv:invoiceAdvancePaymentItem"))


def list_invoices(request: InvoiceListRequest, *, tz: ZoneInfo = DEFAULT_TZ) -> DataPackItem:
    """The invoice export of ``request.invoice_type``: all of them, or one ``requestInvoice`` group per ext id
    (e.g. the credit notes of these shop refunds), each with the same restriction."""
    w = ElementWriter("invoice list request", tz)
    attrib = {
        "version": "2.0",
        "invoiceType": request.invoice_type,
        "invoiceVersion": "2.0",
        **ext_system(w, request.ext_system),
    }
    root = agenda("lst:listInvoiceRequest", **attrib)
    groups: list[ExtId | None] = list(request.ext_ids) or [None]
    for ext in groups:
        query = sub(root, "lst:requestInvoice")
        if ext is not None:
            w.ext_id(sub(query, "ftr:filter"), "ftr:extId", ext)
        restriction(root, "lst:restrictionData", request.restriction, get_args(OrderPart))
    key = ",".join(e.ids for e in request.ext_ids) or None
    return list_item("list.invoices", root, None, key=key)


def _line(element: etree._Element, index: int, currency_block: str) -> InvoiceItem:
    field = f"{local_name(element.tag)}[{index}]"
    prices = child(element, currency_block)
    if prices is None:
        prices = child(element, "inv:homeCurrency")
    stock = child(child(element, "inv:stockItem"), "typ:stockItem")
    return InvoiceItem(
        id=read_int(text_of(element, "inv:id"), f"{field}.id"),
        text=text_of(element, "inv:text"),
        quantity=read_decimal(text_of(element, "inv:quantity"), f"{field}.quantity"),
        unit=text_of(element, "inv:unit"),
        pay_vat=read_bool(text_of(element, "inv:payVAT"), f"{field}.payVAT") or False,
        rate_vat=text_of(element, "inv:rateVAT") or "none",
        unit_price=read_decimal(text_of(prices, "typ:unitPrice"), f"{field}.unitPrice"),
        total=read_decimal(text_of(prices, "typ:priceSum"), f"{field}.priceSum"),
        code=text_of(element, "inv:code"),
        stock_code=ref_of(stock, f"{field}.stockItem")[1],
    )


def read_invoice(element: etree._Element, *, exported_at: datetime | None = None) -> Invoice:
    header = child(element, "inv:invoiceHeader")
    number = child(header, "inv:number")
    identity = child(header, "inv:partnerIdentity")
    payment = child(header, "inv:paymentType")
    totals = read_totals(child(element, "inv:invoiceSummary"), "inv")
    block = "inv:foreignCurrency" if totals.currency else "inv:homeCurrency"
    detail = child(element, "inv:invoiceDetail")
    lines = [] if detail is None else [part for part in detail if part.tag in _LINES]
    return Invoice(
        id=read_int(text_of(header, "inv:id"), "id"),
        ext_id=ext_id_of(child(header, "inv:extId")),
        invoice_type=text_of(header, "inv:invoiceType") or "issuedInvoice",
        number=text_of(number, "typ:numberRequested") or text_of(number, "typ:ids"),
        variable_symbol=text_of(header, "inv:symVar"),
        number_order=text_of(header, "inv:numberOrder"),
        date=read_date(text_of(header, "inv:date"), "date"),
        date_tax=read_date(text_of(header, "inv:dateTax"), "dateTax"),
        date_due=read_date(text_of(header, "inv:dateDue"), "dateDue"),
        text=text_of(header, "inv:text"),
        partner_id=read_int(text_of(identity, "typ:id"), "partnerIdentity.id"),
        partner=read_address(child(identity, "typ:address")),
        payment_type=text_of(payment, "typ:ids") or text_of(payment, "typ:paymentType"),
        items=[_line(line, index, block) for index, line in enumerate(lines)],
        totals=totals,
        linked_documents=read_links(child(element, "inv:linkedDocuments")),
        exported_at=exported_at,
    )


def invoice_label(element: etree._Element) -> str:
    header = child(element, "inv:invoiceHeader")
    number = text_of(child(header, "inv:number"), "typ:numberRequested")
    return f"invoice {number or text_of(header, 'inv:id') or 'without number'}"
