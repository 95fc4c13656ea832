"""Documents POHODA exports that commerce-sync reads but never writes: bank documents (``listBank``) and invoices
(``listInvoice``), and the money summary every document carries.

Why read them: an order transferred into an invoice ("Přeneseno") and money booked on a bank account are what
a shop's payment and order state follow; a person checking a sync compares the numbers, partners and totals
POHODA shows with these. A document in a foreign currency keeps it (``Totals``, in ``common.py``).
"""

from __future__ import annotations

from datetime import date as Date
from decimal import Decimal
from typing import Literal

from pydantic import Field

from connectors.pohoda.models.common import ExtId, PohodaModel, Totals, VatRate
from connectors.pohoda.models.orders import LinkedDocument, PartyAddress
from domain.models import UtcDatetime

__all__ = ["BankDocument", "Invoice", "InvoiceItem"]


class BankDocument(PohodaModel):
    """A bank document ("bankovní doklad", ``lst:bank``): money in (``receipt``) or out (``expense``)."""

    id: int | None = None
    kind: Literal["receipt", "expense"]
    number: str | None = None
    account: str | None = Field(default=None, description="the bank account's short name (e.g. 'KB')")
    variable_symbol: str | None = None
    date_statement: Date | None = None
    date_payment: Date | None = None
    text: str | None = None
    partner_id: int | None = None
    partner: PartyAddress | None = None
    totals: Totals = Field(default_factory=Totals)
    exported_at: UtcDatetime | None = None

    @property
    def record(self) -> str:
        return f"bank document {self.number or self.id}"


class InvoiceItem(PohodaModel):
    """One invoice line; prices in the document's currency (foreign for a foreign-currency invoice)."""

    id: int | None = None
    text: str | None = None
    quantity: Decimal | None = None
    unit: str | None = None
    pay_vat: bool = False
    rate_vat: VatRate = VatRate.NONE
    unit_price: Decimal | None = None
    total: Decimal | None = Field(default=None, description="the line with VAT (priceSum)")
    code: str | None = None
    stock_code: str | None = None


class Invoice(PohodaModel):
    """An invoice (``lst:invoice``): issued, received, advance … (``invoiceType``), with its lines and totals."""

    id: int | None = None
    ext_id: ExtId | None = None
    invoice_type: str
    number: str | None = None
    variable_symbol: str | None = None
    number_order: str | None = None
    date: Date | None = None
    date_tax: Date | None = None
    date_due: Date | None = None
    text: str | None = None
    partner_id: int | None = None
    partner: PartyAddress | None = None
    payment_type: str | None = None
    items: list[InvoiceItem] = Field(default_factory=list)
    totals: Totals = Field(default_factory=Totals)
    linked_documents: list[LinkedDocument] = Field(default_factory=list)
    exported_at: UtcDatetime | None = None

    @property
    def record(self) -> str:
        return f"invoice {self.number or self.id}"
