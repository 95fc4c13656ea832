"""Idempotent Prefect setup for the shops: work pool, one work queue per shop × category, the global
concurrency limits the flows lock on, and the block types.

Work-queue limits cannot be declared in prefect.yaml, and a ``work_queue_name`` Prefect has not seen is
silently created *without* a limit — so this creates every queue with ``concurrency_limit=1`` before anything
is deployed. Flows fail loudly when their limit is missing instead of running unguarded (Prefect's default is
to skip a missing limit with a warning; ``engine/locks.py``). Safe to run again.

The pool's flow runs send heartbeats, an automation marks a run Crashed when they stop, and a run's output
is not piped into the worker's, so a run outlives its worker (``deployments/crash_detection.py``).

It also creates each shop's shared API budget (``engine.shared_budget``): a rate limit whose size is the
estimated Shopify bucket (20 × the restore rate; Shopify does not document bucket sizes, and each worker's
governor still corrects from ``throttleStatus``) and whose slots decay at the plan's restore rate, taken from
the shop's block (``restore_rate``) or 100 points/s (Standard) while the block does not exist yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate, WorkPoolCreate, WorkPoolUpdate
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

from deployments.crash_detection import ensure_zombie_automation
from deployments.work_pool import pool_template, pool_template_current
from domain.categories import Category, lock_name, queue_name
from engine.shared_budget import budget_limit, ensure_shared_budget

DEFAULT_RESTORE_RATE = 100.0
"""Standard plan, points/s: the budget of a shop whose block does not exist yet (re-run setup after saving it)."""

QUEUE_RANK = (Category.ORDERS, Category.CATALOG, Category.MAINTENANCE)
"""Which category a worker picks first when its own limit binds: orders (money waits on them), then the
catalogue, then maintenance and reconcile, which can wait for a quiet moment."""


def queue_priorities(shops: Iterable[str]) -> dict[str, int]:
    """Queue name → priority (1 = picked first), unique across the pool: every shop's orders queue, then every
    catalogue queue, then every maintenance queue, shops in the given order.

    Unique because Prefect keeps a pool's priorities unique by renumbering: with 1–3 per shop, the second
    shop's queues pushed the first shop's down, so one shop's maintenance outranked another shop's orders.
    """
    shops = list(shops)
    return {
        queue_name(shop, category): rank * len(shops) + index + 1
        for rank, category in enumerate(QUEUE_RANK)
        for index, shop in enumerate(shops)
    }


async def ensure_concurrency_limits(shops: Iterable[str]) -> list[str]:
    """Create the limit (1 slot) of every shop × category that does not exist yet; returns all their names."""
    names = [lock_name(shop, category) for shop in shops for category in Category]
    async with get_client() as client:
        for name in names:
            try:  # read first: a create that collides makes the server log an IntegrityError traceback
                await client.read_global_concurrency_limit_by_name(name)
            except ObjectNotFound:
                try:
                    await client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=1))
                except ObjectAlreadyExists:  # another setup created it meanwhile
                    pass
    return names


async def ensure_work_queues(pool: str, shops: Iterable[str]) -> list[str]:
    """The process work pool and a queue per shop × category, each limited to one run at a time, with
    :func:`queue_priorities`.

    Set in ascending order: Prefect moves a queue already holding a priority one down, so after the last one
    the shops' queues hold 1…n in this order and the pool's own ``default`` queue (and any other) follows them.
    """
    from prefect.workers.process import ProcessWorker

    priorities = queue_priorities(shops)
    async with get_client() as client:
        try:
            existing = await client.read_work_pool(pool)
        except ObjectNotFound:
            template = pool_template(ProcessWorker.get_default_base_job_template())
            await client.create_work_pool(WorkPoolCreate(name=pool, type="process", base_job_template=template))
        else:
            if existing.type == "process" and not pool_template_current(existing.base_job_template):
                template = pool_template(existing.base_job_template)
                await client.update_work_pool(pool, WorkPoolUpdate(base_job_template=template))
        for name, priority in sorted(priorities.items(), key=lambda item: item[1]):
            try:
                queue = await client.read_work_queue_by_name(name=name, work_pool_name=pool)
                await client.update_work_queue(id=queue.id, concurrency_limit=1, priority=priority)
            except ObjectNotFound:
                await client.create_work_queue(name=name, work_pool_name=pool, concurrency_limit=1, priority=priority)
    return list(priorities)


async def ensure_shared_budgets(shops: dict[str, float]) -> list[str]:
    """Create or update each shop's shared API budget (shop block name → plan restore rate, points/s)."""
    budgets = [budget_limit(shop, rate) for shop, rate in shops.items()]
    async with get_client() as client:
        for budget in budgets:
            await ensure_shared_budget(client, budget)
    return [budget.name for budget in budgets]


async def restore_rates(shops: Iterable[str]) -> dict[str, float]:
    """Each shop's restore rate from its block; the Standard default for a shop not saved yet."""
    from blocks import ShopifyShop

    rates: dict[str, float] = {}
    for shop in shops:
        try:
            # Prefect's async-dispatch decorator hides Self from the type checker
            block = cast(ShopifyShop, await ShopifyShop.aload(shop))
        except ValueError:  # no such block (yet)
            rates[shop] = DEFAULT_RESTORE_RATE
        else:
            rates[shop] = block.restore_rate
    return rates


async def register_block_types() -> list[str]:
    import blocks

    registered = []
    for block_cls in (blocks.ShopifyShop, blocks.ErpDatabase, blocks.PohodaMServer):
        await block_cls.register_type_and_schema()
        registered.append(block_cls.get_block_type_slug())
    return registered


async def setup(pool: str, shops: Iterable[str]) -> dict[str, list[str]]:
    shops = list(shops)
    return {
        "block_types": await register_block_types(),
        "work_queues": await ensure_work_queues(pool, shops),
        "concurrency_limits": await ensure_concurrency_limits(shops),
        "shared_budgets": await ensure_shared_budgets(await restore_rates(shops)),
        "automations": [await _zombie_automation()],
    }


async def _zombie_automation() -> str:
    async with get_client() as client:
        return await ensure_zombie_automation(client)
