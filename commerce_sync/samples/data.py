"""Deterministic, realistic sample data: a Czech shop's ERP catalogue and customers, plus shop-side orders.

Why: the demo, the benchmarks and the end-to-end tests need an ERP that looks like a real one (diacritics,
grammatical gender, VAT 21/12/0, valid EAN-13, several warehouses, a 2–3 level category tree) and must get the
*same* one every time: ``generate`` is pure — ``random.Random(seed)`` and a fixed base date, never the clock.
The ERP gets items, stock, categories, parties, customers and images (:func:`write_sql_erp`); the shop-side
``orders`` are for seeding the Shopify emulator. Some orders come from ERP customers spelled differently
(upper-case email, phone without +420) so customer matching has something to do.
"""

from __future__ import annotations

import base64
import functools
import random
import struct
import unicodedata
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from commerce_sync.samples import names
from commerce_sync.samples.orders import generate_orders, lifecycle_scenarios
from connectors.erp.port import Location
from domain.models import (
    Address,
    Category,
    Customer,
    Image,
    Order,
    Parameter,
    Party,
    PartyKind,
    Product,
    StockLevel,
    Variant,
)
from domain.refunds import Refund

__all__ = ["BASE_DATE", "SampleData", "ean13_check_digit", "erp_seed_json", "generate", "write_sql_erp"]

BASE_DATE = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class SampleData:
    seed: int
    locations: list[Location]
    categories: list[Category]
    parties: list[Party]
    products: list[Product]
    stock: list[StockLevel]
    images: list[Image]
    customers: list[Customer]
    orders: list[Order]
    refunds: list[Refund] = field(default_factory=list)  # of ``orders``: seed them after the orders


def ean13_check_digit(first12: str) -> int:
    """GS1 check digit: digits at odd positions weigh 1, at even positions 3."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return (10 - total % 10) % 10


def _ean13(number: int) -> str:
    body = f"859{number % 10**9:09d}"  # 859 = GS1 Czech Republic
    return body + str(ean13_check_digit(body))


@functools.lru_cache(maxsize=4096)
def ascii_slug(text: str) -> str:
    """``Žluťoučký kůň`` → ``ZLUTOUCKY-KUN``: SKUs and e-mails stay ASCII, as ERPs and mail servers prefer."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join("".join(ch if ch.isalnum() else " " for ch in plain).upper().split())


