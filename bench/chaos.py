"""Chaos benchmark: crash every flow at hundreds of points on both ERP adapters, and run a day with wire faults.

    python bench/chaos.py [--seed 1] [--trials 200] [--adapters sql,pohoda] [--flows sync_orders,...]
                          [--fault-rate 0.2] [--fault-days 2]

1. A reference day per adapter: every sync flow once, in a day's order, on a fresh seeded shop (SQL ERP or
   POHODA mServer emulator ⇄ Shopify emulator), never failing. After each flow: a canonical snapshot of ERP,
   shop and sync state, and the trace of the flow's kill points.
2. A control day per adapter, nothing injected: must equal the reference (proves the comparison is exact).
3. Crash days until ``--trials`` flow runs were crashed: each flow of ``--flows`` is killed at a point drawn
   from its reference trace (a task boundary, before a request, after the peer applied a write but before its
   answer was read, before a state write, before the cursor commit), sometimes killed again while it recovers,
   then run again until it completes; the snapshot after it must equal the reference's.
4. Wire-fault days: the same day with ``--fault-rate`` of all GraphQL and POHODA requests failing (5xx, 429,
   THROTTLED, timeouts that are applied after the client gave up, answers dropped after the write was applied,
   POHODA busy) and every request delayed; each flow is run again until it completes; then the same comparison.

Printed: per flow and adapter, trials, crashes, distinct kill points, records lost / duplicated / changed
against the reference; the wire faults seen and the same counts for the fault days. Exit status 1 when any
record was lost, duplicated or changed, or a flow never completed. Everything is seeded: the same ``--seed``
draws the same kill points and the same faults.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")  # a crash per trial is the point: no tracebacks
os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
os.environ.setdefault("COMMERCE_SYNC_RETRY_DELAY_SCALE", "0.01")  # task retries back off 0.02-0.08 s, not 2-8 s
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from commerce_sync.chaos import trials
from commerce_sync.chaos.kills import KINDS
from commerce_sync.chaos.shops import ADAPTERS, ShopSize
from commerce_sync.chaos.trials import Reference, StepResult

COLUMNS = ("trials", "crashes", "kill points", "lost", "duplicated", "changed", "unfinished")


def crash_rows(results: list[StepResult]) -> tuple[list[list[str]], list[str], set]:
    """Table rows per adapter × flow (crashed flows only), the totals row and the distinct kill points."""
    rows, points = [], set()
    groups: dict[tuple[str, str], list[StepResult]] = {}
    for result in results:
        if result.kills:
            groups.setdefault((result.adapter, result.step), []).append(result)
    totals = Counter()
    for (adapter, step), group in groups.items():
        kill_points = set().union(*(r.kill_points() for r in group))
        points |= kill_points
        figures = Counter(
            trials=len(group),
            crashes=sum(len(r.kills) for r in group),
            lost=sum(r.count("lost") for r in group),
            duplicated=sum(r.count("duplicated") for r in group),
            changed=sum(r.count("changed") for r in group),
            unfinished=sum(not r.completed for r in group),
        )
        figures["kill points"] = len(kill_points)
        totals.update(figures)
        rows.append([adapter, step, *(str(figures[c]) for c in COLUMNS)])
    totals["kill points"] = len(points)
    return rows, ["total", "", *(str(totals[c]) for c in COLUMNS)], points


FAULTS = ("5xx", "429", "throttled", "timeout", "dropped", "busy")


def fault_rows(results: list[StepResult]) -> list[list[str]]:
    """Per adapter × flow, summed over the fault days: runs it took, runs that failed, and the comparison."""
    groups: dict[tuple[str, str], list[StepResult]] = {}
    for result in results:
        if result.step not in trials.NOT_FLOWS:
            groups.setdefault((result.adapter, result.step), []).append(result)
    rows = []
    for (adapter, step), group in groups.items():
        runs = sum(len(r.attempts) for r in group)
        failed = sum(a.outcome != "completed" for r in group for a in r.attempts)
        rows.append(
            [
                adapter,
                step,
                str(runs),
                str(failed),
                *(str(sum(r.count(k) for r in group)) for k in ("lost", "duplicated", "changed")),
                str(sum(not r.completed for r in group)),
            ]
        )
    return rows


def wire_rows(wires: dict[str, Counter]) -> list[list[str]]:
    rows = []
    for adapter, wire in wires.items():
        faulted = sum(wire[k] for k in FAULTS)
        rows.append(
            [
                adapter,
                str(wire["requests"]),
                f"{faulted} ({faulted / max(wire['requests'], 1):.1%})",
                *(str(wire[k]) for k in FAULTS),
            ]
        )
    return rows


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=False)).rstrip()  # noqa: E731
    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def issues_of(results: list[StepResult], limit: int = 20) -> list[str]:
    found = [
        f"{r.adapter} {r.step}: {i.kind} {i.table} {i.key!r} ×{i.count}: {i.detail[:300]}"
        for r in results
        for i in r.issues
    ]
    found += [f"{r.adapter} {r.step}: never completed: {r.attempts[-1].error}" for r in results if not r.completed]
    return found[:limit]


def run(args: argparse.Namespace, directory: Path) -> int:
    size = ShopSize(items=args.items, customers=args.customers, orders=args.orders, seed=args.data_seed)
    steps = trials.day_steps(args.flows)
    killed = set(args.flows or steps) - set(trials.NOT_FLOWS)
    rng = random.Random(args.seed)
    chooser = trials.Chooser(rng)
    started = time.monotonic()
    print(
        f"chaos bench: seed {args.seed}; adapters {', '.join(args.adapters)}; shop of {size.items} items, "
        f"{size.customers} customers, {size.orders} orders (data seed {size.seed}); a day = {' → '.join(steps)}"
    )

    references: dict[str, Reference] = {}
    control: list[StepResult] = []
    for adapter in args.adapters:
        references[adapter] = trials.reference_day(adapter, directory, size, steps)
        control += trials.crash_day(references[adapter], directory, size, steps, set(), chooser, rng, label="control")
    differences = sum(len(r.issues) for r in control)
    print(
        f"\nreference and control days: {differences} difference(s) between two clean days "
        f"({time.monotonic() - started:.0f} s)"
    )

    crashes: list[StepResult] = []
    day = 0
    while sum(1 for r in crashes if r.kills) < args.trials:
        for adapter in args.adapters:
            crashes += trials.crash_day(
                references[adapter], directory, size, steps, killed, chooser, rng, label=f"crash{day}"
            )
        day += 1
        done = [r for r in crashes if r.kills]
        print(
            f"  crash day {day}: {len(done)} trials, {sum(len(r.kills) for r in done)} crashes so far "
            f"({time.monotonic() - started:.0f} s)",
            flush=True,
        )
    rows, totals, points = crash_rows(crashes)
    kinds = Counter(point[2].split("#")[0] for point in points)
    fired = Counter(str(a.point).split("#")[0] for r in crashes for _, a in r.kills)
    print(f"\nCrash injection ({day} crash day(s) per adapter):\n")
    print(table(["adapter", "flow", *COLUMNS], [*rows, totals]))
    print("\ncrashes by kill point kind: " + ", ".join(f"{k} {fired[k]} ({kinds[k]} distinct)" for k in KINDS))
    recovering = sum(1 for r in crashes for n, _ in r.kills if n > 0)
    print(f"crashes while recovering from an earlier crash: {recovering}")

    faults: list[StepResult] = []
    wires: dict[str, Counter] = {adapter: Counter() for adapter in args.adapters}
    for fault_day in range(args.fault_days):
        for adapter in args.adapters:
            found, seen = trials.fault_day(
                references[adapter], directory, size, steps, args.fault_rate, args.seed + fault_day
            )
            faults += found
            wires[adapter].update(seen)
    if args.fault_days:
        seeds = f"seed {args.seed}" + (f"..{args.seed + args.fault_days - 1}" if args.fault_days > 1 else "")
        print(
            f"\nWire faults ({args.fault_days} day(s) per adapter, {seeds}; {args.fault_rate:.0%} of requests "
            "failing):\n"
        )
        print(table(["adapter", "API requests", "faulted", *FAULTS], wire_rows(wires)))
        print()
        print(
            table(
                ["adapter", "flow", "runs", "failed runs", "lost", "duplicated", "changed", "unfinished"],
                fault_rows(faults),
            )
        )

    problems = issues_of(control + crashes + faults)
    print(f"\n{len(problems)} problem(s)" + (":" if problems else "") + "".join(f"\n  {p}" for p in problems))
    print(f"done in {time.monotonic() - started:.0f} s")
    return 1 if problems else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1, help="draws the kill points and the wire faults")
    parser.add_argument("--trials", type=int, default=200, help="crash flow runs at least this many times")
    parser.add_argument("--adapters", type=lambda v: v.split(","), default=list(ADAPTERS))
    parser.add_argument(
        "--flows",
        type=lambda v: v.split(","),
        default=None,
        help="flows to crash (default: every one); the day always runs them all",
    )
    parser.add_argument("--fault-rate", type=float, default=0.2)
    parser.add_argument("--fault-days", type=int, default=2, help="wire-fault days per adapter (0: none)")
    parser.add_argument("--items", type=int, default=12)
    parser.add_argument("--customers", type=int, default=6)
    parser.add_argument("--orders", type=int, default=8)
    parser.add_argument("--data-seed", type=int, default=7)
    args = parser.parse_args()
    unknown = set(args.adapters) - set(ADAPTERS)
    if unknown:
        parser.error(f"--adapters: unknown {', '.join(sorted(unknown))} (known: {', '.join(ADAPTERS)})")

    from prefect.events.clients import NullEventsClient
    from prefect.events.worker import EventsWorker
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    logging.getLogger("connectors").setLevel(logging.ERROR)  # each retried fault would log a warning
    EventsWorker.set_client_override(NullEventsClient)  # nothing reads the events; the test API would ingest them
    with (
        prefect_test_harness(server_startup_timeout=120),
        temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
    ):
        with tempfile.TemporaryDirectory(prefix="bench-chaos-") as tmp:
            status = run(args, Path(tmp))
    sys.exit(status)


if __name__ == "__main__":
    main()
