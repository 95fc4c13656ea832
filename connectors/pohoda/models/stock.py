"""A POHODA stock card (``stk:stock``): what a ``listStock`` export yields and what a stock import sends.

Quantities (``count`` …), ``id`` and ``exported_at`` are export-only: builders never write them, parsers fill
them. ``to_product()`` / ``to_stock_level()`` are the only places that decide how a card becomes a shop
product (price basis, VAT, vendor) — documented on the methods, testable without XML.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from pydantic import Field

from connectors.pohoda.errors import RecordError
from connectors.pohoda.models.common import CZ_VAT_PERCENT, ExtId, PohodaModel, VatRate
from domain.models import Parameter, Product, StockLevel, UtcDatetime, Variant

__all__ = [
    "IntParamDefinition",
    "IntParameter",
    "IntParameterValue",
    "PACKAGE_TYPES",
    "PackageComponent",
    "Picture",
    "PriceLevel",
    "StockItem",
    "UserParameter",
]

CENT = Decimal("0.01")

StockType = Literal["card", "text", "service", "package", "set", "product"]
PACKAGE_TYPES = frozenset({"package", "set"})
"""Cards made of other cards ("komplet", "sada"): POHODA keeps no quantity of their own (no ``stk:count``)."""
UserParameterKind = Literal["text", "memo", "currency", "boolean", "number", "integer", "datetime", "list"]


class Picture(PohodaModel):
    """A picture of the card; the file itself lives in the company's ``Obrázky`` folder (name only here)."""

    filepath: str = Field(min_length=1)
    description: str | None = None
    default: bool = False
    order: int | None = None
    id: int | None = None


class PriceLevel(PohodaModel):
    """One row of ``stk:stockPriceItem``: a price in a named price level (``typ:ids``, e.g. "Prodejní")."""

    id: int | None = None
    name: str | None = None
    price: Decimal | None = None


class IntParameterValue(PohodaModel):
    id: int | None = None
    value: str | None = None
    order: int | None = None


class IntParameter(PohodaModel):
    """An e-shop ("internet") parameter of the card: by definition id or name, with its value(s)."""

    id: int | None = None
    name: str | None = None
    order: int | None = None
    type: str | None = None
    values: list[IntParameterValue] = Field(default_factory=list)


class IntParamDefinition(PohodaModel):
    """An internet-parameter definition (``ipm:intParam``): what a card's parameter id means."""

    id: int
    name: str
    type: str = Field(default="textValue", description="ipm:parameterType: textValue, numberValue, listValue…")
    unit: str | None = None


class UserParameter(PohodaModel):
    """A user-defined field ("volitelný parametr", ``typ:parameter``): DB column name + one typed value."""

    name: str = Field(min_length=1)
    kind: UserParameterKind = "text"
    value: str
    list_name: str | None = None


class PackageComponent(PohodaModel):
    """One card of a package or set (``stk:stockDetail/stk:stockItem``, export only): ``quantity`` of it go
    into one package, and ``count`` is its own stock as the export lists it."""

    id: int | None = None
    code: str = Field(min_length=1)
    name: str | None = None
    storage_path: str | None = None
    count: Decimal | None = None
    quantity: Decimal = Field(gt=0)


