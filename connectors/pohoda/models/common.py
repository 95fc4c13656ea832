"""Small shared pieces of the POHODA models: the base class, VAT rates, references and external ids.

Why POHODA-shaped models next to ``domain.models``: the domain models say what a shop and an ERP
exchange; these say what one POHODA document holds (symbolic VAT rates, price groups, storage paths, internal
ids). Builders take them, parsers return them, and each has a ``to_…()``/``from_…()`` to the domain models, so
the ERP adapter never touches XML and the XML code never guesses business rules.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["CZ_VAT_PERCENT", "ExtId", "PohodaModel", "Ref", "Totals", "VatRate"]


class PohodaModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class VatRate(StrEnum):
    """POHODA's symbolic VAT rates (``typ:vatRateEnum``); the percentages live in the company's settings."""

    NONE = "none"
    HIGH = "high"
    LOW = "low"
    THIRD = "third"
    HISTORY_HIGH = "historyHigh"
    HISTORY_LOW = "historyLow"
    HISTORY_THIRD = "historyThird"


CZ_VAT_PERCENT: dict[VatRate, Decimal] = {
    VatRate.NONE: Decimal("0"),
    VatRate.HIGH: Decimal("21"),
    VatRate.LOW: Decimal("12"),
    VatRate.THIRD: Decimal("10"),
    VatRate.HISTORY_HIGH: Decimal("21"),
    VatRate.HISTORY_LOW: Decimal("15"),
    VatRate.HISTORY_THIRD: Decimal("10"),
}
"""Czech rates since 2024 (21 % / 12 %; the third rate was folded into 12 %). Pass your own mapping for SK."""


class ExtId(PohodaModel):
    """``typ:extIdType``: our id of a record, kept by POHODA in its link table per external system."""

    ids: str = Field(min_length=1)
    system: str = Field(min_length=1)
    text: str | None = None


class Ref(PohodaModel):
    """``typ:refType``: a reference by internal id and/or by ``ids`` (the record's short name)."""

    id: int | None = Field(default=None, ge=1)
    ids: str | None = None


class Totals(PohodaModel):
    """A document's ``…Summary``: the total in the home currency and, for a foreign-currency document, in that
    currency too (a EUR document keeps ``currency="EUR"`` and its EUR amount in ``foreign``, besides ``home``
    at ``rate``). Totals include VAT and POHODA's rounding of the document (``round/priceRound``)."""

    home: Decimal | None = None
    currency: str | None = Field(default=None, description="None = the company's home currency")
    rate: Decimal | None = Field(default=None, description="home-currency units for ``amount`` foreign units")
    amount: Decimal | None = Field(default=None, description="the foreign units ``rate`` is quoted for")
    foreign: Decimal | None = None
