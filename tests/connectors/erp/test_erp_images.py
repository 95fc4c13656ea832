"""Item images: written by position, replaced in place, read back with their content hash."""

from __future__ import annotations

import hashlib

import pytest
from erp_builders import product

from connectors.erp.errors import RecordError
from domain.models import Image


@pytest.fixture
def items(erp_harness):
    erp_harness.load(products=[product("A"), product("B")])


def test_an_image_is_read_back_with_its_bytes_and_hash(erp, items):
    erp.put_item_image(Image(item_key="A", position=0, filename="a.png", content=b"\x89PNG-a", mime_type="image/png"))
    (image,) = erp.list_item_images()
    assert image.content == b"\x89PNG-a" and image.filename == "a.png" and image.mime_type == "image/png"
    assert image.content_hash == hashlib.sha256(b"\x89PNG-a").hexdigest()


def test_putting_an_image_at_a_taken_position_replaces_it(erp, items):
    erp.put_item_image(Image(item_key="A", position=0, content=b"old"))
    erp.put_item_image(Image(item_key="A", position=1, content=b"second"))
    erp.put_item_image(Image(item_key="A", position=0, content=b"new"))
    assert [(i.position, i.content) for i in erp.list_item_images(["A"])] == [(0, b"new"), (1, b"second")]


def test_images_are_listed_per_item_and_url_only_images_keep_their_url(erp, items):
    erp.put_item_image(Image(item_key="B", position=0, url="https://cdn.example/b.jpg"))
    erp.put_item_image(Image(item_key="A", position=0, content=b"a"))
    assert [i.item_key for i in erp.list_item_images()] == ["A", "B"]
    (b_image,) = erp.list_item_images(["B"])
    assert b_image.url == "https://cdn.example/b.jpg" and b_image.content is None
    assert erp.list_item_images(["NONE"]) == []


def test_an_image_of_an_unknown_item_is_a_record_error(erp, items):
    with pytest.raises(RecordError, match="item_key"):
        erp.put_item_image(Image(item_key="GHOST", content=b"x"))
    assert erp.list_item_images() == []
