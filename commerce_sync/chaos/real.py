"""Real deaths on the real stack: flow-run processes killed with SIGKILL, on :class:`~commerce_sync.serve.LocalStack`.

The simulated chaos days raise ``WorkerKilled`` inside the process, so every ``finally`` still runs. Here the
process worker's flow-run process is sent SIGKILL at a moment drawn uniformly over the run's duration (the same
flow's duration on the clean day): nothing of the run's cleanup happens: its Prefect run, its category slot,
its run record in the sync state and its temporary files are left as a power cut leaves them. After each kill
the harness waits until Prefect marks the run final and the category slot is free, then triggers the
deployment again (as the next schedule would) until a run completes, and goes on with the day.

A day runs each wired shop's deployments in ``RUN_ORDER`` (the shops at the same time, one thread each), with
the ERP users' work after ``create_sales_orders`` on the SQL shop. The clean day and the crash day run on two
fresh stacks built alike, and the shops they leave are compared record by record.
"""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from commerce_sync.chaos.remote import stack_snapshot
from commerce_sync.chaos.snapshot import Snapshot
from commerce_sync.serve import FINAL_STATES, Deployment, LocalStack

POLL = 0.25


@dataclass
class Attempt:
    flow_run_id: str
    state: str
    seconds: float  # from Running seen to final seen
    kill_at: float | None = None  # seconds after Running the SIGKILL was sent (None: not killed)
    crashed_after: float | None = None  # SIGKILL → Prefect's final state seen
    slot_free_after: float | None = None  # SIGKILL → every lock of the run free again


@dataclass
class StepResult:
    deployment: Deployment
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def completed(self) -> bool:
        return any(a.state == "COMPLETED" for a in self.attempts)

    @property
    def kills(self) -> list[Attempt]:
        return [a for a in self.attempts if a.kill_at is not None]


@dataclass
class DayResult:
    steps: list[StepResult]
    snapshots: dict[str, Snapshot]  # shop → its snapshot
    left_running: list[str]  # flow runs still Running or Pending at the end
    slots_held: dict[str, int]  # lock → active slots at the end
    stale_run_records: dict[str, int]  # shop → "running" rows of cs_runs at the end
    temp_files: list[str]  # left in the stack's TMPDIR
    seconds: float


def flow_run_pid(flow_run_id: str) -> int | None:
    """The pid of the process worker's process running ``flow_run_id`` (its environment names the run)."""
    needle = f"PREFECT__FLOW_RUN_ID={flow_run_id}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in environ.split(b"\0"):
            return int(entry.name)
    return None


def _state(stack: LocalStack, flow_run_id: str) -> str:
    run = stack.flow_run(flow_run_id)
    return run.state.type.value if run.state else "NONE"


def _wait(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(POLL)


def active_slots(stack: LocalStack, locks: list[str]) -> dict[str, int]:
    from prefect.client.orchestration import get_client

    with stack.api(), get_client(sync_client=True) as client:
        return {name: client.read_global_concurrency_limit_by_name(name).active_slots for name in locks}


def attempt(stack: LocalStack, deployment: Deployment, kill_after: float | None, timeout: float = 600) -> Attempt:
    """One run of ``deployment``; with ``kill_after``, SIGKILL its process that many seconds after it runs."""
    from domain.categories import locks_for

    run_id = stack.trigger(deployment.name)
    pid: list[int] = []

    def running() -> bool:
        state = _state(stack, run_id)
        if state in FINAL_STATES:
            return True
        if state == "RUNNING" and (found := flow_run_pid(run_id)):
            pid.append(found)
            return True
        return False

    _wait(running, timeout, f"{deployment.name} running")
    started = time.monotonic()
    if kill_after is not None and pid:
        time.sleep(kill_after)
        if _state(stack, run_id) not in FINAL_STATES:
            try:
                os.kill(pid[0], signal.SIGKILL)
            except ProcessLookupError:
                pass
            else:
                killed = time.monotonic()
                _wait(lambda: _state(stack, run_id) in FINAL_STATES, timeout, f"{deployment.name} marked final")
                crashed = time.monotonic() - killed
                locks = locks_for(deployment.shop, deployment.sync_type)
                _wait(lambda: not any(active_slots(stack, locks).values()), timeout, f"{locks} free")
                return Attempt(
                    run_id,
                    _state(stack, run_id),
                    killed - started,
                    kill_after,
                    crashed,
                    time.monotonic() - killed,
                )
    _wait(lambda: _state(stack, run_id) in FINAL_STATES, timeout, f"{deployment.name} final")
    return Attempt(run_id, _state(stack, run_id), time.monotonic() - started)


def run_step(
    stack: LocalStack, deployment: Deployment, kill_after: Callable[[int], float | None], max_attempts: int = 4
) -> StepResult:
    """Runs of ``deployment`` until one completes; ``kill_after(n)`` says when (if) to kill the n-th."""
    result = StepResult(deployment)
    for number in range(max_attempts):
        result.attempts.append(attempt(stack, deployment, kill_after(number)))
        if result.completed:
            break
    return result


def shop_day(
    stack: LocalStack,
    shop: str,
    kill_after: Callable[[Deployment, int], float | None],
    log: Callable[[str], None],
    flows: list[str] | None = None,
) -> list[StepResult]:
    from deployments.builder import RUN_ORDER

    by_sync = {d.sync_type: d for d in stack.wired() if d.shop == shop}
    steps = []
    for sync in RUN_ORDER:
        if sync not in by_sync or (flows is not None and sync not in flows):
            continue
        step = run_step(stack, by_sync[sync], lambda n, d=by_sync[sync]: kill_after(d, n))
        states = ", ".join(
            a.state.lower() + (f" (killed at {a.kill_at:.1f} s)" if a.kill_at else "") for a in step.attempts
        )
        log(f"    {shop:12} {sync:20} {states}")
        steps.append(step)
        if sync == "create_sales_orders" and stack.erp_url and shop in _sql_shops(stack):
            _sql_users_work(stack)
    return steps


def run_day(
    stack: LocalStack,
    kill_after: Callable[[Deployment, int], float | None],
    log: Callable[[str], None],
    flows: list[str] | None = None,
) -> DayResult:
    """Every wired shop's day at once (a thread per shop), then what the stack was left with."""
    began = time.monotonic()
    shops = sorted(stack.shop_urls)
    results: dict[str, list[StepResult]] = {}
    errors: list[BaseException] = []

    def one(shop: str) -> None:
        try:
            results[shop] = shop_day(stack, shop, kill_after, log, flows)
        except BaseException as exc:  # reported after the join: a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(shop,), name=f"day-{shop}") for shop in shops]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return DayResult(
        steps=[step for shop in shops for step in results[shop]],
        snapshots={shop: shop_snapshot(stack, shop) for shop in shops},
        left_running=runs_not_final(stack),
        slots_held={k: v for k, v in active_slots(stack, all_locks(stack)).items() if v},
        stale_run_records={shop: stale_records(state_url(stack, shop)) for shop in shops},
        temp_files=leftover_files(temp_dir(stack)),
        seconds=time.monotonic() - began,
    )


