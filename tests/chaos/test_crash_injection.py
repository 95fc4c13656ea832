"""A flow killed anywhere — between tasks, before a request, after the peer applied a write but before its answer
was read, before a state write, before the cursor commit — and run again until it completes leaves ERP, shop
and sync state exactly as a run that never failed; so does a day with 20 % of all requests failing on the wire.

A lean sample of what ``bench/chaos.py`` runs hundreds of times (``commerce_sync.chaos``), on both ERP adapters.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from commerce_sync.chaos import trials
from commerce_sync.chaos.kills import KillPoint
from commerce_sync.chaos.shops import ShopSize
from commerce_sync.chaos.snapshot import count, diff
from commerce_sync.chaos.trials import Chooser, FixedPlan, StepResult

SIZE = ShopSize()


def crashed(results: list[StepResult]) -> dict[str, set[str]]:
    """Flow → the kinds of kill point that fired in it."""
    found: dict[str, set[str]] = {}
    for result in results:
        for _, attempt in result.kills:
            found.setdefault(result.step, set()).add(attempt.point.kind)
    return found


def point_at(reference: trials.Reference, step: str, kind: str, label: str, nth: int = 2) -> KillPoint:
    """The kill point at the ``nth`` event of ``kind`` labelled ``label`` in the step's reference trace."""
    events = [e for e in reference.traces[step] if e.kind == kind]
    hits = [ordinal for ordinal, e in enumerate(events, 1) if e.label == label]
    return KillPoint(kind, hits[nth - 1])


def problems(results: list[StepResult]) -> list[str]:
    return [f"{r.step}: {i.kind} {i.table} {i.key!r}: {i.detail}" for r in results for i in r.issues] + [
        f"{r.step}: never completed: {r.attempts[-1].error}" for r in results if not r.completed
    ]


def test_the_diff_counts_lost_duplicated_and_changed_records_by_natural_key():
    reference = {
        "erp_sales_orders": [("#1001", {"total": "10"}), ("#1002", {"total": "20"})],
        "shop.fulfillments": [("#1001/T1", None)],
    }
    other = {
        "erp_sales_orders": [("#1001", {"total": "11"})],
        "shop.fulfillments": [("#1001/T1", None), ("#1001/T1", None), ("#1003/T9", None)],
    }

    issues = diff(reference, other)

    assert (count(issues, "lost"), count(issues, "duplicated"), count(issues, "changed")) == (1, 2, 1)
    assert diff(reference, reference) == []


def test_orders_to_shipments_on_the_sql_erp_survive_a_kill_of_every_kind(tmp_path: Path):
    steps = ["sync_orders", "create_sales_orders", trials.USER_WORKS, "sync_shipments"]
    reference = trials.reference_day("sql", tmp_path, SIZE, steps)
    rng = random.Random(7)
    chooser = Chooser(rng)
    results = []
    for day in range(3):
        results += trials.crash_day(reference, tmp_path, SIZE, steps, set(steps), chooser, rng, label=f"d{day}")
    # a kill after Shopify applied a fulfillment and before its answer: the rarest kind (4 of the day's ~50
    # points), so one day takes it for sure rather than leaving it to the draw
    applied = FixedPlan({"sync_shipments": [point_at(reference, "sync_shipments", "applied", "FulfillmentCreate")]})
    results += trials.crash_day(reference, tmp_path, SIZE, steps, set(steps), applied, rng, label="applied")

    assert problems(results) == []
    kinds = crashed(results)
    assert set(kinds) == {"sync_orders", "create_sales_orders", "sync_shipments"}
    assert set().union(*kinds.values()) >= {"task", "request", "applied", "state", "commit"}


def test_pohoda_documents_survive_a_kill_after_mserver_applied_them_and_before_they_were_recorded(tmp_path: Path):
    steps = ["sync_orders", "create_sales_orders", "sync_payments"]
    reference = trials.reference_day("pohoda", tmp_path, SIZE, steps)
    plan = FixedPlan(
        {
            "create_sales_orders": [point_at(reference, "create_sales_orders", "applied", "pohoda.order")],
            "sync_payments": [point_at(reference, "sync_payments", "state", "pohoda.book_payment")],
        }
    )

    results = trials.crash_day(reference, tmp_path, SIZE, steps, set(steps), plan, random.Random(1))

    assert problems(results) == []
    fired = {r.step: [a.fired.label for _, a in r.kills] for r in results}
    assert fired == {
        "sync_orders": [],
        "create_sales_orders": ["pohoda.order"],
        "sync_payments": ["pohoda.book_payment"],
    }


LIFECYCLE_DAY = [
    "sync_products",
    "sync_orders",
    "create_sales_orders",
    trials.USER_WORKS,
    "sync_payments",
    *trials.LATER_STEPS,
]
"""The order syncs of a day, the shop's lifecycle turns (``samples.lifecycle``) and the order syncs again. The
products go first: the day ends with the stock run (``LATER_STEPS``), which sends stock only for SKUs that
sync_products mapped to shop inventory items and reports every other SKU as a failed record."""


