"""The demo's items: products only the shop has (``import_items`` on both adapters), and a POHODA company set up
as a real one is: POHODA settings that are not the defaults, its own price list for the e-shop, and a package
card ("komplet") whose shop stock is what its components make.

Kept apart from ``commerce_sync.demo`` so that the demo's shops only call in here: what the demo seeds and
prints about items is this module's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from commerce_sync.samples.shop_only import shop_only_products

__all__ = [
    "POHODA_SETTINGS",
    "Package",
    "add_package",
    "print_items",
    "seed_e_shop_prices",
    "seed_shop_only",
]

E_SHOP_LEVEL = "E-shop"
POHODA_SETTINGS: dict[str, Any] = {
    "import_store": "PRAHA",  # new stock cards from the shop go to Prague, not the first store by name (BRNO)
    "price_level": E_SHOP_LEVEL,  # the shop's prices are POHODA's price level "E-shop", not the selling price
    "bank_account": "FIO",  # shop payments are booked to this bank account (default KB)
    "ex_system_name": "eshop-demo",  # the shop's name in the external ids of orders and payments
    "page_size": 25,  # a slow mServer: 25 cards per export page (default 1000), so exports page
    "pack_size": 10,  # export requests per data pack (default 50)
}
"""``PohodaMServer`` block fields the demo's POHODA shop sets, each to something other than its default."""
E_SHOP_FACTOR = Decimal("0.95")
CENT = Decimal("0.01")


def seed_shop_only(shop_state: Any) -> list[str]:
    """Put the products only the shop has (``samples.shop_only``) into a Shopify emulator; their SKUs."""
    products = shop_only_products()
    shop_state.seed_products(products)
    return [v.sku for p in products for v in p.variants]


def seed_e_shop_prices(mserver_state: Any) -> int:
    """Every stock card gets the "E-shop" price level, 5 % under its selling price (a shop's own price list);
    returns how many cards got it."""
    with mserver_state.lock:
        cards = list(mserver_state.cards.values())
        for card in cards:
            card.prices[E_SHOP_LEVEL] = (card.selling_price * E_SHOP_FACTOR).quantize(CENT, ROUND_HALF_UP)
    return len(cards)


@dataclass(frozen=True)
class Package:
    code: str
    store: str
    components: tuple[tuple[str, Decimal], ...]  # (component code, quantity one package takes)


def add_package(mserver_state: Any, store_name: str = "PRAHA") -> Package:
    """A gift set of two single-variant cards of ``store_name`` (one of the first, two of the second), kept as
    POHODA keeps a package: ``stockType`` package, no count of its own, its components listed."""
    from emulators.pohoda import records as r

    with mserver_state.lock:
        store = mserver_state.store_by_name(store_name)
        stocked = sorted(
            (c for c in mserver_state.cards.values() if c.store_id == store.id and c.count >= 2 and not c.is_package),
            key=lambda c: c.code,
        )
        first, second = stocked[0], stocked[1]
        price = ((first.selling_price + 2 * second.selling_price) * Decimal("0.9")).quantize(CENT, ROUND_HALF_UP)
        card = r.StockCard(
            mserver_state.next_id("stock"),
            store.id,
            "SADA-DAREK",
            f"Dárková sada: {first.name[:30]} + 2× {second.name[:30]}",
            mserver_state.now(),
            store.name,
            stock_type="package",
            selling_price=price,
            prices={"Prodejní": price, E_SHOP_LEVEL: (price * E_SHOP_FACTOR).quantize(CENT, ROUND_HALF_UP)},
            components=[r.Component(first.id, Decimal(1)), r.Component(second.id, Decimal(2))],
        )
        mserver_state.add_card(card)
    return Package(card.code, store.name, ((first.code, Decimal(1)), (second.code, Decimal(2))))


def _shop_available(shop_state: Any, sku: str, location_key: str) -> int | None:
    variant = next((v for v in shop_state.variants.values() if v.sku == sku), None)
    location = next((loc for loc in shop_state.locations.values() if loc.key == location_key), None)
    if variant is None or location is None:
        return None
    level = next(
        (
            lvl
            for lvl in shop_state.inventory_levels.values()
            if lvl.item_id == variant.inventory_item_id and lvl.location_id == location.id
        ),
        None,
    )
    return None if level is None else level.quantities.get("available")


def print_items(shop_state: Any, mserver_state: Any, package: Package, imported: list[str]) -> None:
    """What the demo's POHODA shop shows of its settings, of the products that came from the shop, and of the
    package card."""
    settings = ", ".join(f"{name}={value}" for name, value in POHODA_SETTINGS.items())
    print(f"POHODA settings (PohodaMServer block, not the defaults): {settings}")
    with mserver_state.lock:
        stores = {s.id: s.name for s in mserver_state.stores.values()}
        made = [c for c in mserver_state.cards.values() if c.code in imported]
        print(
            f"import_items: {len(made)} stock card(s) made from shop products, in store(s) "
            f"{', '.join(sorted({stores[c.store_id] for c in made})) or '-'}: {', '.join(sorted(c.code for c in made))}"
        )
        counts = {(c.code, stores[c.store_id]): c.count for c in mserver_state.cards.values()}
    parts = [(code, quantity, counts.get((code, package.store), Decimal(0))) for code, quantity in package.components]
    derived = min(int(count // quantity) for _, quantity, count in parts)
    shown = _shop_available(shop_state, package.code, package.store)
    recipe = " and ".join(f"{count} × {code} ({quantity} per set)" for code, quantity, count in parts)
    print(
        f"package card {package.code} in {package.store} (stockType package, no count of its own): {recipe} "
        f"make {derived}; the shop shows {shown} available there"
    )
