"""iter_stock_chunks: chunks of cards, bad cards reported and skipped, refused answers explained."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from connectors.pohoda.errors import ItemError, PackRejected, UnexpectedAnswer
from connectors.pohoda.models import StockItem
from connectors.pohoda.testing import list_stock_element, response_pack, write_stock_export
from connectors.pohoda.xml import iter_stock_chunks, parse_response


def export(count: int, **options: object) -> bytes:
    buffer = io.BytesIO()
    write_stock_export(buffer, count, **options)
    return buffer.getvalue()


def test_cards_arrive_in_chunks_of_the_requested_size(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    write_stock_export(path, 23)
    chunks = list(iter_stock_chunks(path, 10))
    assert [len(c) for c in chunks] == [10, 10, 3]
    assert [c.code for c in chunks[0]][:2] == ["SKU-0000001", "SKU-0000002"]
    assert all(isinstance(card, StockItem) for chunk in chunks for card in chunk)


def test_a_file_object_works_like_a_path() -> None:
    assert sum(len(c) for c in iter_stock_chunks(io.BytesIO(export(7)), 3)) == 7


def test_bad_cards_are_reported_with_code_and_position_and_the_others_go_on() -> None:
    chunks = list(iter_stock_chunks(io.BytesIO(export(30, broken={5: "price", 12: "code", 25: "id"})), 10))
    codes = [card.code for chunk in chunks for card in chunk]
    assert len(codes) == 27 and "SKU-0000005" not in codes and "SKU-0000026" in codes
    rejected = [r for chunk in chunks for r in chunk.rejected]
    assert [(r.position, r.record) for r in rejected] == [
        (5, "stock item 'SKU-0000005'"),
        (12, "stock item id 12"),
        (25, "stock item 'SKU-0000025'"),
    ]
    assert "12,50" in rejected[0].reason and rejected[0].field.startswith("selling_price")
    assert rejected[0].line == 7  # declaration, envelope, then one card per line


def test_a_rejection_travels_with_the_chunk_it_happened_in() -> None:
    chunks = list(iter_stock_chunks(io.BytesIO(export(20, broken={15: "price"})), 10))
    assert [len(c.rejected) for c in chunks] == [0, 1]


def test_an_export_of_only_bad_cards_still_reports_them() -> None:
    chunks = list(iter_stock_chunks(io.BytesIO(export(2, broken={1: "price", 2: "price"})), 10))
    assert [len(c) for c in chunks] == [0] and len(chunks[0].rejected) == 2


def test_an_empty_listing_yields_nothing() -> None:
    assert list(iter_stock_chunks(io.BytesIO(response_pack(("LSTK", list_stock_element([])))), 5)) == []


def test_the_stream_and_the_whole_document_parser_agree() -> None:
    data = export(15, broken={3: "price"})
    streamed = [card for chunk in iter_stock_chunks(io.BytesIO(data), 4) for card in chunk]
    assert streamed == parse_response(data).items[0].records


def test_cards_carry_the_export_time_as_utc() -> None:
    (chunk,) = iter_stock_chunks(io.BytesIO(export(1)), 5)
    assert chunk[0].exported_at.isoformat() == "2025-03-01T11:00:00+00:00"


def test_a_refused_pack_is_reported_not_mistaken_for_an_empty_export() -> None:
    data = response_pack(state="error", note="Uživatel není oprávněn importovat XML soubory")
    with pytest.raises(PackRejected, match="oprávněn"):
        list(iter_stock_chunks(io.BytesIO(data), 5))


def test_a_refused_stock_request_is_an_item_error() -> None:
    listing = list_stock_element([])
    listing.set("state", "error")
    data = response_pack(("LSTK", listing))
    with pytest.raises(ItemError):
        list(iter_stock_chunks(io.BytesIO(data), 5))


def test_an_answer_without_stock_listing_is_refused() -> None:
    with pytest.raises(UnexpectedAnswer, match="no lStk:listStock"):
        list(iter_stock_chunks(io.BytesIO(response_pack(("x", None))), 5))


def test_chunk_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="chunk_size"):
        list(iter_stock_chunks(io.BytesIO(export(1)), 0))


def test_a_text_mode_file_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    write_stock_export(path, 1)
    with open(path, encoding="cp1250") as text, pytest.raises(TypeError, match="binary mode"):
        list(iter_stock_chunks(text, 5))
