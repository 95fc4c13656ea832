"""Document exports: received orders (``lst:listOrderRequest``), delivery notes (``lst:listVydejkaRequest``),
the address book (``lAdb:listAddressBookRequest``), bank documents (``lst:listBankRequest``) and invoices
(``lst:listInvoiceRequest``, of the request's ``@invoiceType``: the credit notes shop refunds became).

How an order shows its state, which is what the status sync maps:
- ``ord:isExecuted`` true = "Vyřízeno" (processed);
- ``ord:linkedDocuments`` holding an ``issuedInvoice`` (or other invoice) link = "Přeneseno" (transferred);
- ``ord:storno`` = ``cancelledDocument`` with ``ord:dateCancellation`` = cancelled;
- ``ord:isDelivered`` and the items' ``ord:delivered`` follow the delivery notes issued from the order, which
  are also linked (``issueSlip``). ``restrictionData/documents=false`` leaves ``linkedDocuments`` out.
``extId`` of an order or address is exported only when the request's ``@extSystem`` names its system.
"""

from __future__ import annotations

from lxml import etree

from . import records as r
from .context import ItemContext
from .filters import address_filter, document_filter, read_limit, refuse_unsupported
from .render import (
    ext_id,
    identity,
    item_prices,
    links,
    number,
    request_groups,
    restriction_flag,
    stock_ref,
    text_parameters,
)
from .responses import list_envelope
from .xml import child, opt, sub


def _collect(
    ctx: ItemContext, request: etree._Element, request_name: str, records: list, predicate_of
) -> list[tuple[object, etree._Element | None]]:
    """Records matching any of the request's groups (each with its own filter and limit), once each."""
    chosen: dict[int, tuple[object, etree._Element | None]] = {}
    for limit, query, restriction in request_groups(request, request_name):
        refuse_unsupported(query)
        predicate = predicate_of(child(query, "ftr:filter"), ctx.zone)
        for record in read_limit(limit).apply([x for x in records if predicate(x)]):
            chosen.setdefault(record.id, (record, restriction))
    return [chosen[k] for k in sorted(chosen)]


def list_order(ctx: ItemContext, request: etree._Element, item: etree._Element) -> None:
    state = ctx.state
    order_type = request.get("orderType", "receivedOrder")
    ext_system = request.get("extSystem")
    with state.lock:
        envelope = list_envelope(item, "lst:listOrder", state.now(), ctx.zone)
        candidates = [o for o in state.orders.values() if o.order_type == order_type]
        for order, restriction in _collect(ctx, request, "requestOrder", candidates, document_filter):
            _order(ctx, envelope, order, restriction, ext_system)


def _order(
    ctx: ItemContext, parent: etree._Element, order: r.Order, restriction: etree._Element | None, ext_system: str | None
) -> None:
    node = sub(parent, "lst:order", version="2.0")
    header = sub(node, "ord:orderHeader")
    sub(header, "ord:id", order.id)
    ext_id(header, "ord:extId", order.ext_id, ext_system)
    sub(header, "ord:orderType", order.order_type)
    if order.cancelled_on is not None:
        sub(header, "ord:storno", "cancelledDocument")
    number(header, "ord:number", "order", order.number)
    opt(header, "ord:numberOrder", order.number_order)
    sub(header, "ord:date", order.date.isoformat())
    opt(header, "ord:text", order.text)
    identity(header, "ord:partnerIdentity", order.partner_id, order.partner, [order.ship_to] if order.ship_to else [])
    if order.payment_type:
        sub(sub(header, "ord:paymentType"), "typ:ids", order.payment_type[:32])
    sub(header, "ord:isExecuted", order.is_executed)
    sub(header, "ord:isDelivered", order.is_delivered)
    sub(header, "ord:isReserved", order.is_reserved)
    if order.cancelled_on is not None:
        sub(header, "ord:dateCancellation", order.cancelled_on.isoformat())
    opt(header, "ord:note", order.note)
    if order.carrier:
        sub(sub(header, "ord:carrier"), "typ:ids", order.carrier[:20])
    opt(header, "ord:intNote", order.int_note)
    if order.items:
        detail = sub(node, "ord:orderDetail")
        for line in order.items:
            _order_item(ctx, detail, line)
    sub(sub(node, "ord:orderSummary"), "ord:roundingDocument", "none")
    if restriction_flag(restriction, "documents"):
        links(node, "ord:linkedDocuments", order.links)


