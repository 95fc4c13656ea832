"""Real deaths on the real stack: flow-run processes killed with SIGKILL on :class:`~commerce_sync.serve.LocalStack`.

The simulated chaos days raise ``WorkerKilled`` inside the process, so every ``finally`` still runs. Here a flow
run's process dies for real, and nothing of its cleanup happens: its Prefect run, its category lock, its run
record in the sync state and its temporary files are left as a power cut leaves them. Two ways to pick the
moment, taking turns (:class:`KillPlanner`):

- **uniform**: the harness sends SIGKILL at a moment drawn uniformly over the flow's run on the clean day
  (from Running seen to final seen);
- **point**: the process kills itself at a kill point of the simulated mode — the N-th task call, request,
  applied write, state write or cursor commit — drawn from the clean day's trace of that flow
  (:mod:`commerce_sync.chaos.selfkill`).

A killed run's next run is triggered at once (the next schedule, already queued), and an observer thread
measures how long until Prefect marks the killed run final and until the next run holds the category's lock.
A run that ended otherwise than Completed (killed, or hit by a disruption of :mod:`commerce_sync.chaos.disrupt`)
is triggered again until one completes. A day runs each wired shop's deployments in ``RUN_ORDER`` (one thread
per shop), with the ERP users' work after ``create_sales_orders`` on the SQL shop; the clean day and the crash
day run on two fresh stacks built alike, and the shops they leave are compared record by record.
"""

from __future__ import annotations

import math
import os
import random
import re
import signal
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from commerce_sync.chaos.selfkill import BOOT_DIR, ENV_KILL_AT, ENV_PORTS, ENV_TRACE, read_trace
from commerce_sync.chaos.stack_ops import flow_run_pid, pid_alive
from commerce_sync.processes import REPO_ROOT
from commerce_sync.serve import FINAL_STATES, Deployment, LocalStack

POLL = 0.25
START_TIMEOUT = 900.0  # trigger → Running: a zombie ahead on the queue is crashed after ~90 s, a restart adds more
RUN_TIMEOUT = 900.0  # Running → final; past it the harness marks the run Crashed itself and counts it
MAX_FREE_ATTEMPTS = 4  # runs after the planned kills before a step counts as unfinished
MAX_MAKEUP_RUNS = 20  # further runs of a shop's last step to make up its kills that did not fire (a full run owed 12)
SETTLE = ("sync_images",)
"""Run once more per shop at the end of both days, before the snapshots: the clean day's only sync_images run
leaves the images it sent PROCESSING in the shop, their hash recorded by the next run (tasks/images.py), and a
crash day's recovery runs record them sooner — a difference of when, not of what (the same media, mappings and
shop). One more run on both days compares settled shops."""


@dataclass
class KillPlan:
    how: str  # "uniform" | "point"
    after: float | None = None  # uniform: seconds after Running was seen
    point: str | None = None  # point: "kind#N"

    def __str__(self) -> str:
        return f"at {self.after:.1f} s" if self.how == "uniform" else f"at {self.point}"


@dataclass
class Attempt:
    flow_run_id: str
    state: str = "?"
    seconds: float = 0.0  # Running seen → final seen (or → killed)
    plan: KillPlan | None = None
    killed: bool = False  # the plan fired: SIGKILL sent, or the process died at its kill point
    held_lock: bool | None = None  # whether the killed run held its category lock when it died
    crashed_after: float | None = None  # kill → Prefect's final state seen
    slot_after: float | None = None  # kill → the category's next run holds the lock
    next_run_id: str | None = None
    disrupted_by: str | None = None  # a disruption that hit this run (server restart, worker killed, …)
    message: str = ""  # its final state's message: who ended it and why
    name: str = ""  # its final state's name (Partial is a FAILED-type state)
    operator: bool = False  # never final on its own: the harness marked it Crashed
    missed: str = ""  # why a planned kill did not fire


@dataclass
class StepResult:
    deployment: Deployment
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def completed(self) -> bool:
        """The step's last run finished its pass: Completed, or Partial (some records failed; the next run retries
        them — reconcile's differences are its failed records). The last one: a SIGKILL can land just after its
        run reported Completed (the run counts as finished, its observer fills the state in a moment later), and
        a step that went on with a further run meanwhile must see that one finish too."""
        last = self.attempts[-1] if self.attempts else None
        return last is not None and (last.state == "COMPLETED" or last.name == "Partial")

    @property
    def kills(self) -> list[Attempt]:
        return [a for a in self.attempts if a.killed]


