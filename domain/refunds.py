"""A shop refund: goods and money given back on an order, which the ERP books as one credit document.

Why it looks like this:
- One refund is one ERP document (SQL credit memo, POHODA issued credit note), idempotent by ``shop_id``:
  Shopify never edits a refund after it was created, so its id is a complete key.
- The sales order keeps the *ordered* quantities (``LineItem.quantity``); a refund is booked as its own
  document against it, never by shrinking the order, so nothing is subtracted twice.
- ``lines`` are the goods (with the restock decision Shopify recorded), ``shipping`` the shipping refunded,
  ``adjustments`` the order adjustments (a discrepancy between goods and money, e.g. a restocking fee) and
  ``payments`` the money actually paid back (successful REFUND transactions). Amounts are in the shop
  currency, tax excluded for goods and shipping.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain.models import Currency, Money, Transaction, TransactionKind, TransactionStatus, UtcDatetime

__all__ = ["Refund", "RefundLine", "RestockType"]


class RestockType(StrEnum):
    RETURN = "RETURN"  # the goods came back and went on the shelf
    CANCEL = "CANCEL"  # never shipped: the units go back to available
    LEGACY_RESTOCK = "LEGACY_RESTOCK"
    NO_RESTOCK = "NO_RESTOCK"  # money only (damaged, kept by the buyer)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RefundLine(_Model):
    line_shop_id: str = Field(min_length=1)
    sku: str | None = None
    title: str = ""
    quantity: int = Field(gt=0)
    amount: Money  # the refunded subtotal of the line, tax excluded
    tax: Money = Decimal("0")
    restock_type: RestockType = RestockType.NO_RESTOCK

    @property
    def restocked(self) -> bool:
        """Whether Shopify put the units back in stock (the ERP's own return then brings them back there)."""
        return self.restock_type is not RestockType.NO_RESTOCK


class Refund(_Model):
    shop_id: str = Field(min_length=1)
    order_shop_id: str = Field(min_length=1)
    order_name: str | None = None
    processed_at: UtcDatetime
    currency: Currency
    note: str | None = None
    lines: list[RefundLine] = Field(default_factory=list)
    shipping: Money = Decimal("0")
    shipping_tax: Money = Decimal("0")
    adjustments: Money = Decimal("0")
    transactions: list[Transaction] = Field(default_factory=list)

    @property
    def payments(self) -> list[Transaction]:
        """The money that actually went back to the buyer (a failed or pending refund transaction did not)."""
        return [
            tx
            for tx in self.transactions
            if tx.kind is TransactionKind.REFUND and tx.status is TransactionStatus.SUCCESS
        ]

    @property
    def goods_total(self) -> Decimal:
        return sum((line.amount + line.tax for line in self.lines), Decimal("0"))

    @property
    def total(self) -> Decimal:
        """What the credit document is worth: goods and shipping with tax, plus adjustments."""
        return self.goods_total + self.shipping + self.shipping_tax + self.adjustments

    @property
    def paid_back(self) -> Decimal:
        return sum((tx.amount for tx in self.payments), Decimal("0"))
