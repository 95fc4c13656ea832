"""The real-death harness's own pieces: the shop read over HTTP compared by natural key, kills drawn per run,
the flow-run process found by its run id, leftovers counted without Prefect's runner storage.

The harness itself (two stacks, minutes of CPU) is bench-only: ``bench/chaos_real.py``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from commerce_sync.chaos.real import flow_run_pid, leftover_files, uniform_kills
from commerce_sync.chaos.remote import shop_labels, shop_snapshot_of
from commerce_sync.chaos.snapshot import count, diff
from commerce_sync.serve import Deployment


def _shop(product_gid: int, media: list[int], fulfillments: int = 1) -> dict:
    """A shop's JSON picture whose records got other ids (created in another order) than another day's."""
    return {
        "locations": [{"id": "gid://shopify/Location/1", "name": "Main", "active": True}],
        "products": [
            {
                "id": f"gid://shopify/Product/{product_gid}",
                "title": "Mug",
                "handle": "mug",
                "status": "ACTIVE",
                "vendor": "ACME",
                "tags": ["b", "a"],
                "updatedAt": f"2026-12-0{product_gid}T00:00:00Z",
                "options": [],
                "variants": [
                    {
                        "id": f"gid://shopify/ProductVariant/{product_gid + 10}",
                        "sku": "MUG-1",
                        "barcode": None,
                        "title": "Default",
                        "price": "9.90",
                        "compareAtPrice": None,
                        "inventoryItemId": f"gid://shopify/InventoryItem/{product_gid + 20}",
                        "available": {"Main": 3},
                        "onHand": {"Main": 3},
                    }
                ],
                "metafields": {"erp.item": f"gid://shopify/ProductVariant/{product_gid + 10}"},
                "media": [f"gid://shopify/MediaImage/{m}" for m in media],
            }
        ],
        "collections": [
            {
                "id": "gid://shopify/Collection/5",
                "title": "Mugs",
                "handle": "mugs",
                "products": [f"gid://shopify/Product/{product_gid}"],
            }
        ],
        "customers": [],
        "orders": [
            {
                "id": "gid://shopify/Order/9",
                "name": "#1001",
                "closed": False,
                "cancelled": False,
                "tags": [],
                "financialStatus": "PAID",
                "fulfillmentStatus": "FULFILLED",
                "updatedAt": "2026-12-05T00:00:00Z",
                "fulfillments": [
                    {"id": f"gid://shopify/Fulfillment/{n}", "tracking": [{"number": "T1"}], "lines": [{"quantity": 1}]}
                    for n in range(fulfillments)
                ],
            }
        ],
        "bulkOperations": [],
    }


def _snapshot(raw: dict) -> dict:
    return shop_snapshot_of(raw, shop_labels(raw))


def test_the_same_shop_with_other_ids_compares_equal():
    assert diff(_snapshot(_shop(1, media=[7])), _snapshot(_shop(2, media=[8]))) == []


def test_an_extra_image_and_a_second_fulfillment_are_seen():
    issues = diff(_snapshot(_shop(1, media=[7])), _snapshot(_shop(1, media=[7, 8], fulfillments=2)))
    assert count(issues, "changed") == 1  # the product's media count
    assert count(issues, "duplicated") == 1  # the fulfillment sent twice
    assert {i.table for i in issues} == {"shop.products", "shop.fulfillments"}


def test_each_deployment_is_killed_once_within_its_clean_duration():
    deployment = Deployment("sync-orders/demo-shop", "demo-shop", "sync_orders", "orders", "q")
    kills = uniform_kills({deployment.name: 8.0}, seed=1, recovery_kill_chance=0.0)
    first = kills(deployment, 0)
    assert first is not None and 0 <= first <= 8.0
    assert kills(deployment, 1) is None and kills(deployment, 2) is None


def test_the_flow_run_process_is_found_by_its_run_id():
    env = {**os.environ, "PREFECT__FLOW_RUN_ID": "run-under-test-42"}
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"], env=env)
    try:
        assert flow_run_pid("run-under-test-42") == child.pid
        assert flow_run_pid("run-under-test-4") is None
    finally:
        child.kill()
        child.wait()


def test_leftovers_leave_out_the_workers_runner_storage(tmp_path: Path):
    (tmp_path / "runner_storage" / "abc").mkdir(parents=True)
    (tmp_path / "cs-stock-export-demo-x").mkdir()
    assert leftover_files(tmp_path) == ["cs-stock-export-demo-x"]
