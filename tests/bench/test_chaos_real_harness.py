"""The real-death harness's own pieces: the shop read over HTTP compared by natural key, kills drawn per run,
the flow-run process found by its run id, leftovers counted without Prefect's runner storage.

The harness itself (two stacks, minutes of CPU) is bench-only: ``bench/chaos_real.py``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

from commerce_sync.chaos.real import Attempt, KillPlanner, StepResult, leftover_files
from commerce_sync.chaos.remote import shop_labels, shop_snapshot_of
from commerce_sync.chaos.snapshot import count, diff
from commerce_sync.chaos.stack_ops import flow_run_pid
from commerce_sync.serve import Deployment


def _shop(product_gid: int, media: list[int], fulfillments: int = 1) -> dict:
    """A shop's JSON picture whose records got other ids (created in another order) than another day's."""
    return {
        "locations": [{"id": "gid://shopify/Location/1", "name": "Main", "active": True}],
        "products": [
            {
                "id": f"gid://shopify/Product/{product_gid}",
                "title": "Mug",
                "handle": "mug",
                "status": "ACTIVE",
                "vendor": "ACME",
                "tags": ["b", "a"],
                "updatedAt": f"2026-12-0{product_gid}T00:00:00Z",
                "options": [],
                "variants": [
                    {
                        "id": f"gid://shopify/ProductVariant/{product_gid + 10}",
                        "sku": "MUG-1",
                        "barcode": None,
                        "title": "Default",
                        "price": "9.90",
                        "compareAtPrice": None,
                        "inventoryItemId": f"gid://shopify/InventoryItem/{product_gid + 20}",
                        "available": {"Main": 3},
                        "onHand": {"Main": 3},
                    }
                ],
                "metafields": {"erp.item": f"gid://shopify/ProductVariant/{product_gid + 10}"},
                "media": [f"gid://shopify/MediaImage/{m}" for m in media],
            }
        ],
        "collections": [
            {
                "id": "gid://shopify/Collection/5",
                "title": "Mugs",
                "handle": "mugs",
                "products": [f"gid://shopify/Product/{product_gid}"],
            }
        ],
        "customers": [],
        "orders": [
            {
                "id": "gid://shopify/Order/9",
                "name": "#1001",
                "closed": False,
                "cancelled": False,
                "tags": [],
                "financialStatus": "PAID",
                "fulfillmentStatus": "FULFILLED",
                "updatedAt": "2026-12-05T00:00:00Z",
                "fulfillments": [
                    {"id": f"gid://shopify/Fulfillment/{n}", "tracking": [{"number": "T1"}], "lines": [{"quantity": 1}]}
                    for n in range(fulfillments)
                ],
            }
        ],
        "bulkOperations": [],
    }


def _snapshot(raw: dict) -> dict:
    return shop_snapshot_of(raw, shop_labels(raw))


def test_the_same_shop_with_other_ids_compares_equal():
    assert diff(_snapshot(_shop(1, media=[7])), _snapshot(_shop(2, media=[8]))) == []


def test_an_extra_image_and_a_second_fulfillment_are_seen():
    issues = diff(_snapshot(_shop(1, media=[7])), _snapshot(_shop(1, media=[7, 8], fulfillments=2)))
    assert count(issues, "changed") == 1  # the product's media count
    assert count(issues, "duplicated") == 1  # the fulfillment sent twice
    assert {i.table for i in issues} == {"shop.products", "shop.fulfillments"}


def test_kills_take_turns_between_a_uniform_moment_and_a_traced_kill_point():
    deployment = Deployment("sync-orders/demo-shop", "demo-shop", "sync_orders", "orders", "q")
    planner = KillPlanner(10, {"demo-shop": 2}, {deployment.name: 8.0}, {deployment.name: Counter(request=3)}, seed=1)
    plans = [planner.plan(deployment) for _ in range(4)]
    assert [p.how for p in plans] == ["uniform", "point", "uniform", "point"]
    assert all(0 <= p.after <= 8.0 for p in plans if p.how == "uniform")
    assert {p.point for p in plans if p.how == "point"} <= {"request#1", "request#2", "request#3"}


def test_a_make_up_kill_is_at_a_traced_kill_point():
    """A full run owed 9 kills after 20 make-up runs of a one-second reconcile: uniform moments kept missing."""
    deployment = Deployment("reconcile/demo-shop", "demo-shop", "reconcile", "maintenance", "q")
    planner = KillPlanner(10, {"demo-shop": 1}, {deployment.name: 1.0}, {deployment.name: Counter(request=4)}, seed=1)
    assert [planner.plan(deployment, point=True).how for _ in range(3)] == ["point"] * 3


def test_a_kill_that_did_not_fire_is_made_up_by_the_shops_later_steps():
    planner = KillPlanner(7, {"a": 2, "b": 2}, {}, {}, seed=1)  # shop a: 4 kills over 2 steps, b: 3
    assert planner.step_quota("a") == 2
    planner.fired("a")  # one of the two fired: the run finished before the second one's moment
    assert planner.step_quota("a") == 3
    assert planner.step_quota("b") == 2


def test_the_shops_last_step_runs_again_until_the_kills_it_owes_have_fired(monkeypatch):
    """A full bench fired 99 of 100 kills: the last step's run (reconcile) ended before its moment, and no later
    step was left to make it up. The last step now runs again, killed, until the shop's share fired."""
    import commerce_sync.chaos.real as real

    planner = KillPlanner(3, {"demo-shop": 1}, {}, {}, seed=1)
    fates = iter([False, True, False, True, True])  # planned kills that fire: the first and the third miss

    def follow(day, deployment, plan, previous=None):
        killed = plan is not None and next(fates)
        return Attempt(str(len(runs)), state="CRASHED" if killed else "COMPLETED", plan=plan, killed=killed)

    runs: list[Attempt] = []
    monkeypatch.setattr(real, "follow", lambda *a: runs.append(follow(*a)) or runs[-1])
    deployment = Deployment("reconcile/demo-shop", "demo-shop", "reconcile", "maintenance", "q")
    step = real.run_step(SimpleNamespace(planner=planner), deployment)
    # miss; make-up kill, recovery; make-up miss; make-up kill, recovery; make-up kill, recovery
    assert [a.killed for a in step.attempts] == [False, True, False, False, True, False, True, False]
    assert len(step.kills) == 3 and not planner.owes("demo-shop") and step.completed


