"""Batch reads by id (``nodes(ids:)``) and batched uploads: as few requests as Shopify's 1000-point cap allows,
the same answers as one request per record.

Against the in-process emulator, except the cost checks, which use the real 2026-04 schema.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from graphql import GraphQLSchema

from commerce_sync.samples.data import generate
from connectors.shopify import CostGovernor, ShopifyClient
from connectors.shopify.errors import OperationError, RecordError
from connectors.shopify.media import product_media, stage_images
from connectors.shopify.nodes import batches, read_nodes
from connectors.shopify.operations import MAX_QUERY_COST, catalog
from connectors.shopify.testing import FakeTime, ScriptedShop, ok
from domain.models import Image
from emulators.shopify.config import DEFAULT_TOKEN, EmulatorConfig
from emulators.shopify.server import emulator_client, emulator_of

BATCH_READS = [op for op in catalog.all() if op.max_ids is not None]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR"


@pytest.fixture
def shop(fake_time: FakeTime) -> Iterator[tuple[ShopifyClient, object, dict[str, str]]]:
    http = emulator_client(EmulatorConfig(bucket_size=100_000, restore_rate=10_000))
    emulator = emulator_of(http.app)
    gids = emulator.state.seed_products(generate(items=50, customers=1, orders=0, seed=3).products)
    client = ShopifyClient(
        f"https://{emulator.config.domain}",
        DEFAULT_TOKEN,
        http=http,
        governor=CostGovernor(clock=fake_time.clock, sleep=fake_time.sleep),
        sleep=fake_time.sleep,
    )
    with http:
        yield client, emulator, gids


def attach(client: ShopifyClient, product_id: str, count: int) -> None:
    images = [
        Image(item_key="X", position=n, filename=f"p{n}.png", content=PNG + bytes([n]), mime_type="image/png")
        for n in range(count)
    ]
    urls = stage_images(client, images)
    media = [{"originalSource": url, "alt": f"photo {n}", "mediaContentType": "IMAGE"} for n, url in enumerate(urls)]
    _, errors = client.mutate("ProductAttachMedia", {"productId": product_id, "media": media}, "productUpdate")
    assert not errors


def calls(emulator: object, operation: str) -> int:
    return emulator.executor.ledger.as_json()["by_operation"].get(operation, {}).get("calls", 0)


@pytest.mark.parametrize("operation", BATCH_READS, ids=[op.name for op in BATCH_READS])
def test_a_batch_read_declares_the_largest_batch_under_the_cap(shopify_schema: GraphQLSchema, operation):
    from emulators.shopify.cost import requested_cost

    def cost(ids: int) -> int:
        variables = {"ids": [f"gid://shopify/Product/{n}" for n in range(ids)]}
        return requested_cost(shopify_schema, operation.document, variables, operation.name, model="pessimistic")

    assert cost(operation.max_ids) <= operation.cost <= MAX_QUERY_COST
    assert cost(operation.max_ids + 1) > MAX_QUERY_COST, "a bigger batch would still fit: raise ids: in line 1"


def test_products_media_are_read_in_batches_and_a_product_with_many_pages_the_rest(shop):
    client, emulator, gids = shop
    products = sorted(gids.values())
    attach(client, products[0], 12)  # more than the 10 a batch shows
    attach(client, products[1], 1)
    gone = "gid://shopify/Product/999999"

    media = product_media(client, [*products, gone])

    assert [node.alt for node in media[products[0]]] == [f"photo {n}" for n in range(12)]
    assert [node.alt for node in media[products[1]]] == ["photo 0"]
    assert all(media[p] == [] for p in products[2:])
    assert media[gone] is None
    size = catalog.get("ProductsMedia").max_ids
    assert calls(emulator, "ProductsMedia") == -(-(len(products) + 1) // size)  # 51 ids: 2 requests
    assert calls(emulator, "ProductMedia") == 1  # only the product with more than a batch shows


def test_the_uploads_of_many_images_reserve_their_targets_in_one_call(shop):
    client, emulator, _ = shop
    images = [Image(item_key=f"ITEM-{n}", filename=f"{n}.png", content=PNG, mime_type="image/png") for n in range(7)]

    urls = stage_images(client, images)

    assert calls(emulator, "StagedUploadsCreate") == 1
    assert len(set(urls)) == 7 and all(isinstance(url, str) and url.endswith(".png") for url in urls)


def test_an_upload_target_refused_fails_only_its_image(make_client):
    refused = {"field": ["input", "1", "fileSize"], "message": "File size is too large"}
    target = {"url": "https://uploads.example/", "resourceUrl": "https://r.example/a.png", "parameters": []}
    shop = ScriptedShop(
        [
            ok({"stagedUploadsCreate": {"stagedTargets": [], "userErrors": [refused]}}),
            ok({"stagedUploadsCreate": {"stagedTargets": [target], "userErrors": []}}),
            httpx.Response(204),
        ]
    )
    images = [Image(item_key=key, filename=f"{key}.png", content=PNG) for key in ("MUG", "CAP")]

    outcomes = stage_images(make_client(shop), images)

    assert outcomes[0] == "https://r.example/a.png"
    assert isinstance(outcomes[1], RecordError) and (outcomes[1].record, outcomes[1].field) == ("CAP", "fileSize")
    assert len(shop.variables[1]["input"]) == 1  # the call was sent again without the refused image


def test_a_full_batch_is_never_reserved_at_what_a_short_batch_cost(make_client):
    shop = ScriptedShop([ok({"nodes": [None] * 2}, requested=47)])
    client = make_client(shop)
    full = [f"gid://shopify/Product/{n}" for n in range(catalog.get("ProductsMedia").max_ids)]

    read_nodes(client, "ProductsMedia", full[:2])

    assert client.estimated_cost("ProductsMedia", {"ids": full[:2]}) == 47
    assert client.estimated_cost("ProductsMedia", {"ids": full}) == catalog.get("ProductsMedia").cost


def test_ids_are_sent_once_each_in_batches_of_the_declared_size():
    operation = catalog.get("ProductsMedia")
    ids = [f"gid://shopify/Product/{n}" for n in range(100)] + ["gid://shopify/Product/0"]

    sent = list(batches(operation, ids))

    assert [len(batch) for batch in sent] == [43, 43, 14]
    assert sum(sent, []) == ids[:100]
    with pytest.raises(OperationError, match="not a batch read"):
        list(batches(catalog.get("ProductMedia"), ids))