def _order_item(ctx: ItemContext, parent: etree._Element, line: r.OrderItem) -> None:
    node = sub(parent, "ord:orderItem")
    sub(node, "ord:id", line.id)
    opt(node, "ord:extId", line.ext_id)
    sub(node, "ord:text", line.text)
    sub(node, "ord:quantity", line.quantity)
    sub(node, "ord:delivered", line.delivered)
    opt(node, "ord:unit", line.unit)
    sub(node, "ord:payVAT", line.pay_vat)
    sub(node, "ord:rateVAT", line.rate_vat)
    if line.discount_percentage:
        sub(node, "ord:discountPercentage", line.discount_percentage)
    base, vat, total = item_prices(
        line.quantity, line.unit_price, line.pay_vat, line.rate_vat, line.discount_percentage
    )
    prices = sub(node, "ord:homeCurrency")
    sub(prices, "typ:unitPrice", line.unit_price)
    sub(prices, "typ:price", base)
    sub(prices, "typ:priceVAT", vat)
    sub(prices, "typ:priceSum", total)
    opt(node, "ord:note", line.note)
    opt(node, "ord:code", line.code)
    card = ctx.state.cards.get(line.stock_card_id) if line.stock_card_id else None
    stock_ref(node, "ord:stockItem", card, ctx.state.stores.get(line.store_id) if line.store_id else None)


def list_vydejka(ctx: ItemContext, request: etree._Element, item: etree._Element) -> None:
    state = ctx.state
    with state.lock:
        envelope = list_envelope(item, "lst:listVydejka", state.now(), ctx.zone)
        notes = list(state.delivery_notes.values())
        for note, restriction in _collect(ctx, request, "requestVydejka", notes, document_filter):
            _vydejka(ctx, envelope, note, restriction)


def _vydejka(
    ctx: ItemContext, parent: etree._Element, note: r.DeliveryNote, restriction: etree._Element | None
) -> None:
    state = ctx.state
    order = state.orders.get(note.order_id) if note.order_id else None
    node = sub(parent, "lst:vydejka", version="2.0")
    header = sub(node, "vyd:vydejkaHeader")
    sub(header, "vyd:id", note.id)
    number(header, "vyd:number", "vydejka", note.number)
    sub(header, "vyd:date", note.date.isoformat())
    opt(header, "vyd:numberOrder", note.number_order)
    opt(header, "vyd:text", note.text)
    identity(header, "vyd:partnerIdentity", None, note.partner)
    if note.carrier:
        sub(sub(header, "vyd:carrier"), "typ:ids", note.carrier[:20])
    text_parameters(
        header, "vyd:parameters", {"VPrTracking": note.tracking_number, "VPrTrackingURL": note.tracking_url}
    )
    detail = sub(node, "vyd:vydejkaDetail")
    for line in note.items:
        entry = sub(detail, "vyd:vydejkaItem")
        if order is not None and line.order_item_id is not None:
            linked = sub(entry, "vyd:linkedDocument")
            sub(linked, "typ:sourceAgenda", "receivedOrder")
            source = sub(linked, "typ:sourceDocument")
            sub(source, "typ:id", order.id)
            sub(source, "typ:number", order.number)
            sub(sub(linked, "typ:sourceDocumentItem"), "typ:sourceItemId", line.order_item_id)
        sub(entry, "vyd:id", line.id)
        sub(entry, "vyd:text", line.text)
        sub(entry, "vyd:quantity", line.quantity)
        sub(sub(entry, "vyd:homeCurrency"), "typ:unitPrice", line.unit_price)
        opt(entry, "vyd:code", line.code)
        card = state.cards.get(line.stock_card_id) if line.stock_card_id else None
        stock_ref(entry, "vyd:stockItem", card, state.stores.get(line.store_id) if line.store_id else None)
    if order is not None and restriction_flag(restriction, "documents"):
        links(node, "vyd:linkedDocuments", [r.DocLink(order.order_type, order.id, order.number)])


