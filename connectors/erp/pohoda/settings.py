"""What a POHODA installation decides that the adapter cannot know: account names, price basis, field names.

Defaults fit a Czech company set up the way the emulator's README lays the shop's data out; every one can be
changed per adapter (``PohodaErpBackend(..., settings=PohodaSettings(bank_account="FIO"))``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from connectors.erp.pohoda.cards import CatalogSettings
from connectors.pohoda.mapping import CZ_RATE_BY_PERCENT
from connectors.pohoda.models.common import VatRate

__all__ = ["PohodaSettings"]


class PohodaSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    ex_system_name: str = Field(
        "commerce-sync",
        min_length=1,
        max_length=64,
        description="POHODA's name for the shop in its external-id link table (orders', payments' extId)",
    )
    home_currency: str = Field("CZK", pattern=r"^[A-Z]{3}$")
    bank_account: str = Field(
        "KB", min_length=1, max_length=19, description="short name of the bank account shop payments are booked to"
    )
    cash_desk: str = Field(
        "HP", min_length=1, max_length=19, description="short name of the cash desk for payments of ``cash_gateways``"
    )
    cash_gateways: frozenset[str] = Field(
        frozenset(), description="payment gateways booked as cash receipts instead of bank receipts"
    )
    payment_type: str | None = Field(None, description="POHODA payment form of imported orders (short name)")
    gift_card_account: str = Field(
        "DK",
        min_length=1,
        max_length=19,
        description="short name of the account gift-card redemptions are booked to (a clearing account: the money "
        "came in when the card was sold), never the cash desk nor the bank account",
    )
    gift_card_payment_type: str | None = Field(
        "Dárková karta", max_length=32, description="POHODA payment form of orders paid wholly by gift card"
    )
    vat_rates: Mapping[Decimal, VatRate] = Field(default_factory=lambda: dict(CZ_RATE_BY_PERCENT))
    shipping_vat: VatRate = VatRate.HIGH
    prices_include_vat: bool = True
    reserve: bool = Field(True, description="imported orders reserve their stock (isReserved)")
    stock_basis: Literal["available", "count"] = Field(
        "available", description="available = countIssue (on hand minus reservations); count = on hand"
    )
    item_key_parameter: str = Field("VPrItemKey", description="user field holding a card's product key")
    compare_at_level: str | None = Field("Původní cena", description="price level of the compare-at price")
    price_level: str | None = Field(None, description="price level of the selling price; None = sellingPrice")
    gross_prices: bool = Field(True, description="prices go to the shop VAT-inclusive")
    tracking_number_parameter: str = "VPrTracking"
    tracking_url_parameter: str = "VPrTrackingURL"
    import_store: str | None = Field(
        None, description="store (sklad) new cards of import_items go to; None = the first store by name"
    )
    page_size: int = Field(1000, ge=1, le=10_000, description="records per export page (limit/count)")
    pack_size: int = Field(50, ge=1, le=255, description="export requests per dataPack")

    @property
    def catalog(self) -> CatalogSettings:
        return CatalogSettings(
            item_key_parameter=self.item_key_parameter,
            compare_at_level=self.compare_at_level,
            price_level=self.price_level,
            gross_prices=self.gross_prices,
        )
