"""Benchmark: what the demo's first pass costs in Shopify API points, flow by flow, on a Standard-plan bucket.

    .venv/bin/python bench/api_cost.py                                  # the demo's sample: 200 items, 100 orders
    .venv/bin/python bench/api_cost.py --flows sync_images,sync_orders --by-operation
    .venv/bin/python bench/api_cost.py --full-bucket                    # each flow starts with a full bucket
    .venv/bin/python bench/api_cost.py --items 40 --orders 20 --json out.json
    .venv/bin/python bench/api_cost.py --cost-model pessimistic         # only the linear model (default: both)
    .venv/bin/python bench/api_cost.py --cost-model calibrated --pages both   # before/after adaptive page sizes

WHY: on Shopify's Standard plan (a 2000-point bucket restoring 100 points/s) a sync is bound by the points it
*requests*, not by how fast the ERP or the shop answer: Shopify reserves the requested cost before it runs a
query and refunds the unused part afterwards, so a query that asks for far more than it returns still waits
for its full price. This script runs every sync flow once, in the demo's order and on the demo's sample data
(``commerce_sync.demo``: a fresh SQL ERP, a Shopify emulator seeded with the shop's orders and half of its
customers, the ERP user's work after ``create_sales_orders``), inside a private Prefect test API, and prints per
flow what went over the wire:

- requests: GraphQL requests the emulator received (throttled ones included), and how many were THROTTLED;
- requested / actual points: the emulator's cost ledger (``executor.ledger``), the same figures Shopify reports
  in ``extensions.cost``;
- governor wait: seconds the client spent in ``CostGovernor.reserve`` (its own sleeps plus the shared
  Prefect budget), summed over threads;
- wall seconds of the flow run, Prefect's own overhead included.

Run back to back (the default, as the demo does), a flow starts with whatever bucket the flows before it left,
so its wait depends on them: compare the totals. With ``--full-bucket`` the script waits before each flow until
the shop's bucket is full again (that wait is not counted), so each flow's row is its own cost, as when a
shop's syncs run at different hours.

With ``--by-operation`` it also lists each operation's calls and points, which is where to look for the cost.
With ``--pages fixed`` the client never learns what Shopify reports (``CostMemory.learn`` does nothing), so every
page keeps the size its document's ``# cost`` header allows: the connector as it was before adaptive page sizes
(issue 13, point 3); ``--pages both`` runs it before and after, under the same cost model.
This is a benchmark, not a test: the numbers go to ``bench/README.md``; ``tests/bench`` only smoke-tests it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")  # the per-flow lines below say enough

SHOP = "bench-cost-shop"
ERP = "bench-cost-erp"
TOKEN = "shpat_bench_cost_token"
STANDARD = {"bucket_size": 2000, "restore_rate": 100.0}
"""Shopify's Standard plan, the emulator's default (the demo itself runs on Plus)."""


@dataclass
class FlowCost:
    flow: str
    requests: int
    throttled: int
    requested: int
    actual: int
    governor_wait_s: float
    wall_s: float
    counts: dict[str, int] = field(default_factory=dict)
    by_operation: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass
class BenchResult:
    items: int
    customers: int
    orders: int
    bucket_size: int
    restore_rate: float
    full_bucket: bool
    flows: list[FlowCost]
    cost_model: str = "calibrated"
    pages: str = "adaptive"

    @property
    def total(self) -> FlowCost:
        return FlowCost(
            flow="total",
            requests=sum(f.requests for f in self.flows),
            throttled=sum(f.throttled for f in self.flows),
            requested=sum(f.requested for f in self.flows),
            actual=sum(f.actual for f in self.flows),
            governor_wait_s=sum(f.governor_wait_s for f in self.flows),
            wall_s=sum(f.wall_s for f in self.flows),
        )


class WaitMeter:
    """Time spent inside the governor's ``reserve`` (local sleeps and the shared budget), from every thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.seconds = 0.0

    def wrap(self, governor: Any) -> None:
        reserve = governor.reserve

        def timed(cost: float) -> Any:
            started = time.perf_counter()
            try:
                return reserve(cost)
            finally:
                with self._lock:
                    self.seconds += time.perf_counter() - started

        governor.reserve = timed


