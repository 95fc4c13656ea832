"""Payments: a bank receipt or expense (``bnk:bank``) and a cash receipt (``vch:voucher``).

Both are create-once documents keyed by the shop transaction id (``identity="record"``, see ``pack.py``), so a
retry is answered with ``recordDuplicity`` instead of booking the money twice.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from connectors.pohoda.models.payments import BankPayment, CashReceipt
from connectors.pohoda.xml.elements import ElementWriter, agenda, sub
from connectors.pohoda.xml.limits import fit
from connectors.pohoda.xml.pack import DataPackItem, make_item
from connectors.pohoda.xml.values import DEFAULT_TZ

__all__ = ["bank_receipt", "cash_receipt"]


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
    """The dataPackItem that books ``receipt`` in its cash desk, paying ``order_number`` (``originalDocument``)."""
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
    w.decimal(sub(sub(root, "vch:voucherSummary"), "vch:homeCurrency"), "typ:priceNone", receipt.amount)
    return make_item("cash.receipt", receipt.ext_id.ids, root, record=record, writes=True, identity="record")