class StockItem(PohodaModel):
    """One stock card. ``code`` is the business key (the shop SKU); ``id`` is POHODA's internal key."""

    id: int | None = Field(default=None, ge=1)
    ext_id: ExtId | None = None
    stock_type: StockType = "card"
    code: str = Field(min_length=1)
    ean: str | None = None
    name: str | None = None
    name_complement: str | None = None
    unit: str | None = None
    is_sales: bool | None = None
    is_internet: bool | None = None
    storage_id: int | None = None
    storage_path: str | None = None
    price_group_id: int | None = None
    price_group: str | None = None
    purchasing_price: Decimal | None = None
    purchasing_price_with_vat: bool = False
    selling_price: Decimal | None = None
    selling_price_with_vat: bool = False
    selling_vat: VatRate | None = None
    selling_vat_percent: Decimal | None = None
    count: Decimal | None = None
    count_issue: Decimal | None = None
    count_received_orders: Decimal | None = None
    reservation: Decimal | None = None
    mass: Decimal | None = None
    supplier_id: int | None = None
    producer: str | None = None
    availability: str | None = None
    description: str | None = None
    description2: str | None = None
    pictures: list[Picture] = Field(default_factory=list)
    category_ids: list[int] = Field(default_factory=list)
    main_category_id: int | None = None
    int_parameters: list[IntParameter] = Field(default_factory=list)
    parameters: list[UserParameter] = Field(default_factory=list)
    price_levels: list[PriceLevel] = Field(default_factory=list)
    components: list[PackageComponent] = Field(default_factory=list)
    exported_at: UtcDatetime | None = None

    @property
    def record(self) -> str:
        """How errors name this card."""
        return f"stock item {self.code!r}"

    def vat_percent(self, rates: Mapping[VatRate, Decimal] = CZ_VAT_PERCENT) -> Decimal | None:
        """The selling VAT in percent: the explicit ``@value`` when POHODA sent one, else the rate table."""
        if self.selling_vat_percent is not None:
            return self.selling_vat_percent
        return rates.get(self.selling_vat) if self.selling_vat is not None else None

    def shop_price(
        self,
        *,
        gross: bool = True,
        price_level: str | None = None,
        vat_rates: Mapping[VatRate, Decimal] = CZ_VAT_PERCENT,
    ) -> Decimal:
        """The price the shop shows, rounded to cents.

        ``price_level`` picks a named ``stockPriceItem`` row instead of the card's selling price (taken as
        stated, with the card's ``payVAT`` basis). ``gross`` (the Czech shop default) adds VAT to a price kept
        without VAT, or removes it when ``gross=False``. A card without that price, or whose VAT rate is
        unknown when a conversion is needed, raises ``RecordError`` naming the card and the field.
        """
        field = "sellingPrice"
        price = self.selling_price
        if price_level is not None:
            field = f"stockPriceItem[{price_level}]"
            level = next((lvl for lvl in self.price_levels if lvl.name == price_level), None)
            price = level.price if level else None
        if price is None:
            raise RecordError(self.record, field, "no price")
        if price < 0:
            raise RecordError(self.record, field, f"negative price {price}")
        if gross != self.selling_price_with_vat:
            percent = self.vat_percent(vat_rates)
            if percent is None:
                raise RecordError(self.record, "sellingRateVAT", "unknown VAT rate, cannot convert the price basis")
            factor = 1 + percent / 100
            price = price * factor if gross else price / factor
        return price.quantize(CENT, rounding=ROUND_HALF_UP)

    def to_product(
        self,
        *,
        gross: bool = True,
        price_level: str | None = None,
        vat_rates: Mapping[VatRate, Decimal] = CZ_VAT_PERCENT,
    ) -> Product:
        """The card as a one-variant shop product (a card is one SKU in POHODA).

        Decisions: title = name (code when unnamed); description = the long HTML ``description2`` else the short
        one; vendor = ``producer`` (POHODA's producer is free text, so it is also the producer key); supplier key
        = the address-book id of ``supplier``; categories = e-shop category ids; parameters = internet
        parameters (name: values) then user fields; active = offered on the internet and for sale.
        """
        params = [
            Parameter(name=p.name or str(p.id), value=", ".join(v.value for v in p.values if v.value))
            for p in self.int_parameters
            if (p.name or p.id) and any(v.value for v in p.values)
        ]
        params += [Parameter(name=p.name, value=p.value) for p in self.parameters if p.value]
        return Product(
            erp_key=self.code,
            title=self.name or self.code,
            description=self.description2 or self.description,
            vendor=self.producer,
            supplier_key=str(self.supplier_id) if self.supplier_id else None,
            producer_key=self.producer,
            category_keys=[str(c) for c in self.category_ids],
            parameters=params,
            vat_rate=self.vat_percent(vat_rates),
            active=self.is_internet is not False and self.is_sales is not False,
            variants=[
                Variant(
                    sku=self.code,
                    barcode=self.ean,
                    price=self.shop_price(gross=gross, price_level=price_level, vat_rates=vat_rates),
                )
            ],
            updated_at=self.exported_at,
        )

    def package_count(self) -> Decimal:
        """How many whole packages (or sets) the components' stock makes: the least, over the components, of
        its count divided by the quantity one package takes (POHODA's own "komplet" arithmetic). A package
        exported without its components (``restrictionData/stockItem=false``) raises ``RecordError``."""
        if not self.components:
            raise RecordError(self.record, "stockDetail", f"a {self.stock_type} exported without its components")
        made = []
        for component in self.components:
            if component.count is None:
                raise RecordError(self.record, f"stockDetail[{component.code}].count", "no quantity exported")
            made.append(max(component.count, Decimal(0)) // component.quantity)
        return min(made)

    def available(self) -> Decimal:
        """What may still be sold: ``countIssue`` ("k výdeji") when exported, else stock minus reservations;
        for a package or set, what its components make (:meth:`package_count`)."""
        if self.stock_type in PACKAGE_TYPES and self.count is None:
            return self.package_count()
        if self.count_issue is not None:
            return self.count_issue
        if self.count is None:
            raise RecordError(self.record, "count", "the export carries no quantity")
        return self.count - (self.reservation or 0)

    def on_hand(self) -> Decimal:
        """``count`` (on hand, reservations not subtracted); for a package or set, what its components make."""
        if self.count is not None:
            return self.count
        if self.stock_type in PACKAGE_TYPES:
            return self.package_count()
        raise RecordError(self.record, "count", "the export carries no quantity")

    def to_stock_level(self, location_key: str, *, basis: Literal["available", "count"] = "available") -> StockLevel:
        """The card's quantity at ``location_key`` (the store the export was filtered by); see ``available``."""
        if basis == "count":
            quantity = self.on_hand()
        else:
            quantity = self.available()
        return StockLevel(sku=self.code, location_key=location_key, quantity=quantity, updated_at=self.exported_at)
