"""The run frame's page loop and overlap, without a shop: one task per page until a page says it was the last,
every page's report and retry keys kept."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

import pytest

from connectors.shopify.search import updated_at_filter
from domain.report import SyncReport
from engine.context import SyncContext
from engine.outcomes import Outcome, PageOutcome
from flows import runtime
from flows.runtime import OVERLAP, RunHandle, chunks
from tasks.categories import MembersPage

START = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)


def _run(**fields) -> RunHandle:
    return RunHandle(SyncContext(shop="s", sync_type="sync_things", **fields))


def _listing(cursors: dict[str | None, str | None], calls: list):
    """A page task over a listing whose page at each cursor points to the next one."""

    def page_task(ctx: SyncContext, query: str, cursor: str | None = None) -> PageOutcome[str]:
        calls.append((ctx.shop, query, cursor))
        if cursor == "boom":
            raise RuntimeError("the shop went away")
        report = SyncReport(created=1)
        return PageOutcome(report=report, next_cursor=cursors[cursor], retry_keys=[f"after-{cursor}"])

    return page_task


def test_pages_are_walked_from_the_first_cursor_to_the_last_page():
    calls: list = []
    run = _run()
    pages = run.pages(_listing({None: "a", "a": "b", "b": None}, calls), "updated_at:>x")
    assert calls == [("s", "updated_at:>x", None), ("s", "updated_at:>x", "a"), ("s", "updated_at:>x", "b")]
    assert [p.next_cursor for p in pages] == ["a", "b", None]
    assert run.report.created == 3
    assert run.retry_keys == ["after-None", "after-a", "after-b"]


def test_a_failing_page_stops_the_walk_and_the_pages_before_it_stay_counted():
    calls: list = []
    run = _run()
    with pytest.raises(RuntimeError, match="went away"):
        run.pages(_listing({None: "boom"}, calls), "q")
    assert len(calls) == 2 and run.report.created == 1 and run.retry_keys == ["after-None"]


def test_reports_and_outcomes_add_up_with_their_retry_keys():
    run = _run()
    run.add(SyncReport(updated=2))
    run.add(Outcome(report=SyncReport(failed=1), retry_keys=["gid://shopify/Order/1"]))
    run.add(SyncReport(skipped=1), retry_keys=["SKU-1"])
    assert run.report.counts == {"created": 0, "updated": 2, "skipped": 1, "failed": 1}
    assert run.retry_keys == ["gid://shopify/Order/1", "SKU-1"]


def test_a_run_reads_changes_from_a_little_before_its_period_start():
    assert OVERLAP.total_seconds() > 0
    assert _run(period_start=START, period_end=START.replace(hour=9)).since == START - OVERLAP
    assert _run().since is None  # the first run reads from the beginning


def test_chunks_cover_every_item_once_in_order():
    assert list(chunks(list(range(7)), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(chunks([], 3)) == []


def test_task_outcomes_survive_pickling_as_prefect_ships_results():
    outcomes = [
        PageOutcome(report=SyncReport(created=1), next_cursor="c", retry_keys=["k"]),
        PageOutcome(report=SyncReport(), next_cursor=["DL1", "DL2"]),
        MembersPage(report=SyncReport(), next_cursor=None, members={"CAT": ["I1", "I2"]}),
    ]
    assert [pickle.loads(pickle.dumps(o)) for o in outcomes] == outcomes


def test_shop_changes_retry_last_runs_records_by_id_first_then_pass_them_over_in_the_period(monkeypatch):
    monkeypatch.setattr(runtime, "RETRY_CHUNK", 2)
    retry = [f"gid://shopify/Order/{n}" for n in (1, 2, 3)]
    run = _run(period_start=START, period_end=START.replace(hour=9), retry_keys=retry)
    calls: list = []

    def page_task(ctx: SyncContext, query: str, exclude: list[str], cursor: str | None = None) -> PageOutcome[str]:
        calls.append((query, exclude, cursor))
        return PageOutcome(report=SyncReport(updated=1))

    run.shop_changes(page_task)
    assert [(exclude, cursor) for _, exclude, cursor in calls] == [([], None), ([], None), (retry, None)]
    assert "id:1" in calls[0][0] and "id:2" in calls[0][0] and "id:3" in calls[1][0]
    assert calls[2][0] == updated_at_filter(START - OVERLAP, START.replace(hour=9))
    assert run.report.updated == 3
