"""``inv:invoice`` import: an issued credit note ("dobropis", ``issuedCreditNotice``) — how a shop refund lands.

Rules emulated:
- ``extId`` is unique per agenda: a second document with the same extId is not created; the item answers
  ``rsp:recordDuplicity`` naming the existing one, as for orders and payments;
- only ``issuedCreditNotice`` is accepted (commerce-sync writes no other invoice; POHODA makes invoices from
  orders, see ``actions.make_invoice``);
- items reference stock as order items do; an item with a stock item and a negative quantity is a return, and
  posting the note receives those units back into the card's ``count`` (an unknown stock item refuses the note);
- the note remembers the received order its ``numberOrder`` names, but adds no link to it: an imported note
  carries no ``links``, and a linked invoice would read as "Přeneseno" (transferred) in the order's state.
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from . import records as r
from .clock import local_date, parse_date
from .context import ItemContext, read_ext_id, refuse
from .imports_orders import stock_card
from .responses import Duplicity, ImportOutcome, Produced
from .state import ImportedRecord
from .xml import NS, bool_of, child, decimal_of, int_of, text

PRINT_AGENDA = "vydane_faktury"


def import_invoice(ctx: ItemContext, invoice: etree._Element) -> ImportOutcome:
    header = child(invoice, "inv:invoiceHeader")
    if header is None:
        raise refuse(invoice, "Chybí inv:invoiceHeader.", errno=102)
    kind = text(header, "inv:invoiceType")
    if kind != "issuedCreditNotice":
        raise refuse(child(header, "inv:invoiceType"), f"Import faktur typu {kind!r} emulátor nepodporuje.")
    state = ctx.state
    with state.lock:
        ext_id = read_ext_id(header, "inv:extId")
        existing = next((i for i in state.invoices.values() if ext_id and i.ext_id == ext_id), None)
        if existing is not None:
            raise Duplicity(
                ImportedRecord(PRINT_AGENDA, existing.id, existing.number, local_date(existing.changed_at, ctx.zone)),
                f"Doklad s extId {ext_id.ids!r} ({ext_id.system}) již existuje: {existing.number}.",
            )
        foreign = child(invoice, "inv:invoiceSummary/inv:foreignCurrency") is not None
        items = [_item(ctx, node, foreign) for node in invoice.iterfind("inv:invoiceDetail/inv:invoiceItem", NS)]
        number_order = text(header, "inv:numberOrder")
        order = next((o for o in state.orders.values() if number_order and o.number_order == number_order), None)
        invoice_id, number = state.next_number("invoice")
        note = r.Invoice(
            id=invoice_id,
            number=number,
            invoice_type=kind,
            date=parse_date(text(header, "inv:date")) if text(header, "inv:date") else state.today(),
            changed_at=state.now(),
            order_id=order.id if order else None,
            total=sum((item.unit_price * item.quantity for item in items), Decimal("0")),
            ext_id=ext_id,
            number_order=number_order,
            sym_var=text(header, "inv:symVar"),
            text=text(header, "inv:text"),
            partner_id=int_of(header, "inv:partnerIdentity/typ:id"),
            currency=text(invoice, "inv:invoiceSummary/inv:foreignCurrency/typ:currency/typ:ids"),
            items=items,
        )
        for item in items:  # the return: units with a stock item come back into the store
            if item.stock_card_id is not None and item.quantity < 0:
                card = state.cards[item.stock_card_id]
                card.count -= item.quantity
                state.touch(card)
        state.invoices[note.id] = note
        return ImportOutcome(
            Produced(note.id, number=note.number, action="add", ext_id=ext_id),
            [],
            ImportedRecord(PRINT_AGENDA, note.id, note.number, state.today()),
        )


def _item(ctx: ItemContext, node: etree._Element, foreign: bool) -> r.InvoiceItem:
    ref = child(node, "inv:stockItem")
    card = stock_card(ctx, ref) if ref is not None else None
    prices = "inv:foreignCurrency" if foreign else "inv:homeCurrency"
    return r.InvoiceItem(
        id=ctx.state.next_id("invoiceItem"),
        text=(text(node, "inv:text") or (card.name if card else ""))[:90],
        quantity=decimal_of(node, "inv:quantity") if text(node, "inv:quantity") else Decimal("1"),
        unit_price=decimal_of(node, f"{prices}/typ:unitPrice") or Decimal("0"),
        pay_vat=bool(bool_of(node, "inv:payVAT")),
        rate_vat=text(node, "inv:rateVAT") or "none",
        code=text(node, "inv:code") or (card.code if card else None),
        stock_card_id=card.id if card else None,
        ext_id=text(node, "inv:extId"),
    )
