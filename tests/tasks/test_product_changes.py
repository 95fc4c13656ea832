"""The products flow's change detection, without Prefect: what an item sends, and which call a change needs."""

from __future__ import annotations

import json
from decimal import Decimal

from connectors.shopify.errors import RecordError
from domain.models import Product, Variant
from domain.report import SyncReport
from tasks.product_digests import sent_skus, sent_state
from tasks.products import GONE, plan, product_gone, report_rejected
from tasks.shop_products import shop_fields_over


def chair(**changes) -> Product:
    variants = changes.pop("variants", None) or [
        Variant(sku="CHAIR-BUK", price=Decimal("1290.00"), options={"Wood": "beech"}),
        Variant(sku="CHAIR-DUB", price=Decimal("1490.00"), options={"Wood": "oak"}),
    ]
    return Product(**{"erp_key": "CHAIR", "title": "Chair", "vendor": "Ton", "variants": variants, **changes})


MAPPED = {"CHAIR-BUK": "gid://shopify/ProductVariant/1", "CHAIR-DUB": "gid://shopify/ProductVariant/2"}
PRODUCT_ID = "gid://shopify/Product/1"


def test_an_unmapped_item_is_created_whatever_was_sent_before():
    assert plan(chair(), None, MAPPED, sent_state(chair())) == "create"


def test_an_item_sent_as_it_is_is_skipped():
    assert plan(chair(), PRODUCT_ID, MAPPED, sent_state(chair())) == "skip"


def test_a_changed_price_or_title_is_an_update_of_the_parts():
    cheaper = chair(
        variants=[
            Variant(sku="CHAIR-BUK", price=Decimal("990.00"), options={"Wood": "beech"}),
            Variant(sku="CHAIR-DUB", price=Decimal("1490.00"), options={"Wood": "oak"}),
        ]
    )
    assert plan(cheaper, PRODUCT_ID, MAPPED, sent_state(chair())) == "update"
    assert plan(chair(title="Dining chair"), PRODUCT_ID, MAPPED, sent_state(chair())) == "update"


def test_only_the_changed_variants_digest_differs():
    before, after = (
        sent_state(chair()),
        sent_state(
            chair(
                variants=[
                    Variant(sku="CHAIR-BUK", price=Decimal("990.00"), options={"Wood": "beech"}),
                    Variant(sku="CHAIR-DUB", price=Decimal("1490.00"), options={"Wood": "oak"}),
                ]
            )
        ),
    )
    assert before["fields"] == after["fields"] and before["structure"] == after["structure"]
    assert before["variants"]["CHAIR-DUB"] == after["variants"]["CHAIR-DUB"]
    assert before["variants"]["CHAIR-BUK"] != after["variants"]["CHAIR-BUK"]


def test_a_new_variant_an_unmapped_sku_or_no_digests_resend_the_whole_item():
    three = chair(
        variants=[
            Variant(sku="CHAIR-BUK", price=Decimal("1290.00"), options={"Wood": "beech"}),
            Variant(sku="CHAIR-DUB", price=Decimal("1490.00"), options={"Wood": "oak"}),
            Variant(sku="CHAIR-JAS", price=Decimal("1390.00"), options={"Wood": "ash"}),
        ]
    )
    assert plan(three, PRODUCT_ID, {**MAPPED, "CHAIR-JAS": "v3"}, sent_state(chair())) == "set"
    assert plan(chair(), PRODUCT_ID, {"CHAIR-BUK": MAPPED["CHAIR-BUK"]}, sent_state(chair())) == "set"
    assert plan(chair(), PRODUCT_ID, MAPPED, None) == "set"


def test_when_the_shop_masters_them_title_description_and_prices_changed_in_the_erp_send_nothing():
    sent = sent_state(chair(), shop_masters=True)
    cheaper = [
        v.model_copy(update={"price": Decimal("990.00"), "compare_at_price": Decimal("1290")}) for v in chair().variants
    ]
    assert plan(chair(title="Dining chair", description="new"), PRODUCT_ID, MAPPED, sent, shop_masters=True) == "skip"
    assert plan(chair(variants=cheaper), PRODUCT_ID, MAPPED, sent, shop_masters=True) == "skip"
    assert plan(chair(vendor="Thonet"), PRODUCT_ID, MAPPED, sent, shop_masters=True) == "update"
    assert plan(chair(active=False), PRODUCT_ID, MAPPED, sent, shop_masters=True) == "update"
    new_barcode = [chair().variants[0].model_copy(update={"barcode": "8594000000019"}), chair().variants[1]]
    assert plan(chair(variants=new_barcode), PRODUCT_ID, MAPPED, sent, shop_masters=True) == "update"


def test_the_shops_title_description_prices_and_added_variants_go_over_the_erp_item_and_nothing_else():
    node = {
        "id": PRODUCT_ID,
        "title": "Židle (akce)",
        "descriptionHtml": "<p>Bukové dřevo</p>",
        "vendor": "Someone else",
        "status": "DRAFT",
        "variants": {
            "nodes": [
                {
                    "id": "v1",
                    "sku": "CHAIR-BUK",
                    "price": "990.00",
                    "compareAtPrice": "1290.00",
                    "barcode": "1",
                    "selectedOptions": [{"name": "Wood", "value": "beech"}],
                },
                {
                    "id": "v3",
                    "sku": "CHAIR-JAS",
                    "price": "1390.00",
                    "barcode": None,
                    "selectedOptions": [{"name": "Wood", "value": "ash"}],
                },
                {"id": "v4", "sku": "CHAIR-X", "price": "1.00", "selectedOptions": [{"name": "Wood", "value": "x"}]},
            ]
        },
    }

    merged = shop_fields_over(chair(), node, known_skus={"CHAIR-X"})  # CHAIR-X is another ERP item's

    assert (merged.title, merged.description, merged.vendor, merged.active) == (
        "Židle (akce)",
        "<p>Bukové dřevo</p>",
        "Ton",
        True,
    )
    assert [(v.sku, v.price, v.compare_at_price, v.barcode) for v in merged.variants] == [
        ("CHAIR-BUK", Decimal("990.00"), Decimal("1290.00"), None),
        ("CHAIR-DUB", Decimal("1490.00"), None, None),
        ("CHAIR-JAS", Decimal("1390.00"), None, None),
    ]
    assert shop_fields_over(merged, node, known_skus={"CHAIR-X"}) == merged


def test_the_skus_an_item_sent_are_read_back_from_its_stored_digests_and_foreign_values_name_none():
    assert sent_skus(json.dumps(sent_state(chair()))) == ["CHAIR-BUK", "CHAIR-DUB"]
    assert sent_skus(json.dumps({"sku": "CHAIR-BUK"})) == []
    assert sent_skus("not json") == []
    assert sent_skus(None) == []


def test_a_product_is_gone_by_its_code_or_by_shopifys_message():
    assert product_gone([RecordError("CHAIR", "id", "whatever", GONE)])
    assert product_gone([RecordError("CHAIR", "id", " Product does not exist ")])
    assert not product_gone([RecordError("CHAIR", "title", "Title can't be blank")])


def test_an_unreadable_erp_item_is_reported_by_record_and_field_when_the_message_names_them():
    report = SyncReport()
    report_rejected(report, "CHAIR: price: must not be negative")
    report_rejected(report, "LAMP: unreadable")
    assert [(f.record, f.field, f.reason) for f in report.failures] == [
        ("CHAIR", "price", "must not be negative"),
        ("LAMP", None, "LAMP: unreadable"),
    ]
