"""What the syncs ask of Shopify's cost bucket: records read in batches, not one request each, with the same
result. (``bench/api_cost.py`` measures the whole demo pass; these keep the batching from quietly coming undone.)
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors.shopify.operations import catalog
from flows.params import SyncParams
from flows.sync_images import ITEMS_PER_TASK, SyncImagesParams, sync_images
from flows.sync_orders import sync_orders
from tests.flows.conftest import FlowShop, _make_shop


@pytest.fixture
def catalog_shop(sqlite_url: str) -> Iterator[FlowShop]:
    """A chunk's worth of items (one image task each way), a dozen or so of them with an image."""
    yield from _make_shop(sqlite_url, items=ITEMS_PER_TASK, orders=1)


def calls(shop) -> dict[str, int]:
    return {name: op["calls"] for name, op in shop.emulator.executor.ledger.as_json()["by_operation"].items()}


def test_an_order_with_more_lines_than_a_page_carries_is_staged_whole_reading_on_from_the_page(
    sqlite_shop, tmp_path: Path
):
    template = next(o for o in sqlite_shop.data.orders if not o.closed and o.cancelled_at is None and o.lines)
    lines = [template.lines[0].model_copy(update={"shop_id": None, "title": f"line {n}"}) for n in range(12)]
    big = template.model_copy(update={"shop_id": "gid://shopify/Order/990001", "name": "#9901", "lines": lines})
    sqlite_shop.emulator.state.seed_orders([big])
    sqlite_shop.emulator.recorder.directory = tmp_path  # what went over the wire, from here on

    report = sync_orders(SyncParams(shop=sqlite_shop.name))

    assert report.failed == 0
    staged = sqlite_shop.state.staged_order(sqlite_shop.name, big.shop_id)
    assert [line.title for line in staged.order.lines] == [f"line {n}" for n in range(12)]
    sent = [json.loads(p.read_text()) for p in sorted(tmp_path.glob("shopify-*.json"))]
    follow_ups = [s["variables"] for s in sent if s["operationName"] == "OrderLineItems"]
    assert len(follow_ups) == 1 and follow_ups[0]["after"] is not None  # on from the page's cursor, not line 1
    orders = len(sqlite_shop.data.orders) + 1
    page = catalog.get("OrdersUpdatedSince").max_first
    assert calls(sqlite_shop)["OrdersUpdatedSince"] == -(-orders // page)


def test_the_image_sync_reads_a_chunks_media_in_one_request_each_way_and_stages_its_uploads_together(catalog_shop):
    gids = catalog_shop.emulator.state.seed_products(catalog_shop.data.products)
    catalog_shop.state.put_mappings(catalog_shop.name, "product", gids.items())
    with_images = {image.item_key for image in catalog_shop.data.images}
    assert len(with_images) > 1

    report = sync_images(SyncImagesParams(shop=catalog_shop.name))

    assert (report.created, report.failed) == (len(catalog_shop.data.images), 0)
    assert len(catalog_shop.state.all_mappings(catalog_shop.name, "media")) == len(catalog_shop.data.images)
    made = calls(catalog_shop)
    batch = catalog.get("ProductsMedia").max_ids
    pending, mapped = len(with_images), len(gids)
    assert made["ProductsMedia"] == -(-pending // batch) + -(-mapped // batch)  # before sending; before ERP writes
    assert "ProductMedia" not in made  # no product has more media than a batch shows; no re-read after attaching
    assert made["StagedUploadsCreate"] == 1
    assert made["ProductAttachMedia"] == len(with_images)  # one per product: attaching needs the product