def list_invoice(ctx: ItemContext, request: etree._Element, item: etree._Element) -> None:
    state = ctx.state
    kind = request.get("invoiceType", "issuedInvoice")
    ext_system = request.get("extSystem")
    with state.lock:
        envelope = list_envelope(item, "lst:listInvoice", state.now(), ctx.zone)
        candidates = [i for i in state.invoices.values() if i.invoice_type == kind]
        for invoice, _ in _collect(ctx, request, "requestInvoice", candidates, document_filter):
            node = sub(envelope, "lst:invoice", version="2.0")
            header = sub(node, "inv:invoiceHeader")
            sub(header, "inv:id", invoice.id)
            ext_id(header, "inv:extId", invoice.ext_id, ext_system)
            sub(header, "inv:invoiceType", invoice.invoice_type)
            number(header, "inv:number", "invoice", invoice.number)
            opt(header, "inv:symVar", invoice.sym_var)
            sub(header, "inv:date", invoice.date.isoformat())
            opt(header, "inv:text", invoice.text)
            if invoice.partner_id is not None:
                sub(sub(header, "inv:partnerIdentity"), "typ:id", invoice.partner_id)
            opt(header, "inv:numberOrder", invoice.number_order)
            detail = sub(node, "inv:invoiceDetail")
            for line in invoice.items:
                entry = sub(detail, "inv:invoiceItem")
                sub(entry, "inv:id", line.id)
                opt(entry, "inv:extId", line.ext_id)
                sub(entry, "inv:text", line.text)
                sub(entry, "inv:quantity", line.quantity)
                sub(entry, "inv:payVAT", line.pay_vat)
                sub(entry, "inv:rateVAT", line.rate_vat)
                prices = "inv:foreignCurrency" if invoice.currency else "inv:homeCurrency"
                sub(sub(entry, prices), "typ:unitPrice", line.unit_price)
                opt(entry, "inv:code", line.code)
                card = state.cards.get(line.stock_card_id) if line.stock_card_id else None
                stock_ref(entry, "inv:stockItem", card, state.stores.get(card.store_id) if card else None)
            if invoice.currency:
                currency = sub(sub(sub(node, "inv:invoiceSummary"), "inv:foreignCurrency"), "typ:currency")
                sub(currency, "typ:ids", invoice.currency)


def list_address_book(ctx: ItemContext, request: etree._Element, item: etree._Element) -> None:
    state = ctx.state
    ext_system = request.get("extSystem")
    with state.lock:
        envelope = list_envelope(item, "lAdb:listAddressBook", state.now(), ctx.zone)
        entries = list(state.addresses.values())
        for entry, _ in _collect(ctx, request, "requestAddressBook", entries, address_filter):
            node = sub(envelope, "lAdb:addressbook", version="2.0")
            header = sub(node, "adb:addressbookHeader")
            sub(header, "adb:id", entry.id)
            identity(header, "adb:identity", None, entry.address, entry.ship_to, entry.ext_id, ext_system)
            opt(header, "adb:phone", entry.phone)
            opt(header, "adb:mobil", entry.mobil)
            opt(header, "adb:email", entry.email)
            if entry.number:
                sub(sub(header, "adb:number"), "typ:numberRequested", entry.number[:20])
            opt(header, "adb:note", entry.note)


def list_bank(ctx: ItemContext, request: etree._Element, item: etree._Element) -> None:
    state = ctx.state
    with state.lock:
        envelope = list_envelope(item, "lst:listBank", state.now(), ctx.zone)
        payments = [p for p in state.payments.values() if p.agenda == "bank"]
        for payment, _ in _collect(ctx, request, "requestBank", payments, document_filter):
            node = sub(envelope, "lst:bank", version="2.0")
            header = sub(node, "bnk:bankHeader")
            sub(header, "bnk:id", payment.id)
            if payment.ext_id is not None:
                ext = sub(header, "bnk:extId")
                sub(ext, "typ:ids", payment.ext_id.ids)
                sub(ext, "typ:exSystemName", payment.ext_id.system)
            sub(header, "bnk:bankType", payment.kind)
            sub(header, "bnk:number", payment.number[:15])
            opt(header, "bnk:symVar", payment.sym_var)
            sub(header, "bnk:datePayment", payment.date.isoformat())
            opt(header, "bnk:text", (payment.text or "")[:96] or None)
            identity(header, "bnk:partnerIdentity", None, payment.partner)
            summary = sub(node, "bnk:bankSummary")
            if payment.currency:
                foreign = sub(summary, "bnk:foreignCurrency")
                sub(sub(foreign, "typ:currency"), "typ:ids", payment.currency)
                sub(foreign, "typ:priceSum", payment.amount)
            else:
                sub(sub(summary, "bnk:homeCurrency"), "typ:priceNone", payment.amount)