def _ledger_delta(before: dict[str, dict[str, int]], after: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    delta = {}
    for name, now in after.items():
        was = before.get(name, {"calls": 0, "requested": 0, "actual": 0})
        diff = {key: now[key] - was[key] for key in ("calls", "requested", "actual")}
        if diff["calls"]:
            delta[name] = diff
    return delta


@contextmanager
def _prefect_api() -> Iterator[None]:
    """A private temporary Prefect API, without the events the run would otherwise send it."""
    from prefect.events.clients import NullEventsClient
    from prefect.events.worker import EventsWorker
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    EventsWorker.set_client_override(NullEventsClient)
    try:
        with prefect_test_harness(server_startup_timeout=120):
            with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
                yield
    finally:
        EventsWorker.set_client_override(None)


def run(
    items: int = 200,
    customers: int = 50,
    orders: int = 100,
    *,
    bucket_size: int = STANDARD["bucket_size"],
    restore_rate: float = STANDARD["restore_rate"],
    flows: Sequence[str] | None = None,
    full_bucket: bool = False,
    quiet: bool = False,
    cost_model: str = "calibrated",
    pages: str = "adaptive",
) -> BenchResult:
    """The demo's first pass on a fresh ERP and emulator; the cost of each flow in ``flows`` (default: all).
    ``pages="fixed"``: page sizes from the documents' headers only (nothing learnt from Shopify's answers)."""

    from blocks import ErpDatabase
    from commerce_sync.demo import available_flows
    from commerce_sync.samples.data import generate, write_sql_erp
    from commerce_sync.user_work import late_in_current_period, sql_user_works
    from deployments.wiring import release_shop, wire_shop
    from emulators.shopify import EmulatorConfig, create_app, emulator_of, running_emulator
    from engine import resources
    from flows.runtime import report_of

    results: list[FlowCost] = []
    with tempfile.TemporaryDirectory(prefix="api-cost-") as tmp, _prefect_api(), _page_sizes(pages):
        erp_url = f"sqlite:///{Path(tmp) / 'erp.db'}"
        data = generate(items=items, customers=customers, orders=orders, seed=1)
        write_sql_erp(data, erp_url)
        app = create_app(
            EmulatorConfig(
                shop_name="api-cost-bench",
                tokens=[TOKEN],
                bucket_size=bucket_size,
                restore_rate=restore_rate,
                cost_model=cost_model,
            )
        )
        emulator = emulator_of(app)
        emulator.state.seed_locations(data.locations)
        emulator.state.seed_customers(data.customers[: len(data.customers) // 2])
        emulator.state.seed_orders(data.orders)
        with running_emulator(app=app) as base_url:
            shop = wire_shop(
                SHOP,
                ErpDatabase(url=erp_url),
                erp_name=ERP,
                overwrite=True,
                shop_url=base_url,
                access_token=TOKEN,
                schedule={
                    "selectedFrequency": "Daily",
                    "startDate": "2025-01-01",
                    "syncHour": 2,
                    "timeZone": "Europe/Prague",
                },
                location_mapping={loc.erp_key: loc.name for loc in data.locations},
                restore_rate=restore_rate,
            )
            meter = WaitMeter()
            meter.wrap(resources.resources(SHOP).shopify.governor)
            schedule = shop.schedule
            try:
                for name, flow_fn, params_cls in available_flows():
                    wanted = flows is None or name in flows
                    if full_bucket and wanted:
                        _wait_for_a_full_bucket(emulator.buckets.for_token(TOKEN))
                    before, requests0, waited0 = (
                        emulator.executor.ledger.as_json()["by_operation"],
                        emulator.recorder.count,
                        meter.seconds,
                    )
                    started = time.monotonic()
                    report = report_of(flow_fn(params_cls(shop=SHOP), return_state=True))
                    wall = time.monotonic() - started
                    if name == "create_sales_orders":  # as the demo: the ERP user ships, closes, cancels
                        sql_user_works(erp_url, data.orders, at=late_in_current_period(schedule))
                    if not wanted:
                        continue
                    ops = _ledger_delta(before, emulator.executor.ledger.as_json()["by_operation"])
                    requests = emulator.recorder.count - requests0
                    charged = sum(o["calls"] for o in ops.values())
                    cost = FlowCost(
                        flow=name,
                        requests=requests,
                        throttled=requests - charged,
                        requested=sum(o["requested"] for o in ops.values()),
                        actual=sum(o["actual"] for o in ops.values()),
                        governor_wait_s=round(meter.seconds - waited0, 2),
                        wall_s=round(wall, 2),
                        counts=dict(report.counts),
                        by_operation=ops,
                    )
                    results.append(cost)
                    if not quiet:
                        print(
                            f"  {name}: {cost.requests} requests, {cost.requested} requested, "
                            f"{cost.actual} actual, {cost.wall_s:.1f} s",
                            file=sys.stderr,
                            flush=True,
                        )
            finally:
                release_shop(SHOP)
    return BenchResult(
        items=items,
        customers=customers,
        orders=orders,
        bucket_size=bucket_size,
        restore_rate=restore_rate,
        full_bucket=full_bucket,
        flows=results,
        cost_model=cost_model,
        pages=pages,
    )


@contextmanager
def _page_sizes(pages: str) -> Iterator[None]:
    """``fixed``: the client learns no cost, so it sizes pages from the headers as before adaptive sizing."""
    if pages == "adaptive":
        yield
        return
    from connectors.shopify.cost_memory import CostMemory

    learn = CostMemory.learn
    CostMemory.learn = lambda self, operation, variables, requested: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        CostMemory.learn = learn  # type: ignore[method-assign]


def _wait_for_a_full_bucket(bucket: Any) -> None:
    """Sleep until the shop's bucket has restored to full (the client's governor and the shared Prefect budget
    restore at the same rate, so they are full again too)."""
    status = bucket.status()
    time.sleep((status.maximum_available - status.currently_available) / status.restore_rate + 0.5)


def report(result: BenchResult, *, by_operation: bool = False) -> str:
    lines = [
        f"sample: {result.items} items, {result.customers} customers, {result.orders} orders; bucket "
        f"{result.bucket_size} points restoring {result.restore_rate:g}/s; {result.cost_model} cost model; "
        f"{result.pages} page sizes; "
        + ("each flow starts with a full bucket" if result.full_bucket else "flows back to back, as the demo"),
        "",
        f"{'flow':<20} {'requests':>8} {'throttled':>9} {'requested':>10} {'actual':>8} {'wait s':>7} {'wall s':>7}",
    ]
    for row in [*result.flows, result.total]:
        lines.append(
            f"{row.flow:<20} {row.requests:>8} {row.throttled:>9} {row.requested:>10} {row.actual:>8} "
            f"{row.governor_wait_s:>7.1f} {row.wall_s:>7.1f}"
        )
    if by_operation:
        lines.append("")
        lines.append(f"{'flow / operation':<44} {'calls':>6} {'requested':>10} {'actual':>8}")
        for row in result.flows:
            for name, op in sorted(row.by_operation.items(), key=lambda kv: -kv[1]["requested"]):
                lines.append(f"{row.flow + ' / ' + name:<44} {op['calls']:>6} {op['requested']:>10} {op['actual']:>8}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> BenchResult:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--bucket-size", type=int, default=STANDARD["bucket_size"])
    parser.add_argument("--restore-rate", type=float, default=STANDARD["restore_rate"])
    parser.add_argument("--flows", help="comma-separated flows to report (all of them still run, in order)")
    parser.add_argument(
        "--full-bucket",
        action="store_true",
        help="wait before each reported flow until the bucket is full again (not counted)",
    )
    parser.add_argument("--by-operation", action="store_true", help="also list each operation's calls and points")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--cost-model",
        choices=("calibrated", "pessimistic", "both"),
        default="both",
        help="the emulator's cost model (emulators/shopify/cost.py); both: one pass under each",
    )
    parser.add_argument(
        "--pages",
        choices=("adaptive", "fixed", "both"),
        default="adaptive",
        help="fixed: page sizes from the documents' # cost headers only, as before adaptive sizing; both: each",
    )
    args = parser.parse_args(argv)
    models = ("calibrated", "pessimistic") if args.cost_model == "both" else (args.cost_model,)
    page_modes = ("fixed", "adaptive") if args.pages == "both" else (args.pages,)
    results = [
        run(
            args.items,
            args.customers,
            args.orders,
            bucket_size=args.bucket_size,
            restore_rate=args.restore_rate,
            flows=args.flows.split(",") if args.flows else None,
            full_bucket=args.full_bucket,
            cost_model=model,
            pages=pages,
        )
        for model in models
        for pages in page_modes
    ]
    print("\n\n".join(report(result, by_operation=args.by_operation) for result in results))
    if args.json:
        payload = [{**asdict(result), "total": asdict(result.total)} for result in results]
        args.json.write_text(json.dumps(payload if len(payload) > 1 else payload[0], indent=2), encoding="utf-8")
    return results[0]


if __name__ == "__main__":
    main()
