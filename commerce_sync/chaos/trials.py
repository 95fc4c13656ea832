"""Crash trials and wire-fault runs over "a shop's day": every sync flow once, in the order a day runs them,
with the ERP's users shipping, executing, cancelling and invoicing orders after the sales orders are made.

- :func:`reference_day` runs the day without any failure and keeps, after each step, the snapshot of ERP,
  shop and sync state, and the trace of the step's kill points.
- :func:`crash_day` runs the same day on a fresh shop of the same seed; each chosen flow is killed at a kill
  point drawn from the reference trace (sometimes killed again while it recovers), then run again until it
  completes, and the snapshot after the step is compared with the reference's.
- :func:`fault_day` runs the day with the emulators failing a share of all requests in every way they can
  (5xx, 429, THROTTLED, timeouts, latency, answers dropped after the write was applied, POHODA busy); a flow
  that fails anyway is run again until it completes; then the same comparison.

A difference is attributed to the step after which it first appears, so one lost record is counted once.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from commerce_sync.chaos.kills import KINDS, Event, Injector, KillPoint, WorkerKilled, injected
from commerce_sync.chaos.shops import ChaosShop, ShopSize, open_shop
from commerce_sync.chaos.snapshot import (
    Issue,
    Snapshot,
    count,
    diff,
    gid_labels,
    pohoda_snapshot,
    shop_snapshot,
    sql_snapshot,
)
from emulators import shopify

USER_WORKS = "user_works"
SHOP_LIFECYCLE = "shop_lifecycle"
LATER = "later:"
"""Prefix of a flow's second run of the day (``later:sync_orders``): after the shop's lifecycle turns, the order
syncs run again and write what only they write — cancellations of imported orders, the day's new orders."""
NOT_FLOWS = (USER_WORKS, SHOP_LIFECYCLE)
"""Steps of a day that are people at work, not a flow: never killed, never a row of their own."""
LATER_STEPS = [
    SHOP_LIFECYCLE,
    f"{LATER}sync_orders",
    f"{LATER}create_sales_orders",
    f"{LATER}sync_payments",
    f"{LATER}sync_inventory",  # the hourly stock run: what the later orders reserved or released in the ERP
]
FLOW_PARAMS: dict[str, dict[str, Any]] = {"sync_products": {"chunk_size": 4, "max_workers": 1}}
"""Small chunks so products go out in several child flow runs; one at a time so a seed replays exactly."""
MAX_ATTEMPTS = 10
"""Runs of a flow after its planned kills before the harness gives up on it (reported as unfinished)."""
FAULT_ATTEMPTS = 30
"""The same under wire faults, where a flow whose tasks keep failing can need many runs (POHODA: one in five
requests failing, and a task redoes its whole batch on each retry)."""


def day_steps(flows: list[str] | None = None) -> list[str]:
    """Every available sync flow in a day's order (``flows`` narrows the ones trials kill, not the day)."""
    from commerce_sync.demo import available_flows

    steps = [name for name, _flow, _params in available_flows()]
    if "create_sales_orders" in steps:
        steps.insert(steps.index("create_sales_orders") + 1, USER_WORKS)
    if "sync_order_status" in steps:
        at = steps.index("sync_order_status") + 1
        steps[at:at] = LATER_STEPS
    unknown = set(flows or []) - set(steps)
    if unknown:
        raise ValueError(f"unknown flows: {', '.join(sorted(unknown))} (known: {', '.join(steps)})")
    return steps


def run_step(shop: ChaosShop, step: str) -> Any:
    if step == USER_WORKS:
        return shop.user_works()
    if step == SHOP_LIFECYCLE:
        return shop.shop_lifecycle()
    from commerce_sync.runner import flow_and_params
    from flows.runtime import report_of

    name = step.removeprefix(LATER)
    flow_fn, params_cls = flow_and_params(name)
    return report_of(flow_fn(params_cls(shop=shop.name, **FLOW_PARAMS.get(name, {})), return_state=True))


def take_snapshot(shop: ChaosShop) -> Snapshot:
    """ERP, shop and sync state of ``shop``, canonical (see ``commerce_sync.chaos.snapshot``)."""
    state = shop.shop.state
    with state.lock:
        labels = gid_labels(state)
    snap = shop_snapshot(state) | sql_snapshot(shop.state_url, labels)
    if shop.mserver is not None:
        snap |= pohoda_snapshot(shop.mserver.state, labels)
    return snap


@dataclass
class Reference:
    adapter: str
    traces: dict[str, list[Event]] = field(default_factory=dict)
    snapshots: dict[str, Snapshot] = field(default_factory=dict)


