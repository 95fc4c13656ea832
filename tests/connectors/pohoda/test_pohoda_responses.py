"""responsePack answers POHODA gives: per-item states, duplicity, error codes, and export records with rejects."""

from __future__ import annotations

from decimal import Decimal

import pytest
from lxml import etree
from lxml.builder import ElementMaker

from connectors.pohoda.errors import (
    AuthenticationError,
    DuplicateItem,
    PackRejected,
    PermissionDenied,
    Retriable,
    ServerError,
    UnexpectedAnswer,
    WrongCompany,
)
from connectors.pohoda.models import StockItem
from connectors.pohoda.namespaces import NS
from connectors.pohoda.pack_errors import pack_error
from connectors.pohoda.testing import list_stock_element, response_pack
from connectors.pohoda.xml import parse_response
from domain.models import OrderState

RSP, RDC, TYP, LST, ORD, ADB, LADB, STO, STK, IPM = (
    ElementMaker(namespace=NS[p], nsmap=NS)
    for p in ("rsp", "rdc", "typ", "lst", "ord", "adb", "lAdb", "sto", "stk", "ipm")
)
STAMP = {"version": "2.0", "dateTimeStamp": "2025-03-01T12:00:00", "dateValidFrom": "2025-03-01", "state": "ok"}


def order_record(number: str, **flags: object) -> etree._Element:
    header = ORD.orderHeader(
        ORD.id(number[-3:]),
        ORD.orderType("receivedOrder"),
        ORD.numberOrder(number),
        ORD.date(str(flags.get("date", "2025-01-06"))),
    )
    if flags.get("storno"):
        header.append(ORD.storno("cancelledDocument"))
    if flags.get("executed"):
        header.append(ORD.isExecuted("true"))
    order = LST.order(header, version="2.0")
    if flags.get("invoice"):
        order.append(
            ORD.linkedDocuments(
                TYP.link(TYP.sourceAgenda("issuedInvoice"), TYP.sourceDocument(TYP.id("77"), TYP.number("FV250001")))
            )
        )
    return order


def test_a_repeated_import_is_a_duplicate_naming_the_record_created_the_first_time(pohoda_xsd) -> None:
    detail = RSP.errorDetail(
        RSP.recordDuplicity(
            RSP.agendaType("prijate_objednavky"), RSP.dateCreate("2025-01-06"), RSP.id("987"), RSP.number("250100001")
        )
    )
    data = response_pack(("order.add-1001", None))
    root = etree.fromstring(data)
    root[0].set("state", "error")
    root[0].append(detail)
    data = etree.tostring(root, encoding="windows-1250", xml_declaration=True)
    pohoda_xsd.assert_valid_response(data)
    item = parse_response(data).items[0]
    with pytest.raises(DuplicateItem) as duplicate:
        item.check()
    assert (duplicate.value.existing_id, duplicate.value.existing_number) == (987, "250100001")
    assert item.check(duplicate_ok=True) is item
    assert parse_response(data).errors(duplicate_ok=True) == []


def test_error_101_is_a_permission_error_for_that_item_only(pohoda_xsd) -> None:
    refused = STK.stockItemResponse(
        RDC.importDetails(RDC.detail(RDC.state("error"), RDC.errno("101"), RDC.note("Uživatel nemá dostatečná práva"))),
        version="2.0",
        state="error",
    )
    fine = STK.stockItemResponse(
        RDC.producedDetails(RDC.id("5"), RDC.code("B"), RDC.actionType("add")), version="2.0", state="ok"
    )
    data = response_pack(("stk-a", refused), ("stk-b", fine))
    pohoda_xsd.assert_valid_response(data)
    answer = parse_response(data)
    errors = answer.errors()
    assert len(errors) == 1 and isinstance(errors[0], PermissionDenied) and errors[0].code == 101
    assert answer.item("stk-b").produced.code == "B"


@pytest.mark.parametrize(
    "note, expected",
    [
        ("Uživatel není oprávněn importovat XML soubory", AuthenticationError),
        ("Nepodařilo se přihlásit uživatele", AuthenticationError),
        ("Chyba průběhu zpracování", ServerError),
        ("Tento balíček není určen pro tuto jednotku.", WrongCompany),
        ("Pro zpracování je nutné nejdříve provést převod účetní jednotky", PackRejected),
        ("Něco úplně jiného", PackRejected),
    ],
)
def test_a_refused_pack_maps_to_what_the_caller_should_do(note: str, expected: type) -> None:
    error = pack_error(parse_response(response_pack(state="error", note=note)))
    assert isinstance(error, expected) and note in str(error)


def test_only_a_processing_error_of_the_pack_is_worth_retrying() -> None:
    assert isinstance(
        pack_error(parse_response(response_pack(state="error", note="Chyba průběhu zpracování"))), Retriable
    )
    rejected = pack_error(parse_response(response_pack(state="error", note="Vypršel čas pro provedení aktivace")))
    assert isinstance(rejected, PackRejected) and rejected.code == 557


def test_order_states_map_to_processed_transferred_cancelled_or_open(pohoda_xsd) -> None:
    listing = LST.listOrder(
        order_record("#1001", executed=True),
        order_record("#1002", invoice=True, executed=True),
        order_record("#1003", storno=True, invoice=True),
        order_record("#1004"),
        **STAMP,
    )
    data = response_pack(("list.orders", listing))
    pohoda_xsd.assert_valid_response(data)
    states = {o.number_order: o.status for o in parse_response(data).items[0].records}
    assert states == {
        "#1001": OrderState.PROCESSED,
        "#1002": OrderState.TRANSFERRED,
        "#1003": OrderState.CANCELLED,
        "#1004": None,
    }