def test_a_make_up_kill_is_followed_by_runs_until_one_completes_however_many_ran_before(monkeypatch):
    """A full bench ended demo-pohoda's reconcile on a killed run: the recovery runs of earlier make-up kills had
    used up the step's free runs. Each make-up kill's recovery gets free runs of its own."""
    import commerce_sync.chaos.real as real

    planner = KillPlanner(6, {"demo-pohoda": 1}, {}, {}, seed=1)
    runs: list[Attempt] = []

    def follow(day, deployment, plan, previous=None):
        killed = plan is not None and len(runs) > 0  # the first planned kill misses, later ones fire
        runs.append(Attempt(str(len(runs)), state="CRASHED" if killed else "COMPLETED", plan=plan, killed=killed))
        return runs[-1]

    monkeypatch.setattr(real, "follow", follow)
    deployment = Deployment("reconcile/demo-pohoda", "demo-pohoda", "reconcile", "maintenance", "q")
    step = real.run_step(SimpleNamespace(planner=planner), deployment)
    assert len(step.kills) == 6 and step.completed and not step.attempts[-1].killed


def test_a_step_is_finished_only_when_its_last_run_finished():
    """A SIGKILL that lands just after its run reported Completed leaves that run Completed; when the step went on
    with a further run meanwhile (killed too), the step is not over until a run after it finishes (found by the
    full bench: a step ended on a killed run)."""
    step = StepResult(Deployment("import-items/demo-shop", "demo-shop", "import_items", "catalog", "q"))
    step.attempts = [Attempt("1", state="CRASHED", killed=True), Attempt("2", state="COMPLETED", killed=True)]
    assert step.completed
    step.attempts.append(Attempt("3", state="CRASHED", killed=True))
    assert not step.completed
    step.attempts.append(Attempt("4", state="FAILED", name="Partial"))
    assert step.completed


def test_the_flow_run_process_is_found_by_its_run_id():
    env = {**os.environ, "PREFECT__FLOW_RUN_ID": "run-under-test-42"}
    # The child says when it runs: right after fork, before exec, /proc still shows the parent's environment.
    script = "import sys, time; print('up', flush=True); time.sleep(30)"
    child = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline() == "up\n"
        assert flow_run_pid("run-under-test-42") == child.pid
        assert flow_run_pid("run-under-test-4") is None
    finally:
        child.kill()
        child.wait()


def test_leftovers_leave_out_the_workers_runner_storage(tmp_path: Path):
    (tmp_path / "runner_storage" / "abc").mkdir(parents=True)
    (tmp_path / "cs-stock-export-demo-x").mkdir()
    assert leftover_files(tmp_path) == ["cs-stock-export-demo-x"]


def test_a_process_armed_with_a_kill_point_dies_of_sigkill_there_and_its_trace_shows_how_far_it_got(tmp_path: Path):
    from commerce_sync.chaos.selfkill import BOOT_DIR, read_trace
    from commerce_sync.processes import REPO_ROOT

    trace = tmp_path / "run.tsv"
    requests = "import httpx\nfor _ in range(3):\n    try: httpx.get('http://127.0.0.1:9/x', timeout=0.2)\n"
    requests += "    except httpx.HTTPError: pass\nprint('survived')"
    env = {
        **os.environ,
        "PYTHONPATH": f"{BOOT_DIR}{os.pathsep}{REPO_ROOT}",
        "COMMERCE_SYNC_CHAOS_PORTS": "9",  # the peer: nothing listens on the discard port
        "COMMERCE_SYNC_CHAOS_TRACE": str(trace),
        "COMMERCE_SYNC_CHAOS_KILL_AT": "request#2",
    }
    done = subprocess.run([sys.executable, "-c", requests], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == -9 and "survived" not in done.stdout
    assert read_trace(trace) == Counter(request=2)
