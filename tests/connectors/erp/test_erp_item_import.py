"""Shop products written into the ERP (``import_items``), on every adapter: created, found again, updated, never
doubled, and never taking another item's SKU."""

from __future__ import annotations

from decimal import Decimal

import pytest

from connectors.erp.errors import RecordError
from connectors.erp.port import Location
from domain.models import Product, Variant


def shop_product(key: str = "TEE", price: str = "399", barcode: str = "8591234567890") -> Product:
    return Product(
        erp_key=key,
        title="Tričko Lipno",
        description="Bavlněné tričko",
        vat_rate=Decimal("21"),
        variants=[
            Variant(sku=f"{key}-M", barcode=barcode, title="M", price=Decimal(price)),
            Variant(sku=f"{key}-L", title="L", price=Decimal(price)),
        ],
    )


def readable(product: Product) -> tuple:
    return (
        product.erp_key,
        product.title,
        product.vat_rate,
        [(v.sku, v.barcode, v.price) for v in sorted(product.variants, key=lambda v: v.sku)],
    )


@pytest.fixture
def with_store(erp_harness):
    erp_harness.load(locations=[Location(erp_key="PRAHA", name="Sklad Praha")])
    return erp_harness.backend


def test_a_shop_product_becomes_an_item_found_by_sku_and_by_barcode(with_store):
    erp = with_store
    assert erp.item_keys_by_barcode(["8591234567890"]) == {}
    assert erp.upsert_item(shop_product()) == "TEE"
    [item] = erp.get_products(["TEE"])
    assert readable(item) == (
        "TEE",
        "Tričko Lipno",
        Decimal("21"),
        [("TEE-L", None, Decimal("399")), ("TEE-M", "8591234567890", Decimal("399"))],
    )
    assert [p.erp_key for p in erp.get_products_by_sku(["TEE-L"])] == ["TEE"]
    assert erp.item_keys_by_barcode(["8591234567890", "0000000000000"]) == {"8591234567890": "TEE"}


def test_writing_it_again_changes_nothing_and_a_new_price_updates_it(with_store):
    erp = with_store
    erp.upsert_item(shop_product())
    first = erp.get_products(["TEE"])
    erp.upsert_item(shop_product())
    assert erp.get_products(["TEE"]) == first
    erp.upsert_item(shop_product(price="449"))
    [item] = erp.get_products(["TEE"])
    assert {v.price for v in item.variants} == {Decimal("449")} and len(item.variants) == 2


def test_a_sku_of_another_item_is_refused(with_store):
    erp = with_store
    erp.upsert_item(shop_product())
    taken = Product(erp_key="OTHER", title="Jiné", variants=[Variant(sku="TEE-M", price=Decimal("1"))])
    with pytest.raises(RecordError, match="TEE-M belongs to item TEE"):
        erp.upsert_item(taken)
    assert erp.get_products(["OTHER"]) == []
