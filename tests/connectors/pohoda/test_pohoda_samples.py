"""The shared STORMWARE-style samples: they parse, and dataPacks survive parse → model → build → validate."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pohoda_request_reader import parse_data_pack

from connectors.pohoda.errors import ItemError
from connectors.pohoda.models import CategoryNode, ReceivedOrder, StockItem
from connectors.pohoda.xml import DataPack, iter_stock_chunks, parse_response
from domain.models import OrderState, build_category_tree

DATA_PACKS = ["stock_dataPack.xml", "order_dataPack.xml", "list_requests_dataPack.xml"]
NOT_BUILT = frozenset({"lst:listSupplierRequest"})
"""Agendas in the samples the connector has no builder for (nothing in production asks for suppliers)."""


@pytest.mark.parametrize("name", DATA_PACKS)
def test_shared_data_packs_round_trip_through_our_models(name: str, samples: Path, pohoda_xsd) -> None:
    original = parse_data_pack((samples / name).read_bytes(), skip=NOT_BUILT)
    assert original.items
    rebuilt = DataPack(
        application=original.application,
        ico=original.ico,
        note=original.note,
        items=[item.rebuild() for item in original.items],
    )
    body = rebuilt.to_bytes()
    pohoda_xsd.assert_valid_request(body)
    again = parse_data_pack(body)
    assert [(i.agenda, i.model, i.options) for i in again.items] == [
        (i.agenda, i.model, i.options) for i in original.items
    ]


def test_the_stock_sample_reads_as_an_upsert_by_code_with_everything_the_shop_needs(samples: Path) -> None:
    item = parse_data_pack((samples / "stock_dataPack.xml").read_bytes()).items[0]
    card = item.model
    assert item.options == {"mode": "upsert", "match": "code"}
    assert isinstance(card, StockItem)
    assert (card.code, card.name, card.selling_price, card.selling_price_with_vat) == (
        "ABC-001",
        "Žluťoučký kůň – hrnek 300 ml",
        Decimal("199"),
        True,
    )
    assert [p.filepath for p in card.pictures] == ["ABC-001_1.jpg", "ABC-001_2.jpg"]
    assert (card.category_ids, card.main_category_id) == ([5, 7], 5)
    assert card.description2 == "<p>Dlouhý HTML popis</p>"
    assert [(p.name, p.value) for p in card.parameters] == [("VPrEshopId", "1001")]


def test_the_order_sample_reads_with_its_ext_id_and_lines(samples: Path) -> None:
    order = parse_data_pack((samples / "order_dataPack.xml").read_bytes()).items[0].model
    assert isinstance(order, ReceivedOrder)
    assert (order.ext_id.ids, order.ext_id.system, order.number_order) == ("2025000123", "eshop-sync", "2025000123")
    assert [(i.text, i.stock_code) for i in order.items] == [
        ("Žluťoučký kůň – hrnek 300 ml", "ABC-001"),
        ("Doprava PPL", None),
    ]
    assert order.ship_to.city == "Brno"


def test_the_response_sample_gives_typed_results_per_item(samples: Path, pohoda_xsd) -> None:
    data = (samples / "responsePack_sample.xml").read_bytes()
    pohoda_xsd.assert_valid_response(data)
    answer = parse_response(data)
    assert (answer.state, answer.ico, answer.program_version) == ("ok", "12345678", "14200.0 (1.1.2025)")
    stock, failed, listing, orders, categories = answer.items

    assert stock.error() is None and stock.produced.id == "1234" and stock.produced.action == "update"
    assert [(w.errno, w.state) for w in stock.warnings] == [(801, "warning")]
    assert stock.warnings[0].xpath.endswith("stk:name[1]")

    with pytest.raises(ItemError, match="Ilustrativní chyba importu objednávky") as refused:
        failed.check()
    assert refused.value.item_id == "ESHOP-2025000123"

    card = listing.records[0]
    assert (card.id, card.code, card.count, card.available()) == (1234, "ABC-001", Decimal("17"), Decimal("15"))
    assert card.storage_path == "ZBOŽÍ" and card.price_levels[0].name == "Prodejní"

    order = orders.records[0]
    assert order.status is OrderState.PROCESSED and order.items[0].delivered == Decimal("0")

    tree = build_category_tree([c for node in categories.records for c in node.flatten()])
    assert [c.name for c in tree[None]] == ["Hrnky"] and [c.name for c in tree["5"]] == ["Keramické hrnky"]
    assert isinstance(categories.records[0], CategoryNode)


def test_the_response_sample_streams_to_the_same_card(samples: Path) -> None:
    path = samples / "responsePack_sample.xml"
    streamed = [card for chunk in iter_stock_chunks(path, 10) for card in chunk]
    assert streamed == parse_response(path.read_bytes()).items[2].records
