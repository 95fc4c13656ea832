"""Benchmark: read every order from the Shopify emulator and compare the wall time with the throttle limit.

    .venv/bin/python bench/shopify_read.py                       # 10 000 orders, rate picked for a ~1 min limit
    .venv/bin/python bench/shopify_read.py --orders 2000 --restore-rate 5000 --bucket-factor 20

WHY: the cost governor (``connectors/shopify/throttle.py``) should let a paging read run as fast as the shop's
leaky bucket allows, and never provoke a ``THROTTLED`` answer once it has seen one ``throttleStatus``. This
script measures exactly that on the read every ``sync_orders`` run does (``OrdersUpdatedSince`` through
``ShopifyClient.iter_pages``), with a fresh governor, against the emulator running as its own process (so the
server's CPU does not share the client's GIL):

    throttle limit = (total requested cost − the bucket's starting fill) ÷ restore rate
    ratio          = wall time ÷ throttle limit                               (goal ≤ 1.25)

The bucket starts full (fill = its size) and is ``--bucket-factor`` × the restore rate, the shape of
Shopify's Standard plan (2000 points, 100/s). Without ``--restore-rate`` the rate is picked so the throttle
limit is ``--target-seconds`` (60): the paged read's requested cost is known before it starts (pages × the
document's requested cost per page).

The emulator, like Shopify, refunds ``requested − actual`` after each query, and the governor learns the refund
from ``throttleStatus``; so the run can beat the requested-cost limit. The report therefore also prints the
floor that refunds allow ((total actual − fill) ÷ rate) and splits the wall time into the governor's sleeps,
HTTP round trips (the emulator's work) and the client's own work, which is what to look at when the ratio is
over its goal. This is a benchmark, not a test: ``tests/bench/`` only smoke-tests it at a tiny size.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

import httpx

from commerce_sync.samples.data import BASE_DATE, generate
from connectors.shopify import ShopifyClient
from connectors.shopify.operations import catalog
from connectors.shopify.paging import page_size
from connectors.shopify.search import updated_at_filter
from connectors.shopify.throttle import CostGovernor

OPERATION = "OrdersUpdatedSince"
TOKEN = "shpat_bench_read_token"
GOAL = 1.25


@dataclass
class ResponseLog:
    """What the HTTP layer saw, response by response (the client hides throttled retries from its caller)."""

    requested: list[int] = field(default_factory=list)
    actual: list[int] = field(default_factory=list)
    throttled_at: list[int] = field(default_factory=list)
    """Indexes (0 = the first response) of THROTTLED / 429 answers."""
    count: int = 0
    """Responses of any kind."""
    http_seconds: float = 0.0


class CountingTransport(httpx.BaseTransport):
    """Wraps the real transport: times each round trip and reads ``extensions.cost`` of every answer."""

    def __init__(self, inner: httpx.BaseTransport, log: ResponseLog) -> None:
        self._inner = inner
        self.log = log

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        response = self._inner.handle_request(request)
        response.read()
        self.log.http_seconds += time.perf_counter() - started
        index = self.log.count
        self.log.count += 1
        if response.status_code == 429:
            self.log.throttled_at.append(index)
            return response
        try:
            body = json.loads(response.content)
        except ValueError:
            return response
        codes = {(e.get("extensions") or {}).get("code") for e in body.get("errors") or () if isinstance(e, dict)}
        if "THROTTLED" in codes:
            self.log.throttled_at.append(index)
            return response
        cost = (body.get("extensions") or {}).get("cost") or {}
        if isinstance(cost.get("requestedQueryCost"), (int, float)):
            self.log.requested.append(int(cost["requestedQueryCost"]))
            self.log.actual.append(int(cost.get("actualQueryCost") or 0))
        return response

    def close(self) -> None:
        self._inner.close()


class SleepMeter:
    """The governor's sleep, timed: how much of the wall time the governor chose to wait."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0

    def __call__(self, seconds: float) -> None:
        started = time.perf_counter()
        time.sleep(seconds)
        self.seconds += time.perf_counter() - started
        self.calls += 1


