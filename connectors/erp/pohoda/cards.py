"""Stock cards → shop products: how POHODA's card-per-SKU-per-store layout becomes ``Product`` with variants.

POHODA has no variants, and keeps quantities per store card. The layout this adapter reads (the emulator's
README describes how it is written):
- one card per variant SKU (``stk:code``) and store; the product key is the user parameter ``VPrItemKey``
  on each card of the product; a card without it is a one-variant product keyed by its code;
- the variant's data comes from its card in the lowest-id store (a card's name, prices and parameters are
  the same in every store unless someone edits one card only; the first one wins, deterministically);
- title = ``name`` (the product title), variant title = ``nameComplement``, barcode = ``EAN``;
- price = the selling price as the shop shows it (VAT-inclusive by default; see ``StockItem.shop_price``),
  compare-at price = the price level ``Původní cena``;
- internet parameters of type ``listValue`` are the variant's options, the others the product's parameters
  (with the unit of their definition); user fields (``VPr…``) are POHODA-internal and not exported;
- categories = e-shop category ids (the main one first), vendor = ``producer`` (free text in POHODA, so it
  is also the producer's key), supplier key = the address-book id of ``supplier``.
No change time is exported per card, so ``updated_at`` is left empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from connectors.erp.errors import RecordError, validated
from connectors.pohoda import errors as pohoda
from connectors.pohoda.models.stock import IntParamDefinition, StockItem
from domain.models import Parameter, Product, Variant

__all__ = ["CatalogSettings", "group_cards", "product_key", "store_of", "to_product"]

NOT_STOCKED = frozenset({"service", "text"})
"""Card types without a quantity: sold, but never listed as stock."""


@dataclass(frozen=True)
class CatalogSettings:
    item_key_parameter: str = "VPrItemKey"
    compare_at_level: str | None = "Původní cena"
    price_level: str | None = None
    gross_prices: bool = True


def store_of(card: StockItem) -> str | None:
    """The store (sklad) of a card: the root of its ``stk:storage`` path."""
    path = (card.storage_path or "").strip()
    return path.split("/", 1)[0] or None


def product_key(card: StockItem, parameter: str) -> str:
    return next((p.value for p in card.parameters if p.name == parameter and p.value.strip()), card.code)


def group_cards(cards: Iterable[StockItem], parameter: str) -> dict[str, list[StockItem]]:
    """Cards by product key, each list in card-id order."""
    groups: dict[str, list[StockItem]] = {}
    for card in sorted(cards, key=lambda c: c.id or 0):
        groups.setdefault(product_key(card, parameter), []).append(card)
    return groups


def _price(card: StockItem, key: str, settings: CatalogSettings, level: str | None) -> Decimal:
    try:
        return card.shop_price(gross=settings.gross_prices, price_level=level)
    except pohoda.RecordError as exc:
        raise RecordError(f"item {key}", f"variants[{card.code}].{exc.field}", exc.reason) from None


def _variant(
    card: StockItem, key: str, definitions: Mapping[int, IntParamDefinition], settings: CatalogSettings
) -> Variant:
    options = {}
    for parameter in sorted(card.int_parameters, key=lambda p: p.order or 0):
        definition = definitions.get(parameter.id or 0)
        if (parameter.type or (definition.type if definition else None)) == "listValue":
            name = parameter.name or (definition.name if definition else str(parameter.id))
            value = next((v.value for v in parameter.values if v.value), None)
            if value is not None:
                options[name] = value
    compare_at = None
    if settings.compare_at_level and any(lvl.name == settings.compare_at_level for lvl in card.price_levels):
        compare_at = _price(card, key, settings, settings.compare_at_level)
    return validated(
        f"item {key}",
        Variant,
        sku=card.code,
        barcode=card.ean,
        title=card.name_complement,
        options=options,
        price=_price(card, key, settings, settings.price_level),
        compare_at_price=compare_at,
    )


def _parameters(card: StockItem, definitions: Mapping[int, IntParamDefinition]) -> list[Parameter]:
    found = []
    for parameter in sorted(card.int_parameters, key=lambda p: p.order or 0):
        definition = definitions.get(parameter.id or 0)
        if (parameter.type or (definition.type if definition else None)) == "listValue":
            continue
        value = ", ".join(v.value for v in parameter.values if v.value)
        name = parameter.name or (definition.name if definition else None)
        if name and value:
            found.append(Parameter(name=name, value=value, unit=definition.unit if definition else None))
    return found


def to_product(
    key: str, cards: list[StockItem], definitions: Mapping[int, IntParamDefinition], settings: CatalogSettings
) -> Product:
    """The product of these cards (all of one product key, any stores); ``RecordError`` names a bad one."""
    first_per_sku: dict[str, StockItem] = {}
    for card in sorted(cards, key=lambda c: c.id or 0):
        first_per_sku.setdefault(card.code, card)
    if not first_per_sku:
        raise RecordError(f"item {key}", "variants", "no stock card")
    head = next(iter(first_per_sku.values()))
    categories = list(head.category_ids)
    if head.main_category_id in categories:
        categories.remove(head.main_category_id)
        categories.insert(0, head.main_category_id)
    return validated(
        f"item {key}",
        Product,
        erp_key=key,
        title=head.name or key,
        description=head.description2 or head.description,
        vendor=head.producer,
        supplier_key=str(head.supplier_id) if head.supplier_id else None,
        producer_key=head.producer,
        category_keys=[str(c) for c in categories],
        parameters=_parameters(head, definitions),
        vat_rate=head.vat_percent(),
        active=head.is_internet is not False and head.is_sales is not False,
        variants=[_variant(card, key, definitions, settings) for card in first_per_sku.values()],
        updated_at=None,
    )
