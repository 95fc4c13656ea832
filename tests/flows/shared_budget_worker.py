"""One "worker" of ``test_shared_budget.py``: a separate process that reads orders from the emulator.

Run as ``python shared_budget_worker.py SPEC_JSON`` with ``PREFECT_API_URL`` set to the test's Prefect API.
It builds its own ``ShopifyClient`` (so its own process-wide cost governor), attached to the shop's shared
budget when ``spec["shared"]`` is true, writes its ready file, waits for the go file so both workers start
together (after their imports), reads
``spec["pages"]`` pages of ``OrdersUpdatedSince`` and prints one JSON line: the pages read, the THROTTLED
answers it got, and how many requests of the other worker the shop received between this worker's first and
last answer (the emulator's request count read after each answer: an order of events, not clock readings).

After its first page each worker waits until every worker has read one (``first_page_files``). Without that
the shared budget let one worker read all its pages while the other waited for its first grant, and nothing
was shared while both were reading.
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
    received_after_each_answer: list[int] = []
    probe = httpx.Client(base_url=spec["url"], timeout=60)

    def count_throttled(response: httpx.Response) -> None:
        nonlocal throttled
        response.read()
        if b'"THROTTLED"' in response.content:
            throttled += 1
        received_after_each_answer.append(probe.get("/_emulator/requests").json()["count"])

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
    pages = 0
    variables = {"query": "updated_at:>=2000-01-01"}
    for _ in client.iter_pages("OrdersUpdatedSince", variables, "orders", page_size=spec["page_size"]):
        pages += 1
        if pages == 1:
            _everyone_read_a_page(spec["first_page_file"], spec["first_page_files"])
        if pages >= spec["pages"]:
            break
    if shared is not None:
        shared.flush()
    http.close()
    probe.close()
    first, last = received_after_each_answer[0], received_after_each_answer[-1]
    others_meanwhile = last - first - (len(received_after_each_answer) - 1)  # each later answer is one of ours
    return {"pages": pages, "throttled": throttled, "others_meanwhile": others_meanwhile}


def _everyone_read_a_page(mine: str, everyone: list[str], timeout: float = 120) -> None:
    Path(mine).touch()
    deadline = time.monotonic() + timeout
    while not all(Path(f).exists() for f in everyone):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the other workers read no page within {timeout} s")
        time.sleep(0.01)


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))), flush=True)