# ---- the stack's pieces ----------------------------------------------------------------------------------


def temp_dir(stack: LocalStack) -> Path:
    return Path(stack.env["TMPDIR"])


def leftover_files(tmp: Path) -> list[str]:
    """What the runs left in the stack's TMPDIR, but the process worker's own ``runner_storage``."""
    return sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*") if p.relative_to(tmp).parts[0] != "runner_storage")


def _sql_shops(stack: LocalStack) -> set[str]:
    from deployments.builder import load_shops

    return {e.name for e in load_shops(stack.shops_file).shops if e.erp == "sql"}


def _mserver_url(stack: LocalStack, shop: str) -> str:
    from blocks import ShopifyShop

    with stack.api():
        return ShopifyShop.load(shop).erp().url


def state_url(stack: LocalStack, shop: str) -> str:
    if shop in _sql_shops(stack):
        return str(stack.erp_url)
    return f"sqlite:///{stack.workdir / f'state-{shop}.db'}"


def shop_snapshot(stack: LocalStack, shop: str) -> Snapshot:
    sql = shop in _sql_shops(stack)
    return stack_snapshot(
        stack.shop_urls[shop],
        erp_url=stack.erp_url if sql else None,
        mserver_url=None if sql else _mserver_url(stack, shop),
        state_url=state_url(stack, shop),
    )


def _sql_users_work(stack: LocalStack) -> None:
    from blocks import ShopifyShop
    from commerce_sync.samples.data import generate
    from commerce_sync.user_work import late_in_current_period, sql_user_works

    shop = next(iter(_sql_shops(stack) & set(stack.shop_urls)))
    with stack.api():
        at = late_in_current_period(ShopifyShop.load(shop).schedule)
    sql_user_works(str(stack.erp_url), generate(seed=1, **stack.sample).orders, at)


def all_locks(stack: LocalStack) -> list[str]:
    from domain.categories import locks_for

    return sorted({lock for shop in stack.shop_urls for lock in locks_for(shop, "maintenance")})


def runs_not_final(stack: LocalStack) -> list[str]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType
    from prefect.client.schemas.objects import StateType

    unfinished = FlowRunFilter(
        state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.RUNNING, StateType.PENDING]))
    )
    with stack.api(), get_client(sync_client=True) as client:
        return [f"{r.name} ({r.state_type.value})" for r in client.read_flow_runs(flow_run_filter=unfinished)]


def stale_records(url: str) -> int:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT count(*) FROM cs_runs WHERE status = 'running'")).scalar_one())
    finally:
        engine.dispose()


def uniform_kills(durations: dict[str, float], seed: int, recovery_kill_chance: float) -> Callable[..., float | None]:
    """Kill each deployment's first run at a moment uniform over its clean duration; kill a recovering run
    again with ``recovery_kill_chance``."""
    rng = random.Random(seed)
    lock = threading.Lock()

    def kill_after(deployment: Deployment, number: int) -> float | None:
        with lock:
            if number > 0 and (number > 1 or rng.random() >= recovery_kill_chance):
                return None
            return rng.uniform(0, durations.get(deployment.name, 5.0))

    return kill_after


def now() -> str:
    return datetime.now(UTC).strftime("%H:%M:%S")
