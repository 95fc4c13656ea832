"""Shop-side domain models (``domain.models``) → the POHODA models the builders take.

The decisions a Czech shop's accountant expects, in one place:
- An order is a received order whose ``extId`` is the shop order id (system = ``ex_system_name``) and whose
  ``numberOrder`` is the customer-facing name (``#1001``). Prices are written as the shop states them
  (VAT-inclusive by default, ``payVAT=true``); each line's VAT fraction (0.21) becomes POHODA's symbolic rate
  through ``vat_rates`` (21 → high, 12 → low, 0 → none). A rate with no symbol is refused, naming the line.
- A line discount becomes its own negative text line at the line's VAT rate, so totals match to the cent
  (a percentage would have to be rounded). Shipping becomes a text line. A line title longer than POHODA's 90
  characters is shortened with "…" — it is descriptive text; the SKU identifies the stock item.
- A customer is an address-book entry keyed by the shop customer id (``extId``).
- A payment is a bank receipt (see ``models/payments.py`` for why) with the order number's digits as the
  variable symbol; a refund is a bank expense.
- A shop refund is an issued credit note (``credit_note_from_refund``) and its money paid back bank expenses.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from zoneinfo import ZoneInfo

from connectors.pohoda.errors import RecordError
from connectors.pohoda.models.common import ExtId, VatRate
from connectors.pohoda.models.credit_notes import IssuedCreditNote
from connectors.pohoda.models.directory import AddressBookEntry
from connectors.pohoda.models.orders import OrderItem, PartyAddress, ReceivedOrder
from connectors.pohoda.models.payments import BankPayment
from connectors.pohoda.xml.limits import MAX_LENGTH
from connectors.pohoda.xml.values import DEFAULT_TZ
from domain.models import Address, Customer, Order, Transaction, TransactionKind
from domain.refunds import Refund

__all__ = [
    "CZ_RATE_BY_PERCENT",
    "address_book_from_customer",
    "bank_payment_from_transaction",
    "credit_note_from_refund",
    "presentment_note",
    "received_order_from_shop",
    "variable_symbol",
]

CZ_RATE_BY_PERCENT: dict[Decimal, VatRate] = {
    Decimal("21"): VatRate.HIGH,
    Decimal("12"): VatRate.LOW,
    Decimal("0"): VatRate.NONE,
}


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _rate(fraction: Decimal | None, rates: Mapping[Decimal, VatRate], record: str, field: str) -> VatRate:
    if fraction is None:
        return VatRate.NONE
    percent = (fraction * 100).normalize()
    for known, symbol in rates.items():
        if known.normalize() == percent:
            return symbol
    raise RecordError(record, field, f"no POHODA VAT rate for {percent} % (known: {sorted(map(str, rates))})")


def _party(address: Address | None, customer: Customer | None) -> PartyAddress | None:
    if address is None and customer is None:
        return None
    first = (address.first_name if address else None) or (customer.first_name if customer else None)
    last = (address.last_name if address else None) or (customer.last_name if customer else None)
    street = ", ".join(part for part in ((address.street, address.street2) if address else ()) if part)
    return PartyAddress(
        company=(address.company if address else None) or (customer.company if customer else None),
        name=" ".join(part for part in (first, last) if part) or None,
        street=street or None,
        city=address.city if address else None,
        zip=address.zip if address else None,
        country=address.country_code if address else None,
        phone=(address.phone if address else None) or (customer.phone if customer else None),
        email=customer.email if customer else None,
    )


def received_order_from_shop(
    order: Order,
    *,
    ex_system_name: str,
    customer_id: int | None = None,
    payment_type: str | None = None,
    vat_rates: Mapping[Decimal, VatRate] = CZ_RATE_BY_PERCENT,
    shipping_vat: VatRate = VatRate.HIGH,
    prices_include_vat: bool = True,
    reserve: bool = True,
    shipping_text: str = "Doprava",
    discount_text: str = "Sleva",
    tz: ZoneInfo = DEFAULT_TZ,
) -> ReceivedOrder:
    record = f"order {order.name}"
    limit = MAX_LENGTH["ord:orderItemType/text"]
    items: list[OrderItem] = []
    for index, line in enumerate(order.lines):
        rate = _rate(line.tax_rate, vat_rates, record, f"lines[{index}].tax_rate")
        items.append(
            OrderItem(
                text=_short(line.title, limit),
                quantity=Decimal(line.quantity),
                pay_vat=prices_include_vat,
                rate_vat=rate,
                unit_price=line.unit_price,
                code=line.sku,
                stock_code=line.sku,
            )
        )
        if line.discount:
            items.append(
                OrderItem(
                    text=_short(f"{discount_text}: {line.title}", limit),
                    quantity=Decimal(1),
                    pay_vat=prices_include_vat,
                    rate_vat=rate,
                    unit_price=-line.discount,
                )
            )
    if order.shipping_total:
        items.append(
            OrderItem(
                text=shipping_text,
                quantity=Decimal(1),
                pay_vat=prices_include_vat,
                rate_vat=shipping_vat,
                unit_price=order.shipping_total,
            )
        )
    billing = _party(order.billing_address or order.shipping_address, order.customer)
    shipping = _party(order.shipping_address, order.customer) if order.shipping_address else None
    return ReceivedOrder(
        ext_id=ExtId(ids=order.shop_id, system=ex_system_name),
        number_order=order.name,
        date=order.created_at.astimezone(tz).date(),
        text=f"Objednávka {order.name}",
        partner_id=customer_id,
        partner=billing,
        ship_to=shipping if shipping != billing else None,
        payment_type=payment_type,
        currency=order.currency,
        is_reserved=reserve,
        note=order.note,
        items=items,
    )


def address_book_from_customer(customer: Customer, *, ex_system_name: str) -> AddressBookEntry:
    address = customer.addresses[0] if customer.addresses else None
    return AddressBookEntry(
        id=int(customer.erp_key) if customer.erp_key and customer.erp_key.isdigit() else None,
        ext_ids=[ExtId(ids=customer.shop_id, system=ex_system_name)] if customer.shop_id else [],
        address=_party(address, customer) or PartyAddress(),
        ship_to=[p for p in (_party(a, customer) for a in customer.addresses[1:]) if p is not None],
        phone=customer.phone,
        email=customer.email,
    )


def variable_symbol(order_number: str, record: str) -> str:
    """``#1001`` → ``1001``: Czech variable symbols are at most 10 digits."""
    digits = "".join(ch for ch in order_number if ch.isdigit())
    if not digits or len(digits) > 10:
        raise RecordError(record, "variable_symbol", f"order number {order_number!r} gives no 1–10 digit symbol")
    return digits


