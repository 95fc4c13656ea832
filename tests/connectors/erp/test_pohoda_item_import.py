"""POHODA's stock import under a company's own settings: the cards of a shop product go to the configured store,
carry the shop price on the configured price level and the variants' options as list internet parameters, and
read back as the product they came from."""

from __future__ import annotations

from decimal import Decimal

import pytest

from connectors.erp.errors import RecordError
from connectors.erp.pohoda import PohodaSettings
from connectors.erp.port import Location
from domain.models import Product, Variant


def tee(option: str = "Barva") -> Product:
    return Product(
        erp_key="TEE-CERNA",
        title="Tričko s logem",
        vendor="Vlastní výroba",
        vat_rate=Decimal("21"),
        variants=[
            Variant(sku="TEE-CERNA", title="černá", options={option: "černá"}, price=Decimal("349")),
            Variant(
                sku="TEE-BILA",
                title="bílá",
                options={option: "bílá"},
                price=Decimal("349"),
                compare_at_price=Decimal("399"),
            ),
        ],
    )


def test_a_shop_product_goes_to_the_import_store_on_the_e_shop_price_level_with_its_options(pohoda):
    pohoda.load(locations=[Location(erp_key=key, name=key) for key in ("BRNO", "OSTRAVA", "PRAHA")])
    pohoda.state.int_param("Barva", "listValue")
    erp = pohoda.new_backend(settings=PohodaSettings(import_store="OSTRAVA", price_level="E-shop"))

    erp.upsert_item(tee())

    stores = {s.id: s.name for s in pohoda.state.stores.values()}
    cards = {c.code: c for c in pohoda.state.cards.values()}
    assert {code: stores[c.store_id] for code, c in cards.items()} == {"TEE-CERNA": "OSTRAVA", "TEE-BILA": "OSTRAVA"}
    assert cards["TEE-BILA"].prices == {"E-shop": Decimal("349"), "Původní cena": Decimal("399")}
    [item] = erp.get_products(["TEE-CERNA"])
    assert item.vendor == "Vlastní výroba"
    assert sorted((v.sku, v.price, v.compare_at_price, v.options["Barva"]) for v in item.variants) == [
        ("TEE-BILA", Decimal("349.00"), Decimal("399.00"), "bílá"),
        ("TEE-CERNA", Decimal("349.00"), None, "černá"),
    ]


def test_an_option_pohoda_has_no_list_parameter_for_fails_the_item_naming_it_and_writes_nothing(pohoda):
    pohoda.load(locations=[Location(erp_key="PRAHA", name="PRAHA")])

    with pytest.raises(RecordError) as refused:
        pohoda.backend.upsert_item(tee("Velikost"))

    assert (refused.value.record, refused.value.field) == ("item TEE-CERNA", "options.Velikost")
    assert not pohoda.state.cards
