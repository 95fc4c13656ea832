"""Real deaths: SIGKILL flow-run processes on the real stack and compare the day with a clean one.

Two stacks, one after the other, built like ``tests/e2e``'s (``commerce_sync.serve.LocalStack``: ``prefect
server`` on PostgreSQL when reachable, else SQLite, a process worker, both emulators, the SQL ERP, the POHODA
shop): a clean day, then a crash day that kills every deployment's first run at a moment uniform over its clean
duration (``commerce_sync/chaos/real.py``). See bench/README.md for the method and the figures.

    PYTHONPATH=. .venv/bin/python bench/chaos_real.py                 # both shops, every flow, one kill each
    PYTHONPATH=. .venv/bin/python bench/chaos_real.py --days 2 --seed 3
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

from commerce_sync.chaos.real import DayResult, StepResult, now, run_day, uniform_kills
from commerce_sync.chaos.snapshot import Issue, count, diff
from commerce_sync.serve import LocalStack

PG_ADMIN = os.environ.get("COMMERCE_SYNC_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=int, default=1, help="crash days (each on a fresh stack)")
    parser.add_argument("--recovery-kill", type=float, default=0.3, help="chance a recovering run is killed again")
    parser.add_argument("--lease-seconds", type=float, default=60, help="COMMERCE_SYNC_LOCK_LEASE_SECONDS (>= 60)")
    parser.add_argument("--sqlite", action="store_true", help="SQLite server and ERP even if PostgreSQL is up")
    parser.add_argument("--flows", default=None, help="comma-separated flows (default: the whole day)")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    root = args.workdir or Path(tempfile.mkdtemp(prefix="chaos-real-"))
    began = time.monotonic()
    print(f"[{now()}] chaos (real): seed {args.seed}, lease {args.lease_seconds:.0f} s, work in {root}", flush=True)
    clean = one_day(root / "clean", args, kill=None)
    durations = {s.deployment.name: s.attempts[-1].seconds for s in clean.steps}
    print(f"[{now()}] clean day: {len(clean.steps)} runs in {clean.seconds:.0f} s", flush=True)
    if failed := [s.deployment.name for s in clean.steps if len(s.attempts) > 1 or not s.completed]:
        print(f"the clean day did not complete at the first run: {failed}; nothing to compare with")
        return 2
    days = []
    for day in range(args.days):
        kills = uniform_kills(durations, args.seed + day, args.recovery_kill)
        days.append(one_day(root / f"crash-{day + 1}", args, kill=kills))
        print(f"[{now()}] crash day {day + 1}: {days[-1].seconds:.0f} s", flush=True)
    bad = report(clean, days)
    print(f"\nwall time {time.monotonic() - began:.0f} s")
    shutil.rmtree(root, ignore_errors=True)
    return 1 if bad else 0


def one_day(workdir: Path, args: argparse.Namespace, kill: object) -> DayResult:
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
        prefect_db = erp_url = None
        if not args.sqlite and _pg_up():
            prefect_db = cleanup.enter_context(_pg_database("cs_chaos_prefect", "postgresql+asyncpg"))
            erp_url = cleanup.enter_context(_pg_database("cs_chaos_erp", "postgresql+psycopg"))
        stack = LocalStack(workdir / "stack", label="chaos", database_url=prefect_db, erp_url=erp_url, extra_env=env)
        cleanup.callback(stack.close)
        stack.start()
        print(f"[{now()}] stack up ({'PostgreSQL' if prefect_db else 'SQLite'}): {sorted(stack.shop_urls)}", flush=True)
        return run_day(stack, kill or (lambda deployment, number: None), lambda line: print(line, flush=True), flows)


def report(clean: DayResult, days: list[DayResult]) -> bool:
    steps = [s for d in days for s in d.steps]
    kills = [a for s in steps for a in s.kills]
    print("\nReal kills (SIGKILL of the flow-run process; the shop's ERP, shop and sync state vs the clean day):\n")
    header = (
        f"{'shop':12} {'flow':20} {'runs':>4} {'kills':>5} {'lost':>4} {'dup':>4} {'changed':>7} {'unfinished':>10}"
    )
    print(header)
    print("-" * len(header))
    issues_by_shop: dict[str, list[Issue]] = {}
    for day in days:
        for shop, snap in day.snapshots.items():
            issues_by_shop.setdefault(shop, []).extend(diff(clean.snapshots[shop], snap))
    for step in _merged(steps):
        print(
            f"{step.deployment.shop:12} {step.deployment.sync_type:20} {len(step.attempts):>4} {len(step.kills):>5}"
            f" {'':>4} {'':>4} {'':>7} {0 if step.completed else 1:>10}"
        )
    unfinished = sum(not s.completed for s in steps)
    for shop, issues in issues_by_shop.items():
        print(
            f"{shop:12} {'(records, all flows)':20} {'':>4} {'':>5} {count(issues, 'lost'):>4}"
            f" {count(issues, 'duplicated'):>4} {count(issues, 'changed'):>7}"
        )
        for issue in issues[:15]:
            print(f"    {issue.table} {issue.kind} {issue.key!r}: {issue.detail[:300]}")
    crashed = [a.crashed_after for a in kills if a.crashed_after is not None]
    freed = [a.slot_free_after for a in kills if a.slot_free_after is not None]
    states = Counter(a.state for a in kills)
    print(
        f"\nkills {len(kills)} (of {len(steps)} steps; states after the kill: {dict(states)}); unfinished {unfinished}"
    )
    if crashed:
        print(f"SIGKILL → run final: median {statistics.median(crashed):.1f} s, max {max(crashed):.1f} s")
    if freed:
        print(f"SIGKILL → category slot free: median {statistics.median(freed):.1f} s, max {max(freed):.1f} s")
    for label, day in [("clean", clean)] + [(f"crash {i + 1}", d) for i, d in enumerate(days)]:
        print(
            f"{label:8} end: runs left running {len(day.left_running)}, slots held {sum(day.slots_held.values())},"
            f" stale 'running' run records {day.stale_run_records}, temporary files {len(day.temp_files)}"
        )
        for name in day.temp_files[:10]:
            print(f"    {name}")
    issues = [i for found in issues_by_shop.values() for i in found]
    return bool(issues or unfinished or any(d.left_running or d.slots_held for d in days))


def _merged(steps: list[StepResult]) -> list[StepResult]:
    merged: dict[str, StepResult] = {}
    for step in steps:
        merged.setdefault(step.deployment.name, StepResult(step.deployment)).attempts.extend(step.attempts)
    return list(merged.values())


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
