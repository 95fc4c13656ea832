"""One "worker" of ``test_shared_budget.py``: a separate process that reads orders from the emulator.

Run as ``python shared_budget_worker.py SPEC_JSON`` with ``PREFECT_API_URL`` set to the test's Prefect API.
It builds its own ``ShopifyClient`` (so its own process-wide cost governor), attached to the shop's shared
budget when ``spec["shared"]`` is true, writes its ready file, waits for the go file so both workers start
together (after their imports), reads
``spec["pages"]`` pages of ``OrdersUpdatedSince`` and prints one JSON line: the pages read, the THROTTLED
answers it got, and when its first request started and its last answer ended (``time.time()``, comparable
across processes on one machine).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import httpx

from connectors.shopify import ShopifyClient


def main(spec: dict) -> dict:
    throttled = 0

    def count_throttled(response: httpx.Response) -> None:
        nonlocal throttled
        response.read()
        if b'"THROTTLED"' in response.content:
            throttled += 1

    shared = None
    if spec["shared"]:
        from engine.shared_budget import PrefectSharedBucket, budget_limit  # imports prefect: only when needed

        shared = PrefectSharedBucket(budget_limit(spec["shop"], spec["restore_rate"], bucket_size=spec["bucket_size"]))
    http = httpx.Client(timeout=60, event_hooks={"response": [count_throttled]})
    client = ShopifyClient(spec["url"], spec["token"], http=http, shared_budget=shared)
    Path(spec["ready_file"]).touch()
    go = Path(spec["go_file"])
    while not go.exists():
        time.sleep(0.01)
    started = time.time()
    pages = 0
    variables = {"query": "updated_at:>=2000-01-01"}
    for _ in client.iter_pages("OrdersUpdatedSince", variables, "orders", page_size=spec["page_size"]):
        pages += 1
        if pages >= spec["pages"]:
            break
    ended = time.time()
    if shared is not None:
        shared.flush()
    http.close()
    return {"pages": pages, "throttled": throttled, "started": started, "ended": ended}


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))), flush=True)