@dataclass
class Attempt:
    point: KillPoint | None
    outcome: str  # completed | killed | failed
    fired: Event | None = None
    error: str | None = None


@dataclass
class StepResult:
    adapter: str
    step: str
    attempts: list[Attempt]
    issues: list[Issue]

    @property
    def completed(self) -> bool:
        return bool(self.attempts) and self.attempts[-1].outcome == "completed"

    @property
    def kills(self) -> list[tuple[int, Attempt]]:
        return [(n, a) for n, a in enumerate(self.attempts) if a.outcome == "killed"]

    def kill_points(self) -> set[tuple[str, str, str, str, bool]]:
        """(adapter, flow, kill point, what it hit, while recovering) of every kill that fired."""
        return {
            (self.adapter, self.step, str(a.point), a.fired.label if a.fired else "?", n > 0) for n, a in self.kills
        }

    def count(self, kind: str) -> int:
        """Records ``lost``, ``duplicated`` or ``changed`` by this step."""
        return count(self.issues, kind)


class Chooser:
    """Draws kill points from reference traces: kinds in turn, and within a kind every ordinal once (in a
    seeded random order) before any repeats, so rounds spread over distinct points. ``kinds`` narrows the
    kinds drawn from."""

    def __init__(self, rng: random.Random, kinds: tuple[str, ...] = KINDS) -> None:
        self.rng = rng
        self.kinds = kinds
        self._queues: dict[tuple[str, str, str], list[int]] = {}
        self._turns: Counter[tuple[str, str]] = Counter()

    def next(self, adapter: str, step: str, trace: list[Event]) -> KillPoint | None:
        counts = Counter(event.kind for event in trace)
        kinds = [kind for kind in self.kinds if counts[kind]]
        if not kinds:
            return None
        turn = self._turns[(adapter, step)]
        self._turns[(adapter, step)] += 1
        kind = kinds[turn % len(kinds)]
        queue = self._queues.setdefault((adapter, step, kind), [])
        if not queue:
            queue.extend(self.rng.sample(range(1, counts[kind] + 1), counts[kind]))
        return KillPoint(kind, queue.pop())


@dataclass
class FixedPlan:
    """Kill points given by hand, per step, in order (a test that needs one exact point)."""

    points: dict[str, list[KillPoint]]

    def next(self, adapter: str, step: str, trace: list[Event]) -> KillPoint | None:
        queue = self.points.get(step, [])
        return queue.pop(0) if queue else None


def attempt(shop: ChaosShop, step: str, injector: Injector, point: KillPoint | None) -> Attempt:
    """One run of ``step``; after a kill or a failure the worker "restarts" (connectors rebuilt). A run that ended
    Partial (records failed, kept for the next run) counts as failed, so the step runs again as its schedule would."""
    injector.arm(point)
    try:
        report = run_step(shop, step)
    except WorkerKilled:
        outcome = Attempt(point, "killed", injector.fired)
    except Exception as exc:
        fired = injector.fired
        outcome = Attempt(point, "killed" if fired else "failed", fired, f"{type(exc).__name__}: {exc}"[:300])
    else:
        # a Partial run left failed records for its next run (a retry list): the step is not done yet
        failed = getattr(report, "failed", 0)
        done = "completed" if not failed else "failed"
        first = next(iter(getattr(report, "failures", None) or []), None)
        why = f" (first: {first.record}: {first.reason})" if first is not None else ""
        outcome = Attempt(
            point,
            "killed" if injector.fired else done,
            injector.fired,
            f"Partial: {failed} failed{why}"[:300] if failed else None,
        )
    if outcome.outcome != "completed":
        shop.restart()
    return outcome


def recover(
    shop: ChaosShop,
    step: str,
    injector: Injector,
    plan: list[KillPoint],
    before: Callable[[], None] | None = None,
    max_attempts: int = MAX_ATTEMPTS,
) -> list[Attempt]:
    """Run ``step`` with the kill points of ``plan`` armed one per attempt, then unarmed until it completes."""
    attempts: list[Attempt] = []
    while len(attempts) < max_attempts + len(plan):
        if before is not None:
            before()
        point = plan[len(attempts)] if len(attempts) < len(plan) else None
        attempts.append(attempt(shop, step, injector, point))
        if attempts[-1].outcome == "completed":
            break
    return attempts


