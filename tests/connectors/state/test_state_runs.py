"""Run records: period, outcome, counts and record errors of each flow run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from state_helpers import T0

from connectors.state import RecordNotFound, RunStatus, StateStore

D1 = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
D2 = D1 + timedelta(days=1)


def test_a_finished_run_records_its_period_counts_and_errors(store: StateStore, clock):
    run_id = store.start_run("shop-a", "orders", "3f1c-flow-run", D1, D2)
    clock.advance(minutes=3)
    errors = [{"record": "gid://shopify/Order/5", "field": "lines[0].sku", "reason": "unknown SKU 'X'"}]
    store.finish_run(run_id, RunStatus.PARTIAL, {"staged": 24, "failed": 1}, errors)
    [run] = store.list_runs("shop-a", "orders")
    assert (run.id, run.flow_run_id, run.period_start, run.period_end) == (run_id, "3f1c-flow-run", D1, D2)
    assert (run.status, run.started_at, run.finished_at) == (RunStatus.PARTIAL, T0, T0 + timedelta(minutes=3))
    assert run.counts == {"staged": 24, "failed": 1}
    assert run.errors == errors


def test_a_run_that_never_finished_shows_as_running(store: StateStore):
    store.start_run("shop-a", "products", None, None, D2)
    [run] = store.list_runs("shop-a")
    assert (run.status, run.finished_at, run.counts, run.errors) == (RunStatus.RUNNING, None, {}, [])


def test_runs_are_listed_newest_first_and_filtered_by_sync_type(store: StateStore, clock):
    first = store.start_run("shop-a", "orders", "r1", D1, D2)
    clock.advance(hours=1)
    second = store.start_run("shop-a", "products", "r2", D1, D2)
    clock.advance(hours=1)
    third = store.start_run("shop-a", "orders", "r3", D1, D2)
    store.start_run("shop-b", "orders", "r4", D1, D2)
    assert [r.id for r in store.list_runs("shop-a")] == [third, second, first]
    assert [r.id for r in store.list_runs("shop-a", "orders", limit=1)] == [third]


def test_malformed_run_errors_are_refused_naming_the_run_and_entry(sqlite_store: StateStore):
    run_id = sqlite_store.start_run("shop-a", "orders", None, D1, D2)
    with pytest.raises(ValueError, match=rf"run {run_id}: errors\[1\] must have exactly the keys"):
        sqlite_store.finish_run(run_id, "failed", {}, [{"record": "a", "field": None, "reason": "x"}, {"oops": 1}])
    with pytest.raises(ValueError, match="count 'staged' must be an int"):
        sqlite_store.finish_run(run_id, "completed", {"staged": "24"}, [])
    assert sqlite_store.list_runs("shop-a")[0].status is RunStatus.RUNNING


def test_finishing_a_run_as_running_or_an_unknown_run_is_refused(store: StateStore):
    run_id = store.start_run("shop-a", "orders", None, D1, D2)
    with pytest.raises(ValueError, match="final"):
        store.finish_run(run_id, "running", {}, [])
    with pytest.raises(RecordNotFound, match="run 999999"):
        store.finish_run(999_999, "completed", {}, [])


def test_purge_runs_keeps_recent_ones_and_drops_old_ones_including_crashed(store: StateStore, clock):
    old = store.start_run("shop-a", "orders", "old", D1, D2)
    store.finish_run(old, "completed", {"staged": 1}, [])
    store.start_run("shop-a", "orders", "crashed", D1, D2)
    clock.advance(days=30)
    recent = store.start_run("shop-a", "orders", "recent", D1, D2)
    assert store.purge_runs(T0 + timedelta(days=7)) == 2
    assert [r.id for r in store.list_runs("shop-a")] == [recent]
