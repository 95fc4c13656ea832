"""Setup is idempotent and creates limited queues; `commerce-sync run` respects "Allow background syncs"."""

from __future__ import annotations

import asyncio
import sys

import pytest
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.settings import get_current_settings

from blocks import ShopifyShop
from commerce_sync import runner
from commerce_sync.runner import run_sync
from deployments.setup import setup
from domain.categories import Category, lock_name, queue_name
from domain.report import SyncReport
from engine import resources
from flows.params import SyncParams


def test_setup_twice_creates_each_queue_and_limit_once_with_a_limit_of_one():
    for _ in range(2):
        created = asyncio.run(setup("cs-test-pool", ["shop-x"]))

    async def read():
        async with get_client() as client:
            queues = [
                await client.read_work_queue_by_name(name=queue_name("shop-x", c), work_pool_name="cs-test-pool")
                for c in Category
            ]
            limits = [await client.read_global_concurrency_limit_by_name(lock_name("shop-x", c)) for c in Category]
            return queues, limits

    queues, limits = asyncio.run(read())
    assert [q.concurrency_limit for q in queues] == [1, 1, 1]
    assert [limit.limit for limit in limits] == [1, 1, 1]
    assert sorted(created["block_types"]) == ["erp-database", "pohoda-mserver", "shopify-shop"]


def test_setup_makes_the_pools_runs_send_heartbeats_outlive_their_worker_and_crash_when_heartbeats_stop():
    """A run whose process died with its worker is marked Crashed by the automation (Prefect's "detect zombie
    flows"), and that needs heartbeats every 30 s from every run of the pool; twice gives one automation."""
    from prefect.client.schemas.objects import StateType

    from deployments.crash_detection import ZOMBIE_AUTOMATION

    for _ in range(2):
        asyncio.run(setup("cs-test-heartbeats", ["shop-h"]))

    async def read():
        async with get_client() as client:
            pool = await client.read_work_pool("cs-test-heartbeats")
            return pool, await client.read_automations_by_name(ZOMBIE_AUTOMATION)

    pool, automations = asyncio.run(read())
    properties = pool.base_job_template["variables"]["properties"]
    assert properties["env"]["default"]["PREFECT_FLOWS_HEARTBEAT_FREQUENCY"] == "30"
    # a run's output is not piped into the worker: a worker killed alone no longer takes its runs with it
    assert properties["stream_output"]["default"] is False
    # the engine started directly by setup's interpreter, not through Prefect's workspace supervisor
    assert properties["command"]["default"] == f"{sys.executable} -m prefect.engine"
    assert len(automations) == 1
    trigger, action = automations[0].trigger, automations[0].actions[0]
    # armed by the run's Pending and Running too: a run that died before its first heartbeat is caught as well
    assert trigger.after == {"prefect.flow-run.Pending", "prefect.flow-run.Running", "prefect.flow-run.heartbeat"}
    assert {"prefect.flow-run.heartbeat", "prefect.flow-run.Completed"} <= trigger.expect
    assert trigger.within.total_seconds() == 60 and trigger.for_each == {"prefect.resource.id"}
    # only this project's flows are watched (another project's runs heartbeat every 180 s by default)
    assert trigger.match_related.root["prefect.resource.role"] == "flow"
    assert set(trigger.match_related.root["prefect.resource.name"]) >= {"sync-orders", "sync-products-chunk"}
    assert action.state is StateType.CRASHED


def test_the_zombie_automation_watches_every_flow_of_the_project():
    """A flow left out would stay Running for ever once its process died with its machine."""
    import importlib
    import pkgutil

    from prefect import Flow

    import flows
    from deployments.crash_detection import WATCHED_FLOWS

    names = {
        obj.name
        for module in pkgutil.iter_modules(flows.__path__)
        for obj in vars(importlib.import_module(f"flows.{module.name}")).values()
        if isinstance(obj, Flow)
    }
    assert names and names <= set(WATCHED_FLOWS)


def test_a_shop_without_background_syncs_runs_in_the_foreground(sqlite_shop):
    block = ShopifyShop.load(sqlite_shop.name)
    block.allow_background_syncs = False
    block.save(sqlite_shop.name, overwrite=True)
    resources.forget(sqlite_shop.name)
    outcome = run_sync("sync_orders", sqlite_shop.name, {})
    assert outcome.background is False
    assert outcome.report.created > 0
    assert sqlite_shop.state.count_staged(sqlite_shop.name)["pending"] == outcome.report.created


HEARTBEATS_SEEN: list[int | None] = []


@flow(name="sync-orders")
def _sync_orders_recording_heartbeats(params: SyncParams) -> SyncReport:
    HEARTBEATS_SEEN.append(get_current_settings().flows.heartbeat_frequency)
    return SyncReport()


def test_a_sync_run_in_the_foreground_sends_heartbeats_as_often_as_the_pools_runs(sqlite_shop, monkeypatch):
    """The zombie automation watches this project's flows wherever they run: a foreground run heartbeating at
    Prefect's default (every 180 s) would be marked Crashed 90 s into its run."""
    monkeypatch.setattr(runner, "flow_and_params", lambda sync_type: (_sync_orders_recording_heartbeats, SyncParams))
    block = ShopifyShop.load(sqlite_shop.name)
    block.allow_background_syncs = False
    block.save(sqlite_shop.name, overwrite=True)
    HEARTBEATS_SEEN.clear()

    run_sync("sync_orders", sqlite_shop.name, {})

    assert HEARTBEATS_SEEN == [30]


def test_a_bad_parameter_is_refused_before_anything_is_queued(sqlite_shop):
    with pytest.raises(ValueError, match="period_end"):
        run_sync("sync_orders", sqlite_shop.name, {"period_start": "2026-01-02T00:00:00Z"})


def test_wiring_a_shop_again_under_its_name_replaces_its_blocks_and_drops_the_connectors_built_before(sqlite_shop):
    from blocks import ErpDatabase
    from deployments.wiring import release_shop, wire_shop

    stale = resources.resources(sqlite_shop.name)
    block = ShopifyShop.load(sqlite_shop.name)
    fields = block.model_dump(exclude={"erp_block"}) | {"access_token": block.access_token, "restore_rate": 200.0}

    rewired = wire_shop(sqlite_shop.name, ErpDatabase(url=sqlite_shop.db_url), overwrite=True, **fields)

    assert rewired.erp_block == f"erp-database/{sqlite_shop.name}-erp"
    assert ShopifyShop.load(sqlite_shop.name).restore_rate == 200.0
    fresh = resources.resources(sqlite_shop.name)
    assert fresh is not stale and fresh.shop.restore_rate == 200.0
    assert fresh.erp_block.url.get_secret_value() == sqlite_shop.db_url

    async def limits():
        async with get_client() as client:
            return [
                await client.read_global_concurrency_limit_by_name(lock_name(sqlite_shop.name, c)) for c in Category
            ]

    assert [limit.limit for limit in asyncio.run(limits())] == [1, 1, 1]
    release_shop(sqlite_shop.name)
    assert resources.resources(sqlite_shop.name) is not fresh  # released: the next use builds anew