def reference_day(adapter: str, directory: Path, size: ShopSize, steps: list[str]) -> Reference:
    reference = Reference(adapter)
    injector = Injector()
    with open_shop(adapter, directory / f"reference-{adapter}", size) as shop:
        injector.ports = shop.ports
        with injected(injector):
            for step in steps:
                injector.arm(None)
                run_step(shop, step)
                reference.traces[step] = list(injector.events)
                reference.snapshots[step] = take_snapshot(shop)
    return reference


def crash_day(
    reference: Reference,
    directory: Path,
    size: ShopSize,
    steps: list[str],
    killed: set[str],
    chooser: Chooser | FixedPlan,
    rng: random.Random,
    again: float = 0.3,
    label: str = "crash",
) -> list[StepResult]:
    """The day on a fresh shop, each step of ``killed`` crashed as :class:`Chooser` says (and, with chance
    ``again``, crashed again while recovering); the others run once, untouched."""
    injector = Injector()
    results: list[StepResult] = []
    with open_shop(reference.adapter, directory / f"{label}-{reference.adapter}", size) as shop:
        injector.ports = shop.ports
        with injected(injector):
            seen: set[tuple[str, str, Any]] = set()
            for step in steps:
                plan: list[KillPoint] = []
                trace = reference.traces[step]
                if step in killed and step not in NOT_FLOWS:
                    first = chooser.next(reference.adapter, step, trace)
                    plan = [first] if first else []
                    if plan and rng.random() < again:
                        second = chooser.next(reference.adapter, step, trace)
                        plan += [second] if second else []
                attempts = recover(shop, step, injector, plan)
                results.append(
                    StepResult(
                        reference.adapter,
                        step,
                        attempts,
                        _new_issues(reference.snapshots[step], take_snapshot(shop), seen),
                    )
                )
    return results


def fault_day(
    reference: Reference,
    directory: Path,
    size: ShopSize,
    steps: list[str],
    rate: float,
    seed: int,
    client_timeout: float = 2.0,
) -> tuple[list[StepResult], Counter[str]]:
    """The day with ``rate`` of all peer requests failing (every fault kind of both emulators, in equal
    shares); returns the steps' results and the faults seen on the wire."""
    injector = Injector()
    results: list[StepResult] = []
    with open_shop(reference.adapter, directory / f"faults-{reference.adapter}", size) as shop:
        injector.ports = shop.ports
        shop.shop.set_faults(**shopify_faults(rate, seed, hang=client_timeout * 1.5))
        if shop.mserver is not None:
            shop.mserver.set_faults(**pohoda_faults(rate, seed))
        with injected(injector):
            seen: set[tuple[str, str, Any]] = set()
            for step in steps:
                attempts = recover(
                    shop, step, injector, [], before=lambda: shop.warm(client_timeout), max_attempts=FAULT_ATTEMPTS
                )
                results.append(
                    StepResult(
                        reference.adapter,
                        step,
                        attempts,
                        _new_issues(reference.snapshots[step], take_snapshot(shop), seen),
                    )
                )
        shop.shop.set_faults(shopify.FaultConfig(seed=seed))  # quiet again for the teardown (a new config)
    return results, injector.wire


def share(rate: float, kinds: int) -> float:
    """Per-kind share so that ``rate`` of requests get at least one of ``kinds`` independent faults."""
    return 1 - (1 - rate) ** (1 / kinds)


def shopify_faults(rate: float, seed: int, hang: float) -> dict[str, Any]:
    """5xx, 429, THROTTLED and timeouts (the request hangs past the client's timeout, then is applied) in equal
    shares that add up to ``rate`` of all GraphQL requests; mutations that ran lose their answer (HTTP 502) at
    the same share again; every request is a little late."""
    each = share(rate, 4)
    return {
        "seed": seed,
        "error_5xx": each,
        "rate_429": each,
        "throttled": each,
        "timeout": each,
        "timeout_seconds": hang,
        "drop_after_apply": each,
        "latency": 0.002,
    }


def pohoda_faults(rate: float, seed: int) -> dict[str, Any]:
    """5xx and "busy" in equal shares adding up to ``rate`` of all dataPacks; imports that were applied lose
    their answer at the same share again; every request is a little late."""
    each = share(rate, 2)
    return {"seed": seed, "error_5xx": each, "busy": each, "drop_after_apply": each, "latency": 0.002}


def _new_issues(reference: Snapshot, snapshot: Snapshot, seen: set[tuple[str, str, Any]]) -> list[Issue]:
    """The differences that were not there after an earlier step (``seen`` carries them across steps)."""
    fresh = [issue for issue in diff(reference, snapshot) if issue.identity not in seen]
    seen.update(issue.identity for issue in fresh)
    return fresh