def _price(rng: random.Random, low: int, high: int) -> Decimal:
    """Shop-style prices: 59.90 for cheap goods, 1 289.00 above a few hundred crowns."""
    if high <= 300:
        return Decimal(rng.randrange(low, high)) + Decimal("0.90")
    return Decimal(rng.randrange(max(low // 10, 1), high // 10) * 10 - 1).quantize(CENT)


def _parameter(rng: random.Random, kind: str, option_value: str | None) -> Parameter:
    if kind == "origin":
        return Parameter(name="Země původu", value=rng.choice(names.ORIGINS))
    if kind == "cocoa":
        return Parameter(name="Obsah kakaa", value=str(rng.choice((33, 45, 56, 70, 85))), unit="%")
    if kind == "weight":
        return Parameter(name="Hmotnost", value=option_value or "100 g")
    if kind == "weight_kg":
        return Parameter(name="Hmotnost", value=f"{rng.randint(20, 400) / 10:.1f}".replace(".", ","), unit="kg")
    if kind == "dimensions":
        w, d, h = (rng.randint(20, 200) for _ in range(3))
        return Parameter(name="Rozměry", value=f"{w} × {d} × {h}", unit="cm")
    if kind == "material":
        return Parameter(name="Materiál", value=rng.choice(names.WOODS))
    if kind == "fabric":
        return Parameter(name="Materiál", value=rng.choice(names.FABRICS))
    if kind == "colour":
        return Parameter(name="Barva", value=rng.choice(names.VARIANT_OPTIONS["colour"][1]))
    if kind == "age":
        return Parameter(name="Věk od", value=str(rng.choice((0, 1, 3, 6))), unit="let")
    if kind == "author":
        return Parameter(name="Autor", value=rng.choice(names.AUTHORS))
    if kind == "pages":
        return Parameter(name="Počet stran", value=str(rng.randint(96, 640)))
    if kind == "volume":
        return Parameter(name="Objem", value=rng.choice(("0,3", "0,5", "1,2")), unit="l")
    raise ValueError(f"unknown parameter kind {kind!r}")


def _title(rng: random.Random, leaf: names.Leaf) -> str:
    if rng.random() < leaf.english_share:
        adjectives, nouns = leaf.english
        return f"{rng.choice(adjectives)} {rng.choice(nouns)} {rng.choice(leaf.suffixes)}"
    noun, gender = rng.choice(leaf.nouns)
    adjective = rng.choice(leaf.adjectives)[names.GENDER[gender]]
    words = [noun.capitalize(), adjective] if leaf.noun_first else [adjective.capitalize(), noun]
    return f"{' '.join(words)} {rng.choice(leaf.suffixes)}"


def _variants(rng: random.Random, leaf: names.Leaf, item_code: str, ean: list[int]) -> list[Variant]:
    base = _price(rng, *leaf.price)
    compare = (base * Decimal("1.25")).quantize(Decimal("1")).quantize(CENT) if rng.random() < 0.15 else None
    count = 1 if leaf.option is None else rng.choice((1, 1, 2, 2, 3))
    if count == 1:
        ean[0] += 1
        return [Variant(sku=item_code, barcode=_ean13(ean[0]), price=base, compare_at_price=compare)]
    option_name, values = names.VARIANT_OPTIONS[leaf.option]
    start = rng.randrange(len(values) - count + 1)
    variants = []
    for step, value in enumerate(values[start : start + count]):
        factor = Decimal(1) + Decimal(step) * (Decimal("0.8") if leaf.option == "weight" else Decimal("0.1"))
        price = (base * factor).quantize(CENT, ROUND_HALF_UP) if leaf.option in ("weight", "material") else base
        ean[0] += 1
        variants.append(
            Variant(
                sku=f"{item_code}-{ascii_slug(value)}",
                barcode=_ean13(ean[0]),
                title=value,
                options={option_name: value},
                price=price,
                compare_at_price=compare if price == base else None,
            )
        )
    return variants


def _png(rgb: tuple[int, int, int], size: int = 8) -> bytes:
    """A tiny solid-colour PNG: real image bytes with a stable hash, without an imaging library."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    rows = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def _catalogue(rng: random.Random, count: int) -> tuple[list[Product], list[StockLevel], list[Image]]:
    products: list[Product] = []
    stock: list[StockLevel] = []
    images: list[Image] = []
    ean = [rng.randrange(10**7, 9 * 10**8)]
    supplier_keys = [key for key, _ in names.SUPPLIERS]
    location_keys = [key for key, _ in names.LOCATIONS]
    for n in range(1, count + 1):
        leaf = rng.choice(names.LEAVES)
        code = f"CS{n:05d}"
        variants = _variants(rng, leaf, code, ean)
        option_value = variants[0].title
        # a fifth of the catalogue shares the instant of its initial import, as bulk loads do
        minutes = 0 if rng.random() < 0.2 else rng.randrange(60 * 24 * 60)
        updated_at = BASE_DATE + timedelta(minutes=minutes)
        title = _title(rng, leaf)
        products.append(
            Product(
                erp_key=code,
                title=title,
                description=f"{title} – kvalitní zboží z kategorie {leaf.key}.",
                supplier_key=rng.choice(supplier_keys),
                producer_key=rng.choice(leaf.producers),
                category_keys=[leaf.key],
                parameters=[_parameter(rng, kind, option_value) for kind in leaf.parameters],
                vat_rate=Decimal(leaf.vat),
                active=rng.random() > 0.03,
                variants=variants,
                updated_at=updated_at,
            )
        )
        for variant in variants:
            for location in sorted(rng.sample(location_keys, rng.randint(1, len(location_keys)))):
                quantity = Decimal(rng.choice((0, 0, 1, 2, 3, 5, 8, 12, 20, 40, -1)))
                if leaf.option == "weight" and rng.random() < 0.1:
                    quantity += Decimal("0.5")
                stock.append(
                    StockLevel(
                        sku=variant.sku,
                        location_key=location,
                        quantity=quantity,
                        updated_at=updated_at + timedelta(minutes=rng.randrange(600)),
                    )
                )
        if rng.random() < 0.3:
            rgb = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
            images.append(
                Image(
                    item_key=code, position=0, filename=f"{code.lower()}.png", content=_png(rgb), mime_type="image/png"
                )
            )
    return products, stock, images


def _person(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.15:
        return rng.choice(names.ENGLISH_FIRST), rng.choice(names.ENGLISH_LAST)
    male = rng.random() < 0.5
    surname = rng.choice(names.SURNAMES)[0 if male else 1]
    return rng.choice(names.MALE_FIRST if male else names.FEMALE_FIRST), surname


def _address(rng: random.Random, first: str, last: str, phone: str | None) -> Address:
    city, zip_code, country = rng.choice(names.CITIES)
    return Address(
        first_name=first,
        last_name=last,
        street=f"{rng.choice(names.STREETS)} {rng.randint(1, 180)}",
        city=city,
        zip=zip_code,
        country_code=country,
        phone=phone,
    )


def make_customer(rng: random.Random, used_emails: set[str], used_phones: set[str]) -> Customer:
    """A person (sometimes with a company), with a unique e-mail and phone across ``used_*``."""
    first, last = _person(rng)
    stem = f"{ascii_slug(first)}.{ascii_slug(last)}".lower()
    email = f"{stem}@{rng.choice(names.EMAIL_DOMAINS)}"
    while email in used_emails:
        email = f"{stem}{rng.randint(2, 9999)}@{rng.choice(names.EMAIL_DOMAINS)}"
    used_emails.add(email)
    phone = None
    if rng.random() < 0.9:
        while phone is None or phone in used_phones:
            digits = f"{rng.choice('67')}{rng.randrange(10**8):08d}"
            phone = f"+420 {digits[:3]} {digits[3:6]} {digits[6:]}"
        used_phones.add(phone)
    company = rng.choice(names.COMPANIES) if rng.random() < 0.08 else None
    return Customer(
        email=email,
        phone=phone,
        first_name=first,
        last_name=last,
        company=company,
        addresses=[_address(rng, first, last, phone)],
    )


def generate(items: int, customers: int, orders: int, seed: int) -> SampleData:
    """The same arguments always give the same data (no clock, no global random state)."""
    rng = random.Random(seed)
    locations = [Location(erp_key=key, name=name) for key, name in names.LOCATIONS]
    categories = [Category(erp_key=k, name=n, parent_key=p, position=pos) for k, n, p, pos in names.CATEGORIES]
    parties = [Party(erp_key=k, name=n, kind=PartyKind.PRODUCER) for k, n in names.PRODUCERS]
    parties += [Party(erp_key=k, name=n, kind=PartyKind.SUPPLIER) for k, n in names.SUPPLIERS]
    products, stock, images = _catalogue(rng, items)
    used_emails: set[str] = set()
    used_phones: set[str] = set()
    erp_customers = []
    for n in range(1, customers + 1):
        customer = make_customer(rng, used_emails, used_phones)
        customer.erp_key = f"CUST{n:05d}"
        customer.updated_at = BASE_DATE + timedelta(minutes=rng.randrange(60 * 24 * 30))
        erp_customers.append(customer)
    shop_orders = generate_orders(
        rng, orders, products, erp_customers, lambda: make_customer(rng, used_emails, used_phones), BASE_DATE
    )
    shop_orders, refunds = lifecycle_scenarios(shop_orders)
    return SampleData(
        seed, locations, categories, parties, products, stock, images, erp_customers, shop_orders, refunds
    )


def write_sql_erp(data: SampleData, url: str) -> None:
    """Create the ``erp_*`` tables at ``url`` and load the ERP's part of ``data``; running it twice changes nothing."""
    from connectors.erp.sql import SqlErpBackend, loader

    backend = SqlErpBackend.from_url(url)
    try:
        backend.create_schema()
        with backend.engine.begin() as conn:
            loader.upsert_locations(conn, data.locations, BASE_DATE)
            loader.upsert_parties(conn, data.parties, BASE_DATE)
            loader.upsert_categories(conn, data.categories, BASE_DATE)
            loader.upsert_products(conn, data.products)
            loader.upsert_stock(conn, data.stock)
            loader.upsert_images(conn, data.images, BASE_DATE)
            loader.upsert_customers(conn, data.customers)
    finally:
        backend.close()


def erp_seed_json(data: SampleData) -> dict[str, Any]:
    """The ERP side of ``data`` as the body of the POHODA emulator's ``POST /_emulator/seed``.

    The emulator seeds from domain records it is handed and knows nothing of this module, so a process that
    runs it (the demo stack) generates the data here and posts it (images travel as ``content_base64``).
    """
    body: dict[str, Any] = {
        key: [record.model_dump(mode="json") for record in getattr(data, key)]
        for key in ("categories", "parties", "products", "stock", "customers")
    }
    body["locations"] = [{"erp_key": loc.erp_key, "name": loc.name} for loc in data.locations]
    body["images"] = [_image_json(image) for image in data.images]
    return body


def _image_json(image: Image) -> dict[str, Any]:
    entry = image.model_dump(mode="json", exclude={"content"})
    if image.content is not None:
        entry["content_base64"] = base64.b64encode(image.content).decode()
    return entry
