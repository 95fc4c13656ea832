"""Imports besides stock and orders: the address book (customers) and payments (bank / cash receipts).

- ``adb:addressbook``: add, or update/delete what ``adb:actionType``'s ``ftr:filter`` matches (same switches as
  stock: ``add update="true"``, ``update add="true"``). ``number/numberRequested`` becomes the record's number.
- ``bnk:bank`` / ``vch:voucher`` (receipts and expenses): ``extId`` is unique per agenda (a repeat answers
  ``recordDuplicity``); the amount is the summary's ``homeCurrency`` prices or else the items' unit price ×
  quantity, or, for a document in a foreign currency, its ``foreignCurrency`` ``priceSum`` in ``currency``
  (``bank.xsd`` / ``voucher.xsd``: ``bankSummary`` / ``voucherSummary`` hold ``homeCurrency`` *or*
  ``foreignCurrency``, ``typ:typeCurrencyForeign``); the order it pays is found by ``symVar`` (bank) or
  ``originalDocument`` / ``symPar`` (cash) equal to an order's number or ``numberOrder``.
"""

from __future__ import annotations

import copy
from decimal import Decimal

from lxml import etree

from . import records as r
from .clock import local_date, parse_date
from .context import ItemContext, read_address, read_ext_id, refuse
from .filters import address_filter
from .responses import Duplicity, ImportOutcome, Produced
from .state import ImportedRecord
from .xml import NS, child, decimal_of, local_name, text

_SUMMARY_PRICES = ("priceNone", "priceLow", "priceLowVAT", "priceHigh", "priceHighVAT", "price3", "price3VAT")


def import_addressbook(ctx: ItemContext, book: etree._Element) -> ImportOutcome:
    state = ctx.state
    action = child(book, "adb:actionType")
    request = action[0] if action is not None and len(action) else None
    verb = local_name(request) if request is not None else "add"
    header = child(book, "adb:addressbookHeader")
    with state.lock:
        matches = []
        if request is not None:
            predicate = address_filter(child(request, "ftr:filter"), ctx.zone)
            matches = [a for _, a in sorted(state.addresses.items()) if predicate(a)]
        if verb == "delete":
            if not matches:
                raise refuse(request, "Adresa podle filtru nebyla nalezena.")
            for entry in matches:
                del state.addresses[entry.id]
            return _address_outcome(ctx, matches[0], "delete")
        if header is None:
            raise refuse(book, "Chybí adb:addressbookHeader.", errno=102)
        if matches and (verb == "update" or request.get("update") == "true"):
            for entry in matches:
                changed = copy.deepcopy(entry)
                _apply_address(changed, header)
                state.touch(changed)
                state.addresses[entry.id] = changed
            return _address_outcome(ctx, state.addresses[matches[0].id], "update")
        if verb == "update" and request.get("add") != "true":
            raise refuse(request, 'Adresa podle filtru nebyla nalezena (update bez add="true").')
        entry = r.AddressBookEntry(state.next_id("address"), r.Address(), state.now())
        _apply_address(entry, header)
        if not (entry.address.company or entry.address.name):
            raise refuse(header, "Adresa musí mít firmu nebo jméno.", errno=102)
        state.add_address(entry)
        return _address_outcome(ctx, entry, "add")


def _apply_address(entry: r.AddressBookEntry, header: etree._Element) -> None:
    identity = child(header, "adb:identity")
    new = read_address(child(identity, "typ:address"))
    if new is not None:
        merged = {k: v for k, v in vars(new).items() if v is not None}
        entry.address = r.Address(**{**vars(entry.address), **merged})
    if (ext := read_ext_id(identity, "typ:extId")) is not None:
        entry.ext_id = ext
    ship_to = [read_address(n) for n in identity.iterfind("typ:shipToAddress", NS)] if identity is not None else []
    if ship_to:
        entry.ship_to = [a for a in ship_to if a is not None]
    for element, attr in (("email", "email"), ("phone", "phone"), ("mobil", "mobil"), ("note", "note")):
        if (value := text(header, f"adb:{element}")) is not None:
            setattr(entry, attr, value)
    entry.email = entry.email or entry.address.email
    entry.phone = entry.phone or entry.address.phone
    number = text(header, "adb:number/typ:numberRequested") or text(header, "adb:number/typ:ids")
    if number is not None:
        entry.number = number


def _address_outcome(ctx: ItemContext, entry: r.AddressBookEntry, action: str) -> ImportOutcome:
    return ImportOutcome(
        Produced(entry.id, number=entry.number, action=action, ext_id=entry.ext_id),
        [],
        ImportedRecord("adresar", entry.id, entry.number, ctx.state.today()),
    )


