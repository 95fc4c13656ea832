"""The image identity rules and plans of ``domain.images``, without a shop, an ERP or Prefect."""

from __future__ import annotations

import hashlib

from domain.images import (
    ErpSlots,
    ShopMedia,
    alt_text,
    digest_of,
    marker,
    marker_of,
    plan_pull,
    plan_push,
    sniff_image,
    triage,
)
from domain.models import Image

PNG = b"\x89PNG\r\n\x1a\n" + b"a picture"
JPEG = b"\xff\xd8\xff\xe0" + b"another picture"
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 "


def image(content: bytes, position: int = 0, item: str = "ITEM-1") -> Image:
    return Image(item_key=item, position=position, filename=f"{item}-{position}.png", content=content)


def sent(img: Image, media_id: str, status: str = "READY") -> ShopMedia:
    """The media a send of ``img`` left in the shop, processed by Shopify unless ``status`` says otherwise."""
    url = f"https://cdn/{media_id}.png" if status == "READY" else None
    return ShopMedia(id=media_id, alt=alt_text(img), status=status, url=url)


def test_bytes_are_an_image_only_by_their_magic_number():
    assert [sniff_image(b) for b in (PNG, JPEG, b"GIF89a..", WEBP)] == [
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
    ]
    assert sniff_image(b"<html>404</html>") is None
    assert sniff_image(b"RIFF\x10\x00\x00\x00WAVEfmt ") is None  # a RIFF file that is no WebP


def test_the_alt_text_carries_the_start_of_the_content_hash_and_is_read_back():
    img = image(PNG)
    assert alt_text(img) == f"ITEM-1-0.png [erp:{hashlib.sha256(PNG).hexdigest()[:16]}]"
    assert marker_of(alt_text(img)) == marker(img)
    assert marker_of("a photo the merchant uploaded") is None
    assert marker_of("[erp:0123456789abcdef] then more words") is None  # only at the end


def test_an_image_held_only_by_url_is_known_by_its_url():
    by_url = Image(item_key="ITEM-1", url="https://erp.example/1.png")
    assert digest_of(by_url) == hashlib.sha256(b"url:https://erp.example/1.png").hexdigest()
    assert digest_of(by_url) != digest_of(Image(item_key="ITEM-1", url="https://erp.example/2.png"))


def test_triage_skips_unchanged_content_reports_what_is_no_image_and_groups_the_rest_per_item():
    unchanged, changed, html = image(PNG), image(JPEG, 1), image(b"<html>", 2)
    other = image(PNG, item="ITEM-2")

    result = triage([unchanged, changed, html, other], {"ITEM-1#0": digest_of(unchanged), "ITEM-1#1": "old"})

    assert result.report.skipped == 1
    assert [(f.record, f.field) for f in result.report.failures] == [("image ITEM-1#2", "content")]
    assert result.pending == {"ITEM-1": [changed], "ITEM-2": [other]}
    assert result.waiting == 2


def test_content_already_in_the_shop_under_its_marker_is_adopted_not_sent_again():
    img = image(PNG)

    plan = plan_push([img], [sent(img, "gid://shopify/MediaImage/1")], mapped={})

    assert plan.to_send == []
    assert plan.done == {"ITEM-1#0": ("gid://shopify/MediaImage/1", digest_of(img))}
    assert plan.report.skipped == 1


def test_an_image_sent_but_still_processing_is_waited_for_not_adopted_and_not_sent_again():
    img = image(PNG)

    plan = plan_push([img], [sent(img, "gid://shopify/MediaImage/1", "PROCESSING")], mapped={})

    assert plan.to_send == [] and plan.done == {}  # its hash is remembered only once it is READY
    assert plan.report.skipped == 1
    assert plan.report.notes == ["image ITEM-1#0: Shopify is still processing it (PROCESSING); checked next run"]


