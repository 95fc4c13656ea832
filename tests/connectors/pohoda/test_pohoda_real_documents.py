"""The 26 real POHODA documents of ``../shared/reference/pohoda/real/`` (live mServer answers 2010–2025,
STORMWARE's samples, the requests that produced them) read through the connector: the values a person reads
in each come out right, and what cannot be read is refused with the connector's own error naming it.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from pohoda_request_reader import parse_data_pack

from connectors.pohoda.errors import ItemError, PohodaError, RecordError, UnexpectedAnswer, WrongCompany
from connectors.pohoda.models import BankDocument, Invoice, ReceivedOrder, StockItem
from connectors.pohoda.models.responses import ResponseItem
from connectors.pohoda.pack_errors import pack_error
from connectors.pohoda.xml import iter_stock_chunks, parse_response

SOUKUP = "soukupm2__acc-sync/tests/PohodaXML"
VITEX = "VitexSoftware__PHP-Pohoda-Connector/tests"
SAMPLES = "VitexSoftware__php-pohoda-serialize/Example"
DUSEK = "jakubdusek__PohodaResponseParser/xmls"


@pytest.fixture(scope="module")
def real(shared_dir: Path) -> Path:
    return shared_dir / "reference" / "pohoda" / "real"


def _answer(real: Path, name: str) -> ResponseItem:
    pack = parse_response((real / name).read_bytes())
    assert len(pack.items) == 1
    item = pack.items[0]
    assert item.rejected == []
    return item


def _cards(real: Path, n: int) -> dict[str, StockItem]:
    return {card.code: card for card in _answer(real, f"{SOUKUP}/Stock/zasoby_0{n}_v2.0_response.xml").records}


# ---- stock ----------------------------------------------------------------------------------------------------


def test_stock_cards_read_with_their_codes_names_prices_counts_and_eans(real: Path) -> None:
    (chair,) = _cards(real, 1).values()
    assert (chair.id, chair.code, chair.name, chair.count, chair.selling_price) == (
        19,
        "Z220",
        "Židle Z220",
        Decimal(10),
        Decimal(1968),
    )
    assert chair.producer == "Jaromír Novák - Nábytek"
    material = _cards(real, 2)
    assert sorted(material) == ["B02", "B03", "B04", "N30", "SPOJ22"]
    assert {code: card.ean for code, card in material.items() if card.ean} == {
        "B02": "8523697412366",
        "B03": "8523697412229",
        "B04": "1164553211562",
    }
    assert (material["B04"].name, material["B04"].count, material["B04"].storage_path) == (
        "Šrouby",
        Decimal(130),
        "MATERIÁL",
    )
    assert sorted(_cards(real, 4)) == ["BM450", "Poh1425", "Z220"]
    assert all(card.is_internet for card in _cards(real, 4).values())


def test_a_package_card_lists_its_components_and_makes_what_they_make(real: Path) -> None:
    cards = _cards(real, 3)
    assert sorted(cards) == ["FK", "Konf11", "Kř1320", "St1045", "St1550", "Z220"]
    package = cards["FK"]
    assert (package.stock_type, package.name, package.count) == ("package", "Firemní kancelářská souprava", None)
    assert [(c.code, c.count, c.quantity) for c in package.components] == [
        ("Z100", Decimal(8), Decimal(1)),
        ("St1550", Decimal(8), Decimal(1)),
        ("Konf11", Decimal(5), Decimal(1)),
        ("Kř1320", Decimal(4), Decimal(2)),  # two armchairs per package: 4 make 2
    ]
    assert package.available() == package.on_hand() == Decimal(2)
    assert package.to_stock_level("ZBOŽÍ").quantity == Decimal(2)
    assert cards["Konf11"].name_complement == "Rozměr: 120 x 60"
    assert package.price_group is None  # <typ:ids/>: empty, not ""


def test_a_package_exported_without_its_components_is_a_record_error_naming_it() -> None:
    package = StockItem(code="FK", stock_type="package")
    with pytest.raises(RecordError) as raised:
        package.available()
    assert (raised.value.record, raised.value.field) == ("stock item 'FK'", "stockDetail")


def test_the_streamed_stock_export_checks_the_company_like_the_read_path(real: Path) -> None:
    data = (real / SOUKUP / "Stock/zasoby_03_v2.0_response.xml").read_bytes()
    chunks = list(iter_stock_chunks(io.BytesIO(data), 10, company_ico="12345678"))
    assert [card.code for card in chunks[0]][-1] == "FK"
    with pytest.raises(WrongCompany, match="12345678"):
        list(iter_stock_chunks(io.BytesIO(data), 10, company_ico="87654321"))


# ---- orders ---------------------------------------------------------------------------------------------------


def test_a_received_order_reads_its_number_partner_lines_and_total(real: Path) -> None:
    (order,) = _answer(real, f"{SOUKUP}/Orders/objednavky_01_v2.0_response.xml").records
    assert isinstance(order, ReceivedOrder)
    assert (order.number, order.order_type, order.date) == ("182100001", "receivedOrder", date(2018, 1, 22))
    assert order.partner is not None
    assert (order.partner.company, order.partner.ico, order.partner.zip) == (
        "INTEAK spol. s r. o.",
        "85236972",
        "463 48",
    )
    assert order.ship_to is None  # exported as <typ:shipToAddress> of empty elements
    assert (order.items[0].code, order.items[0].quantity, order.items[0].unit_price) == ("Z220", 2, Decimal(1968))
    assert order.totals is not None
    assert (order.totals.home, order.totals.currency) == (Decimal("43038.00"), None)
    assert order.payment_type == "Příkazem"
    assert order.is_executed is True


def test_an_issued_order_reads_as_issued(real: Path) -> None:
    (order,) = _answer(real, f"{SOUKUP}/Orders/objednavky_02_v2.0_issued_response.xml").records
    assert (order.order_type, order.number) == ("issuedOrder", "182000002")
    assert order.totals is not None and order.totals.home == Decimal(160325)


# ---- invoices and bank documents ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "count", "eur_number", "rate"),
    [
        (f"{VITEX}/all-invoices-response.xml", 16, "250100013", Decimal("27.68")),
        (f"{SAMPLES}/faktury_03_v2.0.xml", 15, "100100013", Decimal("27.5")),
    ],
)
def test_invoices_read_and_a_eur_invoice_keeps_its_currency_and_amount(
    real: Path, name: str, count: int, eur_number: str, rate: Decimal
) -> None:
    invoices = {invoice.number: invoice for invoice in _answer(real, name).records}
    assert len(invoices) == count
    eur = invoices[eur_number]
    assert eur.partner is not None and eur.partner.company == "Ralf Schneider"
    assert (eur.totals.currency, eur.totals.foreign, eur.totals.rate) == ("EUR", Decimal(10000), rate)
    assert all(i.totals.currency is None for i in invoices.values() if i is not eur)


def test_invoices_read_their_lines_dates_and_symbols(real: Path) -> None:
    first, second = _answer(real, f"{SOUKUP}/Invoices/faktury_02_v2.0_response.xml").records
    assert isinstance(first, Invoice)
    assert (first.number, first.variable_symbol, first.date, first.date_due) == (
        "180100001",
        "180100001",
        date(2018, 1, 30),
        date(2018, 2, 13),
    )
    assert [(line.code, line.unit_price) for line in first.items[:2]] == [("Z220", 1968), ("Konf11", 7680)]
    assert (first.totals.home, second.number, second.totals.home) == (Decimal(43038), "180100006", Decimal(578328))
    stamped = _answer(real, f"{SAMPLES}/faktury_03_v2.0.xml")
    assert stamped.exported_at == datetime(2010, 12, 28, 22, 56, 48, tzinfo=UTC)  # dateTimeStamp "…Z"


def test_bank_documents_read_and_a_eur_one_keeps_its_currency_and_foreign_amount(real: Path) -> None:
    documents = _answer(real, f"{VITEX}/bank2.xml").records
    assert len(documents) == 14
    eur = next(doc for doc in documents if doc.totals.currency)
    assert isinstance(eur, BankDocument)
    assert (eur.id, eur.account, eur.date_statement) == (12, "CSOB", date(2023, 1, 1))
    assert (eur.totals.currency, eur.totals.foreign, eur.totals.rate, eur.totals.home) == (
        "EUR",
        Decimal(2061),
        Decimal("27.68"),
        Decimal("57048.48"),
    )
    first = documents[0]
    assert (first.number, first.kind, first.variable_symbol, first.totals.home) == (
        "KB0040001",
        "receipt",
        "230800001",
        Decimal(10890),
    )
    assert first.partner is not None and first.partner.company == "ZET s.r.o."


def test_stormwares_bank_sample_reads_its_documents(real: Path) -> None:
    documents = {doc.number: doc for doc in _answer(real, f"{SAMPLES}/BankovniDokl_01_v2.0.xml").records}
    assert len(documents) == 12
    leasing = documents["KB0010001"]
    assert (leasing.kind, leasing.variable_symbol, leasing.totals.home) == ("expense", "10LM00002", Decimal(10915))
    assert leasing.partner is not None and leasing.partner.company == "Škofin a. s."


# ---- refusals and import answers ------------------------------------------------------------------------------


def test_an_unknown_request_is_the_items_typed_error_with_pohodas_note(real: Path) -> None:
    item = parse_response((real / VITEX / "bank.xml").read_bytes()).items[0]
    with pytest.raises(ItemError, match="listBankRequest"):
        item.check()


def test_a_pack_refused_for_rights_is_a_typed_pack_error(real: Path) -> None:
    pack = parse_response((real / VITEX / "xml-denied.xml").read_bytes())
    error = pack_error(pack)
    assert isinstance(error, PohodaError)
    assert "oprávnen importovat XML" in str(error)


def test_import_answers_name_what_pohoda_produced_and_what_it_refused(real: Path) -> None:
    produced = parse_response((real / DUSEK / "invoice_ok.xml").read_bytes())
    assert [(i.id, i.produced.number if i.produced else None) for i in produced.items] == [
        ("AD001", "140100015"),
        ("AD002", "140100016"),
        ("AD003", "140100017"),
    ]
    refused = parse_response((real / DUSEK / "invoice_error.xml").read_bytes())
    assert refused.state == "error"
    assert [type(e) for e in refused.errors()] == [ItemError]


def test_an_empty_response_pack_is_an_empty_answer(real: Path) -> None:
    pack = parse_response((real / "Masa331__pohoda/spec/fixtures/empty_response_pack.xml").read_bytes())
    assert (pack.state, pack.ico, pack.items) == ("ok", "06131425", [])


# ---- the requests ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Stock/zasoby_01_v2.0.xml", {"code": "Z220"}),
        ("Stock/zasoby_02_v2.0.xml", {"store": "MATERIÁL"}),
        ("Stock/zasoby_03_v2.0.xml", {"storage": "ZBOŽÍ/Nábytek/Pro firmy"}),
        ("Stock/zasoby_04_v2.0.xml", {"internet": True}),
        ("Orders/objednavky_01_v2.0.xml", {"date_from": date(2018, 1, 21), "date_till": date(2018, 1, 23)}),
    ],
)
def test_real_list_requests_read_with_every_filter(real: Path, name: str, expected: dict[str, object]) -> None:
    (item,) = parse_data_pack((real / SOUKUP / name).read_bytes()).items
    assert {key: getattr(item.model, key) for key in expected} == expected


@pytest.mark.parametrize(
    ("name", "field"),
    [
        (f"{SOUKUP}/Stock/zasoby_05_v2.0.xml", "ftr:store"),  # by typ:id: our requests name a store
        (f"{SOUKUP}/Orders/objednavky_02_v2.0.xml", "ftr:selectedIco"),
        (f"{SOUKUP}/Orders/objednavky_02_v2.0_issued.xml", "ftr:selectedIco"),
        (f"{SAMPLES}/bank_01_v2.0.xml", "extId"),  # a bank import without an external id
    ],
)
def test_a_request_our_models_cannot_hold_is_a_record_error_naming_the_field(real: Path, name: str, field: str) -> None:
    with pytest.raises(RecordError) as raised:
        parse_data_pack((real / name).read_bytes())
    assert raised.value.field == field
    assert raised.value.record.startswith("dataPackItem")


def test_a_request_of_an_agenda_we_never_send_is_refused(real: Path) -> None:
    with pytest.raises(UnexpectedAnswer, match="listBankRequest"):
        parse_data_pack((real / VITEX / "getBank.xml").read_bytes())