@dataclass
class BenchResult:
    orders: int
    orders_read: int
    distinct_ids: int
    requests: int
    pages: int
    page_size: int
    bucket_size: int
    restore_rate: float
    starting_fill: int
    total_requested: int
    total_actual: int
    throttle_limit_s: float
    refund_limit_s: float
    wall_s: float
    ratio: float | None
    """None when the starting fill covers the whole read (a throttle limit ≤ 0)."""
    refund_ratio: float | None
    """None when the bucket never ran short (a refund-aware limit of 0)."""
    throttled_after_first: int
    governor_sleep_s: float
    governor_sleeps: int
    http_s: float
    client_s: float
    server_requested: int
    server_calls: int
    server_requests: int
    client_cpu_s: float
    server_cpu_s: float | None
    """CPU time the client process / the emulator process used during the read."""

    @property
    def within_goal(self) -> bool:
        return self.ratio is None or self.ratio <= GOAL

    @property
    def cpu_ratio(self) -> float | None:
        """(emulator + client CPU time) ÷ throttle limit: what the ratio tends to on an idle machine when the
        read is bound by request service time rather than by the bucket."""
        if self.server_cpu_s is None or self.throttle_limit_s <= 0:
            return None
        return (self.server_cpu_s + self.client_cpu_s) / self.throttle_limit_s

    @property
    def bound_by(self) -> str:
        """What set the pace: the bucket (the governor had to wait) or how fast requests are served."""
        if self.governor_sleep_s >= 0.05 * self.wall_s:
            return "the bucket (the governor paced the requests)"
        return "request service time (the bucket never ran short enough for the governor to wait)"


# -- the emulator as its own process ---------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class EmulatorProcess:
    base_url: str
    pid: int

    def cpu_seconds(self) -> float | None:
        """CPU time the emulator has used (all threads; Linux ``/proc``), None where unavailable. The load-
        independent part of its service time: wall-clock figures on a shared machine include waiting for a CPU."""
        try:
            fields = open(f"/proc/{self.pid}/stat").read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            return None


