"""Every document we send validates against STORMWARE's data.xsd, and its ids make a retry harmless."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from lxml import etree

from connectors.pohoda.errors import FieldTooLong, RecordError
from connectors.pohoda.models import (
    AddressBookEntry,
    AddressBookListRequest,
    BankPayment,
    CashReceipt,
    CategoryListRequest,
    DeliveryNoteListRequest,
    ExtId,
    IntParameter,
    IntParameterValue,
    InvoiceListRequest,
    OrderItem,
    OrderListRequest,
    Page,
    PartyAddress,
    Picture,
    PriceLevel,
    ReceivedOrder,
    StockItem,
    StockListRequest,
    StoreListRequest,
    UserParameter,
)
from connectors.pohoda.namespaces import q
from connectors.pohoda.xml import builders as b
from connectors.pohoda.xml.pack import DataPack

SHOP = "shopify"
SINCE = datetime(2025, 1, 1, 8, 30, tzinfo=UTC)


def card(**changes: object) -> StockItem:
    base = StockItem(
        code="ABC-001",
        name="Žluťoučký kůň – hrnek 300 ml",
        ean="8594000000017",
        is_sales=True,
        is_internet=True,
        selling_vat="high",
        unit="ks",
        storage_path="ZBOŽÍ/Hrnky",
        price_group="SK",
        purchasing_price=Decimal("80"),
        selling_price=Decimal("199.00"),
        selling_price_with_vat=True,
        mass=Decimal("0.35"),
        supplier_id=12,
        producer="Keramika Příbor",
        availability="skladem",
        description="Krátký popis",
        description2="<p>Dlouhý popis</p>",
        pictures=[
            Picture(filepath="ABC-001_1.jpg", description="Hlavní", default=True),
            Picture(filepath="ABC-001_2.jpg"),
        ],
        category_ids=[5, 7],
        main_category_id=5,
        int_parameters=[
            IntParameter(id=3, values=[IntParameterValue(value="modrá")]),
            IntParameter(name="Objem", values=[IntParameterValue(value="300 ml")]),
        ],
        parameters=[
            UserParameter(name="VPrEshopId", value="1001"),
            UserParameter(name="RefVPrBarva", kind="list", value="Modrá", list_name="Barvy"),
        ],
        price_levels=[PriceLevel(name="Prodejní", price=Decimal("199"))],
        count=Decimal("17"),
        id=1234,
    )
    return base.model_copy(update=changes)


def order(**changes: object) -> ReceivedOrder:
    base = ReceivedOrder(
        ext_id=ExtId(ids="gid://shopify/Order/1001", system=SHOP),
        number_order="#1001",
        date=date(2025, 1, 6),
        text="Objednávka #1001",
        partner=PartyAddress(
            name="Jan Novák",
            street="Dlouhá 12",
            city="Praha",
            zip="110 00",
            country="CZ",
            phone="+420777123456",
            email="jan.novak@example.com",
        ),
        ship_to=PartyAddress(name="Jan Novák", street="Krátká 3", city="Brno", zip="602 00"),
        payment_type="Dobírkou",
        is_reserved=True,
        note="Zazvoňte dvakrát",
        items=[
            OrderItem(
                text="Hrnek",
                quantity=Decimal(2),
                unit="ks",
                pay_vat=True,
                rate_vat="high",
                unit_price=Decimal("199"),
                code="ABC-001",
                stock_code="ABC-001",
            ),
            OrderItem(text="Doprava PPL", quantity=Decimal(1), pay_vat=True, rate_vat="high", unit_price=Decimal("99")),
        ],
    )
    return base.model_copy(update=changes)


def payment(**changes: object) -> BankPayment:
    base = BankPayment(
        ext_id=ExtId(ids="gid://shopify/OrderTransaction/77", system=SHOP),
        account="KB",
        date=date(2025, 1, 7),
        amount=Decimal("497"),
        variable_symbol="1001",
        text="Platba objednávky #1001",
    )
    return base.model_copy(update=changes)


def customer(**changes: object) -> AddressBookEntry:
    base = AddressBookEntry(
        ext_ids=[ExtId(ids="gid://shopify/Customer/5", system=SHOP)],
        address=PartyAddress(company="Novák s.r.o.", name="Jan Novák", city="Praha", ico="12345679", country="CZ"),
        ship_to=[PartyAddress(name="Jan Novák", city="Brno")],
        email="jan.novak@example.com",
        phone="+420777123456",
    )
    return base.model_copy(update=changes)


EVERY_ITEM = {
    "stock upsert": lambda: b.stock_card(card()),
    "stock add": lambda: b.stock_card(card(), mode="add"),
    "stock update by ext id": lambda: b.stock_card(
        card(ext_id=ExtId(ids="p-1", system=SHOP)), mode="update", match="ext_id"
    ),
    "stock update by id": lambda: b.stock_card(card(), mode="update", match="id"),
    "received order": lambda: b.received_order(order()),
    "received order in EUR": lambda: b.received_order(
        order(currency="EUR", number_order="#1002", ext_id=ExtId(ids="gid://shopify/Order/1002", system=SHOP))
    ),
    "bank receipt": lambda: b.bank_receipt(payment()),
    "bank expense in EUR": lambda: b.bank_receipt(payment(kind="expense", currency="EUR")),
    "bank receipt paid in another currency": lambda: b.bank_receipt(
        payment(ext_id=ExtId(ids="gid://shopify/OrderTransaction/78", system=SHOP), note="Zákazník platil 40.00 EUR")
    ),
    "address by ext id": lambda: b.address_book_entry(customer()),
    "address by id": lambda: b.address_book_entry(customer(id=42), match="id"),
    "new address": lambda: b.address_book_entry(customer(), match="none"),
    "list stock page": lambda: b.list_stock(
        StockListRequest(
            page=Page(id_from=1, count=500),
            internet=True,
            last_changes=SINCE,
            store="ZBOZI",
            storage="ZBOŽÍ",
            restriction={"pictures": False, "attachments": False},
        )
    ),
    "list stock all": lambda: b.list_stock(StockListRequest()),
    "list stock by code": lambda: b.list_stock(StockListRequest(code="ABC-001", ean="8594000000017", id=5)),
    "list orders": lambda: b.list_orders(
        OrderListRequest(
            last_changes=SINCE, ext_system=SHOP, page=Page(id_from=10, count=100), restriction={"documents": True}
        )
    ),
    "list order by ext id": lambda: b.list_orders(
        OrderListRequest(ext_id=ExtId(ids="gid://shopify/Order/1", system=SHOP))
    ),
    "list categories": lambda: b.list_categories(CategoryListRequest()),
    "list addresses": lambda: b.list_address_book(AddressBookListRequest(ext_system=SHOP, last_changes=SINCE)),
    "list stores": lambda: b.list_stores(StoreListRequest()),
    "list delivery notes": lambda: b.list_delivery_notes(
        DeliveryNoteListRequest(
            last_changes=SINCE, ext_system=SHOP, page=Page(count=50), restriction={"documents": True}
        )
    ),
    "list orders by number": lambda: b.list_orders(
        OrderListRequest(ext_system=SHOP, numbers=["250100001", "250100002"], restriction={"documents": True})
    ),
    "received order with line ext ids": lambda: b.received_order(
        order(
            number_order="#1004",
            ext_id=ExtId(ids="gid://shopify/Order/1004", system=SHOP),
            items=[
                item.model_copy(update={"ext_id": f"gid://shopify/LineItem/{n}"})
                for n, item in enumerate(order().items)
            ],
        )
    ),
    "list delivery notes by number": lambda: b.list_delivery_notes(DeliveryNoteListRequest(numbers=["VYD0001"])),
    "list internet parameters": lambda: b.list_int_params(),
    "list credit notes by ext id": lambda: b.list_invoices(
        InvoiceListRequest(
            invoice_type="issuedCreditNotice",
            ext_system=SHOP,
            ext_ids=[ExtId(ids=f"gid://shopify/Refund/{n}", system=SHOP) for n in (1, 2)],
            restriction={"documents": False},
        )
    ),
    "list invoices": lambda: b.list_invoices(InvoiceListRequest()),
    "cash receipt": lambda: b.cash_receipt(
        CashReceipt(
            ext_id=ExtId(ids="gid://shopify/OrderTransaction/9", system=SHOP),
            cash_desk="HP",
            order_number="250100001",
            date=date(2025, 5, 30),
            amount=Decimal("398"),
            text="Platba objednávky #1001",
            partner_id=12,
        )
    ),
    "cash receipt in EUR": lambda: b.cash_receipt(
        CashReceipt(
            ext_id=ExtId(ids="gid://shopify/OrderTransaction/10", system=SHOP),
            cash_desk="HP",
            order_number="250100002",
            date=date(2025, 5, 30),
            amount=Decimal("15.92"),
            currency="EUR",
            text="Platba objednávky #1002",
            note="Zákazník platil 15.92 EUR",
        )
    ),
    "delete order": lambda: b.delete_order("250100001"),
}


def pack(*items: b.DataPackItem) -> DataPack:
    return DataPack(application="commerce-sync", ico="12345678", note="Test zásob", items=items)


@pytest.mark.parametrize("name", sorted(EVERY_ITEM))
def test_every_builder_output_validates_against_data_xsd(name: str, pohoda_xsd) -> None:
    pohoda_xsd.assert_valid_request(pack(EVERY_ITEM[name]()).to_bytes())


def test_one_pack_may_mix_agendas_and_still_validates(pohoda_xsd) -> None:
    everything = pack(*(make() for make in EVERY_ITEM.values()))
    pohoda_xsd.assert_valid_request(everything.to_bytes())
    assert everything.writes


def test_the_body_is_windows_1250_with_every_character_transliterated() -> None:
    body = pack(b.stock_card(card(name="Hrnek ½ l ☕ для чая"))).to_bytes()
    assert body.startswith(b"<?xml version='1.0' encoding='Windows-1250'?>")
    assert b"&#" not in body
    assert "<stk:name>Hrnek 1/2 l dlja čaja</stk:name>" in body.decode("cp1250")


def test_upsert_matches_the_card_by_code_and_creates_it_when_missing() -> None:
    element = b.stock_card(card()).element
    update = element.find(f"{q('stk:actionType')}/{q('stk:update')}")
    assert update.get("add") == "true"
    assert update.findtext(f"{q('ftr:filter')}/{q('ftr:code')}") == "ABC-001"


def test_export_only_fields_are_never_written() -> None:
    text = etree.tostring(b.stock_card(card()).element).decode()
    assert "stk:count" not in text and "<stk:id>" not in text


def test_a_retried_record_gets_the_same_ids_and_a_changed_card_a_new_item_id() -> None:
    first, again = b.stock_card(card()), b.stock_card(card())
    changed = b.stock_card(card(selling_price=Decimal("209")))
    assert first.id == again.id and pack(first).id == pack(again).id
    assert changed.id != first.id and pack(changed).id != pack(first).id
    assert len(first.id) <= 64 and first.id.startswith("stock.upsert-ABC-001-")


def test_the_same_content_in_a_later_run_gets_a_new_id_so_a_reverted_price_is_applied() -> None:
    first_run = b.stock_card(card(), scope="run-1")
    assert b.stock_card(card(), scope="run-1").id == first_run.id  # a retry within the run
    assert b.stock_card(card(), scope="run-3").id != first_run.id  # A → B → A: the third write is not a duplicate


def test_an_order_keeps_its_id_when_the_shop_edits_it_so_pohoda_never_imports_it_twice() -> None:
    original = b.received_order(order())
    edited = b.received_order(order(note="Změna adresy"))
    assert edited.id == original.id
    assert b.received_order(order(), revision=1).id != original.id


def test_the_same_item_twice_in_one_pack_is_refused() -> None:
    with pytest.raises(ValueError, match="already in this dataPack"):
        pack(b.stock_card(card()), b.stock_card(card()))


def test_last_changes_is_written_in_pohoda_local_time() -> None:
    element = b.list_stock(StockListRequest(last_changes=SINCE)).element
    assert element.findtext(f".//{q('ftr:lastChanges')}") == "2025-01-01T09:30:00"


def test_a_naive_last_changes_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        StockListRequest(last_changes=datetime(2025, 1, 1))


def test_an_overlong_name_is_refused_naming_the_card_and_field() -> None:
    with pytest.raises(FieldTooLong, match=r"stock item 'ABC-001': name: 91 characters, POHODA allows at most 90"):
        b.stock_card(card(name="x" * 91))


def test_length_is_checked_after_transliteration() -> None:
    b.stock_card(card(name="ž" * 90))
    with pytest.raises(FieldTooLong, match="ean"):
        b.stock_card(card(ean="½" * 7))  # "1/2" × 7 = 21 characters


def test_an_overlong_order_line_names_the_order_and_the_line() -> None:
    bad = order(items=[OrderItem(text="y" * 91, quantity=Decimal(1), unit_price=Decimal(1))])
    with pytest.raises(FieldTooLong, match=r"order #1001: items\[0\]\.text"):
        b.received_order(bad)


def test_an_order_without_key_is_refused() -> None:
    with pytest.raises(RecordError, match="ext_id"):
        b.received_order(order(ext_id=None, number_order=None))


def test_matching_by_ext_id_needs_one() -> None:
    with pytest.raises(RecordError, match="ext_id"):
        b.stock_card(card(), match="ext_id")
