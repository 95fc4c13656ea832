"""A document's money summary (``ord:orderSummary``, ``inv:invoiceSummary``, ``bnk:bankSummary``) → :class:`Totals`.

The home-currency block splits the document by VAT rate (``priceNone``, ``priceLowSum``, ``priceHighSum``,
``price3Sum``, each with VAT) and adds the document's rounding (``round/priceRound``): the total a person sees
is their sum. A foreign-currency block names the currency and rate and states its own ``priceSum``. POHODA
exports an empty ``foreignCurrency`` (or one without ``typ:currency``) on home-currency documents: no currency.
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from connectors.pohoda.models.common import Totals
from connectors.pohoda.xml.elements import child, ref_of, text_of
from connectors.pohoda.xml.values import read_decimal

__all__ = ["read_totals"]

_HOME_PARTS = ("typ:priceNone", "typ:priceLowSum", "typ:priceHighSum", "typ:price3Sum")


def _sum(block: etree._Element, tags: tuple[str, ...], field: str) -> Decimal | None:
    found = [read_decimal(text_of(block, tag), f"{field}.{tag.partition(':')[2]}") for tag in tags]
    rounding = read_decimal(text_of(child(block, "typ:round"), "typ:priceRound"), f"{field}.priceRound")
    values = [value for value in (*found, rounding) if value is not None]
    return sum(values, Decimal(0)) if values else None


def read_totals(summary: etree._Element | None, prefix: str) -> Totals:
    """The totals of ``summary`` (a ``<prefix>:…Summary`` element; empty totals when absent)."""
    home = child(summary, f"{prefix}:homeCurrency")
    foreign = child(summary, f"{prefix}:foreignCurrency")
    currency = ref_of(child(foreign, "typ:currency"), "foreignCurrency.currency")[1]
    home_total = _sum(home, _HOME_PARTS, "homeCurrency") if home is not None else None
    if foreign is None or not currency:
        return Totals(home=home_total)
    return Totals(
        home=home_total,
        currency=currency,
        rate=read_decimal(text_of(foreign, "typ:rate"), "foreignCurrency.rate"),
        amount=read_decimal(text_of(foreign, "typ:amount"), "foreignCurrency.amount"),
        foreign=_sum(foreign, ("typ:priceSum",), "foreignCurrency"),
    )
