"""Payments: a bank receipt or expense (``bnk:bank``) and a cash receipt (``vch:voucher``); and the bank
documents a ``listBank`` answer holds (``read_bank``).

The two we write are create-once documents keyed by the shop transaction id (``identity="record"``, see
``pack.py``), so a retry is answered with ``recordDuplicity`` instead of booking the money twice.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from lxml import etree

from connectors.pohoda.models.documents import BankDocument
from connectors.pohoda.models.payments import BankPayment, CashReceipt
from connectors.pohoda.xml.agendas.addresses import read_address
from connectors.pohoda.xml.agendas.summary import read_totals
from connectors.pohoda.xml.elements import ElementWriter, agenda, child, ref_of, sub, text_of
from connectors.pohoda.xml.limits import fit
from connectors.pohoda.xml.pack import DataPackItem, make_item
from connectors.pohoda.xml.values import DEFAULT_TZ, read_date, read_int

__all__ = ["bank_label", "bank_receipt", "cash_receipt", "read_bank"]


def bank_receipt(payment: BankPayment, *, revision: int = 0, tz: ZoneInfo = DEFAULT_TZ) -> DataPackItem:
    """The dataPackItem that books ``payment`` as a bank receipt or expense (variable symbol = order number)."""
    w = ElementWriter(payment.record, tz)
    root = agenda("bnk:bank", version="2.0")
    header = sub(root, "bnk:bankHeader")
    w.ext_id(header, "bnk:extId", payment.ext_id)
    sub(header, "bnk:bankType", payment.kind)
    w.ref(header, "bnk:account", ids=payment.account, field="account")
    w.text(header, "bnk:symVar", payment.variable_symbol, "bnk:bankHeaderType/symVar", field="variable_symbol")
    w.date(header, "bnk:dateStatement", payment.date)
    w.date(header, "bnk:datePayment", payment.date)
    w.text(header, "bnk:text", payment.text, "bnk:bankHeaderType/text")
    if payment.partner_id is not None:
        w.integer(sub(header, "bnk:partnerIdentity"), "typ:id", payment.partner_id)
    w.text(header, "bnk:note", payment.note)
    summary = sub(root, "bnk:bankSummary")
    if payment.currency is None:
        w.decimal(sub(summary, "bnk:homeCurrency"), "typ:priceNone", payment.amount)
    else:
        foreign = sub(summary, "bnk:foreignCurrency")
        w.ref(foreign, "typ:currency", ids=payment.currency, field="currency")
        w.decimal(foreign, "typ:priceSum", payment.amount)
    return make_item(
        f"bank.{payment.kind}",
        payment.ext_id.ids,
        root,
        record=payment.record,
        writes=True,
        identity="record",
        revision=revision,
    )


def cash_receipt(receipt: CashReceipt, *, tz: ZoneInfo = DEFAULT_TZ) -> DataPackItem:
    """The dataPackItem that books ``receipt`` in its cash desk, paying ``order_number`` (``originalDocument``), in
    the home currency or in ``receipt.currency`` (``voucherSummary/foreignCurrency``)."""
    record = receipt.record
    w = ElementWriter(record, tz)
    root = agenda("vch:voucher", version="2.0")
    header = sub(root, "vch:voucherHeader")
    w.ext_id(header, "vch:extId", receipt.ext_id)
    sub(header, "vch:voucherType", "receipt")
    w.ref(header, "vch:cashAccount", ids=receipt.cash_desk, field="cash_desk")
    sub(header, "vch:originalDocument", fit(receipt.order_number, None, record=record, field="order_number")[:32])
    w.date(header, "vch:date", receipt.date)
    w.date(header, "vch:datePayment", receipt.date)
    sub(header, "vch:text", fit(receipt.text, None, record=record, field="text")[:240])
    if receipt.partner_id is not None:
        w.integer(sub(header, "vch:partnerIdentity"), "typ:id", receipt.partner_id)
    w.text(header, "vch:note", receipt.note)
    summary = sub(root, "vch:voucherSummary")
    if receipt.currency is None:
        w.decimal(sub(summary, "vch:homeCurrency"), "typ:priceNone", receipt.amount)
    else:  # a receipt in a foreign currency: the amount in it, POHODA converts at its rate
        foreign = sub(summary, "vch:foreignCurrency")
        w.ref(foreign, "typ:currency", ids=receipt.currency, field="currency")
        w.decimal(foreign, "typ:priceSum", receipt.amount)
    return make_item("cash.receipt", receipt.ext_id.ids, root, record=record, writes=True, identity="record")


def read_bank(element: etree._Element, *, exported_at: datetime | None = None) -> BankDocument:
    """A ``lst:bank`` of a ``listBank`` answer (a foreign-currency document keeps its currency and amount)."""
    header = child(element, "bnk:bankHeader")
    identity = child(header, "bnk:partnerIdentity")
    return BankDocument(
        id=read_int(text_of(header, "bnk:id"), "id"),
        kind=text_of(header, "bnk:bankType") or "receipt",
        number=text_of(header, "bnk:number"),
        account=ref_of(child(header, "bnk:account"), "account")[1],
        variable_symbol=text_of(header, "bnk:symVar"),
        date_statement=read_date(text_of(header, "bnk:dateStatement"), "dateStatement"),
        date_payment=read_date(text_of(header, "bnk:datePayment"), "datePayment"),
        text=text_of(header, "bnk:text"),
        partner_id=read_int(text_of(identity, "typ:id"), "partnerIdentity.id"),
        partner=read_address(child(identity, "typ:address")),
        totals=read_totals(child(element, "bnk:bankSummary"), "bnk"),
        exported_at=exported_at,
    )


def bank_label(element: etree._Element) -> str:
    header = child(element, "bnk:bankHeader")
    return f"bank document {text_of(header, 'bnk:number') or text_of(header, 'bnk:id') or 'without number'}"
