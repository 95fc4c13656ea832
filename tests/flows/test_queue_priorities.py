"""Queue priorities mean what setup intends: every shop's orders before any catalogue, then maintenance."""

from __future__ import annotations

import asyncio

from prefect.client.orchestration import get_client

from deployments.setup import ensure_work_queues
from domain.categories import Category, queue_name

POOL = "cs-priority-pool"


def _pool_queues_by_priority() -> list[tuple[str, int]]:
    async def read() -> list[tuple[str, int]]:
        async with get_client() as client:
            queues = await client.read_work_queues(work_pool_name=POOL)
        return sorted(((q.name, q.priority) for q in queues), key=lambda pair: pair[1])

    return asyncio.run(read())


def test_every_shops_orders_queue_outranks_every_catalogue_and_maintenance_queue_even_after_a_rerun():
    shops = ["shop-a", "shop-b", "shop-c"]
    asyncio.run(ensure_work_queues(POOL, shops))
    asyncio.run(ensure_work_queues(POOL, shops))  # setup runs again after every change of shops.yaml

    got = _pool_queues_by_priority()
    expected = [queue_name(shop, category) for category in Category for shop in shops]
    assert [name for name, _ in got] == [*expected, "default"]  # the pool's own queue comes last
    assert [priority for _, priority in got] == list(range(1, len(expected) + 2))  # unique, none renumbered away