def import_bank(ctx: ItemContext, bank: etree._Element) -> ImportOutcome:
    header = child(bank, "bnk:bankHeader")
    if header is None:
        raise refuse(bank, "Chybí bnk:bankHeader.", errno=102)
    amount = _amount(
        child(bank, "bnk:bankSummary/bnk:homeCurrency"), bank.iterfind("bnk:bankDetail/bnk:bankItem", NS), "bnk"
    )
    currency, amount = _foreign(child(bank, "bnk:bankSummary/bnk:foreignCurrency"), amount)
    reference = text(header, "bnk:symVar")
    day = text(header, "bnk:datePayment") or text(header, "bnk:dateStatement")
    return _payment(
        ctx,
        header,
        "bank",
        "banka",
        text(header, "bnk:bankType") or "receipt",
        amount,
        reference,
        day,
        text(header, "bnk:text"),
        read_address(child(header, "bnk:partnerIdentity/typ:address")),
        text(header, "bnk:number"),
        currency,
    )


def import_voucher(ctx: ItemContext, voucher: etree._Element) -> ImportOutcome:
    header = child(voucher, "vch:voucherHeader")
    if header is None:
        raise refuse(voucher, "Chybí vch:voucherHeader.", errno=102)
    amount = _amount(
        child(voucher, "vch:voucherSummary/vch:homeCurrency"),
        voucher.iterfind("vch:voucherDetail/vch:voucherItem", NS),
        "vch",
    )
    currency, amount = _foreign(child(voucher, "vch:voucherSummary/vch:foreignCurrency"), amount)
    reference = text(header, "vch:originalDocument") or text(header, "vch:symPar")
    day = text(header, "vch:datePayment") or text(header, "vch:date")
    return _payment(
        ctx,
        header,
        "cash",
        "pokladna",
        text(header, "vch:voucherType") or "receipt",
        amount,
        reference,
        day,
        text(header, "vch:text"),
        read_address(child(header, "vch:partnerIdentity/typ:address")),
        text(header, "vch:number/typ:numberRequested"),
        currency,
    )


def _foreign(summary: etree._Element | None, home: Decimal) -> tuple[str | None, Decimal]:
    """(currency, amount) of a document in a foreign currency; (None, ``home``) for one in the home currency."""
    code = text(summary, "typ:currency/typ:ids") if summary is not None else None
    if code is None:
        return None, home
    return code, decimal_of(summary, "typ:priceSum") or Decimal("0")


def _amount(summary: etree._Element | None, items, prefix: str) -> Decimal:
    total = sum((decimal_of(summary, f"typ:{name}") or Decimal("0") for name in _SUMMARY_PRICES), Decimal("0"))
    if summary is not None and total:
        return total
    item_total = Decimal("0")
    for item in items:
        quantity = decimal_of(item, f"{prefix}:quantity")
        unit_price = (
            decimal_of(item, f"{prefix}:homeCurrency/typ:unitPrice")
            or decimal_of(item, f"{prefix}:homeCurrency/{prefix}:unitPrice")
            or Decimal("0")
        )
        item_total += unit_price * (quantity if quantity is not None else Decimal("1"))
    return item_total


def _payment(
    ctx: ItemContext,
    header: etree._Element,
    agenda: str,
    print_agenda: str,
    kind: str,
    amount: Decimal,
    reference: str | None,
    day: str | None,
    text_value: str | None,
    partner: r.Address | None,
    requested_number: str | None,
    currency: str | None = None,
) -> ImportOutcome:
    state = ctx.state
    prefix = "bnk" if agenda == "bank" else "vch"
    with state.lock:
        ext_id = read_ext_id(header, f"{prefix}:extId")
        if ext_id is not None and (existing := state.payment_by_ext_id(agenda, ext_id)) is not None:
            raise Duplicity(
                ImportedRecord(print_agenda, existing.id, existing.number, local_date(existing.changed_at, ctx.zone)),
                f"Doklad s extId {ext_id.ids!r} ({ext_id.system}) již existuje: {existing.number}.",
            )
        _, number = state.next_number(agenda)  # numbered in its agenda's series ...
        payment_id = state.next_id("payment")  # ... keyed apart: bank and cash documents share one table here
        order_id = None
        if reference:
            order_id = next((o.id for o in state.orders.values() if reference in (o.number, o.number_order)), None)
        payment = r.Payment(
            payment_id,
            agenda,
            requested_number or number,
            kind,
            parse_date(day) if day else state.today(),
            amount,
            state.now(),
            ext_id,
            reference,
            text_value,
            order_id,
            partner,
            text(header, f"{prefix}:account/typ:ids" if agenda == "bank" else "vch:cashAccount/typ:ids"),
            currency,
        )
        state.payments[payment.id] = payment
        return ImportOutcome(
            Produced(payment.id, number=payment.number, action="add", ext_id=ext_id),
            [],
            ImportedRecord(print_agenda, payment.id, payment.number, state.today()),
        )
