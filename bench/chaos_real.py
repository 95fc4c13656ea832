"""Real deaths on the real stack: flow runs SIGKILLed, the Prefect server, the ERP database's connections, mServer
and the worker taken down mid-run; the day compared with a clean one record by record.

Two stacks, one after the other, built like ``tests/e2e``'s (``commerce_sync.serve.LocalStack``: ``prefect
server`` on PostgreSQL, a process worker, both emulators, the SQL ERP on PostgreSQL, the POHODA shop): a clean
day that traces every flow's kill points, then a crash day with ``--kills`` real kills of flow-run processes
(``commerce_sync/chaos/real.py``) and the disruptions of ``commerce_sync/chaos/disrupt.py``. See bench/README.md
for the method and the figures.

    PYTHONPATH=. .venv/bin/python bench/chaos_real.py                  # the full run: >= 100 kills, 10 restarts
    PYTHONPATH=. .venv/bin/python bench/chaos_real.py --kills 6 --server-restarts 1 --erp-restarts 1 \\
        --mserver-kills 0 --worker-kills 0 --host-kills 0 --flows sync_orders,create_sales_orders
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from commerce_sync.chaos.disrupt import Disruption, Disruptor, outcomes
from commerce_sync.chaos.real import (
    Day,
    DayResult,
    KillPlanner,
    chaos_env,
    day_result,
    now,
    run_day,
    traces_of,
)
from commerce_sync.chaos.snapshot import Issue, count, diff
from commerce_sync.serve import LocalStack

PG_ADMIN = os.environ.get("COMMERCE_SYNC_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kills", type=int, default=100, help="flow-run processes to SIGKILL on the crash day")
    parser.add_argument("--server-restarts", type=int, default=10, help="half SIGTERM, half SIGKILL")
    parser.add_argument("--erp-restarts", type=int, default=5, help="ERP connections terminated (PostgreSQL)")
    parser.add_argument("--mserver-kills", type=int, default=3, help="mServer emulator SIGKILLed mid-import")
    parser.add_argument("--worker-kills", type=int, default=2, help="the worker SIGKILLed alone")
    parser.add_argument("--host-kills", type=int, default=2, help="the worker SIGKILLed with its flow runs")
    parser.add_argument("--gap", type=float, default=15, help="seconds between two disruptions (at least)")
    parser.add_argument("--lease-seconds", type=float, default=60, help="COMMERCE_SYNC_LOCK_LEASE_SECONDS (>= 60)")
    parser.add_argument("--flows", default=None, help="comma-separated flows (default: the whole day)")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the work folder (the stacks' logs)")
    args = parser.parse_args()
    if not _pg_up():
        print(f"PostgreSQL does not answer at {PG_ADMIN}: the server restarts and ERP terminations need it")
        return 2
    root = args.workdir or Path(tempfile.mkdtemp(prefix="chaos-real-"))
    began = time.monotonic()
    print(f"[{now()}] chaos (real): seed {args.seed}, {args.kills} kills, work in {root}", flush=True)
    clean = one_day(root / "clean", args, crash=False)
    durations = {s.deployment.name: s.attempts[-1].seconds for s in clean.steps}
    print(f"[{now()}] clean day: {len(clean.steps)} runs in {clean.seconds:.0f} s", flush=True)
    if failed := [s.deployment.name for s in clean.steps if len(s.attempts) > 1 or not s.completed]:
        print(f"the clean day did not complete at the first run: {failed}; nothing to compare with")
        return 2
    crash = one_day(root / "crash", args, crash=True, durations=durations, traces=clean.traces)
    print(f"[{now()}] crash day: {crash.seconds:.0f} s", flush=True)
    bad = report(clean, crash, args)
    print(f"\nwall time {time.monotonic() - began:.0f} s")
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    return 1 if bad else 0


def one_day(
    workdir: Path,
    args: argparse.Namespace,
    crash: bool,
    durations: dict[str, float] | None = None,
    traces: dict[str, Counter[str]] | None = None,
) -> DayResult:
    tmp = workdir / "tmp"
    tmp.mkdir(parents=True)
    env = {
        "TMPDIR": str(tmp),
        "COMMERCE_SYNC_LOCK_LEASE_SECONDS": str(args.lease_seconds),
        # the harness triggers every run itself: the schedules' own runs (every 15 min) would make days differ
        "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
    }
    flows = args.flows.split(",") if args.flows else None
    with ExitStack() as cleanup:
        prefect_db = cleanup.enter_context(_pg_database("cs_chaos_prefect", "postgresql+asyncpg"))
        erp_url = cleanup.enter_context(_pg_database("cs_chaos_erp", "postgresql+psycopg"))
        stack = LocalStack(workdir / "stack", label="chaos", database_url=prefect_db, erp_url=erp_url, extra_env=env)
        cleanup.callback(stack.close)
        stack.start()
        print(f"[{now()}] stack up: {sorted(stack.shop_urls)}", flush=True)
        (workdir / "traces").mkdir()
        day = Day(stack, lambda line: print(line, flush=True), workdir / "traces", base_env=chaos_env(stack))
        disruptor = None
        if crash:
            steps = Counter(d.shop for d in stack.wired() if flows is None or d.sync_type in flows)
            day.planner = KillPlanner(args.kills, dict(steps), durations or {}, traces or {}, args.seed)
            counts = {
                "server-term": (args.server_restarts + 1) // 2,
                "server-kill": args.server_restarts // 2,
                "erp": args.erp_restarts,
                "mserver": args.mserver_kills,
                "worker": args.worker_kills,
                "host": args.host_kills,
            }
            disruptor = Disruptor.seeded(day, counts, args.gap, args.seed, PG_ADMIN)
        began = time.monotonic()
        steps_done = run_day(day, flows, during=disruptor.run if disruptor else None)
        if disruptor:
            for observer in disruptor.observers:
                observer.join(timeout=1200)
        result = day_result(day, steps_done, time.monotonic() - began)
        result.traces = traces_of(day, steps_done)
        if disruptor:
            outcomes(day, disruptor.done)
            result.disruptions = disruptor.done
            result.skipped = disruptor.skipped
        return result


def report(clean: DayResult, crash: DayResult, args: argparse.Namespace) -> bool:
    steps = crash.steps
    kills = [a for s in steps for a in s.kills]
    print("\nReal deaths (the crash day's ERP, shop and sync state vs the clean day's, by natural key):\n")
    header = f"{'shop':12} {'flow':20} {'runs':>4} {'kills':>5} {'disrupted':>9} {'unfinished':>10}"
    print(header)
    print("-" * len(header))
    for step in steps:
        disrupted = sum(1 for a in step.attempts if a.disrupted_by)
        print(
            f"{step.deployment.shop:12} {step.deployment.sync_type:20} {len(step.attempts):>4} {len(step.kills):>5}"
            f" {disrupted:>9} {0 if step.completed else 1:>10}"
        )
    issues: list[Issue] = []
    print(f"\n{'shop':12} {'records':>8} {'lost':>5} {'dup':>5} {'changed':>8}")
    for shop, snap in crash.snapshots.items():
        found = diff(clean.snapshots[shop], snap)
        issues += found
        total = sum(len(rows) for rows in clean.snapshots[shop].values())
        print(
            f"{shop:12} {total:>8} {count(found, 'lost'):>5} {count(found, 'duplicated'):>5}"
            f" {count(found, 'changed'):>8}"
        )
        for issue in found[:15]:
            print(f"    {issue.table} {issue.kind} {issue.key!r}: {issue.detail[:300]}")
    unfinished = sum(not s.completed for s in steps)
    how = Counter(a.plan.how for a in kills if a.plan)
    points = Counter(a.plan.point.split("#")[0] for a in kills if a.plan and a.plan.point)
    print(
        f"\nkills: {len(kills)} SIGKILLs of flow-run processes ({how['uniform']} at a uniform moment, {how['point']} at"
        f" a kill point: {dict(points)}); {sum(1 for a in kills if a.held_lock)} while holding the category lock"
    )
    print(f"states after the kill: {dict(Counter(a.state for a in kills))}; steps unfinished: {unfinished}")
    missed = Counter(a.missed.split(" (")[0].split(" at ")[0] for s in steps for a in s.attempts if a.missed)
    print(f"planned kills that did not fire (the run ended first): {dict(missed)}")
    for step in steps:  # a kill that landed as the run finished: its process was on its way out
        for a in step.kills:
            if a.state != "CRASHED":
                print(f"    {step.deployment.name} killed {a.plan} ended {a.name or a.state}: {a.message[:120]}")
    _times("SIGKILL → run final", [a.crashed_after for a in kills])
    _times("SIGKILL → next run holds the lock", [a.slot_after for a in kills if a.held_lock])
    _disruptions(crash.disruptions, crash.skipped)
    others = Counter(
        f"{a.name or a.state}: {a.message[:110]}"
        for s in steps
        for a in s.attempts
        if not a.killed and a.state != "COMPLETED" and a.name != "Partial"
    )
    print(f"\nruns that ended otherwise, not killed by the harness ({sum(others.values())}):")
    for text, times in others.most_common():
        print(f"  {times:>3} × {text}")
    operator = [a.flow_run_id for s in steps for a in s.attempts if a.operator]
    print(f"runs never final on their own (marked Crashed by the harness): {len(operator)} {operator[:5]}")
    for label, day in (("clean", clean), ("crash", crash)):
        print(
            f"{label:6} end: runs left running {len(day.left_running)}, slots held {sum(day.slots_held.values())},"
            f" stale 'running' run records {sum(day.stale_run_records.values())}, temporary files"
            f" {len(day.temp_files)}"
        )
        for name in [*day.left_running, *day.temp_files][:10]:
            print(f"    {name}")
    ends = [crash.left_running, crash.slots_held, sum(crash.stale_run_records.values()), crash.temp_files]
    return bool(issues or unfinished or operator or any(ends))


def _disruptions(done: list[Disruption], skipped: list[str]) -> None:
    print(f"\n{'disruption':12} {'times':>5} {'down s (max)':>12} {'runs hit':>8}  how they ended; s until final (max)")
    for kind in ("server-term", "server-kill", "erp", "mserver", "worker", "host"):
        mine = [d for d in done if d.kind == kind]
        if not mine:
            continue
        downs = [d.down for d in mine if d.down is not None]
        ends = Counter(state for d in mine for state, _ in d.final.values())
        waits = [s for d in mine for _, s in d.final.values() if s is not None]
        down = f"{max(downs):.1f}" if downs else "-"
        wait = f"{max(waits):.0f}" if waits else "-"
        print(f"{kind:12} {len(mine):>5} {down:>12} {sum(len(d.runs) for d in mine):>8}  {dict(ends)}; {wait}")
    hosts = [d for d in done if d.kind == "host"]
    _times("host death → run Crashed", [s for d in hosts for _, s in d.final.values()])
    _times("host death → next run holds the lock", [s for d in hosts for s in d.slot.values()])
    if skipped:
        print(f"not done (the day ended first): {dict(Counter(skipped))}")


def _times(label: str, values: list[float | None]) -> None:
    measured = [v for v in values if v is not None and v >= 0]
    if measured:
        print(f"{label}: median {statistics.median(measured):.1f} s, max {max(measured):.1f} s (n={len(measured)})")


def _pg_up() -> bool:
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(PG_ADMIN, connect_args={"connect_timeout": 3})
        with engine.connect():
            return True
    except Exception:
        return False


@contextmanager
def _pg_database(prefix: str, driver: str) -> Iterator[str]:
    import sqlalchemy as sa

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(PG_ADMIN).set(drivername=driver, database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
