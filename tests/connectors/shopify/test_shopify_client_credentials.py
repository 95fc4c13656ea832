"""A Dev Dashboard app's token: fetched by the client-credentials grant, renewed before it expires and once on
a 401, shared by every client of the shop (and by its processes through a ``TokenStore``), and never written
into an error.

Against the emulator, which issues tokens that expire on its (fake) clock and answers an expired one with
Shopify's 401 (``emulators/shopify/oauth.py``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from connectors.shopify.auth import ClientCredentialsAuth, SharedToken, client_credentials_for, reset_credentials
from connectors.shopify.client import ShopifyClient
from connectors.shopify.errors import AuthenticationError
from connectors.shopify.testing import FakeTime, ok
from connectors.shopify.throttle import CostGovernor
from emulators.shopify import EmulatorConfig, FakeClock, create_app, emulator_client, emulator_of, running_emulator
from emulators.shopify.app import UNAUTHORIZED

APP = "dev-dashboard-app-1"
SECRET = "shpss_client_secret_5c1e"
WRONG = "shpss_wrong_secret_07aa"
DAY = 86399


@pytest.fixture(autouse=True)
def _fresh_token_sources() -> Iterator[None]:
    reset_credentials()
    yield
    reset_credentials()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(clock: FakeClock) -> Any:
    config = EmulatorConfig(client_credentials={APP: SECRET}, token_ttl_seconds=DAY, record_dir=None)
    return create_app(config, clock=clock)


@pytest.fixture
def statuses() -> list[tuple[str, int]]:
    return []


@pytest.fixture
def http(app: Any, statuses: list[tuple[str, int]]) -> Iterator[httpx.Client]:
    with emulator_client(app=app) as client:
        client.event_hooks["response"].append(lambda r: statuses.append((r.request.url.path, r.status_code)))
        yield client


def client_of(http: httpx.Client, secret: str = SECRET) -> ShopifyClient:
    fake = FakeTime()
    return ShopifyClient(
        str(http.base_url),
        client_id=APP,
        client_secret=secret,
        http=http,
        governor=CostGovernor(clock=fake.clock, sleep=fake.sleep),
        sleep=fake.sleep,
    )


def locations(client: ShopifyClient) -> list[dict]:
    return list(client.iter_nodes("Locations", {}, "locations"))


def grant(http: httpx.Client, **form: str) -> httpx.Response:
    return http.post("/admin/oauth/access_token", data={"grant_type": "client_credentials", **form})


def test_the_grant_answers_a_token_its_scope_and_a_day_of_life(http):
    answer = grant(http, client_id=APP, client_secret=SECRET)
    assert answer.status_code == 200
    body = answer.json()
    assert body["access_token"].startswith("shpat_") and body["expires_in"] == DAY and "read_orders" in body["scope"]
    graphql = http.post(
        "/admin/api/2026-04/graphql.json",
        json={"query": "{ shop { name } }"},
        headers={"X-Shopify-Access-Token": body["access_token"]},
    )
    assert graphql.status_code == 200 and "errors" not in graphql.json()


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"client_id": APP, "client_secret": WRONG}, "invalid_client"),
        ({"client_id": "another-app", "client_secret": SECRET}, "invalid_client"),
        ({"client_id": APP}, "invalid_request"),
        ({"client_id": APP, "client_secret": SECRET, "grant_type": "authorization_code"}, "unsupported_grant_type"),
    ],
)
def test_the_grant_refuses_bad_credentials_without_repeating_them(http, form, code):
    answer = grant(http, **form)
    assert (answer.status_code, answer.json()["error"]) == (400, code)
    assert SECRET not in answer.text and WRONG not in answer.text


def test_an_issued_token_expires_on_the_emulator_clock_with_shopifys_401(http, clock):
    token = grant(http, client_id=APP, client_secret=SECRET).json()["access_token"]
    clock.advance(DAY)
    answer = http.post(
        "/admin/api/2026-04/graphql.json",
        json={"query": "{ shop { name } }"},
        headers={"X-Shopify-Access-Token": token},
    )
    assert (answer.status_code, answer.json()) == (401, {"errors": UNAUTHORIZED})


def test_the_client_fetches_a_token_then_renews_it_before_it_expires(http, app, clock, statuses):
    client_credentials_for(str(http.base_url), APP, SECRET, clock=clock.monotonic)  # the client's clock = the shop's
    client = client_of(http)
    assert locations(client) == []
    assert emulator_of(app).oauth.grants == 1
    clock.advance(DAY - 200)  # inside the last five minutes: renewed ahead, not refused
    locations(client)
    locations(client)
    assert emulator_of(app).oauth.grants == 2
    assert 401 not in {status for _, status in statuses}
    assert client.auth.scope and "read_products" in client.auth.scope


def test_a_token_refused_with_401_is_renewed_once_and_the_request_succeeds(http, app, clock, statuses):
    client_credentials_for(str(http.base_url), APP, SECRET, clock=lambda: 0.0)  # a client whose clock disagrees
    client = client_of(http)
    locations(client)
    clock.advance(DAY + 1)
    statuses.clear()
    assert locations(client) == []
    assert [status for _, status in statuses] == [401, 200, 200]
    assert [path for path, _ in statuses][1] == "/admin/oauth/access_token"
    assert emulator_of(app).oauth.grants == 2


def test_a_revoked_app_is_tried_with_one_new_token_then_refused(http, app):
    client = client_of(http)
    locations(client)
    emulator_of(app).set_faults(token_revoked=True)
    with pytest.raises(AuthenticationError, match="HTTP 401"):
        locations(client)
    assert emulator_of(app).oauth.grants == 2


def test_a_wrong_secret_is_a_clear_auth_error_naming_neither_secret(http):
    with pytest.raises(AuthenticationError) as caught:
        locations(client_of(http, secret=WRONG))
    message = str(caught.value)
    assert "client credentials" in message and APP in message and "HTTP 400" in message
    assert WRONG not in message and SECRET not in message and WRONG not in repr(caught.value.__dict__)


def test_every_client_and_thread_of_a_shop_shares_one_token():
    config = EmulatorConfig(client_credentials={APP: SECRET}, record_dir=None, bucket_size=100_000)
    app = create_app(config)
    with running_emulator(app=app) as base_url, httpx.Client() as http:
        clients = [ShopifyClient(base_url, client_id=APP, client_secret=SECRET, http=http) for _ in range(2)]
        assert clients[0].auth is clients[1].auth
        assert isinstance(clients[0].auth, ClientCredentialsAuth)
        # four: more would wait seconds for the governor's provisional 1000-point bucket, not for the token
        start = threading.Barrier(4)
        failures: list[BaseException] = []

        def work(client: ShopifyClient) -> None:
            start.wait()
            try:
                locations(client)
            except BaseException as exc:  # reported below, with the thread's client
                failures.append(exc)

        threads = [threading.Thread(target=work, args=(clients[i % 2],)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []
    assert emulator_of(app).oauth.grants == 1


def test_a_client_takes_a_token_or_client_credentials_not_both_nor_neither():
    with pytest.raises(ValueError, match="not both"):
        ShopifyClient("https://a.myshopify.com", "shpat_x", client_id=APP, client_secret=SECRET)
    with pytest.raises(ValueError, match="client_id and client_secret"):
        ShopifyClient("https://a.myshopify.com", client_id=APP)


def test_a_token_endpoint_that_cannot_be_reached_is_retried_and_blocks_no_later_request(make_client):
    """The token source's lock is held during a fetch: a fetch that fails must give it back."""
    calls: list[str] = []

    def shop(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path.endswith("/access_token"):
            if calls.count(request.url.path) == 1:
                raise httpx.ConnectError("connection refused")
            return httpx.Response(200, json={"access_token": "shpat_fetched", "scope": "", "expires_in": DAY})
        assert request.headers["X-Shopify-Access-Token"] == "shpat_fetched"
        return ok({"locations": {"nodes": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}})

    client = make_client(shop, access_token=None, client_id=APP, client_secret=SECRET)
    result = threading.Thread(target=locations, args=(client,), daemon=True)
    result.start()
    result.join(timeout=30)
    assert not result.is_alive(), "a second fetch waited for a lock the failed one kept"
    assert calls == ["/admin/oauth/access_token", "/admin/oauth/access_token", "/admin/api/2026-04/graphql.json"]


# -- several processes of one shop: one token between them (a TokenStore; the Prefect one is engine/shared_token.py)


class ServerStore:
    """What the shop's processes share (in production the Prefect server): one token and who fetches."""

    def __init__(self) -> None:
        self.token: SharedToken | None = None
        self.lock = threading.Lock()

    def load(self) -> SharedToken | None:
        return self.token

    def save(self, token: SharedToken) -> None:
        self.token = token

    def exclusive(self) -> threading.Lock:
        return self.lock


def process(http: httpx.Client, store: ServerStore, clock: Any = None) -> ShopifyClient:
    """A client as another process builds it: its own token cache (the process registry starts empty), the
    shop's shared store."""
    reset_credentials()
    client_credentials_for(str(http.base_url), APP, SECRET, clock=clock, wall=clock, shared=store)
    return client_of(http)


def together(clients: list[ShopifyClient]) -> None:
    start = threading.Barrier(len(clients))
    failures: list[BaseException] = []

    def work(client: ShopifyClient) -> None:
        start.wait()
        try:
            locations(client)
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_processes_sharing_a_store_make_one_grant_and_one_renewal_between_them(http, app, clock):
    store = ServerStore()
    clients = [process(http, store, clock.monotonic) for _ in range(3)]
    assert len({id(c.auth) for c in clients}) == 3, "three token caches, as in three processes"
    together(clients)
    assert emulator_of(app).oauth.grants == 1
    assert sorted((c.auth.fetches, c.auth.adopted) for c in clients) == [(0, 1), (0, 1), (1, 0)]

    clock.advance(DAY - 200)  # every process finds the token due: one renews it, the others take the new one
    together(clients)
    assert emulator_of(app).oauth.grants == 2
    assert sum(c.auth.fetches for c in clients) == 2


def test_a_token_refused_in_one_process_is_renewed_once_for_all(http, app, clock, statuses):
    store = ServerStore()
    first, second = (process(http, store, clock=lambda: 0.0) for _ in range(2))  # clocks that disagree with Shopify's
    locations(first)
    locations(second)
    clock.advance(DAY + 1)  # Shopify let the token expire: 401
    statuses.clear()
    locations(first)
    locations(second)
    assert emulator_of(app).oauth.grants == 2
    assert [s for p, s in statuses if p != "/admin/oauth/access_token"] == [401, 200, 401, 200]
    assert (first.auth.fetches, second.auth.fetches, second.auth.adopted) == (2, 0, 2)


def test_a_token_of_another_app_or_secret_in_the_store_is_not_used(http, app):
    store = ServerStore()
    store.token = SharedToken(SecretStr("shpat_of_another_app"), time.time() + DAY, "", app="someone-else")
    client = process(http, store)
    assert locations(client) == []
    assert (client.auth.fetches, client.auth.adopted, emulator_of(app).oauth.grants) == (1, 0, 1)
    assert store.token is not None and store.token.value.get_secret_value() != "shpat_of_another_app"


def test_a_shared_token_never_reaches_a_log_or_the_stores_repr(http, app, clock, caplog):
    store = ServerStore()
    caplog.set_level(logging.DEBUG)
    first, second = process(http, store, clock.monotonic), process(http, store, clock.monotonic)
    together([first, second])
    clock.advance(DAY + 1)
    together([first, second])
    issued = emulator_of(app).oauth.issued_tokens()
    assert len(issued) == 2
    shown = caplog.text + repr(store.token) + str(store.token) + repr(first.auth) + repr(first)
    for secret in (SECRET, *issued):
        assert secret not in shown
