"""Disruptions of the real stack while sync runs are in flight, beside the flow-run kills of ``real.py``.

- ``server-term`` / ``server-kill``: the Prefect server stopped with SIGTERM (a graceful restart: a deploy, a
  host reboot) or SIGKILL (an OOM kill) and started again on the same port and database;
- ``erp``: every connection to the SQL ERP's database ended with ``pg_terminate_backend``, as a PostgreSQL
  restart or failover does to its clients (the cluster is shared with the Prefect server's and other
  databases on this machine, so it is not restarted itself);
- ``mserver``: the POHODA shop's mServer emulator SIGKILLed while it processes an import and started again on its
  state file; its imports are slowed to 1 s per item meanwhile (``item_seconds``), so the kill lands between
  items or after the last one, before the answer;
- ``worker``: the process worker SIGKILLed alone (its flow runs live on, as under a restarted worker service);
- ``host``: the worker SIGKILLed with every flow-run process it started, as a machine that dies: nobody
  reports those runs Crashed but the zombie automation (``deployments/crash_detection.py``).

The disruptor takes them in a seeded order, one every ``gap`` seconds at the first moment its condition holds
(a run in flight; for ``erp`` a run of the SQL shop; for ``mserver`` an importing run of the POHODA shop), and
records which runs were in flight. How those runs ended, and for ``host`` how long until Prefect marked each
Crashed and until the category's next run held the lock, is read afterwards (:func:`outcomes`).
"""

from __future__ import annotations

import random
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from commerce_sync.chaos import stack_ops
from commerce_sync.chaos.real import Day, holder_of, run_state
from commerce_sync.serve import FINAL_STATES, Deployment

KINDS = ("server-term", "server-kill", "erp", "mserver", "worker", "host")
IMPORTING = {"create_sales_orders", "sync_customers", "sync_payments", "import_items", "sync_images"}
"""POHODA flows that import dataPacks (orders, address book, bank and cash documents, stock cards, pictures)."""


@dataclass
class Disruption:
    kind: str
    wall: datetime
    detail: str = ""
    down: float | None = None  # seconds the piece did not answer
    runs: list[str] = field(default_factory=list)  # flow runs in flight at that moment
    names: list[str] = field(default_factory=list)  # their deployments
    planned: list[str] = field(default_factory=list)  # of them, runs with a kill planned: their end is not counted
    final: dict[str, tuple[str, float | None]] = field(default_factory=dict)  # run → (state, s until final)
    slot: dict[str, float] = field(default_factory=dict)  # host: run → s until another run held its lock


