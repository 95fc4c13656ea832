"""Shop products into POHODA as stock cards (``stk:stock``): the e-shop → POHODA stock import of ``import_items``.

One card per variant, ``stk:code`` = SKU, all of a product's cards tied by the user field that holds the product
key (``item_key_parameter``), the layout ``cards`` reads back. A code POHODA has is updated where it is
(``actionType/update`` filtered on the code, every store's card of it; a card is never moved to another store);
a new code is added in the import store (``import_store``, else the first store by name). A run that died after
POHODA applied a card finds it by its code next time and updates it, so no card is added twice.
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
from connectors.pohoda.models.stock import PriceLevel, StockItem, UserParameter
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
        for variant in product.variants:
            known = variant.sku in existing
            card = self._card(product, variant, None if known else store)
            item = stock_card(card, mode="update" if known else "add", tz=self.mserver.client.tz)
            try:
                error = self.mserver.write(item, duplicity=False).error()
            except ItemError as exc:
                raise refused(exc, label) from None
            if error is not None:
                raise refused(error, label)
        self.cards.refresh_index()
        return product.erp_key

    def _card(self, product: Product, variant: Variant, store: str | None) -> StockItem:
        s = self.settings
        levels = (
            [PriceLevel(name=s.compare_at_level, price=variant.compare_at_price)]
            if s.compare_at_level and variant.compare_at_price is not None
            else []
        )
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
            category_ids=[int(key) for key in product.category_keys if key.isdigit()],
            parameters=[UserParameter(name=s.item_key_parameter, value=product.erp_key)],
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
