"""Several workers syncing one shop stay inside its API budget when they share it through the Prefect server.

Two separate processes (``shared_budget_worker.py``), each with its own process-wide cost governor, read
orders from one emulated shop at the same time. The emulator's bucket is small (1 000 points restoring
500/s) and it prices queries by its pessimistic cost model, so it binds within a few pages: a page of 5 orders
requests 447 points up front.

What "inside the budget" means: Shopify refuses (THROTTLED) any request its bucket cannot cover when it
arrives, so the emulator's count of refused requests is the measure. (The emulator itself never lets the
*actual* cost exceed bucket + restore rate × time, whatever the clients do, and the requested cost
legitimately exceeds it because Shopify refunds requested − actual — so neither sum can show a client
overrunning the bucket; the refusals can.)
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from prefect.client.orchestration import get_client
from prefect.settings import PREFECT_API_URL

from blocks import ShopifyShop
from commerce_sync.samples.data import generate
from connectors.shopify.throttle import reset_governors
from deployments.setup import DEFAULT_RESTORE_RATE, ensure_shared_budgets, setup
from domain.categories import shopify_budget_name
from emulators.shopify import EmulatorConfig, create_app, emulator_of, running_emulator
from engine import resources
from engine.shared_budget import PrefectSharedBucket, budget_limit, ensure_shared_budget

WORKER = Path(__file__).with_name("shared_budget_worker.py")
TOKEN = "shpat_shared_budget_test"
BUCKET = 1000
RESTORE = 500.0
PAGES = 6


def _read_limit(name: str):
    async def read():
        async with get_client() as client:
            return await client.read_global_concurrency_limit_by_name(name)

    return asyncio.run(read())


async def _ensure(shop: str) -> None:
    async with get_client() as client:
        await ensure_shared_budget(client, budget_limit(shop, RESTORE, bucket_size=BUCKET))


def _wait_for(paths: list[Path], workers: list[subprocess.Popen]) -> None:
    deadline = time.monotonic() + 120
    while not all(p.exists() for p in paths):
        for worker in workers:
            if worker.poll() is not None:
                raise AssertionError(f"a worker died before it was ready: {worker.stderr.read()[-3000:]}")
        assert time.monotonic() < deadline, "workers not ready after 120 s"
        time.sleep(0.02)


def run_two_workers(tmp_path: Path, *, shared: bool) -> tuple[list[dict], int]:
    """Two worker processes read PAGES pages each from a fresh emulator, starting together; returns their
    reports and the number of requests the emulator refused (received but never charged)."""
    shop = f"budget-{uuid.uuid4().hex[:8]}"
    if shared:
        asyncio.run(_ensure(shop))
    # pessimistic costs: the linear rule's dear pages make two unshared workers collide within a few pages
    config = EmulatorConfig(tokens=[TOKEN], bucket_size=BUCKET, restore_rate=RESTORE, cost_model="pessimistic")
    app = create_app(config)
    emulator_of(app).state.seed_orders(generate(items=6, customers=10, orders=5 * PAGES + 5, seed=11).orders)
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}
    go = tmp_path / f"go-{shop}"
    ready = [tmp_path / f"ready-{shop}-{n}" for n in range(2)]
    first_pages = [str(tmp_path / f"first-page-{shop}-{n}") for n in range(2)]
    with running_emulator(app=app) as url:
        specs = [
            {
                "url": url,
                "token": TOKEN,
                "shop": shop,
                "shared": shared,
                "restore_rate": RESTORE,
                "bucket_size": BUCKET,
                "pages": PAGES,
                "page_size": 5,
                "go_file": str(go),
                "ready_file": str(ready_file),
                "first_page_file": first_page,
                "first_page_files": first_pages,
            }
            for ready_file, first_page in zip(ready, first_pages, strict=True)
        ]
        workers = [
            subprocess.Popen(
                [sys.executable, str(WORKER), json.dumps(spec)],
                env=env,
                text=True,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for spec in specs
        ]
        try:
            _wait_for(ready, workers)
            go.touch()
            outputs = [worker.communicate(timeout=120) for worker in workers]
        finally:
            for worker in workers:
                worker.kill()
        for worker, (_, err) in zip(workers, outputs, strict=False):
            assert worker.returncode == 0, err[-3000:]
        charged = sum(op["calls"] for op in httpx.get(f"{url}/_emulator/state").json()["cost"]["by_operation"].values())
        received = httpx.get(f"{url}/_emulator/requests").json()["count"]
    return [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs], received - charged


def _overlapped(reports: list[dict]) -> bool:
    """Both workers were reading at the same time (else no coordination was needed): the shop received the
    other worker's requests between each one's first and last answer."""
    return all(r["others_meanwhile"] > 0 for r in reports)


def test_two_workers_sharing_the_budget_are_never_throttled(tmp_path):
    # the precondition, both reading at once, is up to the OS scheduler: on a busy machine one process can read
    # all its pages while the other is off the CPU, which proves nothing either way, so that try is repeated
    for _ in range(3):
        reports, refused = run_two_workers(tmp_path, shared=True)
        if _overlapped(reports):
            break
    assert [r["pages"] for r in reports] == [PAGES, PAGES]
    assert _overlapped(reports), f"the workers never read at the same time in 3 tries: {reports}"
    assert refused == 0
    assert [r["throttled"] for r in reports] == [0, 0]


def test_without_sharing_the_same_two_workers_are_throttled(tmp_path):
    reports, refused = run_two_workers(tmp_path, shared=False)
    assert [r["pages"] for r in reports] == [PAGES, PAGES]  # the governors recover: the sync still completes
    assert _overlapped(reports)
    assert refused > 0
    assert sum(r["throttled"] for r in reports) == refused


def test_setup_creates_each_shops_budget_from_its_block_and_updates_it_when_the_plan_changes():
    saved = f"budget-{uuid.uuid4().hex[:8]}"
    unsaved = f"budget-{uuid.uuid4().hex[:8]}"
    block = ShopifyShop(
        shop_url="acme-store.myshopify.com",
        access_token=TOKEN,
        erp_block="erp-database/none",
        schedule={"selectedFrequency": "Daily", "startDate": "2026-01-01"},
        restore_rate=1000,
    )
    block.save(saved)
    created = asyncio.run(setup("cs-budget-pool", [saved, unsaved]))
    assert created["shared_budgets"] == [shopify_budget_name(saved), shopify_budget_name(unsaved)]
    plus, standard = _read_limit(shopify_budget_name(saved)), _read_limit(shopify_budget_name(unsaved))
    # the estimated bucket (20 s of restore) less a quarter second of headroom
    assert (plus.limit, plus.slot_decay_per_second) == (20_000 - 250, 1000.0)
    assert (standard.limit, standard.slot_decay_per_second) == (2_000 - 25, DEFAULT_RESTORE_RATE)

    asyncio.run(ensure_shared_budgets({saved: 1000.0}))  # again: nothing changes
    assert _read_limit(shopify_budget_name(saved)).model_dump() == plus.model_dump()
    asyncio.run(ensure_shared_budgets({saved: 200.0}))  # the shop moved to Advanced
    advanced = _read_limit(shopify_budget_name(saved))
    assert (advanced.id, advanced.limit, advanced.slot_decay_per_second) == (plus.id, 4_000 - 50, 200.0)


def test_a_worker_creates_a_missing_budget_and_gets_back_what_shopify_refunded():
    shop = f"budget-{uuid.uuid4().hex[:8]}"
    bucket = PrefectSharedBucket(budget_limit(shop, 100.0))
    assert bucket.reserve(742) == 742
    assert _read_limit(shopify_budget_name(shop)).active_slots >= 742 - 100 * 5  # decays 100/s; 5 s is plenty
    bucket.refund(742)
    assert bucket.flush()
    assert _read_limit(shopify_budget_name(shop)).active_slots == 0


def test_a_request_bigger_than_the_shared_bucket_takes_the_whole_bucket_instead_of_failing():
    shop = f"budget-{uuid.uuid4().hex[:8]}"
    bucket = PrefectSharedBucket(budget_limit(shop, 10.0))  # 200 points less 3 of headroom
    assert bucket.reserve(742) == 197


@pytest.mark.parametrize("share", [True, False])
def test_a_shops_client_uses_the_shared_budget_only_when_its_block_says_so(sqlite_shop, share):
    block = ShopifyShop.load(sqlite_shop.name)
    block.shared_rate_limit = share
    block.save(sqlite_shop.name, overwrite=True)
    resources.forget(sqlite_shop.name)
    reset_governors()
    shared = resources.resources(sqlite_shop.name).shopify.governor.shared
    if share:
        assert isinstance(shared, PrefectSharedBucket)
        assert shared.budget == budget_limit(sqlite_shop.name, block.restore_rate)
    else:
        assert shared is None