def credit_note_from_refund(
    refund: Refund,
    *,
    order_number: str,
    ex_system_name: str,
    customer_id: int | None = None,
    vat_rates: Mapping[Decimal, VatRate] = CZ_RATE_BY_PERCENT,
    shipping_vat: VatRate = VatRate.HIGH,
    tz: ZoneInfo = DEFAULT_TZ,
) -> IssuedCreditNote:
    """A refund as an issued credit note: negative quantities, prices with VAT, a stock item only where Shopify
    restocked the units (POHODA receives those back when it posts the note; the others move money only)."""
    record = f"refund {refund.shop_id}"
    items: list[OrderItem] = []
    for index, line in enumerate(refund.lines):
        fraction = (line.tax / line.amount).quantize(Decimal("0.01")) if line.amount else None
        items.append(
            OrderItem(
                ext_id=line.line_shop_id,
                text=_short(line.title or line.sku or "Vrácené zboží", 90),
                quantity=-Decimal(line.quantity),
                pay_vat=True,
                rate_vat=_rate(fraction, vat_rates, record, f"lines[{index}].tax"),
                unit_price=((line.amount + line.tax) / line.quantity).quantize(Decimal("0.0001")),
                code=line.sku,
                stock_code=line.sku if line.restocked else None,
            )
        )
    extras = [("Doprava", refund.shipping + refund.shipping_tax, shipping_vat), ("Úprava", refund.adjustments, None)]
    for text, amount, rate in extras:
        if amount:
            items.append(
                OrderItem(
                    text=text, quantity=Decimal(-1), pay_vat=True, rate_vat=rate or VatRate.NONE, unit_price=amount
                )
            )
    if not items:  # money only, no goods named: one line for what was paid back
        items.append(OrderItem(text="Vrácení peněz", quantity=Decimal(-1), unit_price=refund.paid_back))
    return IssuedCreditNote(
        ext_id=ExtId(ids=refund.shop_id, system=ex_system_name),
        number_order=order_number,
        variable_symbol=variable_symbol(order_number, record),
        date=refund.processed_at.astimezone(tz).date(),
        text=f"Dobropis objednávky {order_number}",
        partner_id=customer_id,
        currency=refund.currency,
        items=items,
    )


def bank_payment_from_transaction(
    tx: Transaction,
    *,
    order_number: str,
    account: str,
    ex_system_name: str,
    home_currency: str = "CZK",
    partner_id: int | None = None,
    tz: ZoneInfo = DEFAULT_TZ,
) -> BankPayment:
    record = f"payment {tx.shop_id}"
    if tx.kind is TransactionKind.REFUND:
        kind = "expense"
    elif tx.is_money_in:
        kind = "receipt"
    else:
        raise RecordError(record, "kind", f"{tx.kind.value}/{tx.status.value} moves no money; nothing to book")
    return BankPayment(
        kind=kind,
        ext_id=ExtId(ids=tx.shop_id, system=ex_system_name),
        account=account,
        date=tx.processed_at.astimezone(tz).date(),
        amount=tx.amount,
        currency=None if tx.currency == home_currency else tx.currency,
        variable_symbol=variable_symbol(order_number, record),
        text=f"{'Platba' if kind == 'receipt' else 'Vrácení'} objednávky {order_number}"
        + (f" ({tx.gateway})" if tx.gateway else ""),
        partner_id=partner_id,
        note=presentment_note(tx),
    )


def presentment_note(tx: Transaction) -> str | None:
    """What the buyer paid in their own currency, for the document's note (the books take the shop currency's
    amount; POHODA has no field for a second currency on a payment)."""
    if not tx.in_other_currency or tx.presentment_amount is None:
        return None
    return f"Zákazník platil {tx.presentment_amount} {tx.presentment_currency}"
