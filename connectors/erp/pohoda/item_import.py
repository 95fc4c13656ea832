"""Shop products into POHODA as stock cards (``stk:stock``): the e-shop → POHODA stock import of ``import_items``.

One card per variant, ``stk:code`` = SKU, all of a product's cards tied by the user field that holds the product
key (``item_key_parameter``), the layout ``cards`` reads back. A code POHODA has is updated where it is
(``actionType/update`` filtered on the code, every store's card of it; a card is never moved to another store);
a new code is added in the import store (``import_store``, else the first store by name). Every card of an item
goes in one dataPack, so a worker that dies after sending it leaves POHODA with the whole item or none of it,
never a product short of a variant (which ``sync_products`` would then take away in the shop); a run after it
finds the cards by their codes and updates them, so no card is added twice. The shop price is the selling price
and, when the shop's prices come from a price level (``price_level``), that level too, where ``cards`` reads
it. A variant's options are POHODA's list-type internet parameters of the same names (how ``cards`` reads them
back); a missing one fails the item.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from connectors.erp.errors import RecordError
from connectors.erp.pohoda.catalog import INDEX_PARTS, Cards
from connectors.erp.pohoda.errors import refused
from connectors.erp.pohoda.mserver import MServer
from connectors.erp.pohoda.settings import PohodaSettings
from connectors.pohoda.errors import ItemError
from connectors.pohoda.models.common import VatRate
from connectors.pohoda.models.requests import StockListRequest
from connectors.pohoda.models.stock import IntParameter, IntParameterValue, PriceLevel, StockItem, UserParameter
from connectors.pohoda.xml.agendas.int_params import list_int_params
from connectors.pohoda.xml.agendas.stock import list_stock, stock_card
from connectors.pohoda.xml.agendas.stores import list_stores
from domain.models import Product, Variant

__all__ = ["ItemImport"]


class ItemImport:
    def __init__(self, mserver: MServer, cards: Cards, settings: PohodaSettings) -> None:
        self.mserver = mserver
        self.cards = cards
        self.settings = settings

    def keys_by_barcode(self, barcodes: Sequence[str]) -> dict[str, str]:
        wanted = sorted({b for b in barcodes if b})
        if not wanted:
            return {}
        tz, parameter = self.mserver.client.tz, self.settings.item_key_parameter
        requests = [list_stock(StockListRequest(ean=ean, restriction=INDEX_PARTS), tz=tz) for ean in wanted]
        found: dict[str, str] = {}
        for ean, answer in zip(wanted, self.mserver.read(requests, "stock cards by EAN"), strict=True):
            cards = sorted((c for c in answer.records if c.ean == ean), key=lambda c: c.id or 0)
            if cards:
                found[ean] = next(
                    (p.value for p in cards[0].parameters if p.name == parameter and p.value.strip()), cards[0].code
                )
        return found

    def upsert(self, product: Product) -> str:
        label = f"item {product.erp_key}"
        cards, _, _ = self.cards.by_codes([v.sku for v in product.variants], INDEX_PARTS)
        parameter = self.settings.item_key_parameter
        for card in cards:
            owner = next((p.value for p in card.parameters if p.name == parameter and p.value.strip()), card.code)
            if owner != product.erp_key:
                raise RecordError(label, "sku", f"SKU {card.code} belongs to item {owner}")
        existing = {card.code for card in cards}
        store = None if existing >= {v.sku for v in product.variants} else self._import_store(label)
        options = self._option_ids(product, label)
        tz = self.mserver.client.tz
        items = [
            stock_card(
                self._card(product, variant, None if variant.sku in existing else store, options),
                mode="update" if variant.sku in existing else "add",
                tz=tz,
            )
            for variant in product.variants
        ]
        try:  # every card of the item in one dataPack: a worker that dies meanwhile never leaves half an item
            answers = self.mserver.write_all(items, duplicity=False)
        except ItemError as exc:
            raise refused(exc, label) from None
        for answer in answers:
            if (error := answer.error()) is not None:
                raise refused(error, label)
        self.cards.refresh_index()
        return product.erp_key

    def _option_ids(self, product: Product, label: str) -> dict[str, int]:
        """The ids of the list-type internet parameters (``ipm:intParam``) the variants' options are: POHODA keeps
        a variant's options as those, and a card names them by id. A missing one is the item's error."""
        names = list(dict.fromkeys(name for v in product.variants for name in v.options))
        if not names:
            return {}
        definitions = self.mserver.read_one(list_int_params(), "internet parameters").records
        lists = {d.name: d.id for d in definitions if d.type == "listValue"}
        for name in names:
            if name not in lists:
                raise RecordError(
                    label,
                    f"options.{name}",
                    f"POHODA has no list-type internet parameter {name!r} to hold the variants' {name}: "
                    "create it in POHODA (internet parameters, type list), then the next run imports the item",
                )
        return {name: lists[name] for name in names}

    def _card(self, product: Product, variant: Variant, store: str | None, options: dict[str, int]) -> StockItem:
        s = self.settings
        levels = [PriceLevel(name=s.price_level, price=variant.price)] if s.price_level else []  # the shop price
        if s.compare_at_level and variant.compare_at_price is not None:
            levels.append(PriceLevel(name=s.compare_at_level, price=variant.compare_at_price))
        return StockItem(
            code=variant.sku,
            ean=variant.barcode,
            name=product.title,
            name_complement=variant.title,
            is_internet=product.active,
            is_sales=True,
            storage_path=store,
            selling_price=variant.price,
            selling_price_with_vat=s.gross_prices,
            selling_vat=self._vat(product, f"item {product.erp_key}"),
            description=product.description,
            producer=product.vendor,  # POHODA's producer is the vendor the catalogue reads back
            category_ids=[int(key) for key in product.category_keys if key.isdigit()],
            parameters=[UserParameter(name=s.item_key_parameter, value=product.erp_key)],
            int_parameters=[
                IntParameter(id=options[name], order=order, values=[IntParameterValue(value=value)])
                for order, (name, value) in enumerate(variant.options.items(), start=1)
            ],
            price_levels=levels,
        )

    def _vat(self, product: Product, label: str) -> VatRate | None:
        if product.vat_rate is None:
            return None
        percent = Decimal(product.vat_rate).normalize()
        for known, rate in self.settings.vat_rates.items():
            if Decimal(known).normalize() == percent:
                return rate
        raise RecordError(label, "vat_rate", f"no POHODA VAT rate for {percent} %")

    def _import_store(self, label: str) -> str:
        if self.settings.import_store:
            return self.settings.import_store
        stores = sorted(s.name for s in self.mserver.read_one(list_stores(), "stores").records)
        if not stores:
            raise RecordError(label, "store", "POHODA has no store to add the card to")
        return stores[0]