def last_point(reference: trials.Reference, step: str, kind: str, label: str) -> KillPoint:
    """The kill point at the last event of ``kind`` labelled ``label`` in the step's reference trace."""
    events = [e for e in reference.traces[step] if e.kind == kind]
    return KillPoint(kind, max(n for n, e in enumerate(events, 1) if e.label == label))


@pytest.mark.parametrize("adapter", ["sql", "pohoda"])
def test_cancellations_and_refunds_after_import_survive_a_kill_at_their_writes(adapter, tmp_path: Path):
    """Killed after the ERP booked a refund's credit document and before the run recorded anything, and inside
    (SQL) or right after (POHODA: the delete applied, its answer lost) the cancellation of an imported order:
    nothing lost, nothing booked or cancelled twice."""
    reference = trials.reference_day(adapter, tmp_path, SIZE, LIFECYCLE_DAY)
    cancel = "later:create_sales_orders"
    if adapter == "sql":  # the memo is committed by the ERP call; the next refund read is where the worker dies
        refund = point_at(reference, "sync_payments", "request", "OrderRefunds", nth=2)
        kills = {"sync_payments": [refund], cancel: [point_at(reference, cancel, "state", "mark_order_cancelled", 1)]}
    else:
        refund = point_at(reference, "sync_payments", "applied", "pohoda.invoice", nth=1)
        kills = {"sync_payments": [refund], cancel: [last_point(reference, cancel, "applied", "pohoda.order")]}

    results = trials.crash_day(reference, tmp_path, SIZE, LIFECYCLE_DAY, set(kills), FixedPlan(kills), random.Random(1))

    assert problems(results) == []
    fired = {r.step: [a.fired.label for _, a in r.kills] for r in results if r.kills}
    assert set(fired) == set(kills) and all(fired.values()), fired
    turns = next(r for r in results if r.step == trials.SHOP_LIFECYCLE)
    assert turns.completed


@pytest.mark.parametrize(
    ("adapter", "steps", "seed"),
    [
        ("sql", ["sync_categories"], 7),  # creates time out and are applied after the client gave up
        ("pohoda", ["sync_orders", "create_sales_orders"], 3),  # applied imports lose their answer
    ],
)
def test_a_day_with_a_fifth_of_all_requests_failing_ends_as_a_day_without(adapter, steps, seed, tmp_path: Path):
    reference = trials.reference_day(adapter, tmp_path, SIZE, steps)

    results, wire = trials.fault_day(reference, tmp_path, SIZE, steps, rate=0.2, seed=seed, client_timeout=0.5)

    assert problems(results) == []
    faulted = sum(wire[k] for k in ("5xx", "429", "throttled", "timeout", "dropped", "busy"))
    assert faulted >= 0.1 * wire["requests"] and (wire["timeout"] or wire["dropped"]), dict(wire)


def test_the_harness_catches_a_create_repeated_after_its_answer_was_lost(tmp_path: Path, monkeypatch):
    """Proof the comparison can fail: without the look-up by handle, a collection whose create was applied
    but whose answer never arrived is created a second time, and the harness counts the extra one."""
    steps = ["sync_categories"]
    reference = trials.reference_day("sql", tmp_path, SIZE, steps)
    applied = [e.label for e in reference.traces["sync_categories"] if e.kind == "applied"]
    assert applied[0] == "CollectionCreate"
    monkeypatch.setattr("tasks.categories._collection_by_handle", lambda res, handle: None)

    [result] = trials.crash_day(
        reference,
        tmp_path,
        SIZE,
        steps,
        set(steps),
        FixedPlan({"sync_categories": [KillPoint("applied", 1)]}),
        random.Random(1),
    )

    assert result.completed and result.kills[0][1].fired.label == "CollectionCreate"
    assert result.count("duplicated") >= 1


@pytest.mark.parametrize("adapter", ["sql", "pohoda"])
def test_items_imported_from_the_shop_survive_kills_and_go_back_whole(adapter, tmp_path: Path):
    """import_items killed after the ERP applied an item (POHODA: after mServer added a stock card, before the
    answer) and before its mappings were written, then at drawn points; sync_products runs after it, so an
    item left short of a variant would take that variant away in the shop."""
    steps = ["import_items", "sync_products"]
    reference = trials.reference_day(adapter, tmp_path, SIZE, steps)
    trace = reference.traces["import_items"]
    kind, label = ("applied", "pohoda.stock") if adapter == "pohoda" else ("state", "put_mappings")
    planned = FixedPlan({"import_items": [point_at(reference, "import_items", kind, label, nth=1)]})

    results = trials.crash_day(reference, tmp_path, SIZE, steps, set(steps), planned, random.Random(1), label="fixed")
    rng = random.Random(5)
    chooser = Chooser(rng)
    for day in range(2):
        results += trials.crash_day(reference, tmp_path, SIZE, steps, {"import_items"}, chooser, rng, label=f"d{day}")

    assert problems(results) == []
    assert len({e.kind for e in trace}) >= 4, trace  # the import has requests, writes and state to die at
    kills = [a.fired.label for r in results if r.step == "import_items" for _, a in r.kills]
    assert len(kills) >= 3 and label in kills