def test_an_image_whose_processing_failed_is_reported_and_sent_again_in_place():
    img = image(PNG)

    plan = plan_push([img], [sent(img, "gid://shopify/MediaImage/1", "FAILED")], mapped={})

    assert plan.resend == [(img, "gid://shopify/MediaImage/1")] and plan.to_send == [img]
    assert plan.done == {} and plan.attach == []
    assert [(f.record, f.field) for f in plan.report.failures] == [("image ITEM-1#0", "image")]
    assert "Shopify failed to process it" in plan.report.failures[0].reason


def test_new_content_at_a_known_position_replaces_its_media_in_place_and_new_positions_are_attached():
    old, new, extra = image(PNG), image(JPEG), image(WEBP, 1)
    media = [sent(old, "gid://shopify/MediaImage/1")]

    plan = plan_push([new, extra], media, mapped={"ITEM-1#0": "gid://shopify/MediaImage/1"})

    assert plan.replace == [(new, "gid://shopify/MediaImage/1")]
    assert plan.attach == [extra]


def test_a_mapped_media_that_is_gone_or_adopted_by_another_image_is_not_replaced_but_attached_to():
    moved, new = image(PNG, 1), image(JPEG, 0)  # the picture of position 0 moved to position 1
    media = [sent(image(PNG), "gid://shopify/MediaImage/1")]
    mapped = {"ITEM-1#0": "gid://shopify/MediaImage/1", "ITEM-1#1": "gid://shopify/MediaImage/9"}

    plan = plan_push([new, moved], media, mapped)

    assert plan.done == {"ITEM-1#1": ("gid://shopify/MediaImage/1", digest_of(moved))}
    assert plan.replace == [] and plan.attach == [new]


def test_the_same_content_twice_on_one_item_goes_to_the_shop_once():
    plan = plan_push([image(PNG, 0), image(PNG, 1)], [], mapped={})

    assert plan.attach == [image(PNG, 0)]
    assert plan.done == {"ITEM-1#1": (None, digest_of(image(PNG)))}
    assert plan.report.notes == ["image ITEM-1#1: same content as another image of the item, sent once"]


def test_pull_reads_only_unknown_processed_images_and_adopts_what_the_erp_sent():
    held = image(PNG)
    media = [
        ShopMedia(id="m/known", status="READY", url="https://cdn/1.png"),
        ShopMedia(id="m/video", content_type="VIDEO", status="READY"),
        sent(held, "m/ours"),
        sent(image(JPEG), "m/ours-but-gone-from-the-erp"),
        sent(image(WEBP), "m/ours-failed", "FAILED"),
        ShopMedia(id="m/processing", status="PROCESSING"),
        ShopMedia(id="m/new", status="READY", url="https://cdn/new.png"),
    ]

    plan = plan_pull(media, {"m/known"}, ErpSlots("ITEM-1", {0: digest_of(held), 1: digest_of(image(WEBP))}))

    assert [m.id for m in plan.download] == ["m/new"]
    assert plan.adopt == {"ITEM-1#0": ("m/ours", digest_of(held))}
    assert plan.report.skipped == 6
    assert plan.report.notes == [
        "shop image m/processing of item ITEM-1: not processed by Shopify yet (PROCESSING); next run"
    ]


def test_a_picture_from_the_shop_goes_after_the_last_position_unless_the_erp_holds_it_already():
    slots = ErpSlots("ITEM-1", {0: digest_of(image(PNG)), 3: digest_of(image(JPEG, 3))})
    media = ShopMedia(id="m/1", status="READY", url="https://cdn/files/foto.jpg?v=2")

    again = slots.place(media, JPEG)
    new = slots.place(media, WEBP)

    assert again.image is None and again.key == "ITEM-1#3"
    assert new.image is not None and (new.image.position, new.image.filename) == (4, "foto.webp")
    slots.hold(new.image, new.digest)
    assert slots.place(media, PNG + b"!").image.position == 5
    assert slots.place(media, b"<html>").refused.startswith("content is not a PNG, JPEG, GIF or WebP image")
