"""Seeding from the project's sample data, and the admin endpoints tests and the demo drive."""

from __future__ import annotations

import base64
from decimal import Decimal

from pohoda_emu_support import AUTH, E, data_pack, item, post, received_order, stock_card

from commerce_sync.samples.data import erp_seed_json, generate
from emulators.pohoda import ITEM_KEY_PARAMETER, PRICE_LEVEL_COMPARE_AT


def test_seeding_makes_one_card_per_sku_and_store_with_its_quantity(pohoda, seeded, sample):
    stores = {s.id: s.name for s in pohoda.stores.values()}
    assert sorted(stores.values()) == sorted(loc.erp_key for loc in sample.locations)
    by_key = {(c.code, stores[c.store_id]): c for c in pohoda.cards.values()}
    assert len(by_key) == len(pohoda.cards) == len(sample.stock)
    for level in sample.stock:
        assert by_key[(level.sku, level.location_key)].count == level.quantity


def test_seeded_cards_carry_product_data_and_the_item_key(pohoda, seeded, sample):
    for product in sample.products:
        for variant in product.variants:
            for card_id in seeded.cards[variant.sku]:
                card = pohoda.cards[card_id]
                assert card.user_params[ITEM_KEY_PARAMETER] == product.erp_key
                assert (card.name, card.name_complement, card.ean) == (product.title, variant.title, variant.barcode)
                assert card.selling_price == variant.price and card.is_internet == product.active
                assert card.prices.get(PRICE_LEVEL_COMPARE_AT) == variant.compare_at_price
                assert [pohoda.categories[i].name for i in card.category_ids] == [
                    next(c.name for c in sample.categories if c.erp_key == k) for k in product.category_keys
                ]


def test_seeded_parameters_split_into_product_parameters_and_variant_options(pohoda, seeded, sample):
    product = next(p for p in sample.products if len(p.variants) > 1 and p.parameters)
    card = pohoda.cards[seeded.cards[product.variants[0].sku][0]]
    kinds = {
        (pohoda.int_params[v.param_id].name, pohoda.int_params[v.param_id].parameter_type): v.value
        for v in card.int_params
    }
    for parameter in product.parameters:
        assert kinds[(parameter.name, "textValue")] == parameter.value
    for option, value in product.variants[0].options.items():
        assert kinds[(option, "listValue")] == value


def test_seeded_suppliers_customers_and_pictures(pohoda, seeded, sample):
    suppliers = [p for p in sample.parties if p.kind.value == "supplier"]
    assert {pohoda.addresses[seeded.suppliers[p.erp_key]].address.company for p in suppliers} == {
        p.name for p in suppliers
    }
    for customer in sample.customers:
        entry = pohoda.address_by_number(customer.erp_key)
        assert (entry.email, entry.address.city) == (customer.email, customer.addresses[0].city)
    for image in sample.images:
        assert pohoda.documents[f"Obrázky/{image.filename}"] == image.content
        cards = [c for c in pohoda.cards.values() if c.user_params[ITEM_KEY_PARAMETER] == image.item_key]
        assert cards and all(c.pictures[0].filepath == image.filename for c in cards)


def test_seeding_twice_changes_nothing(pohoda, seeded, sample):
    before = pohoda.counts()
    pohoda.seed_sample_data(sample)
    assert pohoda.counts() == before


def test_admin_seed_state_snapshot_and_reset(client):
    body = erp_seed_json(generate(items=5, customers=2, orders=0, seed=7))
    counts = client.post("/_emulator/seed", json=body).json()
    assert counts["stores"] == 3 and counts["stock_cards"] > 0
    state = client.get("/_emulator/state?snapshot=1").json()
    assert state["counts"]["stock_cards"] == counts["stock_cards"]
    assert {c["code"] for c in state["snapshot"]["stock_cards"]} and state["snapshot"]["stores"][0]["name"] == "PRAHA"
    client.post("/_emulator/reset")
    assert client.get("/_emulator/state").json()["counts"]["stock_cards"] == 0


def test_admin_seed_from_explicit_lists_names_the_bad_field(client, sample):
    bad = client.post("/_emulator/seed", json={"products": [{"erp_key": "X", "title": "X", "variants": []}]})
    assert bad.status_code == 422 and "variants" in bad.text
    image = {"item_key": "CS00001", "filename": "x.png", "content_base64": base64.b64encode(b"png").decode()}
    made = client.post(
        "/_emulator/seed",
        json={
            "locations": [{"erp_key": "HQ", "name": "Sklad HQ"}],
            "products": [sample.products[0].model_dump(mode="json")],
            "images": [image],
        },
    )
    assert made.status_code == 200 and made.json()["pictures"] == 1


def test_admin_documents_and_actions(client, pohoda):
    assert client.put("/_emulator/documents/Obrázky/new.png", content=b"\x89PNG").status_code == 201
    assert client.get("/documents/Obr%C3%A1zky/new.png", headers={"STW-Authorization": AUTH}).content == b"\x89PNG"
    post(client, data_pack(("c", stock_card("MUG", "Hrnek"))))
    pohoda.set_stock_quantity("MUG", "ZBOŽÍ", 4)
    post(client, data_pack(("o", received_order("55", ("MUG", 2, Decimal("99.90"))))))
    note = client.post("/_emulator/actions/create_delivery_note", json={"ref": "55", "tracking_number": "Z1"})
    assert note.status_code == 200 and note.json()["tracking_number"] == "Z1"
    assert client.post("/_emulator/actions/set_order_executed", json={"ref": "55"}).json()["is_executed"] is True
    unknown = client.post("/_emulator/actions/cancel_order", json={"ref": "nope"})
    assert unknown.status_code == 422 and "nope" in unknown.text
    assert client.post("/_emulator/actions/drop_tables").status_code == 404


def test_admin_faults_merge_partial_changes(client):
    assert client.post("/_emulator/faults", json={"busy": 0.25}).json()["busy"] == 0.25
    assert client.post("/_emulator/faults", json={"latency": 0.0}).json()["busy"] == 0.25
    assert client.post("/_emulator/faults", json={"busy": 2}).status_code == 422


def test_orders_from_seeded_cards_reference_the_store_they_name(client, pohoda, seeded):
    card = next(c for c in pohoda.cards.values() if pohoda.stores[c.store_id].name == "OSTRAVA")
    order = received_order("S-1", (card.code, 1, 10))
    order.find(".//{*}stockItem/{*}stockItem").addprevious(E("typ:store", E("typ:ids", "OSTRAVA")))
    answer = item(post(client, data_pack(("o", order))), "o")
    assert answer.get("state") == "ok", answer.get("note")
    assert pohoda.order("S-1").items[0].stock_card_id == card.id
