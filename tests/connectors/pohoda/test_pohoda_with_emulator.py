"""The client and codec against the POHODA mServer emulator (in process, XSD checks on): a round trip per agenda.

The emulator is built independently from the real XSDs, so these tests catch a disagreement between what we
write and what an mServer accepts, and between what it answers and what we read.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from connectors.pohoda.client import MServerClient
from connectors.pohoda.errors import DuplicateItem, RecordError, WrongCompany
from connectors.pohoda.models import (
    AddressBookEntry,
    AddressBookListRequest,
    BankPayment,
    DeliveryNoteListRequest,
    ExtId,
    OrderItem,
    OrderListRequest,
    PartyAddress,
    ReceivedOrder,
    StockItem,
    StockListRequest,
)
from connectors.pohoda.xml import builders, iter_stock_chunks
from domain.models import OrderState
from emulators import pohoda as pohoda_emulator

SHOP = "shopify"
# the emulator's in-process client is Starlette's TestClient, which frowns on per-request timeouts (ours are real)
pytestmark = pytest.mark.filterwarnings("ignore:You should not use the 'timeout' argument")


@pytest.fixture
def emulator(shared_dir: Path):
    config = pohoda_emulator.PohodaEmulatorConfig(xsd_dir=shared_dir / "reference/pohoda/xsd", fiscal_year=2025)
    app = pohoda_emulator.create_app(config)
    return app, pohoda_emulator.emulator_of(app)


@pytest.fixture
def client(emulator) -> MServerClient:
    app, _ = emulator
    return MServerClient(
        "http://127.0.0.1:444",
        pohoda_emulator.DEFAULT_USER,
        pohoda_emulator.DEFAULT_PASSWORD,
        application="commerce-sync",
        company_ico=pohoda_emulator.DEFAULT_ICO,
        http=pohoda_emulator.emulator_client(app=app),
        clock=lambda: datetime(2025, 6, 1, tzinfo=UTC),
    )


def card(code: str, price: str = "199") -> StockItem:
    return StockItem(
        code=code,
        name=f"Hrnek {code} – žlutý",
        ean="8594000000017",
        is_internet=True,
        is_sales=True,
        unit="ks",
        storage_path="ZBOŽÍ",
        price_group="SK",
        selling_vat="high",
        selling_price=Decimal(price),
        selling_price_with_vat=True,
    )


def test_a_stock_card_upsert_is_listed_back_and_a_retry_is_a_harmless_duplicate(client: MServerClient) -> None:
    pack = client.new_pack("Import zásob", [builders.stock_card(card("ABC-001"))])
    first = client.send(pack).items[0].check()
    assert first.produced is not None
    retried = client.send(pack).items[0]
    assert isinstance(retried.error(), DuplicateItem) and retried.check(duplicate_ok=True)

    client.send(client.new_pack("Změna ceny", [builders.stock_card(card("ABC-001", "209"))])).items[0].check()
    listing = client.send(client.new_pack("Export", [builders.list_stock(StockListRequest(code="ABC-001"))]))
    (read,) = listing.items[0].records
    assert (read.code, read.name, read.selling_price) == ("ABC-001", "Hrnek ABC-001 – žlutý", Decimal("209"))


def test_a_received_order_is_imported_once_and_its_state_comes_back(client: MServerClient, emulator) -> None:
    client.send(client.new_pack("Zásoby", [builders.stock_card(card("ABC-001"))])).items[0].check()
    order = ReceivedOrder(
        ext_id=ExtId(ids="gid://shopify/Order/1001", system=SHOP),
        number_order="#1001",
        date=date(2025, 5, 30),
        partner=PartyAddress(name="Jan Novák", city="Praha", email="jan@example.com"),
        is_reserved=True,
        items=[
            OrderItem(
                text="Hrnek",
                quantity=Decimal(2),
                pay_vat=True,
                rate_vat="high",
                unit_price=Decimal("199"),
                code="ABC-001",
                stock_code="ABC-001",
            )
        ],
    )
    item = builders.received_order(order)
    client.send(client.new_pack("Objednávka", [item])).items[0].check()
    again = client.send(client.new_pack("Objednávka", [item])).items[0]
    assert isinstance(again.error(), DuplicateItem) and again.error().existing_id is not None

    request = builders.list_orders(OrderListRequest(ext_id=order.ext_id, ext_system=SHOP))
    assert client.send(client.new_pack("Stav", [request])).items[0].records[0].status is None
    _, state = emulator
    state.state.set_order_executed("#1001")
    listed = client.send(client.new_pack("Stav", [request])).items[0].records[0]
    assert listed.status is OrderState.PROCESSED and listed.ext_id == order.ext_id
    state.state.transfer_order("#1001")
    assert client.send(client.new_pack("Stav", [request])).items[0].records[0].status is OrderState.TRANSFERRED


def test_a_delivery_note_names_its_order_lines_and_tracking(client: MServerClient, emulator) -> None:
    client.send(client.new_pack("Zásoby", [builders.stock_card(card("ABC-001"))])).items[0].check()
    order = ReceivedOrder(
        ext_id=ExtId(ids="gid://shopify/Order/1002", system=SHOP),
        number_order="#1002",
        date=date(2025, 5, 30),
        items=[
            OrderItem(
                text="Hrnek",
                quantity=Decimal(3),
                pay_vat=True,
                rate_vat="high",
                unit_price=Decimal("199"),
                code="ABC-001",
                stock_code="ABC-001",
            )
        ],
    )
    client.send(client.new_pack("Objednávka", [builders.received_order(order)])).items[0].check()
    _, emu = emulator
    emu.state.create_delivery_note(
        "#1002", carrier="PPL", tracking_number="PPL123456", tracking_url="https://ppl.example/PPL123456"
    )
    listing = client.send(
        client.new_pack(
            "Výdejky", [builders.list_delivery_notes(DeliveryNoteListRequest(restriction={"documents": True}))]
        )
    )
    (note,) = listing.items[0].records
    assert (note.carrier, note.parameter("VPrTracking")) == ("PPL", "PPL123456")
    assert [(i.stock_code, i.quantity) for i in note.items] == [("ABC-001", Decimal("3"))]
    assert note.order_ids and note.items[0].order_item_id is not None
    order_id = (
        client.send(client.new_pack("Stav", [builders.list_orders(OrderListRequest(ext_id=order.ext_id))]))
        .items[0]
        .records[0]
        .id
    )
    assert note.order_ids == [order_id]


def test_an_order_can_be_deleted_by_its_number(client: MServerClient) -> None:
    order = ReceivedOrder(
        ext_id=ExtId(ids="gid://shopify/Order/1003", system=SHOP),
        number_order="#1003",
        date=date(2025, 5, 30),
        items=[OrderItem(text="Služba", quantity=Decimal(1), unit_price=Decimal("10"))],
    )
    created = client.send(client.new_pack("Objednávka", [builders.received_order(order)])).items[0].check()
    deleted = client.send(client.new_pack("Smazání", [builders.delete_order(created.produced.number)]))
    deleted.items[0].check()
    request = builders.list_orders(OrderListRequest(ext_id=order.ext_id))
    assert client.send(client.new_pack("Stav", [request])).items[0].records == []
    again = client.send(client.new_pack("Objednávka", [builders.received_order(order, revision=1)])).items[0]
    assert again.check().produced is not None


def test_a_stock_picture_is_fetched_from_the_documents_folder(client: MServerClient, emulator) -> None:
    _, emu = emulator
    client.http.put("/_emulator/documents/Obrázky/ABC-001_1.jpg", content=b"\xff\xd8jpeg")
    assert client.fetch_document("Obrázky/ABC-001_1.jpg") == b"\xff\xd8jpeg"
    with pytest.raises(RecordError, match="not in the company's documents folder"):
        client.fetch_document("Obrázky/missing.jpg")


def test_a_customer_and_a_payment_are_written_and_found_by_their_shop_ids(client: MServerClient, emulator) -> None:
    customer = AddressBookEntry(
        ext_ids=[ExtId(ids="gid://shopify/Customer/5", system=SHOP)],
        address=PartyAddress(name="Jan Novák", city="Praha"),
        email="jan@example.com",
    )
    client.send(client.new_pack("Adresa", [builders.address_book_entry(customer)])).items[0].check()
    found = (
        client.send(
            client.new_pack("Adresy", [builders.list_address_book(AddressBookListRequest(ext_id=customer.ext_ids[0]))])
        )
        .items[0]
        .records
    )
    assert [entry.email for entry in found] == ["jan@example.com"]

    payment = BankPayment(
        ext_id=ExtId(ids="gid://shopify/OrderTransaction/7", system=SHOP),
        account="KB",
        date=date(2025, 5, 30),
        amount=Decimal("398"),
        variable_symbol="1001",
    )
    client.send(client.new_pack("Platba", [builders.bank_receipt(payment)])).items[0].check(duplicate_ok=True)
    _, emu = emulator
    booked = [p for p in emu.state.payments.values() if p.ext_id and p.ext_id.ids == payment.ext_id.ids]
    assert [(b.sym_var, b.amount) for b in booked] == [("1001", Decimal("398"))]


def test_a_big_stock_export_streams_to_disk_in_chunks(client: MServerClient) -> None:
    cards = [builders.stock_card(card(f"SKU-{n:03d}")) for n in range(1, 26)]
    for item in client.send(client.new_pack("Zásoby", cards)).items:
        item.check()
    with tempfile.TemporaryFile() as sink:
        client.download(client.new_pack("Export", [builders.list_stock(StockListRequest())]), sink)
        sink.seek(0)
        chunks = list(iter_stock_chunks(sink, 10))
    assert sum(len(c) for c in chunks) == 25 and not any(c.rejected for c in chunks)


def test_the_client_refuses_an_emulator_serving_another_company(emulator) -> None:
    app, _ = emulator
    client = MServerClient(
        "http://127.0.0.1:444",
        pohoda_emulator.DEFAULT_USER,
        pohoda_emulator.DEFAULT_PASSWORD,
        application="commerce-sync",
        company_ico="87654321",
        http=pohoda_emulator.emulator_client(app=app),
    )
    with pytest.raises(WrongCompany, match=pohoda_emulator.DEFAULT_ICO):
        client.send(client.new_pack("x", [builders.stock_card(card("A"))]))
