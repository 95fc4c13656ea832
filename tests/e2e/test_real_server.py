"""The deployments on a real Prefect server with a process worker, against the emulators.

What a data engineer relies on once prefect.yaml is deployed: every deployment runs to Completed; syncs of one
queue category started together never do their work at the same time (their run records, written inside the
category lock) while syncs of different categories run at the same time; a run that starts late still syncs
the period of its scheduled time; ``commerce-sync run`` hands a sync to the worker and returns at once.

Flow runs are what costs here (each is a fresh Python process on the worker: ~10 s of CPU on a small machine),
so one batch — every deployment of every shop, triggered at once, one of them late and one through
``commerce-sync run`` — answers most questions, and only the overlap of two categories needs runs of its own.
The whole batch runs on the PostgreSQL-backed server (production's; a SQLite-backed server stalls for up to a
minute at a time on "database is locked" under a batch like this); the SQLite-backed server (the embedded
default) runs a smoke batch of the SQL shop: two syncs of each category, the late one and the background one.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import combinations
from typing import Any

import pytest

from commerce_sync.serve import FINAL_STATES, REPO_ROOT, LocalStack
from tests.e2e.gate import ShopifyGate
from tests.e2e.shop_day import trigger_as_scheduled
from tests.e2e.smoke import BACKGROUND_SYNC, LATE_SYNC, SMOKE_SYNCS
from tests.e2e.stacks import ON_EVERY_DATABASE, ON_POSTGRESQL, ON_SQLITE

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(1800)]  # the batch: ~10 min on a loaded 2-core VM

SHOP = "demo-shop"
POHODA_SHOP = "demo-pohoda"
OVERLAP_PAIR = ("sync-orders/demo-shop", "sync-inventory/demo-shop")  # categories "orders" and "catalog"


def _state(run: Any) -> str:
    return run.state.type.value if run.state else "NONE"


def _clock(moment: datetime) -> str:
    return f"{moment:%H:%M:%S.%f}"[:-3]


def _interval(run: Any) -> str:
    return f"{_clock(run.start_time)}–{_clock(run.end_time)}" if run.start_time and run.end_time else "(never ran)"


def _overlap(a: Any, b: Any) -> bool:
    return a.start_time < b.end_time and b.start_time < a.end_time


@dataclass
class Batch:
    """Every deployment of every wired shop, triggered at once, and what happened to each run."""

    runs: dict[str, Any]  # deployment name → flow run, final
    late_run_id: str
    scheduled_at: datetime
    cursor_before: datetime | None
    background_run_id: str
    returned_at: datetime
    state_when_returned: str


def _trigger_late(stack: LocalStack, name: str, scheduled_at: datetime) -> str:
    """A run Prefect's scheduler made for ``scheduled_at`` (days ago) that a worker starts late."""
    return trigger_as_scheduled(stack, name, scheduled_at)


