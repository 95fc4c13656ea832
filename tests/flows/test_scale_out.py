"""Scale-out by configuration: sync_products' chunks on Dask worker processes, with the same result as threads.

One flow test, because a cluster costs seconds to start: a LocalCluster of two worker processes on this
machine, named only in the shop's block (``dask_address``), serves both runs; the chunk runs report to the
session's Prefect API from those processes and label themselves with the process they ran in.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterParentFlowRunId
from prefect.events.clients import NullEventsClient
from prefect.events.worker import EventsWorker
from prefect.task_runners import ThreadPoolTaskRunner
from pydantic import ValidationError

from blocks import ShopifyShop
from engine import resources
from flows.sync_products import PROCESS_LABEL, SyncProductsParams, chunk_task_runner, sync_products
from tests.flows.conftest import FlowShop, _make_shop

distributed = pytest.importorskip("distributed", reason="the 'dask' extra is not installed")
pytest.importorskip("prefect_dask", reason="the 'dask' extra is not installed")

CHUNK = 3


def catalog(shop: FlowShop) -> set[tuple]:
    """What the shop holds, without ids and times: every product's fields with its variants'."""
    state = shop.emulator.state
    return {
        (
            p.title,
            p.handle,
            p.vendor,
            p.product_type,
            p.status,
            tuple(p.tags),
            p.description_html,
            tuple((o.name, tuple(o.values)) for o in p.options),
            tuple(
                sorted(
                    (v.sku, v.price, v.compare_at_price, v.barcode, tuple(v.option_values))
                    for v in (state.variants[i] for i in p.variant_ids)
                )
            ),
        )
        for p in state.products.values()
    }


def chunk_runs(parent_id) -> list:
    with get_client(sync_client=True) as client:
        return client.read_flow_runs(
            flow_run_filter=FlowRunFilter(parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[parent_id]))
        )


def test_the_runner_is_chosen_by_configuration_and_a_bad_address_or_a_missing_extra_is_named(monkeypatch):
    params = SyncProductsParams(shop="acme", max_workers=3)
    assert isinstance(chunk_task_runner(params, None), ThreadPoolTaskRunner)
    assert chunk_task_runner(params, "tcp://scheduler:8786").address == "tcp://scheduler:8786"
    local = chunk_task_runner(params.model_copy(update={"chunk_runner": "dask"}), None)
    assert local.address is None and local.cluster_kwargs["n_workers"] == 3 and local.cluster_kwargs["processes"]
    forced = params.model_copy(update={"chunk_runner": "threads"})
    assert isinstance(chunk_task_runner(forced, "tcp://scheduler:8786"), ThreadPoolTaskRunner)

    with pytest.raises(ValidationError, match=r"dask_address\n.*expected tcp://host:8786"):
        ShopifyShop(
            shop_url="acme.myshopify.com",
            access_token="shpat_x",
            erp_block="erp-database/main",
            schedule={"selectedFrequency": "Daily", "startDate": "2026-01-01", "syncHour": 2},
            dask_address="http://scheduler:8786",
        )

    monkeypatch.setitem(sys.modules, "prefect_dask", None)  # as on an install without the extra
    with pytest.raises(RuntimeError, match=r"commerce-sync\[dask\]"):
        chunk_task_runner(params, "tcp://scheduler:8786")


def test_chunks_on_dask_worker_processes_leave_the_shop_as_threads_do_and_a_second_run_sends_nothing(
    sqlite_shop, sqlite_url
):
    with contextmanager(_make_shop)(sqlite_url.replace("erp.db", "erp-threads.db")) as on_threads:
        sync_products(SyncProductsParams(shop=on_threads.name, chunk_size=CHUNK, max_workers=2))
        expected = catalog(on_threads)
    products = len(sqlite_shop.data.products)
    assert len(expected) == products

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        with distributed.Client(cluster) as client:  # as the harness does in this process: no events to the test API
            client.run(EventsWorker.set_client_override, NullEventsClient)
        block = ShopifyShop.load(sqlite_shop.name)
        block.dask_address = cluster.scheduler_address
        block.save(sqlite_shop.name, overwrite=True)
        resources.forget(sqlite_shop.name)
        params = SyncProductsParams(shop=sqlite_shop.name, chunk_size=CHUNK)  # no runner named: the block's

        state = sync_products(params, return_state=True)
        report = state.result()
        assert (report.created, report.failed) == (products, 0)
        assert catalog(sqlite_shop) == expected
        children = chunk_runs(state.state_details.flow_run_id)
        assert len(children) == -(-products // CHUNK) and {c.state_name for c in children} == {"Completed"}
        processes = {c.labels[PROCESS_LABEL].rsplit(":", 1)[1] for c in children}
        assert len(processes) > 1 and str(os.getpid()) not in processes

        run = sqlite_shop.state.list_runs(sqlite_shop.name, "sync_products", limit=1)[-1]
        requests = sqlite_shop.emulator.recorder.count
        again = sync_products(
            params.model_copy(update={"period_start": run.period_start, "period_end": run.period_end})
        )
        assert (again.created, again.updated, again.skipped, again.failed) == (0, 0, products, 0)
        assert sqlite_shop.emulator.recorder.count == requests  # not a single call to the shop
