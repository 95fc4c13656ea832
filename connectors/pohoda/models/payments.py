"""A payment received for a shop order, booked as a POHODA bank receipt (``bnk:bank``, ``bankType=receipt``)
or, for cash gateways, as a cash receipt (``vch:voucher``).

Why a bank receipt and not a flag on the order: POHODA cannot update an imported order, and an order is not a
document payments are matched against. A shop payment is money arriving on a bank account (directly, or via
the payment gateway's settlement account); POHODA's own pairing ("automatické párování") matches bank
receipts to invoices by variable symbol, so we write the shop order number as ``symVar`` — the invoice POHODA
later creates from the order carries the same variable symbol by default. ``ext_id`` is the shop
transaction id: POHODA keeps it per agenda, so a retried import is recognised (``recordDuplicity``) and a
payments listing can be filtered by it.
"""

from __future__ import annotations

from datetime import date as Date
from decimal import Decimal
from typing import Literal

from pydantic import Field

from connectors.pohoda.models.common import ExtId, PohodaModel

__all__ = ["BankPayment", "CashReceipt"]


class BankPayment(PohodaModel):
    """Money in (``receipt``: a payment) or out (``expense``: a refund) on one of the company's bank accounts."""

    kind: Literal["receipt", "expense"] = "receipt"
    ext_id: ExtId
    account: str = Field(min_length=1, description="the bank account's short name in POHODA (e.g. 'KB')")
    date: Date
    amount: Decimal = Field(gt=0)
    currency: str | None = Field(default=None, description="None = the company's home currency")
    variable_symbol: str = Field(pattern=r"^\d{1,10}$")
    text: str | None = None
    partner_id: int | None = None
    note: str | None = None

    @property
    def record(self) -> str:
        return f"payment {self.ext_id.ids}"


class CashReceipt(PohodaModel):
    """Cash taken for a shop order (``vch:voucher``, ``voucherType=receipt``): a cash-on-delivery or till gateway.

    ``order_number`` goes into ``originalDocument``, so the receipt names the received order it pays.
    """

    ext_id: ExtId
    cash_desk: str = Field(min_length=1, description="the cash desk's short name in POHODA (e.g. 'HP')")
    order_number: str = Field(min_length=1)
    date: Date
    amount: Decimal = Field(gt=0)
    currency: str | None = Field(default=None, description="None = the company's home currency")
    text: str
    partner_id: int | None = None
    note: str | None = None

    @property
    def record(self) -> str:
        return f"payment {self.ext_id.ids}"
