"""Real deaths, sampled: flow-run processes SIGKILLed and the Prefect server SIGKILLed mid-run, on a real stack.

The full measurement (≥ 100 kills on both adapters, server, ERP, mServer and worker restarts, the day compared
with a clean one record by record) is ``bench/chaos_real.py``; this is its smallest sample, on the SQL shop's
orders: what a data engineer would notice after a night of such deaths. Every order the shop has is one sales
order in the ERP, the killed runs' lock went to their next run at once (no lease to wait out), and nothing is
left behind — no run Running, no slot held, no run record "running", no temporary file.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from commerce_sync.chaos.disrupt import Disruptor
from commerce_sync.chaos.real import (
    Day,
    KillPlan,
    StepResult,
    active_slots,
    all_locks,
    chaos_env,
    follow,
    runs_not_final,
    stale_records,
    temp_leftovers,
)
from commerce_sync.serve import LocalStack
from tests.e2e.shop_day import place_order
from tests.e2e.stacks import ON_SQLITE

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(600), ON_SQLITE]

NEW_ORDERS = range(9101, 9105)  # placed by buyers before the deaths: the batch before this test imported the rest


def _step(day: Day, sync: str, plans: list[KillPlan | None]) -> StepResult:
    deployment = next(d for d in day.stack.wired() if d.sync_type == sync)
    step = StepResult(deployment)
    for plan in [*plans, None, None]:  # then free runs, until one completes
        step.attempts.append(follow(day, deployment, plan, step.attempts[-1] if step.attempts else None))
        if step.completed:
            break
    return step


def _lock_taken_back(stack: LocalStack, killed_run_id: str, next_run_id: str) -> bool:
    """The next run's log says it took the lock back from the killed one (instead of waiting out its lease)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    with stack.api(), get_client(sync_client=True) as client:
        logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[next_run_id])))
    return any(f"from flow run {killed_run_id}, which ended CRASHED" in log.message for log in logs)


def test_orders_survive_kills_and_a_server_kill_exactly_once_and_leave_nothing_behind(
    stack: LocalStack, tmp_path: Path
) -> None:
    """The last test on the SQLite stack (``conftest.py`` orders it so): it kills that stack's server, and what
    it finds left behind at the end is left by every run the stack made."""
    for number in NEW_ORDERS:
        place_order(stack, number)
    day = Day(stack, print, tmp_path, base_env=chaos_env(stack))

    # killed at its cursor commit (inside its lock, every order staged), then left to finish
    orders = _step(day, "sync_orders", [KillPlan("point", point="commit#1")])
    # the server SIGKILLed and started again while create_sales_orders writes sales orders
    disruptor = Disruptor(day, ["server-kill"], gap=0, pg_admin=None)
    finished = threading.Event()
    server = threading.Thread(target=disruptor.run, args=(finished.is_set,))
    server.start()
    # killed at its second state write (inside the transaction that holds the ERP write), then at 1 s
    sales = _step(day, "create_sales_orders", [KillPlan("point", point="state#2"), KillPlan("uniform", after=1.0)])
    finished.set()
    server.join(timeout=300)

    assert orders.completed and sales.completed, [a.state for a in orders.attempts + sales.attempts]
    assert [d.kind for d in disruptor.done] == ["server-kill"]
    assert orders.attempts[0].killed and sales.attempts[0].killed
    # the moment 1 s into a run can come after its end when the server's kill held the run up meanwhile (its
    # Running seen only once the server answered again): that run was hit by the server's death instead
    uniform = sales.attempts[1]
    assert uniform.killed or uniform.flow_run_id in disruptor.done[0].runs, (uniform.missed, disruptor.done)
    assert _lock_taken_back(stack, orders.attempts[0].flow_run_id, orders.attempts[1].flow_run_id)

    engine = sa.create_engine(str(stack.erp_url))
    with engine.connect() as conn:
        staged = dict(conn.execute(sa.text("SELECT shop_id, status FROM cs_staged_orders")).all())
        sales_orders = conn.execute(sa.text("SELECT shop_order_id FROM erp_sales_orders")).scalars().all()
    engine.dispose()
    imported = sorted(shop_id for shop_id, status in staged.items() if status == "done")
    assert {f"gid://shopify/Order/{n}" for n in NEW_ORDERS} <= set(imported)
    assert sorted(sales_orders) == imported  # each order once: none lost, none twice
    assert not [s for s in staged.values() if s not in ("done", "skipped")]

    assert runs_not_final(stack) == []
    assert not any(active_slots(stack, all_locks(stack)).values())
    assert stale_records(str(stack.erp_url)) == 0
    assert temp_leftovers(stack) == []
