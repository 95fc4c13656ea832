"""A POHODA received order (``ord:order``): what we import from the shop and what ``listOrder`` exports.

POHODA cannot update an order through XML (only add and delete), so everything after the import — executed,
transferred into an invoice, cancelled — comes back through ``listOrder`` and :attr:`ReceivedOrder.status`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import Field

from connectors.pohoda.models.common import ExtId, PohodaModel, Totals, VatRate
from domain.models import OrderState, UtcDatetime

__all__ = ["INVOICE_AGENDAS", "LinkedDocument", "OrderItem", "PartyAddress", "ReceivedOrder"]

INVOICE_AGENDAS = frozenset({"issuedInvoice", "issuedAdvanceInvoice"})
"""Linked document agendas that mean the order was transferred ("Přeneseno") into an invoice."""


class PartyAddress(PohodaModel):
    """``typ:addressType`` / ``typ:shipToAddressType`` (the ship-to variant has no ico/dic/mobile)."""

    company: str | None = None
    division: str | None = None
    name: str | None = None
    city: str | None = None
    street: str | None = None
    zip: str | None = None
    country: str | None = None
    ico: str | None = None
    dic: str | None = None
    phone: str | None = None
    mobile: str | None = None
    email: str | None = None


class OrderItem(PohodaModel):
    """One order line. Without ``stock_code``/``stock_id`` it is a text line (shipping, discount, a custom item)."""

    id: int | None = None
    ext_id: str | None = Field(default=None, description="the line in the external system (ord:extId, ≤64)")
    text: str = Field(min_length=1)
    quantity: Decimal
    delivered: Decimal | None = None
    unit: str | None = None
    pay_vat: bool = False
    rate_vat: VatRate = VatRate.NONE
    unit_price: Decimal | None = None
    discount_percentage: Decimal | None = None
    code: str | None = None
    stock_id: int | None = None
    stock_code: str | None = None
    note: str | None = None


class LinkedDocument(PohodaModel):
    """A document POHODA links to the order (export only): e.g. the invoice it was transferred into."""

    agenda: str
    id: int | None = None
    number: str | None = None


class ReceivedOrder(PohodaModel):
    """A received order ("přijatá objednávka").

    ``ext_id`` carries the shop order id (POHODA keeps it in its link table, and ``listOrderRequest`` can filter
    by it); ``number_order`` is the customer-facing order number (``#1001``). ``currency`` other than the
    company's home currency is written as a foreign-currency document.
    """

    id: int | None = None
    ext_id: ExtId | None = None
    order_type: Literal["receivedOrder", "issuedOrder"] = "receivedOrder"
    number: str | None = None
    number_order: str | None = None
    date: dt.date  # the module, not the name: this field shadows ``date`` inside the class
    text: str | None = None
    partner_id: int | None = None
    partner: PartyAddress | None = None
    ship_to: PartyAddress | None = None
    payment_type: str | None = None
    currency: str | None = None
    is_reserved: bool | None = None
    is_executed: bool | None = None
    is_delivered: bool | None = None
    cancelled: bool = False
    date_cancelled: dt.date | None = None
    note: str | None = None
    internal_note: str | None = None
    items: list[OrderItem] = Field(default_factory=list)
    rounding: str | None = None
    totals: Totals | None = Field(default=None, description="export only: the summary's totals")
    linked_documents: list[LinkedDocument] = Field(default_factory=list)
    exported_at: UtcDatetime | None = None

    @property
    def record(self) -> str:
        return f"order {self.number_order or (self.ext_id.ids if self.ext_id else None) or self.id}"

    @property
    def status(self) -> OrderState | None:
        """The state the shop should reflect; ``None`` while the order is open.

        Precedence: cancelled (``storno``) > transferred (linked to an issued or advance invoice,
        "Přeneseno") > processed (``isExecuted``, "Vyřízeno"). Transferred wins over executed because POHODA
        usually sets both when it turns an order into an invoice, and the invoice is the stronger fact.
        """
        if self.cancelled:
            return OrderState.CANCELLED
        if any(doc.agenda in INVOICE_AGENDAS for doc in self.linked_documents):
            return OrderState.TRANSFERRED
        if self.is_executed:
            return OrderState.PROCESSED
        return None