@dataclass
class Disruptor:
    day: Day
    plan: list[str]  # kinds, in the order they happen
    gap: float
    pg_admin: str | None
    done: list[Disruption] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    observers: list[threading.Thread] = field(default_factory=list)

    @classmethod
    def seeded(cls, day: Day, counts: dict[str, int], gap: float, seed: int, pg_admin: str | None) -> Disruptor:
        plan = [kind for kind in KINDS for _ in range(counts.get(kind, 0))]
        random.Random(seed).shuffle(plan)
        return cls(day, plan, gap, pg_admin)

    def run(self, day_over: Callable[[], bool]) -> None:
        """Disrupt until the plan is done or the day is over (what is left is reported as skipped): after each
        gap, the first kind of the plan whose moment has come (a rare moment — an import on the POHODA shop — is
        not held up behind the others)."""
        queue = list(self.plan)
        while queue and not day_over():
            if _sleep_until(day_over, time.monotonic() + self.gap):
                break
            ready = self._first_ready(queue, day_over)
            if ready is None:
                break
            kind, runs = ready
            queue.remove(kind)
            try:
                found = self._do(kind, runs)
            except Exception as exc:  # the harness goes on: a disruption that could not be done is reported
                self.day.log(f"  ! {kind}: {exc!r}")
                found = None
            if found is None:
                queue.append(kind)
                continue
            self.done.append(found)
            self.day.log(f"  ~ {found.kind}: {found.detail}; runs hit: {', '.join(found.names) or 'none'}")
        self.skipped = queue

    def _first_ready(self, queue: list[str], day_over: Callable[[], bool]) -> tuple[str, list[str]] | None:
        rare_first = sorted(dict.fromkeys(queue), key=lambda kind: kind not in ("mserver", "erp"))
        while not day_over():
            for kind in rare_first:
                if runs := self._running(kind):
                    return kind, runs
            time.sleep(0.2)
        return None

    def _running(self, kind: str) -> list[str]:
        """Runs in flight that make this the moment for ``kind`` (none: not yet). A run with a kill planned
        counts too (most runs of a crash day have one): it is hit as well, but its end is not counted as the
        disruption's (:func:`outcomes` leaves it out)."""
        with self.day.lock:
            inflight = dict(self.day.inflight)
        stack = self.day.stack
        if kind == "erp":  # a run of the SQL shop that has its ERP connections open
            sql = [run for shop, (d, run) in inflight.items() if shop not in stack.pohoda_urls]
            running = [run for run in sql if run_state(stack, run) == "RUNNING"]
            if not running or self.pg_admin is None:
                return running
            return running if stack_ops.erp_backends(self.pg_admin, str(stack.erp_url)) else []
        if kind == "mserver":
            return [
                run for shop, (d, run) in inflight.items() if shop in stack.pohoda_urls and d.sync_type in IMPORTING
            ]
        return [
            run for _, run in inflight.values() if run_state(stack, run) == "RUNNING" and stack_ops.flow_run_pid(run)
        ]

    def _do(self, kind: str, runs: list[str]) -> Disruption | None:
        stack = self.day.stack
        record = Disruption(kind, datetime.now(UTC), runs=runs)
        with self.day.lock:
            names = {run: d.name for d, run in self.day.inflight.values()}
            record.planned = [run for run in runs if run in self.day.planned]
        if kind in ("server-term", "server-kill"):
            record.names = [names.get(run, run) for run in runs]
            sig = signal.SIGTERM if kind == "server-term" else signal.SIGKILL
            record.down = stack_ops.restart_server(stack, sig)
            record.detail = f"prefect server {sig.name}, answering again after {record.down:.1f} s"
        elif kind == "erp":
            if self.pg_admin is None or not str(stack.erp_url).startswith("postgresql"):
                raise RuntimeError("the ERP is not on PostgreSQL: no backends to terminate")
            record.names = [names.get(run, run) for run in runs]
            ended = stack_ops.terminate_erp_backends(self.pg_admin, str(stack.erp_url))
            record.detail = f"{ended} ERP connection(s) terminated"
        elif kind == "mserver":
            record.names = [names.get(run, run) for run in runs]
            return self._mserver(record)
        else:
            with_runs = kind == "host"
            pids = stack_ops.flow_run_pids(stack) if with_runs else []
            victims = [run for run in names if stack_ops.flow_run_pid(run) in pids]  # planned ones too
            with self.day.lock:
                self.day.victims.update(victims)
                deployments = {run: d for d, run in self.day.inflight.values() if run in victims}
            record.runs = victims if with_runs else runs
            if with_runs:
                self.observers.append(observe_victims(self.day, record, deployments))
            record.down, killed = stack_ops.kill_worker(stack, with_runs)
            record.names = [names.get(run, run) for run in record.runs]
            record.detail = f"worker SIGKILL{f' with {len(killed)} flow-run process(es)' if with_runs else ''}"
            record.detail += f", a new worker after {record.down:.1f} s"
        return record

    def _mserver(self, record: Disruption) -> Disruption | None:
        """Slow the shop's imports down, wait until one is being processed, then kill mServer mid-import."""
        stack = self.day.stack
        shop = next(shop for shop in stack.pohoda_urls)
        url = stack.pohoda_urls[shop]
        httpx.post(f"{url}/_emulator/faults", json={"item_seconds": 1.0}, timeout=10).raise_for_status()
        deadline = time.monotonic() + 120
        try:
            while time.monotonic() < deadline:
                if stack_ops.mserver_processing(stack, shop) and self._running("mserver"):
                    time.sleep(0.5)  # inside an item's second: at least one item of the dataPack is applied
                    record.down = stack_ops.restart_mserver(stack, shop)  # a fresh process: no faults
                    record.detail = f"mServer SIGKILL mid-import, answering again after {record.down:.1f} s"
                    return record
                if not self._running("mserver"):
                    break
                time.sleep(0.05)
        finally:
            if record.down is None:
                httpx.post(f"{url}/_emulator/faults", json={"item_seconds": 0.0}, timeout=10)
        return None


def outcomes(day: Day, disruptions: list[Disruption]) -> None:
    """Fill in how each run in flight at a disruption ended, and when."""
    for record in disruptions:
        for run_id in record.runs:
            if run_id in record.planned and record.kind != "host":
                continue
            try:
                run = day.stack.flow_run(run_id)
            except Exception:
                continue
            state = run.state.type.value if run.state else "NONE"
            end = run.end_time or (run.state.timestamp if run.state else None)
            seconds = (end - record.wall).total_seconds() if end and state in FINAL_STATES else None
            record.final[run_id] = (state, seconds)


def observe_victims(day: Day, record: Disruption, deployments: dict[str, Deployment]) -> threading.Thread:
    """For a ``host`` death: how long until another run holds each victim's lock."""
    from domain.categories import locks_for

    started = time.monotonic()

    def watch() -> None:
        pending = {run: locks_for(d.shop, d.sync_type)[0] for run, d in deployments.items() if run in record.runs}
        while pending and time.monotonic() < started + 1200:
            for run, lock in list(pending.items()):
                holder = _quietly(lambda lock=lock: holder_of(day.stack, lock))
                if holder is not None and holder != run:
                    record.slot[run] = time.monotonic() - started
                    del pending[run]
            time.sleep(0.5)

    thread = threading.Thread(target=watch, name="observe-host", daemon=True)
    thread.start()
    return thread


def _quietly(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except Exception:
        return None


def _sleep_until(day_over: Callable[[], bool], moment: float) -> bool:
    """Sleep until ``moment``; True if the day ended meanwhile."""
    while time.monotonic() < moment:
        if day_over():
            return True
        time.sleep(0.5)
    return day_over()
