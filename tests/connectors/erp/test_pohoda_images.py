"""The pohoda adapter's item images: picture files in POHODA's documents folder, linked on every card of the item."""

from __future__ import annotations

from decimal import Decimal

import pytest
from erp_builders import product

from connectors.erp.errors import ErpError, RecordError
from connectors.erp.pohoda import FolderDocuments
from connectors.erp.port import Location
from domain.models import Image, StockLevel


@pytest.fixture
def chair(pohoda):
    """One item, two variants, three cards (BUK in both stores)."""
    pohoda.load(
        locations=[Location(erp_key="PRAHA", name="Praha"), Location(erp_key="BRNO", name="Brno")],
        products=[product("CHAIR", "CHAIR-BUK", "CHAIR-DUB")],
        stock=[
            StockLevel(sku="CHAIR-BUK", location_key="PRAHA", quantity=Decimal(1)),
            StockLevel(sku="CHAIR-BUK", location_key="BRNO", quantity=Decimal(1)),
            StockLevel(sku="CHAIR-DUB", location_key="PRAHA", quantity=Decimal(1)),
        ],
    )


def test_an_image_goes_into_the_documents_folder_and_onto_every_card_of_its_item(pohoda, chair):
    pohoda.backend.put_item_image(
        Image(item_key="CHAIR", filename="Židle.PNG", content=b"\x89PNG-1", mime_type="image/png")
    )
    assert pohoda.state.documents["Obrázky/CHAIR-0.png"] == b"\x89PNG-1"
    cards = [c for c in pohoda.state.cards.values() if c.code.startswith("CHAIR")]
    assert len(cards) == 3
    assert {(p.filepath, p.description, p.default) for c in cards for p in c.pictures} == {
        ("CHAIR-0.png", "Židle.PNG", True)
    }
    (image,) = pohoda.backend.list_item_images(["CHAIR"])
    assert (image.filename, image.mime_type, image.content) == ("Židle.PNG", "image/png", b"\x89PNG-1")


def test_a_taken_position_gets_the_new_content_in_its_place_and_a_far_position_is_appended(pohoda, chair):
    put = pohoda.backend.put_item_image
    put(Image(item_key="CHAIR", position=0, filename="front.jpg", content=b"front"))
    put(Image(item_key="CHAIR", position=1, filename="side.jpg", content=b"side"))
    put(Image(item_key="CHAIR", position=0, filename="front-2.png", content=b"front, again"))
    put(Image(item_key="CHAIR", position=7, filename="back.jpg", content=b"back"))
    listed = pohoda.backend.list_item_images()
    assert [(i.position, i.filename, i.content) for i in listed] == [
        (0, "front-2.png", b"front, again"),
        (1, "side.jpg", b"side"),
        (2, "back.jpg", b"back"),
    ]


def test_pictures_pohoda_already_holds_are_read_default_first(pohoda):
    pohoda.state.seed(
        products=[product("MUG")],
        images=[
            Image(item_key="MUG", position=0, filename="mug.png", content=b"mug"),
            Image(item_key="MUG", position=1, filename="mug-top.png", content=b"top"),
        ],
    )
    assert [(i.position, i.filename, i.content) for i in pohoda.backend.list_item_images(["MUG", "NONE"])] == [
        (0, "mug.png", b"mug"),
        (1, "mug-top.png", b"top"),
    ]


def test_an_image_known_only_by_url_is_refused(pohoda, chair):
    with pytest.raises(RecordError, match="content"):
        pohoda.backend.put_item_image(Image(item_key="CHAIR", url="https://cdn.example/chair.jpg"))


def test_without_a_documents_store_writing_pictures_is_refused_but_reading_works(pohoda, chair):
    reader = pohoda.new_backend(documents=None)
    with pytest.raises(ErpError, match="documents folder"):
        reader.put_item_image(Image(item_key="CHAIR", content=b"x"))
    assert pohoda.mserver.recorder.count == 0  # refused before asking POHODA anything
    assert reader.list_item_images() == []


def test_a_mounted_documents_folder_receives_the_file_and_nothing_outside_it(tmp_path):
    folder = FolderDocuments(tmp_path / "Dokumenty" / "Firma")
    folder.put("Obrázky/chair-0.jpg", b"jpeg")
    folder.put("Obrázky/chair-0.jpg", b"jpeg, again")
    assert (tmp_path / "Dokumenty" / "Firma" / "Obrázky" / "chair-0.jpg").read_bytes() == b"jpeg, again"
    assert [p.name for p in (tmp_path / "Dokumenty" / "Firma" / "Obrázky").iterdir()] == ["chair-0.jpg"]
    with pytest.raises(ErpError, match="inside the documents folder"):
        folder.put("../escape.jpg", b"x")
