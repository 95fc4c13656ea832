"""Document imports: a received order (``ord:order``) and a payment as a bank receipt (``bnk:bank``).

Both are create-once documents — POHODA cannot update them through XML — so their dataPackItem id is derived
from the record key alone (``identity="record"``, see ``pack.py``): a retry, or a re-send of an edited shop
order, is answered with ``recordDuplicity`` instead of a second document. ``revision`` re-imports a document
that was deliberately deleted in POHODA.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from lxml import etree

from connectors.pohoda.errors import RecordError
from connectors.pohoda.models.orders import OrderItem, PartyAddress, ReceivedOrder
from connectors.pohoda.models.payments import BankPayment
from connectors.pohoda.xml.elements import ElementWriter, agenda, sub
from connectors.pohoda.xml.pack import DataPackItem, make_item
from connectors.pohoda.xml.values import DEFAULT_TZ

__all__ = ["bank_receipt", "delete_order", "received_order", "write_address"]

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


def delete_order(order_id: int, *, record: str | None = None) -> DataPackItem:
    """The dataPackItem that deletes a received order by POHODA's id (e.g. a half-created one)."""
    root = agenda("ord:order", version="2.0")
    flt = sub(sub(sub(root, "ord:actionType"), "ord:delete"), "ftr:filter", agenda="prijate_objednavky")
    sub(flt, "ftr:id", str(order_id))
    return make_item("order.delete", str(order_id), root, record=record or f"order id {order_id}", writes=True)


def _order_item(w: ElementWriter, detail: etree._Element, item: OrderItem, index: int, foreign: bool) -> None:
    element = sub(detail, "ord:orderItem")
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


def write_address(w: ElementWriter, parent: etree._Element, tag: str, address: PartyAddress | None, field: str) -> None:
    """A ``typ:address`` or ``typ:shipToAddress`` (the latter has no ico/dic/mobile)."""
    if address is None:
        return
    kind = "addressType" if tag == "typ:address" else "shipToAddressType"
    element = sub(parent, tag)
    for name in ("company", "division", "name", "city", "street", "zip"):
        w.text(element, f"typ:{name}", getattr(address, name), f"typ:{kind}/{name}", field=f"{field}.{name}")
    if kind == "addressType":
        w.text(element, "typ:ico", address.ico, "typ:addressType/ico", field=f"{field}.ico")
        w.text(element, "typ:dic", address.dic, "typ:addressType/dic", field=f"{field}.dic")
    w.ref(element, "typ:country", ids=address.country, field=f"{field}.country")
    w.text(element, "typ:phone", address.phone, f"typ:{kind}/phone", field=f"{field}.phone")
    if kind == "addressType":
        w.text(element, "typ:mobilPhone", address.mobile, "typ:addressType/mobilPhone", field=f"{field}.mobile")
    w.text(element, "typ:email", address.email, f"typ:{kind}/email", field=f"{field}.email")


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
