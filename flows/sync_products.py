"""sync_products: ERP items and prices → Shopify products and variants (BC report 30108, Pohoda export).

Only items changed in the period are read (every item on the first run), and of those only what changed since
it was last sent goes out (``tasks.products``). A big export is split into chunks, each pushed by a child
flow run so the Prefect UI shows every chunk with its own state and logs; the chunks run a few at a time
(``max_workers``), a progress artifact moves as they finish, and a chunk that fails costs only its own items:
they are reported and retried by the next run.

- SQL ERP: chunks of item keys (``sync_products_chunk``).
- POHODA ("dokončování exportu"): the stock export is streamed from mServer into files, a page per chunk;
  each child (``sync_products_export_chunk``) gets a reference to its file, reads it with
  ``iter_stock_chunks`` (``tasks.pohoda_export``), pushes its items, then their changed images (the same
  ``push_images`` as sync_images, so neither sends an image twice). Items that failed last run go as chunks
  of keys.

Where the chunks run is configuration (``chunk_runner``, ``ShopifyShop.dask_address``): threads of this process
by default, or Dask worker processes — a ``LocalCluster`` of ``max_workers`` processes on this machine, or the
shop's running Dask scheduler. Only values cross to a Dask worker (a ``SyncContext``, item keys, an
``ExportChunk`` naming a file); the worker loads the shop's blocks from the same Prefect API, its child flow
run reports there, and the chunk's ``SyncReport`` comes back to this run's report. A POHODA export's files are
on this machine: workers on other machines need ``TMPDIR`` on a shared filesystem.

Last, the shop products of items that are no longer in the ERP are archived, never deleted
(``tasks.archive``); items taken out of sale but still in the ERP are archived by their own push.
"""

from __future__ import annotations

import os
import socket
from typing import Any, Literal

from prefect import Task, flow, get_client, task
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State
from prefect.futures import PrefectFuture, as_completed
from prefect.runtime import flow_run
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from pydantic import Field

from domain.report import SyncReport
from engine.context import SyncContext
from engine.resources import resources
from flows.params import SyncParams
from flows.runtime import RunHandle, sync_run
from tasks.archive import archive_removed_items
from tasks.images import push_images
from tasks.pohoda_export import (
    ExportChunk,
    discard_export,
    download_stock_export,
    images_in_notes,
    read_export_chunk,
    streams_stock_export,
)
from tasks.products import list_changed_item_keys, push_products
from tasks.runs import artifact_key

PROCESS_LABEL = "commerce-sync.process"


class SyncProductsParams(SyncParams):
    chunk_size: int = Field(
        default=200,
        ge=1,
        le=2000,
        title="Items per chunk",
        description="Each chunk is pushed by one child flow run (POHODA: stock cards per chunk).",
    )
    max_workers: int = Field(
        default=4,
        ge=1,
        le=32,
        title="Chunks pushed at the same time",
        description="Threads, or a LocalCluster's processes; a running Dask cluster's own workers decide there.",
    )
    chunk_runner: Literal["threads", "dask"] | None = Field(
        default=None,
        title="Where chunks run",
        description="threads: in this flow run's process. dask: on the shop's Dask scheduler (its block's "
        "dask_address), or on a LocalCluster of max_workers processes on this machine when it names none. "
        "Empty: dask when the shop names a scheduler, else threads.",
    )


def chunk_task_runner(params: SyncProductsParams, dask_address: str | None) -> TaskRunner:
    """The task runner the chunks fan out on; built before any work, so a missing extra fails the run first."""
    if (params.chunk_runner or ("dask" if dask_address else "threads")) == "threads":
        return ThreadPoolTaskRunner(max_workers=params.max_workers)
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError as exc:
        raise RuntimeError("chunk_runner 'dask' needs the dask extra: pip install 'commerce-sync[dask]'") from exc
    if dask_address:
        return DaskTaskRunner(address=dask_address)  # the cluster's own size decides how many chunks at once
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": params.max_workers,
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": ":0",
        }
    )


def label_process() -> None:
    """Label this chunk's flow run with the host and process it ran in: on Dask, the UI shows where each went."""
    with get_client(sync_client=True) as client:
        client.update_flow_run_labels(flow_run.get_id(), {PROCESS_LABEL: f"{socket.gethostname()}:{os.getpid()}"})


@flow(name="sync-products-chunk", log_prints=True)
def sync_products_chunk(shop: str, ctx: SyncContext, keys: list[str]) -> tuple[SyncReport, list[str]]:
    """One chunk of item keys (never the items themselves: flow parameters are stored with the run)."""
    label_process()
    return push_products(ctx, keys)


@flow(name="sync-products-export-chunk", log_prints=True)
def sync_products_export_chunk(shop: str, ctx: SyncContext, chunk: ExportChunk) -> tuple[SyncReport, list[str]]:
    """One chunk of POHODA's stock export, by reference: read it, push its items, then their images."""
    label_process()
    read, keys = read_export_chunk(ctx, chunk)
    report, retry = push_products(ctx, keys)
    images = push_images(ctx, [k for k in keys if k not in retry])
    return read + report + images_in_notes(images), retry


