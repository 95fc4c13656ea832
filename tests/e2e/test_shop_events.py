"""Runs started by Shopify's own events, on the PostgreSQL stack with its deployments' webhook triggers.

What a data engineer sets up from the README: the receiver (``commerce-sync webhooks serve``) beside the worker,
the app's client secret on the shop's block, ``commerce-sync webhooks register`` pointing the shop at it. Then a
buyer's order starts one ``sync_orders`` run within seconds; a burst of webhooks starts one or two runs, never one
per webhook; a delivery nobody signed with the app's secret starts nothing. The shop is the Shopify emulator,
which signs its deliveries with the app's client secret as Shopify does.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
import pytest
from pydantic import SecretStr

from commerce_sync.processes import free_port, start_process, stop_process, wait_until
from commerce_sync.serve import SHOPIFY_APP, LocalStack, run_command
from commerce_sync.webhooks.signature import sign
from deployments.webhooks import DEBOUNCE, WEBHOOK_TOPICS
from tests.e2e.shop_day import ORDERS_DEPLOYMENT, SHOP, place_order, runs_created_since, started_by_automation
from tests.e2e.stacks import ON_POSTGRESQL_EVENTS

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.timeout(600),
    ON_POSTGRESQL_EVENTS,
]

SECRET = SecretStr(SHOPIFY_APP[1])  # the Dev Dashboard app's client secret: Shopify signs webhooks with it
QUIET = DEBOUNCE.total_seconds() + 10  # long enough for a trigger that fired to have made its run


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


@pytest.fixture(scope="module")
def receiver(stack: LocalStack) -> Iterator[str]:
    """The receiver as the README sets it up, subscribed to the shop; yields its base URL."""
    from blocks import ShopifyShop

    with stack.api():
        block = ShopifyShop.load(SHOP)
        block.webhook_secret = SECRET
        block.save(SHOP, overwrite=True)
    port = free_port()
    cli = [sys.executable, "-m", "commerce_sync.cli", "webhooks"]
    started = start_process("webhooks", [*cli, "serve", "--shop", SHOP, "--port", str(port)], stack.env, stack.logs)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: _answers(url), "the webhook receiver", 60, started)
        out = run_command([*cli, "register", "--shop", SHOP, "--address", url], stack.env, "webhooks register")
        assert [line.split(": ")[1].split(" ->")[0] for line in out.splitlines()] == list(WEBHOOK_TOPICS), out
        yield url
    finally:
        stop_process(started)


def _deliver(http: httpx.Client, url: str, topic: str, order_gid: str, *, signature: str | None = None) -> int:
    """One delivery as Shopify makes it (headers of https://shopify.dev/docs/apps/build/webhooks/delivery-structure)."""
    body = json.dumps({"admin_graphql_api_id": order_gid}).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": signature if signature is not None else sign(body, SECRET),
        "X-Shopify-Shop-Domain": f"{SHOP}.myshopify.com",
        "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
    }
    return http.post(f"{url}/webhooks/{SHOP}", content=body, headers=headers).status_code


def test_a_badly_signed_webhook_is_refused_and_starts_no_run(stack: LocalStack, receiver: str) -> None:
    since = datetime.now(UTC)
    forged = sign(b'{"admin_graphql_api_id":"gid://shopify/Order/1"}', SecretStr("not-the-app-secret"))

    with httpx.Client(timeout=10) as http:
        assert _deliver(http, receiver, "orders/create", "gid://shopify/Order/1", signature=forged) == 401
        assert _deliver(http, receiver, "orders/create", "gid://shopify/Order/1", signature="") == 401
    time.sleep(10)  # an event would have fired the trigger at once (threshold 1), its run made within seconds

    assert runs_created_since(stack, ORDERS_DEPLOYMENT, since) == []


def test_a_new_order_starts_one_sync_orders_run_within_30_s_that_imports_it(stack: LocalStack, receiver: str) -> None:
    from connectors.state import StateStore

    placed = datetime.now(UTC)
    gid = place_order(stack, 990001)  # the shop delivers orders/create, signed, to the receiver

    wait_until(lambda: bool(runs_created_since(stack, ORDERS_DEPLOYMENT, placed)), "a triggered sync_orders run", 30)
    (run,) = runs_created_since(stack, ORDERS_DEPLOYMENT, placed)
    final = stack.wait_for([str(run.id)], timeout=300)[str(run.id)]
    time.sleep(max(0.0, QUIET - (datetime.now(UTC) - run.created).total_seconds()))  # a second run would show now
    runs = runs_created_since(stack, ORDERS_DEPLOYMENT, placed)
    print(f"order placed {placed:%H:%M:%S}, run created {run.created:%H:%M:%S}, ended {final.end_time:%H:%M:%S}")

    assert [r.id for r in runs] == [run.id], f"{len(runs)} runs for one order"
    assert started_by_automation(run)
    assert (run.created - placed).total_seconds() <= 30
    assert final.state.type.value == "COMPLETED", f"{final.state.message}\n{stack.worker_tail()}"
    store = StateStore.from_url(stack.erp_url)
    try:
        staged = store.staged_order(SHOP, gid)
    finally:
        store.engine.dispose()
    assert staged is not None and staged.name == "#990001"


def test_200_webhooks_in_5_s_start_at_most_3_runs(stack: LocalStack, receiver: str) -> None:
    since = datetime.now(UTC)
    begin = time.monotonic()

    def send(i: int) -> int:  # Shopify delivers concurrently: 200 spread evenly over 5 s, 10 in flight at most
        time.sleep(max(0.0, begin + 5 * i / 200 - time.monotonic()))
        return _deliver(http, receiver, "orders/updated", f"gid://shopify/Order/{1001 + i % 8}")

    with httpx.Client(timeout=10) as http, ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(send, range(200)))
    sent_in = time.monotonic() - begin
    time.sleep(QUIET)
    runs = runs_created_since(stack, ORDERS_DEPLOYMENT, since)
    stack.wait_for([str(r.id) for r in runs], timeout=300)
    print(f"200 webhooks in {sent_in:.1f} s started {len(runs)} run(s)")

    assert statuses == [200] * 200
    assert sent_in <= 6
    assert 1 <= len(runs) <= 3
    assert all(started_by_automation(r) for r in runs)