@dataclass
class DayResult:
    steps: list[StepResult]
    snapshots: dict[str, Any]  # shop → its snapshot
    left_running: list[str]  # flow runs still Running or Pending at the end
    slots_held: dict[str, int]  # lock → active slots at the end
    stale_run_records: dict[str, int]  # shop → "running" rows of cs_runs at the end
    temp_files: list[str]  # left in the stack's TMPDIR
    seconds: float
    traces: dict[str, Counter[str]] = field(default_factory=dict)  # deployment → events by kind (clean day)
    disruptions: list[Any] = field(default_factory=list)  # commerce_sync.chaos.disrupt.Disruption
    skipped: list[str] = field(default_factory=list)  # disruptions the day ended before


class KillPlanner:
    """Which runs die, and when: ``kills`` spread over each shop's steps, the moment uniform or a kill point.

    Each shop gets its share; a step gets ``ceil(left / steps left)`` of it, so a kill that did not fire (the run
    finished before its moment, or before its kill point — a recovering run does less) is made up by the
    shop's later steps, and what the last step still owes by further runs of it (:meth:`owes`). The kinds take
    turns; a deployment without a trace is killed at a uniform moment.
    """

    def __init__(
        self, kills: int, shops: dict[str, int], durations: dict[str, float], traces: dict[str, Counter[str]], seed: int
    ) -> None:
        self.rng = random.Random(seed)
        self.durations, self.traces = durations, traces
        self.left = {shop: kills // len(shops) + (i < kills % len(shops)) for i, shop in enumerate(sorted(shops))}
        self.steps_left = dict(shops)
        self.turn = 0
        self.lock = threading.Lock()

    def step_quota(self, shop: str) -> int:
        with self.lock:
            quota = math.ceil(self.left[shop] / max(1, self.steps_left[shop]))
            self.steps_left[shop] -= 1
            return quota

    def owes(self, shop: str) -> bool:
        """Whether the shop's steps are all planned and some of its kills have not fired yet."""
        with self.lock:
            return self.steps_left[shop] <= 0 and self.left[shop] > 0

    def fired(self, shop: str) -> None:
        with self.lock:
            self.left[shop] -= 1

    def plan(self, deployment: Deployment, *, point: bool = False) -> KillPlan:
        """The next kill; ``point``: at a traced kill point whatever the turn (a make-up kill: a uniform moment
        misses a run of a second or two more often than not, a kill point of a run that does the same work every
        time does not)."""
        with self.lock:
            self.turn += 1
            trace = self.traces.get(deployment.name, Counter())
            if (point or self.turn % 2 == 0) and sum(trace.values()):
                kind = self.rng.choice(sorted(k for k, n in trace.items() if n))
                return KillPlan("point", point=f"{kind}#{self.rng.randint(1, trace[kind])}")
            return KillPlan("uniform", after=self.rng.uniform(0, self.durations.get(deployment.name, 5.0)))


@dataclass
class Day:
    """What the threads of one day share."""

    stack: LocalStack
    log: Callable[[str], None]
    trace_dir: Path
    planner: KillPlanner | None = None
    inflight: dict[str, tuple[Deployment, str]] = field(default_factory=dict)  # shop → (deployment, run id)
    planned: set[str] = field(default_factory=set)  # runs in flight with a kill planned: no disruption for them
    victims: set[str] = field(default_factory=set)  # flow runs a disruption killed
    observers: list[threading.Thread] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    base_env: dict[str, str] = field(default_factory=dict)

    def env_for(self, deployment: Deployment, plan: KillPlan | None) -> tuple[dict[str, str], Path]:
        trace = self.trace_dir / f"{re.sub(r'[^a-z0-9]+', '-', deployment.name)}-{uuid.uuid4().hex[:8]}.tsv"
        env = {**self.base_env, ENV_TRACE: str(trace)}
        if plan is not None and plan.how == "point" and plan.point:
            env[ENV_KILL_AT] = plan.point
        return env, trace


def chaos_env(stack: LocalStack) -> dict[str, str]:
    """Every run's job environment: the pool's default (heartbeats) and the injector, tracing."""
    from prefect.client.orchestration import get_client

    from deployments.builder import load_shops

    pool = load_shops(stack.shops_file).work_pool
    with stack.api(), get_client(sync_client=True) as client:
        template = client.read_work_pool(pool).base_job_template
    default = template["variables"]["properties"]["env"].get("default", {})
    ports = [url.rsplit(":", 1)[1] for url in [*stack.shop_urls.values(), *stack.pohoda_urls.values()]]
    return {**default, "PYTHONPATH": f"{BOOT_DIR}{os.pathsep}{REPO_ROOT}", ENV_PORTS: ",".join(ports)}


# ---- one run ------------------------------------------------------------------------------------------------


def retrying(call: Callable[[], Any], what: str, timeout: float = 300) -> Any:
    """``call()`` again while the server is away (restarted by the disruptor); raises after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return call()
        except Exception as exc:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what}: still failing after {timeout:.0f} s: {exc!r}") from exc
            time.sleep(1)


def run_state(stack: LocalStack, flow_run_id: str) -> str | None:
    """The run's state type, None while the server does not answer."""
    try:
        run = stack.flow_run(flow_run_id)
    except Exception:
        return None
    return run.state.type.value if run.state else "NONE"


def run_end(stack: LocalStack, flow_run_id: str) -> tuple[str, str]:
    """The final state's name and message."""
    try:
        run = stack.flow_run(flow_run_id)
    except Exception:
        return "", ""
    return (run.state.name or "", run.state.message or "") if run.state else ("", "")


def holder_of(stack: LocalStack, lock: str) -> str | None:
    """The flow run that holds ``lock``, as its holder variable says (``engine/locks.py``)."""
    from prefect.client.orchestration import get_client

    from engine.locks import holder_variable

    with stack.api(), get_client(sync_client=True) as client:
        variable = client.read_variable_by_name(holder_variable(lock))
    return str(variable.value.get("flow_run_id")) if variable and isinstance(variable.value, dict) else None


def follow(day: Day, deployment: Deployment, plan: KillPlan | None, previous: Attempt | None = None) -> Attempt:
    """Trigger one run of ``deployment`` and follow it until it is final or killed as ``plan`` says;
    ``previous``, a killed run of the same step, learns which run came next (its observer waits for it)."""
    env, _trace = day.env_for(deployment, plan)
    run_id = retrying(lambda: day.stack.trigger(deployment.name, env=env), f"trigger {deployment.name}")
    if previous is not None and previous.killed:
        previous.next_run_id = run_id
    attempt = Attempt(run_id, plan=plan)
    with day.lock:
        day.inflight[deployment.shop] = (deployment, run_id)
        if plan is not None:
            day.planned.add(run_id)
    try:
        pid, running_at = _wait_running(day, attempt)
        if pid is not None and running_at is not None and plan is not None:
            killed_at = _kill(day, attempt, plan, pid, running_at)
            if killed_at is not None:
                attempt.killed = True
                attempt.seconds = killed_at - running_at
                _observe(day, attempt, deployment, killed_at)
                return attempt
        _wait_final(day, attempt, running_at)
        if plan is not None and plan.how == "point" and _died_of_sigkill(day, attempt):
            attempt.killed = True  # at its kill point before the harness saw it Running: not timed
            attempt.crashed_after = -1.0
            _observe(day, attempt, deployment, time.monotonic())
        elif plan is not None and attempt.flow_run_id not in day.victims:
            attempt.missed = (
                "ended before it was seen Running"
                if running_at is None
                else f"ended before {plan}" + (f" (after {attempt.seconds:.1f} s)" if plan.how == "uniform" else "")
            )
        return attempt
    finally:
        with day.lock:
            day.inflight.pop(deployment.shop, None)
            day.planned.discard(run_id)


def _wait_running(day: Day, attempt: Attempt) -> tuple[int | None, float | None]:
    """The run's process (found as soon as it starts) and when the run was seen Running."""
    deadline = time.monotonic() + START_TIMEOUT
    pid = None
    while time.monotonic() < deadline:
        pid = pid or flow_run_pid(attempt.flow_run_id)
        state = run_state(day.stack, attempt.flow_run_id)
        if state in FINAL_STATES:
            return None, None
        if state == "RUNNING" and pid:
            return pid, time.monotonic()
        time.sleep(POLL)
    return None, None


def _kill(day: Day, attempt: Attempt, plan: KillPlan, pid: int, running_at: float) -> float | None:
    """Carry out ``plan`` on the run's process; returns when it died of it (None: it finished first, or
    something else killed it)."""
    if plan.how == "uniform":
        moment = running_at + (plan.after or 0.0)
        while time.monotonic() < moment:
            if not pid_alive(pid):
                return None
            time.sleep(min(POLL, max(0.0, moment - time.monotonic())))
        if run_state(day.stack, attempt.flow_run_id) in FINAL_STATES:
            return None  # it finished its work first: its process is on its way out
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return None
        return time.monotonic()
    while pid_alive(pid):  # point: the process kills itself there, or finishes
        time.sleep(POLL / 2)
    gone = time.monotonic()
    with day.lock:
        if attempt.flow_run_id in day.victims:
            return None
    # a run that finished reported its final state before its process exited; the worker reports a killed
    # one Crashed within a second or two (10 s: a loaded machine, or a server restarting meanwhile)
    while (state := run_state(day.stack, attempt.flow_run_id)) not in FINAL_STATES and time.monotonic() < gone + 10:
        time.sleep(POLL)
    return gone if state not in ("COMPLETED", "FAILED", "CANCELLED") else None


def _died_of_sigkill(day: Day, attempt: Attempt) -> bool:
    with day.lock:
        victim = attempt.flow_run_id in day.victims
    return attempt.state == "CRASHED" and "status code: -9" in attempt.message and not victim


def _wait_final(day: Day, attempt: Attempt, running_at: float | None) -> None:
    started = running_at or time.monotonic()
    deadline = time.monotonic() + RUN_TIMEOUT
    while time.monotonic() < deadline:
        state = run_state(day.stack, attempt.flow_run_id)
        if state in FINAL_STATES:
            attempt.state, attempt.seconds = str(state), time.monotonic() - started
            attempt.name, attempt.message = run_end(day.stack, attempt.flow_run_id)
            break
        time.sleep(POLL)
    else:
        attempt.operator = True
        attempt.state = _mark_crashed(day.stack, attempt.flow_run_id)
        attempt.seconds = time.monotonic() - started
    with day.lock:
        if attempt.flow_run_id in day.victims:
            attempt.disrupted_by = attempt.disrupted_by or "disruption"


def _mark_crashed(stack: LocalStack, flow_run_id: str) -> str:
    from prefect.client.orchestration import get_client
    from prefect.states import Crashed

    def mark() -> None:
        with stack.api(), get_client(sync_client=True) as client:
            client.set_flow_run_state(
                flow_run_id, Crashed(message="marked by the chaos harness: never final"), force=True
            )

    retrying(mark, f"mark {flow_run_id} crashed")
    return "CRASHED"


def _observe(day: Day, attempt: Attempt, deployment: Deployment, killed_at: float) -> None:
    """Start a thread that measures kill → final state and kill → the next run holds the lock."""
    from domain.categories import locks_for

    lock = locks_for(deployment.shop, deployment.sync_type)[0]

    def watch() -> None:
        attempt.held_lock = _quietly(lambda: holder_of(day.stack, lock)) == attempt.flow_run_id
        deadline = killed_at + 1200
        while time.monotonic() < deadline and (attempt.crashed_after is None or attempt.slot_after is None):
            if attempt.crashed_after is None and (state := run_state(day.stack, attempt.flow_run_id)) in FINAL_STATES:
                attempt.crashed_after, attempt.state = time.monotonic() - killed_at, str(state)
                attempt.name, attempt.message = run_end(day.stack, attempt.flow_run_id)
            if attempt.slot_after is None and attempt.next_run_id:
                holder = _quietly(lambda: holder_of(day.stack, lock))
                if holder == attempt.next_run_id:
                    attempt.slot_after = time.monotonic() - killed_at
                elif holder not in (None, attempt.flow_run_id) or _over(day, attempt.next_run_id):
                    attempt.slot_after = -1.0  # the next run died or finished before it took the lock: not measured
            time.sleep(POLL)

    thread = threading.Thread(target=watch, name=f"observe-{attempt.flow_run_id[:8]}", daemon=True)
    thread.start()
    day.observers.append(thread)


def _over(day: Day, run_id: str) -> bool:
    return run_state(day.stack, run_id) in FINAL_STATES


def _quietly(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except Exception:
        return None


# ---- a step, a shop's day, a day -------------------------------------------------------------------------------


def run_step(day: Day, deployment: Deployment) -> StepResult:
    """Runs of ``deployment`` until one completes: the planned kills first, then free runs. The shop's last step
    goes on after it completed while kills of the shop did not fire (a run ended before its moment), so a day
    fires the ``--kills`` it was asked for; its further runs are of a read-only flow (``reconcile``)."""
    result = StepResult(deployment)
    quota = day.planner.step_quota(deployment.shop) if day.planner else 0
    free = makeup = 0
    while True:
        if result.completed:
            if not (day.planner and day.planner.owes(deployment.shop) and makeup < MAX_MAKEUP_RUNS):
                break
            makeup += 1  # one more planned kill; a miss costs a make-up run, not a free one
            quota, free = len(result.kills) + 1, 0  # and its recovery gets free runs of its own
        elif free >= MAX_FREE_ATTEMPTS:
            break
        kill = len(result.kills) < quota
        plan = day.planner.plan(deployment, point=makeup > 0) if kill and day.planner else None
        # a killed run's next run is triggered at once, as the next schedule would already be waiting
        attempt = follow(day, deployment, plan, result.attempts[-1] if result.attempts else None)
        result.attempts.append(attempt)
        if attempt.killed and day.planner:
            day.planner.fired(deployment.shop)
        elif not attempt.killed and (plan is None or not makeup):
            free += 1
    return result


def shop_day(day: Day, shop: str, flows: list[str] | None = None) -> list[StepResult]:
    from deployments.builder import RUN_ORDER

    by_sync = {d.sync_type: d for d in day.stack.wired() if d.shop == shop}
    steps = []
    for sync in RUN_ORDER:
        if sync not in by_sync or (flows is not None and sync not in flows):
            continue
        step = run_step(day, by_sync[sync])
        day.log(f"    {shop:12} {sync:20} {describe(step)}")
        steps.append(step)
        if sync == "create_sales_orders" and shop in _sql_shops(day.stack):
            retrying(lambda: _sql_users_work(day.stack), "the ERP users' work")
    return steps


def settle(day: Day, flows: list[str] | None) -> None:
    """One more run of each :data:`SETTLE` deployment, nothing killed (see there)."""
    for deployment in day.stack.wired():
        if deployment.sync_type in SETTLE and (flows is None or deployment.sync_type in flows):
            attempt = follow(day, deployment, None)
            day.log(
                f"    {deployment.shop:12} {deployment.sync_type:20} settled: {(attempt.name or attempt.state).lower()}"
            )


def describe(step: StepResult) -> str:
    parts = []
    for a in step.attempts:
        text = (a.name or a.state).lower()
        if a.killed and a.plan:
            text = f"killed {a.plan}"
        else:
            if a.disrupted_by:
                text += f" ({a.disrupted_by})"
            if a.state != "COMPLETED" and a.name != "Partial" and a.message:
                text += f" [{a.message[:120]}]"
        parts.append(text + (" [operator]" if a.operator else ""))
    return ", ".join(parts)


def run_day(
    day: Day, flows: list[str] | None = None, during: Callable[[Callable[[], bool]], None] | None = None
) -> list[StepResult]:
    """Every wired shop's day at once (a thread per shop); ``during(done)`` runs beside them (the disruptor)
    until ``done()``. Returns the steps once the observers have measured every kill."""
    shops = sorted(day.stack.shop_urls)
    results: dict[str, list[StepResult]] = {}
    errors: list[BaseException] = []

    def one(shop: str) -> None:
        try:
            results[shop] = shop_day(day, shop, flows)
        except BaseException as exc:  # reported after the join: a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(shop,), name=f"day-{shop}") for shop in shops]
    for thread in threads:
        thread.start()
    if during is not None:
        during(lambda: not any(t.is_alive() for t in threads))
    for thread in threads:
        thread.join()
    if not errors:
        settle(day, flows)
    for observer in day.observers:
        observer.join(timeout=1200)
    if errors:
        raise errors[0]
    return [step for shop in shops for step in results[shop]]


def day_result(day: Day, steps: list[StepResult], seconds: float) -> DayResult:
    """What the stack was left with: the shops' records, runs not final, slots held, run records, files."""
    stack = day.stack
    shops = sorted(stack.shop_urls)

    return DayResult(
        steps=steps,
        snapshots={shop: retrying(lambda shop=shop: shop_snapshot(stack, shop), f"snapshot {shop}") for shop in shops},
        left_running=retrying(lambda: runs_not_final(stack), "runs not final"),
        slots_held={k: v for k, v in retrying(lambda: active_slots(stack, all_locks(stack)), "slots").items() if v},
        stale_run_records={shop: stale_records(state_url(stack, shop)) for shop in shops},
        temp_files=temp_leftovers(stack),
        seconds=seconds,
    )


def traces_of(day: Day, steps: list[StepResult]) -> dict[str, Counter[str]]:
    """Each deployment's events by kind, from its first run's trace file (the clean day's)."""
    found: dict[str, Counter[str]] = {}
    prefix = {s.deployment.name: re.sub(r"[^a-z0-9]+", "-", s.deployment.name) for s in steps}
    for name, stem in prefix.items():
        files = sorted(day.trace_dir.glob(f"{stem}-*.tsv"), key=lambda p: p.stat().st_mtime)
        found[name] = read_trace(files[0]) if files else Counter()
    return found


# ---- the stack's pieces ----------------------------------------------------------------------------------


def temp_dir(stack: LocalStack) -> Path:
    return Path(stack.env["TMPDIR"])


def temp_leftovers(stack: LocalStack, wait: float = 20) -> list[str]:
    """:func:`leftover_files` of the stack, once its worker had ``wait`` seconds to remove the scratch folders of
    runs that just ended (it does so a moment after a run's process exits)."""
    deadline = time.monotonic() + wait
    while any(map(_worker_scratch, temp_dir(stack).iterdir())) and time.monotonic() < deadline:
        time.sleep(1)
    return leftover_files(temp_dir(stack))


def _worker_scratch(path: Path) -> bool:
    """A run's scratch folder of Prefect's process worker: ``tmp…prefect`` (the run's working directory when
    the pool names none) or ``prefect-workspace-attempt-…`` (a run started through its workspace supervisor)."""
    name = path.name
    return name.startswith("prefect-workspace-attempt-") or (name.startswith("tmp") and name.endswith("prefect"))


def leftover_files(tmp: Path) -> list[str]:
    """What the runs left in the stack's TMPDIR, but the process worker's own ``runner_storage``."""
    return sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*") if p.relative_to(tmp).parts[0] != "runner_storage")


def _sql_shops(stack: LocalStack) -> set[str]:
    from deployments.builder import load_shops

    return {e.name for e in load_shops(stack.shops_file).shops if e.erp == "sql"}


def state_url(stack: LocalStack, shop: str) -> str:
    if shop in _sql_shops(stack):
        return str(stack.erp_url)
    return f"sqlite:///{stack.workdir / f'state-{shop}.db'}"


def shop_snapshot(stack: LocalStack, shop: str) -> Any:
    from commerce_sync.chaos.remote import stack_snapshot

    sql = shop in _sql_shops(stack)
    return stack_snapshot(
        stack.shop_urls[shop],
        erp_url=stack.erp_url if sql else None,
        mserver_url=None if sql else stack.pohoda_urls[shop],
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


def active_slots(stack: LocalStack, locks: list[str]) -> dict[str, int]:
    from prefect.client.orchestration import get_client

    with stack.api(), get_client(sync_client=True) as client:
        return {name: client.read_global_concurrency_limit_by_name(name).active_slots for name in locks}


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


def now() -> str:
    return datetime.now(UTC).strftime("%H:%M:%S")
