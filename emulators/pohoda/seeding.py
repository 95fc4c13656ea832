"""Filling the accounting unit from the project's domain models (``commerce_sync.samples.data.SampleData``).

How the shop-shaped catalogue lands in POHODA, which has no variants:

- a location → a store (sklad): ``name`` = location key (≤10), ``text`` = its name;
- a variant → one stock card per store that holds stock of its SKU (the first store when none does):
  ``code`` = SKU, ``EAN`` = barcode, ``name`` = product title, ``nameComplement`` = variant title,
  ``sellingPrice payVAT="true"`` = price, price level ``Původní cena`` = compare-at price,
  ``sellingRateVAT`` from the VAT rate (21 → high, 12 → low, 0 → none), ``isInternet`` = active,
  ``storage`` = the store name, ``count`` = the stock level;
- the product key → user parameter ``VPrItemKey`` on every card of the product; the product's other variant
  cards in the same store are its ``relatedStocks``;
- product parameters → internet parameters (``textValue``, unit on the definition); variant options →
  internet parameters of type ``listValue`` (so a reader can tell options from parameters);
- categories → the e-shop category tree (integer ids, in tree order); suppliers → address-book companies with
  ``number`` = supplier key, referenced by ``stk:supplier``; producers → the free-text ``stk:producer``;
- customers → address-book entries with ``number`` = customer key; images → files under ``Obrázky/`` in the
  documents folder plus a ``stk:picture`` on each card of the item.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from domain import models as m

from . import records as r

if TYPE_CHECKING:
    from .state import PohodaState

PRICE_LEVEL_COMPARE_AT = "Původní cena"
ITEM_KEY_PARAMETER = "VPrItemKey"


def vat_rate_name(rate: Decimal | None) -> str:
    if rate is None or rate == 0:
        return "none"
    return "high" if rate >= 20 else "low"


@dataclass
class SeedReport:
    """Which POHODA ids the seeded keys got, so tests can find what they seeded."""

    stores: dict[str, int] = field(default_factory=dict)
    categories: dict[str, int] = field(default_factory=dict)
    suppliers: dict[str, int] = field(default_factory=dict)
    customers: dict[str, int] = field(default_factory=dict)
    cards: dict[str, list[int]] = field(default_factory=dict)  # sku → card ids (one per store)
    pictures: int = 0

    def counts(self) -> dict[str, int]:
        return {
            "stores": len(self.stores),
            "categories": len(self.categories),
            "suppliers": len(self.suppliers),
            "customers": len(self.customers),
            "stock_cards": sum(len(v) for v in self.cards.values()),
            "pictures": self.pictures,
        }


class SeedingMixin:
    """Mixed into :class:`~emulators.pohoda.state.PohodaState`."""

    def seed_sample_data(self: PohodaState, data: Any) -> SeedReport:
        """Everything ERP-side of a ``SampleData`` (its shop-side ``orders`` are not POHODA's)."""
        return self.seed(
            locations=data.locations,
            categories=data.categories,
            parties=data.parties,
            products=data.products,
            stock=data.stock,
            images=data.images,
            customers=data.customers,
        )

    def seed(
        self: PohodaState,
        *,
        locations: Iterable[Any] = (),
        categories: Iterable[m.Category] = (),
        parties: Iterable[m.Party] = (),
        products: Iterable[m.Product] = (),
        stock: Iterable[m.StockLevel] = (),
        images: Iterable[m.Image] = (),
        customers: Iterable[m.Customer] = (),
    ) -> SeedReport:
        report = SeedReport()
        locations = list(locations)
        with self.lock:
            if locations:
                self.drop_pristine_default_store()
            for location in locations:
                store = self.store_by_name(location.erp_key[:10]) or self.add_store(
                    location.erp_key[:10], location.name[:32]
                )
                report.stores[location.erp_key] = store.id
            self._seed_categories(list(categories), report)
            parties = list(parties)
            for party in parties:
                if party.kind is m.PartyKind.SUPPLIER:
                    entry = self._upsert_address(party.erp_key, r.Address(company=party.name[:255]), None)
                    report.suppliers[party.erp_key] = entry.id
            producers = {p.erp_key: p.name for p in parties if p.kind is m.PartyKind.PRODUCER}
            for customer in customers:
                self._seed_customer(customer, report)
            self._seed_products(list(products), list(stock), list(images), producers, report)
        return report

    def _seed_categories(self: PohodaState, categories: list[m.Category], report: SeedReport) -> None:
        tree = m.build_category_tree(categories) if categories else {}
        pending: list[str | None] = [None]
        while pending:
            parent_key = pending.pop(0)
            for category in tree.get(parent_key, []):
                parent_id = report.categories.get(parent_key) if parent_key else None
                existing = next(
                    (c for c in self.categories.values() if c.name == category.name[:48] and c.parent_id == parent_id),
                    None,
                )
                created = existing or self.add_category(category.name[:48], parent_id, category.position)
                report.categories[category.erp_key] = created.id
                pending.append(category.erp_key)

    def _upsert_address(
        self: PohodaState, number: str | None, address: r.Address, changed_at: datetime | None
    ) -> r.AddressBookEntry:
        entry = self.address_by_number(number) if number else None
        if entry is None:
            entry = self.add_address(r.AddressBookEntry(self.next_id("address"), address, self.now(), number))
        entry.address = address
        entry.email, entry.phone = address.email, address.phone
        entry.changed_at = changed_at or self.now()
        return entry

    def _seed_customer(self: PohodaState, customer: m.Customer, report: SeedReport) -> None:
        first = customer.addresses[0] if customer.addresses else m.Address()
        name = " ".join(p for p in (customer.first_name, customer.last_name) if p) or None
        address = r.Address(
            company=customer.company,
            name=(name or "")[:64] or None,
            city=first.city,
            street=first.street,
            zip=first.zip,
            country=first.country_code,
            phone=customer.phone or first.phone,
            email=customer.email,
        )
        entry = self._upsert_address(customer.erp_key, address, customer.updated_at)
        report.customers[customer.erp_key or str(entry.id)] = entry.id

    def _seed_products(
        self: PohodaState,
        products: list[m.Product],
        stock: list[m.StockLevel],
        images: list[m.Image],
        producers: dict[str, str],
        report: SeedReport,
    ) -> None:
        levels: dict[str, list[m.StockLevel]] = {}
        for level in stock:
            levels.setdefault(level.sku, []).append(level)
        pictures: dict[str, list[m.Image]] = {}
        for image in images:
            pictures.setdefault(image.item_key, []).append(image)
        for product in products:
            files = self._seed_pictures(product, pictures.get(product.erp_key, []), report)
            cards_by_store: dict[int, list[r.StockCard]] = {}
            for variant in product.variants:
                for store_id, level in self._stores_of(variant.sku, levels, report):
                    card = self._seed_card(product, variant, store_id, level, files, producers, report)
                    cards_by_store.setdefault(store_id, []).append(card)
                    report.cards.setdefault(variant.sku, []).append(card.id)
            for cards in cards_by_store.values():
                for card in cards:
                    card.related_ids = [c.id for c in cards if c.id != card.id]

    def _stores_of(
        self: PohodaState, sku: str, levels: dict[str, list[m.StockLevel]], report: SeedReport
    ) -> list[tuple[int, m.StockLevel | None]]:
        found = []
        for level in levels.get(sku, []):
            store_id = report.stores.get(level.location_key)
            if store_id is None:
                store = self.store_by_name(level.location_key[:10]) or self.add_store(level.location_key[:10])
                store_id = report.stores[level.location_key] = store.id
            found.append((store_id, level))
        return found or [(self.default_store().id, None)]

    def _seed_card(
        self: PohodaState,
        product: m.Product,
        variant: m.Variant,
        store_id: int,
        level: m.StockLevel | None,
        files: list[tuple[str, bool, int]],
        producers: dict[str, str],
        report: SeedReport,
    ) -> r.StockCard:
        store = self.stores[store_id]
        changed = max([t for t in (product.updated_at, level.updated_at if level else None) if t] or [self.now()])
        card = self.card_by_code(variant.sku, store_id)
        if card is None:
            card = self.add_card(
                r.StockCard(
                    self.next_id("stock"), store_id, variant.sku, product.title[:90], changed, storage=store.name
                )
            )
        card.name, card.changed_at = product.title[:90], changed
        card.name_complement = (variant.title or "")[:90] or None
        card.ean = variant.barcode
        card.description = product.description
        card.selling_price = variant.price
        card.prices = {"Prodejní": variant.price}
        if variant.compare_at_price is not None:
            card.prices[PRICE_LEVEL_COMPARE_AT] = variant.compare_at_price
        card.selling_rate_vat = vat_rate_name(product.vat_rate)
        card.is_internet = product.active
        card.count = level.quantity if level else Decimal("0")
        card.supplier_id = report.suppliers.get(product.supplier_key or "")
        card.producer = producers.get(product.producer_key or "", product.vendor)
        card.category_ids = [report.categories[k] for k in product.category_keys if k in report.categories]
        card.user_params = {ITEM_KEY_PARAMETER: product.erp_key}
        card.int_params = []
        for order, parameter in enumerate(product.parameters, start=1):
            definition = self.int_param(parameter.name[:32], "textValue", parameter.unit)
            card.int_params.append(r.IntParamValue(definition.id, parameter.value[:255], order))
        for order, (option, value) in enumerate(variant.options.items(), start=len(card.int_params) + 1):
            definition = self.int_param(option[:32], "listValue")
            if value not in definition.values:
                definition.values.append(value)
            card.int_params.append(r.IntParamValue(definition.id, value[:255], order))
        card.pictures = [
            r.Picture(self.next_id("picture"), name, f"Obrázek {order}", default, order)
            for name, default, order in files
        ]
        return card

    def _seed_pictures(
        self: PohodaState, product: m.Product, images: list[m.Image], report: SeedReport
    ) -> list[tuple[str, bool, int]]:
        files = []
        for order, image in enumerate(sorted(images, key=lambda i: i.position), start=1):
            if image.content is None:
                continue  # a URL-only image is not a file POHODA could hold
            name = image.filename or f"{product.erp_key.lower()}_{order}.jpg"
            self.put_document(self.picture_path(name), image.content)
            files.append((name, order == 1, order))
            report.pictures += 1
        return files
