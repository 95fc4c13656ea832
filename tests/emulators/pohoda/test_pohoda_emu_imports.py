"""Imports the sync sends: stock cards, received orders, address-book entries, payments."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pohoda_emu_support import E, data_pack, item, one, post, received_order, stock_card, texts

from emulators.pohoda import NS, PohodaState
from emulators.pohoda import records as r


def _company_the_samples_refer_to(pohoda: PohodaState) -> None:
    """The shared samples point at category 5 and 7, internet parameter 3 and supplier 12: create them."""
    for n in range(1, 8):
        pohoda.add_category(f"Kategorie {n}")
    for name in ("Barva", "Materiál", "Objem"):
        pohoda.int_param(name, "textValue")
    for n in range(1, 13):
        pohoda.add_address(r.AddressBookEntry(pohoda.next_id("address"), r.Address(company=f"Firma {n}"), pohoda.now()))
    pohoda.put_document("Obrázky/ABC-001_1.jpg", b"jpeg-1")
    pohoda.put_document("Obrázky/ABC-001_2.jpg", b"jpeg-2")


@pytest.fixture
def samples(shared_dir: Path) -> Path:
    return shared_dir / "reference" / "pohoda" / "samples"


def test_shared_stock_sample_creates_the_card_with_everything_it_carries(client, pohoda, samples):
    _company_the_samples_refer_to(pohoda)
    pack = post(client, (samples / "stock_dataPack.xml").read_bytes())
    answer = item(pack, "STK-ABC-001")
    assert answer.get("state") == "ok", answer.get("note")
    assert one(answer, "stk:stockItemResponse/rdc:producedDetails/rdc:actionType") == "add"
    card = pohoda.card_by_code("ABC-001")
    assert (card.name, card.ean, card.selling_price, card.selling_price_vat) == (
        "Žluťoučký kůň – hrnek 300 ml",
        "8594000000017",
        Decimal("199"),
        True,
    )
    assert card.category_ids == [5, 7] and card.supplier_id == 12 and card.producer == "Keramika Příbor"
    assert [(p.filepath, p.default) for p in card.pictures] == [("ABC-001_1.jpg", True), ("ABC-001_2.jpg", False)]
    assert [(v.param_id, v.value) for v in card.int_params] == [(3, "modrá")]
    assert card.user_params == {"VPrEshopId": "1001"} and card.prices == {"Prodejní": Decimal("199")}


def test_sending_the_stock_sample_twice_updates_the_card_instead_of_adding_another(client, pohoda, samples):
    _company_the_samples_refer_to(pohoda)
    body = (samples / "stock_dataPack.xml").read_bytes()
    post(client, body)
    second = post(client, body)
    assert one(item(second, "STK-ABC-001"), "stk:stockItemResponse/rdc:producedDetails/rdc:actionType") == "update"
    assert len([c for c in pohoda.cards.values() if c.code == "ABC-001"]) == 1


def test_shared_order_sample_creates_a_numbered_order_linked_to_the_card(client, pohoda, samples):
    _company_the_samples_refer_to(pohoda)
    post(client, (samples / "stock_dataPack.xml").read_bytes())
    pack = post(client, (samples / "order_dataPack.xml").read_bytes())
    answer = item(pack, "ESHOP-2025000123")
    assert answer.get("state") == "ok", answer.get("note")
    number = one(answer, "ord:orderResponse/rdc:producedDetails/rdc:number")
    order = pohoda.order(number)
    assert (order.number_order, order.ext_id.ids, order.is_reserved) == ("2025000123", "2025000123", True)
    stock_line, text_line = order.items
    assert stock_line.stock_card_id == pohoda.card_by_code("ABC-001").id and stock_line.quantity == 2
    assert text_line.stock_card_id is None and text_line.text == "Doprava PPL"
    assert order.ship_to.city == "Brno" and order.partner.email == "jan.novak@example.com"


def test_second_order_with_the_same_ext_id_is_a_duplicity_naming_the_first(client, pohoda):
    post(client, data_pack(("c", stock_card("MUG", "Hrnek"))))
    first = post(client, data_pack(("o1", received_order("1001", ("MUG", 1, 100))), pack_id="p1"))
    number = one(item(first, "o1"), "ord:orderResponse/rdc:producedDetails/rdc:number")
    second = post(client, data_pack(("o2", received_order("1001", ("MUG", 5, 100))), pack_id="p2"))
    answer = item(second, "o2")
    assert answer.get("state") == "error"
    assert one(answer, "rsp:errorDetail/rsp:recordDuplicity/rsp:number") == number
    assert one(answer, "rsp:errorDetail/rsp:recordDuplicity/rsp:agendaType") == "prijate_objednavky"
    assert len(pohoda.orders) == 1 and pohoda.order(number).items[0].quantity == 1


def test_same_ext_id_from_another_system_is_a_different_order(client, pohoda):
    post(client, data_pack(("c", stock_card("MUG", "Hrnek"))))
    post(client, data_pack(("o1", received_order("1001", ("MUG", 1, 100), system="shop-a"))))
    post(client, data_pack(("o2", received_order("1001", ("MUG", 1, 100), system="shop-b"))))
    assert len(pohoda.orders) == 2


def test_order_for_an_unknown_stock_item_is_refused_and_creates_nothing(client, pohoda):
    pack = post(client, data_pack(("o", received_order("1001", ("NOPE", 1, 100)))))
    answer = item(pack, "o")
    assert answer.get("state") == "error" and "NOPE" in answer.get("note")
    assert one(answer, "ord:orderResponse/rdc:importDetails/rdc:detail/rdc:valueRequested") == "NOPE"
    assert pohoda.orders == {}


def test_order_can_be_deleted_by_number_until_a_document_links_to_it(client, pohoda):
    post(client, data_pack(("c", stock_card("MUG", "Hrnek"))))
    post(client, data_pack(("o1", received_order("1", ("MUG", 1, 100))), ("o2", received_order("2", ("MUG", 1, 100)))))
    first, second = sorted(pohoda.orders.values(), key=lambda o: o.id)

    def delete(number: str) -> object:
        return E(
            "ord:order",
            E("ord:actionType", E("ord:delete", E("ftr:filter", E("ftr:number", number), agenda="prijate_objednavky"))),
            version="2.0",
        )

    assert item(post(client, data_pack(("d1", delete(first.number)))), "d1").get("state") == "ok"
    pohoda.transfer_order(second.number)
    refused = item(post(client, data_pack(("d2", delete(second.number)))), "d2")
    assert refused.get("state") == "error" and "navázané" in refused.get("note")
    assert list(pohoda.orders) == [second.id]


def test_requested_order_number_already_used_is_refused(client, pohoda):
    post(client, data_pack(("c", stock_card("MUG", "Hrnek"))))
    order = received_order("1", ("MUG", 1, 100))
    order.find("ord:orderHeader", NS).append(E("ord:number", E("typ:numberRequested", "OBJ-1")))
    post(client, data_pack(("o1", order)))
    again = received_order("2", ("MUG", 1, 100))
    again.find("ord:orderHeader", NS).append(E("ord:number", E("typ:numberRequested", "OBJ-1")))
    answer = item(post(client, data_pack(("o2", again))), "o2")
    assert answer.get("state") == "error" and "OBJ-1" in answer.get("note")


def test_stock_update_with_add_creates_then_updates_by_code(client, pohoda):
    def upsert(price: int) -> object:
        card = stock_card("TEA", "Čaj", price=price)
        card.insert(0, E("stk:actionType", E("stk:update", E("ftr:filter", E("ftr:code", "TEA")), add="true")))
        return card

    created = post(client, data_pack(("u1", upsert(50))))
    updated = post(client, data_pack(("u2", upsert(60))))
    assert one(item(created, "u1"), "stk:stockItemResponse/rdc:producedDetails/rdc:actionType") == "add"
    assert one(item(updated, "u2"), "stk:stockItemResponse/rdc:producedDetails/rdc:actionType") == "update"
    assert pohoda.card_by_code("TEA").selling_price == Decimal("60")


def test_stock_update_without_add_for_a_missing_card_is_refused(client, pohoda):
    card = stock_card("GHOST", "Nic")
    card.insert(0, E("stk:actionType", E("stk:update", E("ftr:filter", E("ftr:code", "GHOST")))))
    answer = item(post(client, data_pack(("u", card))), "u")
    assert answer.get("state") == "error"
    assert pohoda.card_by_code("GHOST") is None


def test_refused_stock_update_leaves_the_card_untouched(client, pohoda):
    post(client, data_pack(("c", stock_card("MUG", "Hrnek", price=100))))
    card = stock_card("MUG", "Hrnek nový", price=120)
    card.find("stk:stockHeader/stk:stockType", NS).text = "service"
    card.insert(0, E("stk:actionType", E("stk:update", E("ftr:filter", E("ftr:code", "MUG")))))
    answer = item(post(client, data_pack(("u", card))), "u")
    assert answer.get("state") == "error" and "nelze změnit" in answer.get("note")
    kept = pohoda.card_by_code("MUG")
    assert (kept.name, kept.selling_price) == ("Hrnek", Decimal("100"))


def test_card_for_a_store_that_does_not_exist_is_refused(client, pohoda):
    answer = item(post(client, data_pack(("c", stock_card("MUG", "Hrnek", store="NEEXISTUJE")))), "c")
    assert answer.get("state") == "error" and "NEEXISTUJE" in answer.get("note")


def test_quantity_on_a_card_import_is_ignored_with_a_warning(client, pohoda):
    answer = item(post(client, data_pack(("c", stock_card("MUG", "Hrnek", count=50)))), "c")
    assert answer.get("state") == "ok"
    assert texts(answer, "stk:stockItemResponse/rdc:importDetails/rdc:detail/rdc:state") == ["warning"]
    assert pohoda.card_by_code("MUG").count == 0


def test_stock_delete_removes_the_matched_card(client, pohoda):
    post(client, data_pack(("c", stock_card("MUG", "Hrnek"))))
    delete = E("stk:stock", E("stk:actionType", E("stk:delete", E("ftr:filter", E("ftr:code", "MUG")))), version="2.0")
    assert item(post(client, data_pack(("d", delete))), "d").get("state") == "ok"
    assert pohoda.card_by_code("MUG") is None


def _customer(email: str, name: str, action: object = None) -> object:
    header = E(
        "adb:addressbookHeader",
        E("adb:identity", E("typ:address", E("typ:name", name), E("typ:city", "Brno"), E("typ:email", email))),
        E("adb:email", email),
        E("adb:number", E("typ:numberRequested", "CUST-9")),
    )
    return E("adb:addressbook", action, header, version="2.0")


def test_address_book_entry_is_added_then_updated_through_a_filter(client, pohoda):
    added = item(post(client, data_pack(("a", _customer("eva@example.com", "Eva Malá")))), "a")
    entry_id = int(one(added, "adb:addressbookResponse/rdc:producedDetails/rdc:id"))
    update = E("adb:actionType", E("adb:update", E("ftr:filter", E("ftr:id", entry_id))))
    post(client, data_pack(("u", _customer("eva.mala@example.com", "Eva Malá", update))))
    entry = pohoda.addresses[entry_id]
    assert (entry.email, entry.number, entry.address.city) == ("eva.mala@example.com", "CUST-9", "Brno")
    assert len(pohoda.addresses) == 1


def _bank_receipt(ext_id: str, reference: str, amount: str) -> object:
    header = E(
        "bnk:bankHeader",
        E("bnk:extId", E("typ:ids", ext_id), E("typ:exSystemName", "shop")),
        E("bnk:bankType", "receipt"),
        E("bnk:symVar", reference),
        E("bnk:datePayment", "2025-03-03"),
        E("bnk:text", "Platba objednávky"),
    )
    return E("bnk:bank", header, E("bnk:bankSummary", E("bnk:homeCurrency", E("typ:priceNone", amount))), version="2.0")


def test_bank_receipt_naming_an_order_is_booked_against_it_once(client, pohoda):
    post(client, data_pack(("c", stock_card("MUG", "Hrnek"))))
    post(client, data_pack(("o", received_order("1001", ("MUG", 1, 100)))))
    first = item(post(client, data_pack(("b1", _bank_receipt("tx-1", "1001", "100.00")))), "b1")
    again = item(post(client, data_pack(("b2", _bank_receipt("tx-1", "1001", "100.00")))), "b2")
    assert first.get("state") == "ok"
    assert again.find("rsp:errorDetail/rsp:recordDuplicity", NS) is not None
    (payment,) = pohoda.payments.values()
    assert (payment.amount, payment.order_id, payment.agenda) == (Decimal("100.00"), pohoda.order("1001").id, "bank")


def test_cash_receipt_sums_its_items_and_names_the_order(client, pohoda):
    post(client, data_pack(("c", stock_card("MUG", "Hrnek"))))
    post(client, data_pack(("o", received_order("1002", ("MUG", 1, 100)))))
    voucher = E(
        "vch:voucher",
        E(
            "vch:voucherHeader",
            E("vch:voucherType", "receipt"),
            E("vch:date", "2025-03-04"),
            E("vch:originalDocument", "1002"),
        ),
        E(
            "vch:voucherDetail",
            E(
                "vch:voucherItem",
                E("vch:text", "Platba"),
                E("vch:quantity", 2),
                E("vch:homeCurrency", E("typ:unitPrice", "50.5")),
            ),
        ),
        version="2.0",
    )
    assert item(post(client, data_pack(("v", voucher))), "v").get("state") == "ok"
    (payment,) = pohoda.payments.values()
    assert (payment.amount, payment.agenda, payment.order_id) == (Decimal("101.0"), "cash", pohoda.order("1002").id)
