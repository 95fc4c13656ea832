"""Images end to end, both ways: ERP images → product media, product media the ERP lacks → ``erp_images``,
against the emulator and the SQL ERP."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import httpx
import sqlalchemy as sa

from connectors.erp.sql import tables as t
from connectors.shopify.media import product_media, stage_image
from domain.models import Image
from emulators.shopify.faults import FaultDecision
from engine.resources import resources
from flows.runtime import report_of
from flows.sync_images import ImageDirection, SyncImagesParams, sync_images

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR shop photo"
NOW = datetime(2025, 2, 1, tzinfo=UTC)


def put_products_in_shop(shop) -> dict[str, str]:
    """The products as sync_products would leave them: created in the shop and mapped (item key → GID)."""
    gids = shop.emulator.state.seed_products(shop.data.products)
    shop.state.put_mappings(shop.name, "product", gids.items())
    return gids


def upload_in_shop(shop, gid: str, content: bytes, filename: str, alt: str = "Foto z e-shopu") -> None:
    """What a merchant does in the admin: upload a picture to a product, which Shopify has processed by the
    time a sync runs (polled until it is no longer UPLOADED or PROCESSING)."""
    client = resources(shop.name).shopify
    url = stage_image(client, Image(item_key="x", filename=filename, content=content, mime_type="image/png"))
    _, errors = client.mutate(
        "ProductAttachMedia",
        {"productId": gid, "media": [{"originalSource": url, "alt": alt, "mediaContentType": "IMAGE"}]},
        "productUpdate",
    )
    assert not errors
    for _ in range(10):
        if all(m.status not in ("UPLOADED", "PROCESSING") for m in product_media(client, [gid])[gid]):
            return
    raise AssertionError(f"the shop never processed the picture uploaded to {gid}")


def media_contents(shop, gid: str) -> list[bytes]:
    state = shop.emulator.state
    product = state.products[int(gid.rsplit("/", 1)[1])]
    return [state.uploads[state.media[m].upload_key][0] for m in product.media_ids]


def erp_images(shop) -> dict[tuple[str, int], bytes]:
    with shop.erp.engine.connect() as conn:
        rows = conn.execute(sa.select(t.images.c.item_key, t.images.c.position, t.images.c.content)).all()
    return {(r.item_key, r.position): bytes(r.content) for r in rows}


def last_period(shop) -> SyncImagesParams:
    run = shop.state.list_runs(shop.name, "sync_images", limit=10)[-1]
    return SyncImagesParams(shop=shop.name, period_start=run.period_start, period_end=run.period_end)


def test_images_go_both_ways_once_and_a_second_run_sends_nothing(flow_shop):
    gids = put_products_in_shop(flow_shop)
    with_image = flow_shop.data.images[0].item_key
    upload_in_shop(flow_shop, gids[with_image], PNG, "foto.png")

    first = report_of(sync_images(SyncImagesParams(shop=flow_shop.name), return_state=True))

    assert first.failed == 0
    assert first.created == len(flow_shop.data.images) + 1
    for image in flow_shop.data.images:
        shop_side = media_contents(flow_shop, gids[image.item_key])
        assert shop_side.count(image.content) == 1
    assert media_contents(flow_shop, gids[with_image]) == [PNG, flow_shop.data.images[0].content]
    rows = erp_images(flow_shop)
    assert rows[(with_image, 1)] == PNG  # the shop's picture, after the item's own
    assert len(rows) == len(flow_shop.data.images) + 1

    version = flow_shop.emulator.state.version
    again = report_of(sync_images(last_period(flow_shop), return_state=True))
    assert (again.created, again.updated, again.failed) == (0, 0, 0)
    assert flow_shop.emulator.state.version == version  # nothing was written to the shop
    assert erp_images(flow_shop) == rows


def test_bytes_that_are_no_image_are_reported_on_either_side_and_the_rest_is_synced(sqlite_shop):
    gids = put_products_in_shop(sqlite_shop)
    bad_erp, bad_shop = [p.erp_key for p in sqlite_shop.data.products[:2]]
    html = b"<html>404 not found</html>"
    with sqlite_shop.erp.engine.begin() as conn:
        conn.execute(
            sa.insert(t.images).values(
                item_key=bad_erp,
                position=7,
                filename="foto.jpg",
                content=html,
                content_hash=hashlib.sha256(html).hexdigest(),
                updated_at=NOW,
            )
        )
    not_a_gif = b"GIF? no: plain text"
    upload_in_shop(sqlite_shop, gids[bad_shop], not_a_gif, "scan.gif")

    report = report_of(sync_images(SyncImagesParams(shop=sqlite_shop.name), return_state=True))

    failures = sorted((f.record, f.field, f.reason.split(" (")[0]) for f in report.failures)
    shop_media = next(f.record for f in report.failures if f.record.startswith("shop image"))
    assert failures == [
        (f"image {bad_erp}#7", "content", "content is not a PNG, JPEG, GIF or WebP image"),
        (shop_media, "image", "content is not a PNG, JPEG, GIF or WebP image"),
    ]
    assert shop_media.endswith(f"of item {bad_shop}")
    assert report.created == len(sqlite_shop.data.images)
    for image in sqlite_shop.data.images:
        assert image.content in media_contents(sqlite_shop, gids[image.item_key])
    assert html not in media_contents(sqlite_shop, gids[bad_erp])
    assert not_a_gif not in erp_images(sqlite_shop).values()


def test_an_image_whose_send_lost_its_answer_is_adopted_and_new_content_replaces_it_in_place(sqlite_shop):
    gids = put_products_in_shop(sqlite_shop)
    image = sqlite_shop.data.images[0]
    gid = gids[image.item_key]
    marker = f"[erp:{image.content_hash[:16]}]"
    upload_in_shop(sqlite_shop, gid, image.content, image.filename, alt=f"{image.filename} {marker}")  # the lost send

    first = sync_images(SyncImagesParams(shop=sqlite_shop.name))
    assert first.failed == 0 and first.created == len(sqlite_shop.data.images) - 1
    assert media_contents(sqlite_shop, gid) == [image.content]

    replaced = b"\xff\xd8\xff\xe0 a new photo of the item"
    with sqlite_shop.erp.engine.begin() as conn:
        conn.execute(
            sa.update(t.images)
            .where(t.images.c.item_key == image.item_key, t.images.c.position == 0)
            .values(content=replaced, content_hash=hashlib.sha256(replaced).hexdigest(), mime_type=None)
        )
    again = sync_images(last_period(sqlite_shop))
    assert (again.created, again.updated, again.failed) == (0, 1, 0)
    assert media_contents(sqlite_shop, gid) == [replaced]


def answer_late(shop, monkeypatch, operation: str, client_waits: float, applied_after: float) -> list[str]:
    """The first ``operation`` request is applied by the shop only after the client stopped waiting for its
    answer (it times out); returns the operation names of every request, in order."""
    monkeypatch.setattr(resources(shop.name).shopify.http, "timeout", httpx.Timeout(client_waits))
    operations: list[str] = []
    record = shop.emulator.recorder.record

    def recording(body, headers, path):
        operations.append((body or {}).get("operationName"))
        return record(body, headers, path)

    def draw() -> FaultDecision:  # runs right after the request was recorded
        late = operations[-1] == operation and operations.count(operation) == 1
        return FaultDecision(hang=applied_after) if late else FaultDecision()

    monkeypatch.setattr(shop.emulator.recorder, "record", recording)
    monkeypatch.setattr(shop.emulator.faults, "draw", draw)
    return operations


def test_an_attach_applied_after_the_client_timed_out_is_waited_for_and_adopted_not_sent_twice(
    sqlite_shop, monkeypatch
):
    gids = put_products_in_shop(sqlite_shop)
    operations = answer_late(sqlite_shop, monkeypatch, "ProductAttachMedia", client_waits=0.5, applied_after=0.8)

    report = sync_images(SyncImagesParams(shop=sqlite_shop.name, direction=ImageDirection.TO_SHOP))

    with_images = {image.item_key for image in sqlite_shop.data.images}
    assert operations.count("ProductAttachMedia") == len(with_images)  # the late one was not sent again
    assert report.failed == 0 and report.created == len(sqlite_shop.data.images)
    for image in sqlite_shop.data.images:
        assert media_contents(sqlite_shop, gids[image.item_key]).count(image.content) == 1
    assert len(sqlite_shop.state.all_mappings(sqlite_shop.name, "media")) == len(sqlite_shop.data.images)


def test_a_dry_run_compares_and_writes_nothing(sqlite_shop):
    gids = put_products_in_shop(sqlite_shop)
    upload_in_shop(sqlite_shop, gids[sqlite_shop.data.products[0].erp_key], PNG, "foto.png")
    version = sqlite_shop.emulator.state.version
    rows = erp_images(sqlite_shop)

    report = sync_images(SyncImagesParams(shop=sqlite_shop.name, dry_run=True))

    assert report.created == report.updated == report.failed == 0
    assert report.skipped == len(sqlite_shop.data.images) + 1
    assert sqlite_shop.emulator.state.version == version
    assert erp_images(sqlite_shop) == rows
    assert sqlite_shop.state.get_hashes(sqlite_shop.name, "image") == {}


def calls(shop, operation: str) -> int:
    return shop.emulator.executor.ledger.as_json()["by_operation"].get(operation, {}).get("calls", 0)


def sent_to_shop(shop) -> SyncImagesParams:
    return last_period(shop).model_copy(update={"direction": ImageDirection.TO_SHOP})


def test_an_image_is_remembered_as_sent_only_once_shopify_has_processed_it(sqlite_shop):
    put_products_in_shop(sqlite_shop)
    images = sqlite_shop.data.images

    first = sync_images(SyncImagesParams(shop=sqlite_shop.name, direction=ImageDirection.TO_SHOP))
    assert first.created == len(images) and first.failed == 0
    assert sqlite_shop.state.get_hashes(sqlite_shop.name, "image") == {}  # accepted, not processed yet
    assert len(sqlite_shop.state.all_mappings(sqlite_shop.name, "media")) == len(images)

    waiting = sync_images(sent_to_shop(sqlite_shop))  # the shop still shows them PROCESSING
    assert (waiting.created, waiting.updated, waiting.failed) == (0, 0, 0)
    assert any("still processing" in note for note in waiting.notes)
    assert sqlite_shop.state.get_hashes(sqlite_shop.name, "image") == {}

    ready = sync_images(sent_to_shop(sqlite_shop))
    assert (ready.created, ready.updated, ready.failed) == (0, 0, 0)
    assert set(sqlite_shop.state.get_hashes(sqlite_shop.name, "image")) == {
        f"{i.item_key}#{i.position}" for i in images
    }
    assert calls(sqlite_shop, "ProductAttachMedia") == len({i.item_key for i in images})  # each sent once
    assert calls(sqlite_shop, "FileUpdate") == 0


def test_an_image_whose_processing_failed_is_reported_and_sent_again_until_shopify_takes_it(sqlite_shop):
    gids = put_products_in_shop(sqlite_shop)
    images = sqlite_shop.data.images
    sqlite_shop.emulator.config.media_processing_reads = 0  # processed by the next read
    sqlite_shop.emulator.set_faults(media_failed=1.0)

    sync_images(SyncImagesParams(shop=sqlite_shop.name, direction=ImageDirection.TO_SHOP))
    failed = report_of(sync_images(sent_to_shop(sqlite_shop), return_state=True))

    assert sorted(f.record for f in failed.failures) == sorted(f"image {i.item_key}#{i.position}" for i in images)
    assert all("Shopify failed to process it" in f.reason for f in failed.failures)
    assert calls(sqlite_shop, "FileUpdate") == len({i.item_key for i in images})  # sent again, in place
    assert sqlite_shop.state.get_hashes(sqlite_shop.name, "image") == {}

    sqlite_shop.emulator.set_faults(media_failed=0.0)
    taken = sync_images(sent_to_shop(sqlite_shop))
    assert taken.failed == 0 and len(sqlite_shop.state.get_hashes(sqlite_shop.name, "image")) == len(images)
    for image in images:
        assert media_contents(sqlite_shop, gids[image.item_key]).count(image.content) == 1  # never twice