def _run_chunk(ctx: SyncContext, keys: list[str]) -> tuple[SyncReport, list[str]]:
    """A task around the child flow, because a flow cannot be mapped; its retries live in the child's tasks."""
    return sync_products_chunk(ctx.shop, ctx, keys)


def _run_export_chunk(ctx: SyncContext, chunk: ExportChunk) -> tuple[SyncReport, list[str]]:
    return sync_products_export_chunk(ctx.shop, ctx, chunk)


# Not decorated: a function reachable by its own name is pickled by reference, so a Dask worker runs its own
# import of this module. A decorated one would go by value, with copies of the globals it names (the child
# flow among them, whose `SyncContext` type hints then no longer resolve).
run_chunk = task(_run_chunk, name="run_chunk", cache_policy=NO_CACHE)
run_export_chunk = task(_run_export_chunk, name="run_export_chunk", cache_policy=NO_CACHE)


def chunk_failed(keys: list[str], exc: BaseException) -> SyncReport:
    report = SyncReport()
    for key in keys:
        report.fail(key, f"its chunk failed: {type(exc).__name__}: {exc}")
    return report


def run_chunks(
    run: RunHandle,
    params: SyncProductsParams,
    jobs: list[tuple[Task, dict[str, Any], list[str]]],
    description: str,
    runner: TaskRunner,
) -> None:
    """Each job (child-flow task, its parameters, the item keys it covers) ``max_workers`` at a time, with progress.

    The next job is submitted only after the progress artifact moved: on Prefect's embedded SQLite server a child
    run starting while that update commits fails its first API write with "database is locked" (503), and the
    client waits 2 s before trying again — 2 s per chunk when the pool started the next job on its own."""
    progress = create_progress_artifact(
        0.0 if jobs else 100.0, description=description, key=artifact_key(params.shop, "sync_products", "progress")
    )
    if not jobs:  # no cluster started for nothing
        return
    waiting = iter(jobs)
    in_flight: dict[PrefectFuture[Any], list[str]] = {}

    def submit_next() -> None:
        if (job := next(waiting, None)) is not None:
            in_flight[runner.submit(job[0], job[1])] = job[2]

    with runner:
        for _ in range(params.max_workers):
            submit_next()
        for done in range(1, len(jobs) + 1):
            future = next(as_completed(list(in_flight)))
            keys = in_flight.pop(future)
            try:
                report, retry = future.result()
            except Exception as exc:
                report, retry = chunk_failed(keys, exc), keys
            run.add(report, retry_keys=retry)
            update_progress_artifact(progress, 100.0 * done / len(jobs))
            submit_next()


def by_item_keys(run: RunHandle, params: SyncProductsParams, child_ctx: SyncContext, runner: TaskRunner) -> None:
    """SQL ERP: the changed items' keys (and last run's failures), in chunks of keys."""
    listed, keys = list_changed_item_keys(run.ctx)
    run.add(listed)
    chunks = [keys[i : i + params.chunk_size] for i in range(0, len(keys), params.chunk_size)]
    run_chunks(
        run,
        params,
        [(run_chunk, {"ctx": child_ctx, "keys": c}, c) for c in chunks],
        f"{len(keys)} item(s) in {len(chunks)} chunk(s)",
        runner,
    )


def export_completion(run: RunHandle, params: SyncProductsParams, child_ctx: SyncContext, runner: TaskRunner) -> None:
    """POHODA: the stock export streamed into files, a chunk each; last run's failures as chunks of keys."""
    export = download_stock_export(run.ctx, params.chunk_size)
    size = params.chunk_size
    retried = [k for k in dict.fromkeys(run.ctx.retry_keys) if k not in export.listed]
    jobs = [
        (run_export_chunk, {"ctx": child_ctx, "chunk": c}, k)
        for c, k in zip(export.chunks, export.chunk_keys, strict=False)
    ]
    jobs += [
        (run_chunk, {"ctx": child_ctx, "keys": retried[i : i + size]}, retried[i : i + size])
        for i in range(0, len(retried), size)
    ]
    described = f"{export.cards} stock card(s) in {len(export.chunks)} chunk(s)"
    try:
        run_chunks(run, params, jobs, described + (f", {len(retried)} item(s) to retry" if retried else ""), runner)
    finally:
        discard_export(export)


@flow(name="sync-products", log_prints=True)
def sync_products(params: SyncProductsParams) -> SyncReport | State:
    """Send the ERP items and prices changed in the period to the shop as products and variants, in chunks
    (one child run each); products of items gone from the ERP are archived, never deleted."""
    with sync_run(params, "sync_products") as run:
        if run.ctx.nothing_due:
            return run.report
        runner = chunk_task_runner(params, resources(params.shop).shop.dask_address)
        child_ctx = run.ctx.model_copy(update={"retry_keys": []})  # children get their keys, not the run's list
        if streams_stock_export(params.shop):
            export_completion(run, params, child_ctx, runner)
        else:
            by_item_keys(run, params, child_ctx, runner)
        run.add(archive_removed_items(run.ctx))
    return run.final_state