def _commerce_sync_run(stack: LocalStack, sync: str, shop: str) -> tuple[str, datetime]:
    done = subprocess.run(
        [sys.executable, "-m", "commerce_sync.cli", "run", sync, "--shop", shop],
        env=stack.env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    returned_at = datetime.now(UTC)
    assert done.returncode == 0, done.stdout + done.stderr
    found = re.search(r"flow run ([0-9a-f-]{36})", done.stdout)
    assert found, done.stdout
    return found.group(1), returned_at


def _in_batch(stack: LocalStack) -> list[Any]:
    """The deployments the batch runs: every one on PostgreSQL; on SQLite the smoke batch's (its stack also
    carries the reconcile the browser tests run before it), in prefect.yaml's order."""
    return [d for d in stack.wired() if stack.label != "sqlite" or d.sync_type in SMOKE_SYNCS]


def _schedule(stack: LocalStack, shop: str) -> Any:
    from deployments.builder import load_shops

    return next(s.schedule for s in load_shops(stack.shops_file).shops if s.name == shop)


def _state_store(stack: LocalStack) -> Any:
    from connectors.state import StateStore

    store = StateStore.from_url(stack.erp_url)
    store.create_schema()
    return store


@pytest.fixture(scope="module")
def batch(stack: LocalStack) -> Batch:
    schedule = _schedule(stack, SHOP)
    scheduled_at = schedule.latest_due_date(datetime.now(UTC) - timedelta(days=2)) + timedelta(hours=1)
    store = _state_store(stack)
    cursor_before = store.get_cursor(SHOP, LATE_SYNC).position
    store.engine.dispose()
    ids: dict[str, str] = {}
    late_run_id = background_run_id = ""
    returned_at, state_when_returned = datetime.now(UTC), ""
    # every deployment the stack has: all of them on PostgreSQL, the smoke batch's on SQLite (smoke.py); the
    # maintenance queue's (maintenance, reconcile) once the day's syncs are done, as a shop's day runs them —
    # a reconcile started beside the first catalogue sync finds real drift and ends Partial
    afterwards = []
    for deployment in _in_batch(stack):  # in prefect.yaml's order: a shop's day, category by category
        if deployment.category == "maintenance":
            afterwards.append(deployment.name)
        elif (deployment.shop, deployment.sync_type) == (SHOP, LATE_SYNC):
            ids[deployment.name] = late_run_id = _trigger_late(stack, deployment.name, scheduled_at)
        elif (deployment.shop, deployment.sync_type) == (SHOP, BACKGROUND_SYNC):
            background_run_id, returned_at = _commerce_sync_run(stack, BACKGROUND_SYNC, SHOP)
            state_when_returned = _state(stack.flow_run(background_run_id))
            ids[deployment.name] = background_run_id
        else:
            ids[deployment.name] = stack.trigger(deployment.name)
    assert late_run_id and background_run_id, f"prefect.yaml lacks {LATE_SYNC} or {BACKGROUND_SYNC} for {SHOP}"
    runs = stack.wait_for(list(ids.values()), timeout=1500)
    # the hour's stock run before the maintenance queue's: the batch's sync_inventory ran beside the orders
    # category, and a POHODA order that create_sales_orders made after it reserves stock (stock_basis
    # "available"), so a reconcile straight after finds that real, passing drift (a run on 4 workers did)
    reconciled = {d.shop for d in _in_batch(stack) if d.sync_type == "reconcile"}
    stock = [d.name for d in _in_batch(stack) if d.sync_type == "sync_inventory" and d.shop in reconciled]
    runs |= stack.wait_for([stack.trigger(name) for name in stock], timeout=600)
    later = {name: stack.trigger(name) for name in afterwards}
    runs |= stack.wait_for(list(later.values()), timeout=600)
    ids |= later
    by_name = {name: runs[run_id] for name, run_id in ids.items()}
    for name, run in by_name.items():
        print(f"{stack.label:10} {name:36} {_state(run):9} {_interval(run)}")
    return Batch(by_name, late_run_id, scheduled_at, cursor_before, background_run_id, returned_at, state_when_returned)


def _failure_artifacts(stack: LocalStack, flow_run_ids: list[str], limit: int = 3000) -> str:
    """What the runs' failure and drift artifacts say (the records and checks that failed): the reason a run was
    not Completed, which the flow run's state only links to."""
    found = [a for a in stack.artifacts(flow_run_ids) if a.key and "summary" not in a.key]
    return "\n".join(f"--- artifact {a.key}:\n{str(a.data)[:limit]}" for a in found)


def _assert_every_deployment_completed(stack: LocalStack, batch: Batch, shop: str) -> None:
    names = [d.name for d in _in_batch(stack) if d.shop == shop]
    assert names, f"prefect.yaml has no deployment for {shop}"
    not_completed = {
        n: f"{_state(batch.runs[n])}: {batch.runs[n].state.message}"
        for n in names
        if _state(batch.runs[n]) != "COMPLETED"
    }
    if not_completed:
        what = _failure_artifacts(stack, [str(batch.runs[n].id) for n in not_completed])
        raise AssertionError(f"not Completed: {not_completed}\n{what}\n--- worker log:\n{stack.worker_tail()}")
    ids = [str(batch.runs[n].id) for n in names]
    keys = stack.artifact_keys(ids)
    without_summary = [
        n for n, run_id in zip(names, ids, strict=False) if not any(k.endswith("-summary") for k in keys[run_id])
    ]
    assert not without_summary, f"runs that published no summary artifact: {without_summary}"


@ON_POSTGRESQL
def test_every_deployment_of_the_sql_shop_runs_to_completed(stack: LocalStack, batch: Batch) -> None:
    assert {d.name for d in stack.wired()} >= {d.name for d in stack.deployments(SHOP)}
    _assert_every_deployment_completed(stack, batch, SHOP)


@ON_SQLITE
def test_the_smoke_batch_runs_to_completed_on_the_embedded_sqlite_server(stack: LocalStack, batch: Batch) -> None:
    assert {d.sync_type for d in stack.wired() if d.name in batch.runs} == SMOKE_SYNCS
    _assert_every_deployment_completed(stack, batch, SHOP)


@ON_POSTGRESQL
def test_every_deployment_of_the_pohoda_shop_runs_to_completed(stack: LocalStack, batch: Batch) -> None:
    assert POHODA_SHOP not in stack.skipped, stack.skipped.get(POHODA_SHOP)  # a part of the project: never a skip
    _assert_every_deployment_completed(stack, batch, POHODA_SHOP)


def _span(window: tuple[datetime, datetime]) -> str:
    return f"{window[0]:%H:%M:%S.%f}–{window[1]:%H:%M:%S.%f}"


def _work_windows(stack: LocalStack, shop: str) -> dict[str, tuple[datetime, datetime]]:
    """Flow run id → [started, finished] of the run record each sync writes *inside* its category lock."""
    from connectors.state import StateStore

    url = stack.erp_url if shop == SHOP else f"sqlite:///{stack.workdir / f'state-{shop}.db'}"
    store = StateStore.from_url(url)
    try:
        records = store.list_runs(shop, limit=1000)
    finally:
        store.engine.dispose()
    return {r.flow_run_id: (r.started_at, r.finished_at) for r in records if r.flow_run_id and r.finished_at}


@ON_EVERY_DATABASE
def test_runs_of_one_category_started_together_never_worked_at_the_same_time(stack: LocalStack, batch: Batch) -> None:
    """The exclusion that keeps records safe is the flow's own ``<shop>:<category>`` lock: two runs of one category
    never do their work at once. The work queue's limit is the first line, and it is not airtight — on the
    PostgreSQL server Prefect 3.8.8 sometimes starts a queue's second run while the first still runs (the race
    of PrefectHQ/prefect#14869 and #10771) — so the Prefect-level overlaps are printed, and the assertion is on
    the work windows, which each run records inside the lock."""
    overlapping, queue_overlaps = [], []
    checked = 0
    for shop in stack.shop_urls:
        windows = _work_windows(stack, shop)
        for category in ("orders", "catalog"):
            names = [d.name for d in _in_batch(stack) if d.shop == shop and d.category == category]
            for a, b in combinations(names, 2):
                run_a, run_b = batch.runs[a], batch.runs[b]
                if _overlap(run_a, run_b):
                    queue_overlaps.append(f"{a} {_interval(run_a)} and {b} {_interval(run_b)}")
                work_a, work_b = windows.get(str(run_a.id)), windows.get(str(run_b.id))
                assert work_a and work_b, f"no run record for {a if not work_a else b}"
                checked += 1
                if work_a[0] < work_b[1] and work_b[0] < work_a[1]:
                    overlapping.append(f"{a} worked {_span(work_a)}, {b} {_span(work_b)}")
    print(
        f"{stack.label}: {len(queue_overlaps)} same-category pair(s) Running at once in Prefect:",
        *queue_overlaps,
        sep="\n  ",
    )
    assert checked, "no category with two deployments"
    assert not overlapping, "same-category runs worked at the same time:\n" + "\n".join(overlapping)


@ON_EVERY_DATABASE
def test_a_late_run_syncs_the_period_of_its_scheduled_time_not_of_its_start(stack: LocalStack, batch: Batch) -> None:
    schedule = _schedule(stack, SHOP)
    run = next(r for r in batch.runs.values() if str(r.id) == batch.late_run_id)
    store = _state_store(stack)
    record = next(r for r in store.list_runs(SHOP, LATE_SYNC) if r.flow_run_id == batch.late_run_id)
    store.engine.dispose()
    print(
        f"late run: scheduled {batch.scheduled_at:%Y-%m-%d %H:%M}Z, started {run.start_time:%Y-%m-%d %H:%M}Z, "
        f"synced {record.period_start:%Y-%m-%d %H:%M}Z – {record.period_end:%Y-%m-%d %H:%M}Z"
    )
    assert _state(run) == "COMPLETED"
    assert run.start_time > batch.scheduled_at + timedelta(days=1)  # it really started days late
    assert record.period_start == (batch.cursor_before or schedule.first_period_start())
    assert record.period_end == schedule.latest_due_date(batch.scheduled_at)
    assert record.period_end < schedule.latest_due_date(run.start_time)  # not the period its start would give


@ON_EVERY_DATABASE
def test_commerce_sync_run_returns_while_its_background_run_is_still_going(stack: LocalStack, batch: Batch) -> None:
    run = next(r for r in batch.runs.values() if str(r.id) == batch.background_run_id)
    print(
        f"`commerce-sync run {BACKGROUND_SYNC}` returned at {_clock(batch.returned_at)} with the run "
        f"{batch.state_when_returned}; the run went {_interval(run)} {_state(run)}"
    )
    assert batch.state_when_returned not in FINAL_STATES
    assert _state(run) == "COMPLETED"
    assert run.end_time > batch.returned_at


@contextmanager
def shop_behind(stack: LocalStack, shop: str, url: str) -> Iterator[None]:
    """The shop's block points at ``url`` for the runs that start meanwhile (each run loads the block anew)."""
    from blocks import ShopifyShop

    with stack.api():
        block = ShopifyShop.load(shop)
        original = block.shop_url
        block.shop_url = url
        block.save(shop, overwrite=True)
    try:
        yield
    finally:
        with stack.api():
            block.shop_url = original
            block.save(shop, overwrite=True)


@ON_POSTGRESQL
def test_syncs_of_different_categories_started_together_ran_at_the_same_time(stack: LocalStack) -> None:
    names = [d.name for d in stack.deployments(SHOP)]
    assert all(name in names for name in OVERLAP_PAIR), f"prefect.yaml lacks one of {OVERLAP_PAIR}"
    now = datetime.now(UTC).replace(microsecond=0)
    # a past window on purpose (the cursor stays), so that each run has shop data to read
    window = {"shop": SHOP, "period_start": "2025-01-01T00:00:00+00:00", "period_end": now.isoformat()}
    with ShopifyGate(stack.shop_urls[SHOP]) as gate, shop_behind(stack, SHOP, gate.url):
        orders = stack.trigger(OVERLAP_PAIR[0], {"params": window})
        catalog = stack.trigger(OVERLAP_PAIR[1], {"params": {**window, "full": True}})
        # each run, holding its category's lock, waits at its first Shopify call until both are there
        both_held = gate.wait_until_holding(2, timeout=600)
        states_while_held = [_state(stack.flow_run(run_id)) for run_id in (orders, catalog)]
        gate.open()
        runs = stack.wait_for([orders, catalog])
    a, b = runs[orders], runs[catalog]
    print(f"{OVERLAP_PAIR[0]} {_interval(a)} {_state(a)}; {OVERLAP_PAIR[1]} {_interval(b)} {_state(b)}")
    assert both_held, f"the two runs never waited at the shop together\n--- worker log:\n{stack.worker_tail()}"
    assert states_while_held == ["RUNNING", "RUNNING"]
    assert (_state(a), _state(b)) == ("COMPLETED", "COMPLETED"), stack.worker_tail()
    assert _overlap(a, b), f"{OVERLAP_PAIR[0]} {_interval(a)} and {OVERLAP_PAIR[1]} {_interval(b)} did not overlap"