@contextmanager
def emulator_process(
    bucket_size: int, restore_rate: float, token: str = TOKEN, cost_model: str = "calibrated"
) -> Iterator[EmulatorProcess]:
    """``python -m emulators.shopify`` on a free port, stopped afterwards."""
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "emulators.shopify",
        "--port",
        str(port),
        "--token",
        token,
        "--bucket-size",
        str(bucket_size),
        "--restore-rate",
        repr(float(restore_rate)),
        "--cost-model",
        cost_model,
    ]
    log = tempfile.TemporaryFile()  # uvicorn logs every request; a file never blocks the server like a pipe
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"emulator exited: {log.read().decode(errors='replace')[-2000:]}")
            try:
                httpx.get(f"{base_url}/_emulator/requests", timeout=1).raise_for_status()
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the emulator did not start within 60 s") from None
                time.sleep(0.05)
        yield EmulatorProcess(base_url, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def seed_orders(base_url: str, orders: int, seed: int = 1) -> None:
    """Seed the sample shop's locations and ``orders`` orders through ``POST /_emulator/seed``."""
    data = generate(items=max(20, orders // 50), customers=max(10, orders // 20), orders=orders, seed=seed)
    body = {
        "locations": [loc.model_dump(mode="json") for loc in data.locations],
        "orders": [order.model_dump(mode="json") for order in data.orders],
    }
    answer = httpx.post(f"{base_url}/_emulator/seed", json=body, timeout=600)
    answer.raise_for_status()
    made = len(answer.json()["orders"])
    if made != orders:
        raise RuntimeError(f"seeded {made} orders, expected {orders}")


# -- the measurement ----------------------------------------------------------------------------------------
def planned_cost(orders: int) -> tuple[int, int]:
    """(page size, total requested cost) of reading ``orders`` orders, known before the first request."""
    operation = catalog.get(OPERATION)
    size = page_size(operation)
    return size, max(1, math.ceil(orders / size)) * int(operation.cost or 0)


def auto_restore_rate(orders: int, bucket_factor: float, target_seconds: float) -> float:
    """The rate at which (requested − fill) ÷ rate = target, with fill = bucket_factor × rate."""
    _, total = planned_cost(orders)
    return round(total / (target_seconds + bucket_factor), 1)


def refund_aware_limit(requested: Sequence[int], actual: Sequence[int], fill: float, rate: float) -> float:
    """The earliest the last request can be sent when refunds count: request k needs its requested cost in the
    bucket, which by then has lost the *actual* cost of every earlier request and gained ``rate`` per second."""
    spent = 0
    latest = 0.0
    for req, act in zip(requested, actual, strict=False):
        latest = max(latest, (spent + req - fill) / rate)
        spent += act
    return latest


def read_all(
    base_url: str,
    restore_rate: float,
    bucket_size: int,
    orders: int,
    server_cpu: Callable[[], float | None] = lambda: None,
) -> BenchResult:
    """Read every seeded order once, as sync_orders does, and measure the run."""
    log = ResponseLog()
    meter = SleepMeter()
    governor = CostGovernor(sleep=meter, name="bench")
    http = httpx.Client(transport=CountingTransport(httpx.HTTPTransport(), log), timeout=60)
    client = ShopifyClient(base_url, TOKEN, http=http, governor=governor)
    query = updated_at_filter(BASE_DATE - timedelta(days=1), datetime(2100, 1, 1, tzinfo=UTC))
    ids: list[str] = []
    pages = 0
    try:
        server_cpu_before, client_cpu_before = server_cpu(), time.process_time()
        started = time.perf_counter()
        for page in client.iter_pages(OPERATION, {"query": query}, "orders"):
            ids.extend(node["id"] for node in page.items)
            pages += 1
        wall = time.perf_counter() - started
        client_cpu, server_cpu_after = time.process_time() - client_cpu_before, server_cpu()
    finally:
        http.close()
    server = httpx.get(f"{base_url}/_emulator/state", timeout=30).json()["cost"]
    server_requests = httpx.get(f"{base_url}/_emulator/requests", timeout=30).json()["count"]
    total_requested, total_actual = sum(log.requested), sum(log.actual)
    limit = (total_requested - bucket_size) / restore_rate
    refund_limit = refund_aware_limit(log.requested, log.actual, bucket_size, restore_rate)
    ledger = server["by_operation"].get(OPERATION, {"calls": 0, "requested": 0})
    return BenchResult(
        orders=orders,
        orders_read=len(ids),
        distinct_ids=len(set(ids)),
        requests=log.count,
        pages=pages,
        page_size=page_size(catalog.get(OPERATION)),
        bucket_size=bucket_size,
        restore_rate=restore_rate,
        starting_fill=bucket_size,
        total_requested=total_requested,
        total_actual=total_actual,
        throttle_limit_s=limit,
        refund_limit_s=refund_limit,
        wall_s=wall,
        ratio=wall / limit if limit > 0 else None,
        refund_ratio=wall / refund_limit if refund_limit > 0 else None,
        throttled_after_first=sum(1 for i in log.throttled_at if i > 0),
        governor_sleep_s=meter.seconds,
        governor_sleeps=meter.calls,
        http_s=log.http_seconds,
        client_s=max(0.0, wall - meter.seconds - log.http_seconds),
        server_requested=int(ledger["requested"]),
        server_calls=int(ledger["calls"]),
        server_requests=int(server_requests),
        client_cpu_s=client_cpu,
        server_cpu_s=None
        if server_cpu_before is None or server_cpu_after is None
        else server_cpu_after - server_cpu_before,
    )


def run(
    orders: int = 10_000,
    restore_rate: float | None = None,
    bucket_factor: float = 20.0,
    target_seconds: float = 60.0,
    seed: int = 1,
    cost_model: str = "calibrated",
) -> BenchResult:
    """Start the emulator with a Standard-shaped bucket, seed it, read everything, stop it."""
    rate = restore_rate if restore_rate is not None else auto_restore_rate(orders, bucket_factor, target_seconds)
    bucket_size = int(round(bucket_factor * rate))
    with emulator_process(bucket_size, rate, cost_model=cost_model) as emulator:
        seed_orders(emulator.base_url, orders, seed)
        return read_all(emulator.base_url, rate, bucket_size, orders, emulator.cpu_seconds)


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} s"


def report(result: BenchResult) -> str:
    r = result
    rows = [
        ("orders seeded / read / distinct ids", f"{r.orders} / {r.orders_read} / {r.distinct_ids}"),
        ("requests / pages", f"{r.requests} / {r.pages} (first page: {r.page_size}, then sized from the cost)"),
        ("bucket size = starting fill", f"{r.bucket_size} points"),
        ("restore rate", f"{r.restore_rate:g} points/s"),
        (
            "total requested / actual cost",
            f"{r.total_requested} / {r.total_actual} points "
            f"(emulator ledger: {r.server_requested} over {r.server_calls} calls)",
        ),
        ("throttle limit", f"{r.throttle_limit_s:.2f} s  = (requested - fill) / rate"),
        (
            "refund-aware limit",
            f"{r.refund_limit_s:.2f} s  (each request needs its requested cost; the bucket loses the actual)",
        ),
        (
            "wall time",
            f"{r.wall_s:.2f} s  = governor sleeps {r.governor_sleep_s:.2f} s ({r.governor_sleeps}) "
            f"+ HTTP round trips {r.http_s:.2f} s + client {r.client_s:.2f} s",
        ),
        (
            "per request",
            f"HTTP round trip {1000 * r.http_s / max(1, r.requests):.1f} ms, "
            f"client {1000 * r.client_s / max(1, r.requests):.1f} ms",
        ),
        (
            "CPU time during the read",
            f"emulator {_seconds(r.server_cpu_s)}, client {r.client_cpu_s:.2f} s "
            "(requests are sequential: no machine runs the read in less than their sum)",
        ),
        (
            "THROTTLED after the first response",
            f"{r.throttled_after_first}  (emulator: {r.server_requests} requests, {r.server_calls} charged)",
        ),
        ("bound by", r.bound_by),
        (
            "ratio wall / throttle limit",
            f"{r.ratio:.3f}  (goal <= {GOAL}: {'met' if r.within_goal else 'NOT met'})"
            if r.ratio is not None
            else "n/a (the starting fill covers the whole read)",
        ),
        (
            "ratio CPU time / throttle limit",
            f"{r.cpu_ratio:.3f}  (the ratio's floor on an idle machine)" if r.cpu_ratio is not None else "n/a",
        ),
        (
            "ratio wall / refund-aware limit",
            f"{r.refund_ratio:.3f}" if r.refund_ratio is not None else "n/a (the bucket never ran short)",
        ),
    ]
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}} : {value}" for label, value in rows)


def main(argv: Sequence[str] | None = None) -> BenchResult:
    parser = argparse.ArgumentParser(
        prog="bench/shopify_read.py",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument(
        "--restore-rate",
        type=float,
        default=None,
        help="points/s (default: picked so the throttle limit is --target-seconds)",
    )
    parser.add_argument("--bucket-factor", type=float, default=20.0, help="bucket size = factor × restore rate")
    parser.add_argument("--target-seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1, help="sample_data seed")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    parser.add_argument(
        "--cost-model",
        choices=("calibrated", "pessimistic"),
        default="calibrated",
        help="the emulator's cost model: Shopify's measured costs, or the linear rule (see emulators/shopify/cost.py)",
    )
    args = parser.parse_args(argv)
    if args.orders < 1:
        parser.error("--orders must be at least 1")
    result = run(args.orders, args.restore_rate, args.bucket_factor, args.target_seconds, args.seed, args.cost_model)
    print(
        f"shopify_read: {OPERATION} via ShopifyClient.iter_pages, emulator in its own process ({args.cost_model} "
        f"cost model), {os.cpu_count()} CPUs"
    )
    print(report(result))
    if args.json:
        print(json.dumps(asdict(result)))
    return result


if __name__ == "__main__":
    main()
