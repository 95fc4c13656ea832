"""With the shared budget on, the processes of one shop share one Dev Dashboard token through the Prefect server
(``engine/shared_token.py``): a Secret block holds it, a one-slot global concurrency limit lets one process fetch.

Each "process" here is a client with its own token cache and its own ``PrefectTokenStore`` (so its own Prefect
client), as a separate worker process has; they run in threads started together, against one emulated shop
whose grants the emulator counts.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from prefect.client.orchestration import get_client

from blocks import ShopifyShop
from connectors.shopify.auth import AccessTokenAuth, client_credentials_for, reset_credentials
from connectors.shopify.client import ShopifyClient
from connectors.shopify.errors import AuthenticationError
from emulators.shopify import EmulatorConfig, FakeClock, create_app, emulator_of, running_emulator
from engine import resources
from engine.shared_token import PrefectTokenStore, token_block_name, token_lock_name
from tests.flows.test_secrets import Scan, every_log_record, scan_exception

APP = "dev-dashboard-app-shared"
SECRET = "shpss_Zq7SECRETSCAN_shared_3b9d"
DAY = 86399
WRONG = "shpss_Zq7SECRETSCAN_wrong_77e1"


@pytest.fixture(autouse=True)
def _fresh_token_sources() -> Iterator[None]:
    reset_credentials()
    yield
    reset_credentials()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def shop(clock: FakeClock) -> Iterator[tuple[str, Any]]:
    config = EmulatorConfig(client_credentials={APP: SECRET}, token_ttl_seconds=DAY, record_dir=None)
    app = create_app(config, clock=clock)
    with running_emulator(app=app) as url:
        yield url, emulator_of(app)


def process(url: str, name: str, secret: str = SECRET) -> ShopifyClient:
    """A client as another worker process of shop ``name`` builds it: its own token cache, its own store."""
    reset_credentials()
    return ShopifyClient(url, client_id=APP, client_secret=secret, shared_token=PrefectTokenStore(name))


def together(clients: list[ShopifyClient]) -> None:
    start = threading.Barrier(len(clients))
    failures: list[BaseException] = []

    def work(client: ShopifyClient) -> None:
        start.wait()
        try:
            client.execute("Locations", {"first": 1})
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def _store_failed(caplog: pytest.LogCaptureFixture) -> bool:
    """The Prefect server did not answer the token store (a SQLite-backed test server stalls up to a minute on
    "database is locked" under load): each process then rightly fetches its own token, and the try shows nothing."""
    return any(r.name == "engine.shared_token" and r.levelno >= logging.WARNING for r in caplog.records)


def test_processes_of_a_shop_make_one_grant_then_one_renewal_when_shopify_refuses_the_token(shop, clock, caplog):
    url, emulator = shop
    caplog.set_level(logging.WARNING, logger="engine.shared_token")
    for _ in range(3):  # a try the test server stalled in is repeated with a new shop (up to 3)
        caplog.clear()
        before = emulator.oauth.grants
        name = f"shop-{uuid.uuid4().hex[:8]}"
        clients = [process(url, name) for _ in range(3)]
        together(clients)
        if not _store_failed(caplog):
            break
    assert not _store_failed(caplog), "the Prefect server did not answer the token store in 3 tries"
    assert emulator.oauth.grants - before == 1
    assert sorted(c.auth.fetches for c in clients) == [0, 0, 1]

    clock.advance(DAY + 1)  # the token expired on Shopify's clock: every process gets a 401
    together(clients)
    assert emulator.oauth.grants - before == 2
    assert sum(c.auth.fetches for c in clients) == 2
    renewed = emulator.oauth.issued_tokens()[-1]
    assert all(c.auth.scrub(renewed) == "***" for c in clients), "every process took the renewed token"


def test_the_token_is_a_secret_block_no_ui_reader_sees_and_no_log_or_error_holds(shop, clock):
    url, emulator = shop
    name = f"shop-{uuid.uuid4().hex[:8]}"
    scan = Scan()
    with every_log_record() as logs:
        clients = [process(url, name) for _ in range(2)]
        together(clients)
        clock.advance(DAY + 1)
        together(clients)
        with pytest.raises(AuthenticationError) as refused:  # a wrong secret, its store on: a clear error
            process(url, name, secret=WRONG).execute("Locations", {"first": 1})
    issued = emulator.oauth.issued_tokens()
    assert len(issued) == 2
    for number, token in enumerate(issued):
        scan.watch(token, f"fetched access token #{number}")
    scan.watch(SECRET, "the client secret")

    with get_client(sync_client=True) as client:
        as_the_ui_reads_it = client.read_block_document_by_name(token_block_name(name), "secret", include_secrets=False)
        with_secrets = client.read_block_document_by_name(token_block_name(name), "secret", include_secrets=True)
        lock = client.read_global_concurrency_limit_by_name(token_lock_name(name))
        ui = client._client.get(f"/block_documents/{as_the_ui_reads_it.id}")  # what the UI's page requests
    assert issued[-1] in str(with_secrets.data), "the scan below looks at the block that holds the token"
    assert (lock.limit, lock.active_slots) == (1, 0), "one process fetches at a time; the lock was given back"
    scan.add("block", "the Secret block as the API returns it", as_the_ui_reads_it.model_dump_json())
    scan.add("block", "the Secret block as the UI requests it", ui.text)
    scan.add("limit", "the token lock", lock.model_dump_json())
    for line in logs.lines:
        scan.add("logs", "log record", line)
    scan_exception(scan, "a wrong client secret", refused.value)
    scan.add("reprs", "the store and the clients", repr(clients[0].auth.shared) + repr(clients) + repr(clients[0].auth))
    scan.assert_clean("block", "limit", "logs", "exceptions", "reprs")


def test_a_store_the_server_cannot_answer_costs_a_grant_not_the_request(shop, caplog):
    url, emulator = shop
    store = PrefectTokenStore("unreachable")

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    store._api()._client._transport = httpx.MockTransport(down)  # the Prefect server is down
    reset_credentials()
    client = ShopifyClient(url, client_id=APP, client_secret=SECRET, shared_token=store)
    caplog.set_level(logging.WARNING)
    assert client.execute("Locations", {"first": 1})["locations"]["nodes"] == []
    assert emulator.oauth.grants == 1
    assert "could not read the shared token (ConnectError)" in caplog.text
    assert "could not store the shared token (ConnectError)" in caplog.text


@pytest.mark.parametrize(
    ("credentials", "share", "shared"),
    [("app", True, True), ("app", False, False), ("token", True, False)],
)
def test_a_shop_shares_its_token_when_its_block_shares_the_budget_and_it_is_a_dev_dashboard_app(
    credentials, share, shared
):
    name = f"shop-{uuid.uuid4().hex[:8]}"
    auth = {"client_id": APP, "client_secret": SECRET} if credentials == "app" else {"access_token": "shpat_legacy"}
    block = ShopifyShop(
        shop_url="acme-store.myshopify.com",
        erp_block="erp-database/none",
        schedule={"selectedFrequency": "Daily", "startDate": "2026-01-01"},
        shared_rate_limit=share,
        **auth,
    )
    cached = resources.ShopResources(name=name, shop=block, erp_block=None)  # type: ignore[arg-type]
    try:
        found = cached.shopify.auth
        if credentials == "token":
            assert isinstance(found, AccessTokenAuth)  # a legacy token is the same in every process
        else:
            assert found is client_credentials_for(block.shop_url, APP, SECRET)
            assert isinstance(found.shared, PrefectTokenStore) == shared
            assert not shared or found.shared.block_name == token_block_name(name)
    finally:
        cached.shopify.close()