def test_an_unreadable_order_is_rejected_by_number_and_the_others_are_kept() -> None:
    listing = LST.listOrder(
        order_record("#1001"), order_record("#1002", date="6.1.2025"), order_record("#1003"), **STAMP
    )
    item = parse_response(response_pack(("list.orders", listing))).items[0]
    assert [o.number_order for o in item.records] == ["#1001", "#1003"]
    (bad,) = item.rejected
    assert (bad.position, bad.record, bad.field) == (2, "order #1002", "date")
    assert "6.1.2025" in bad.reason


def test_a_schema_invalid_card_is_rejected_with_its_code_and_position(pohoda_xsd) -> None:
    cards = [
        StockItem(id=n, code=f"C-{n}", name=f"Karta {n}", selling_price=Decimal(10 * n), count=Decimal(n))
        for n in (1, 2, 3)
    ]
    listing = list_stock_element(cards)
    listing[1][0].find(f"{{{NS['stk']}}}count").text = "pět"
    data = response_pack(("list.stock", listing))
    assert pohoda_xsd.errors(pohoda_xsd.response, data), "the broken card must really be schema-invalid"
    item = parse_response(data).items[0]
    assert [c.code for c in item.records] == ["C-1", "C-3"]
    assert (item.rejected[0].record, item.rejected[0].position) == ("stock item 'C-2'", 2)
    assert "count (stk:count)" in item.rejected[0].field


def test_exported_cards_read_back_equal_to_what_was_rendered(pohoda_xsd) -> None:
    card = StockItem(
        id=7,
        code="ABC",
        name="Hrnek",
        ean="859",
        is_internet=True,
        selling_vat="high",
        selling_price=Decimal("199.5"),
        selling_price_with_vat=True,
        count=Decimal("2.5"),
        reservation=Decimal("1"),
        supplier_id=3,
        producer="Příbor",
        category_ids=[1, 2],
        storage_id=3,
        storage_path="ZBOŽÍ",
    )
    data = response_pack(("list.stock", list_stock_element([card])))
    pohoda_xsd.assert_valid_response(data)
    (read,) = parse_response(data).items[0].records
    assert read.model_copy(update={"exported_at": None}) == card
    assert read.exported_at.isoformat() == "2025-03-01T11:00:00+00:00"


def test_address_book_stores_and_parameter_definitions_read_as_models(pohoda_xsd) -> None:
    address = LADB.listAddressBook(
        LADB.addressbook(
            ADB.addressbookHeader(
                ADB.id("42"),
                ADB.identity(
                    TYP.extId(TYP.ids("gid://shopify/Customer/5"), TYP.exSystemName("shopify")),
                    TYP.address(
                        TYP.company("Novák s.r.o."),
                        TYP.name("Jan Novák"),
                        TYP.city("Praha"),
                        TYP.country(TYP.ids("CZ")),
                    ),
                ),
                ADB.number(TYP.numberRequested("K-0042")),
                ADB.phone("+420777123456"),
                ADB.email("jan@example.com"),
            ),
            version="2.0",
        ),
        **STAMP,
    )
    stores = LST.listStore(LST.store(STO.id("1"), STO.name("ZBOZI"), STO.text("Hlavní sklad"), version="2.0"), **STAMP)
    parameters = LST.listIntParam(
        LST.intParamDetail(
            IPM.intParam(IPM.id("3"), IPM.name("Barva"), IPM.parameterType("listValue")),
            IPM.intParam(
                IPM.id("4"),
                IPM.name("Objem"),
                IPM.parameterType("numberValue"),
                IPM.parameterSettings(IPM.unit("ml")),
            ),
            version="2.0",
        ),
        **STAMP,
    )
    data = response_pack(("adb", address), ("sto", stores), ("ipm", parameters))
    pohoda_xsd.assert_valid_response(data)
    book, listing, definitions = parse_response(data).items
    entry, store = book.records[0], listing.records[0]
    assert entry.number == "K-0042"
    customer = entry.to_customer(ex_system_name="shopify")
    assert (customer.shop_id, customer.erp_key, customer.email, customer.first_name) == (
        "gid://shopify/Customer/5",
        "42",
        "jan@example.com",
        "Jan",
    )
    assert customer.addresses[0].country_code == "CZ"
    assert (store.name, store.text) == ("ZBOZI", "Hlavní sklad")
    assert [(d.id, d.name, d.type, d.unit) for d in definitions.records] == [
        (3, "Barva", "listValue", None),
        (4, "Objem", "numberValue", "ml"),
    ]


def test_a_utf8_answer_reads_the_same_as_windows_1250() -> None:
    listing = LST.listStore(LST.store(STO.name("ŽĎÁR"), STO.text("Sklad Žďár"), version="2.0"), **STAMP)
    as_cp1250 = parse_response(response_pack(("s", listing)))
    as_utf8 = parse_response(response_pack(("s", listing), encoding="utf-8"))
    assert as_cp1250 == as_utf8 and as_utf8.items[0].records[0].text == "Sklad Žďár"


def test_an_answer_that_is_no_response_pack_is_refused() -> None:
    with pytest.raises(UnexpectedAnswer, match="expected rsp:responsePack"):
        parse_response(b"<mServer><status>idle</status></mServer>")
