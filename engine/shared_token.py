"""One shop's client-credentials token, shared by every worker process through the Prefect server.

A Dev Dashboard app's token (``connectors/shopify/auth.py``) is fetched once per shop and process. When a shop
shares its API budget between workers (the block's ``shared_rate_limit``, ``engine/shared_budget.py``), it
shares its token the same way, through the same server: N flow-run processes that start together make one
grant, a renewal by one process is the token of all, and a token Shopify refuses (401) is renewed once for
all of them. The connector's ``TokenStore`` port, kept by the Prefect server as:

- **the token: a Secret block** ``shopify-token-<shop>`` (a JSON value: token, renewal time, scope, a digest
  of the app's client ID and secret). Prefect encrypts block data at rest and obfuscates a ``SecretStr``
  whenever a block is read without ``include_secrets``, in the UI and the API ("Secret values are encrypted at
  rest when stored in your Prefect backend", https://docs.prefect.io/latest/guides/secrets). A Prefect
  *variable* was not chosen: "Variables are not Encrypted … Both the name and value of all variables are
  visible to anyone with access to the server" (https://docs.prefect.io/concepts/variables). Nor a value on
  the shop's own block: writing it would race with a person editing that block in the UI.
- **who fetches: a one-slot global concurrency limit** ``shopify-token:<shop>``, taken with a lease (60 s, the
  server's minimum) so a process killed while it fetches frees it when the lease expires. A process that
  waits polls every few tens of milliseconds (the server's own ``Retry-After`` is about 2 s, for a fetch that
  takes a few), and after ``WAIT_SECONDS`` fetches on its own rather than stall a run.

Everything here is best effort: a Prefect server that cannot be reached costs an extra grant, never a run.
Nothing here logs or raises the token (log lines name the block or the limit only).
"""

from __future__ import annotations

import contextvars
import json
import logging
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import httpx
from prefect.blocks.system import Secret
from prefect.client.orchestration import SyncPrefectClient
from pydantic import SecretStr

from connectors.shopify.auth import SharedToken
from engine.prefect_bucket import BUSY, busy_wait, own_client

if TYPE_CHECKING:
    from blocks import ShopifyShop

__all__ = ["PrefectTokenStore", "shared_token_for", "token_block_name", "token_lock_name"]

logger = logging.getLogger(__name__)

LEASE_SECONDS = 60.0
"""How long the fetching process holds the lock at most (the server's minimum lease; a fetch takes seconds)."""
WAIT_SECONDS = 90.0
"""How long a process waits for another's fetch before it fetches on its own (a lease outlives a crash by 60 s)."""
MAX_POLL = 0.5
BUSY_TRIES = 10
UNREACHABLE_TRIES = 1
"""A connection error is not repeated here: the Prefect client's transport already tried three times."""
SECRET_SLUG = Secret.get_block_type_slug()  # "secret": Prefect's own Secret block


def token_block_name(shop: str) -> str:
    """The Secret block holding a shop's shared token, e.g. ``shopify-token-acme``."""
    return f"shopify-token-{shop}"


def token_lock_name(shop: str) -> str:
    """The one-slot global concurrency limit held by the process that fetches, e.g. ``shopify-token:acme``."""
    return f"shopify-token:{shop}"


class PrefectTokenStore:
    """``connectors.shopify.auth.TokenStore`` kept by the Prefect server; one per shop and process is enough.

    Every call goes out once on this store's own client connection and is repeated here after milliseconds when
    the server is busy, as ``PrefectSharedBucket`` does and for its reason: the Prefect client sleeps ~2 s
    before repeating a 503, and a SQLite-backed server answers 503 whenever two writes collide — which they do
    when the processes of a shop poll the lock while one of them stores the token (measured: 3 s of waiting
    for a fetch of 50 ms)."""

    def __init__(self, shop: str, *, wait_seconds: float = WAIT_SECONDS) -> None:
        self.shop = shop
        self.block_name = token_block_name(shop)
        self.lock_name = token_lock_name(shop)
        self.wait_seconds = wait_seconds
        self._client: SyncPrefectClient | None = None
        self._client_lock = threading.Lock()
        self._lock_exists = False

    def __repr__(self) -> str:
        return f"PrefectTokenStore({self.shop!r})"

    # -- the token ---------------------------------------------------------------------------------------
    def load(self) -> SharedToken | None:
        try:
            response = self._call("GET", self._document_path, params={"include_secrets": "true"})
            if response.status_code == 404:
                return None
            response.raise_for_status()
            raw = response.json().get("data", {}).get("value")
            return _token_of(json.loads(raw) if isinstance(raw, str) else None)
        except (httpx.HTTPError, ValueError, AttributeError) as exc:
            logger.warning("%s: could not read the shared token (%s)", self.block_name, type(exc).__name__)
            return None

    def save(self, token: SharedToken) -> None:
        value = json.dumps(
            {
                "access_token": token.value.get_secret_value(),
                "renew_at": token.renew_at,
                "scope": token.scope,
                "app": token.app,
            }
        )
        try:
            self._write({"value": value})
        except (httpx.HTTPError, ValueError, LookupError) as exc:
            logger.warning("%s: could not store the shared token (%s)", self.block_name, type(exc).__name__)

    @property
    def _document_path(self) -> str:
        return f"/block_types/slug/{SECRET_SLUG}/block_documents/name/{self.block_name}"

    def _write(self, data: dict[str, str]) -> None:
        """Replace the Secret block's value, or create the block (``Secret(...).save(overwrite=True)``'s calls)."""
        found = self._call("GET", self._document_path, params={"include_secrets": "false"})
        if found.status_code != 404:
            found.raise_for_status()
            update = {"data": data, "merge_existing_data": False}
            self._call("PATCH", f"/block_documents/{found.json()['id']}", body=update).raise_for_status()
            return
        block_type = self._call("GET", f"/block_types/slug/{SECRET_SLUG}")
        block_type.raise_for_status()
        type_id = block_type.json()["id"]
        schemas = self._call(
            "POST", "/block_schemas/filter", body={"block_schemas": {"block_type_id": {"any_": [type_id]}}, "limit": 1}
        )
        schemas.raise_for_status()
        if not schemas.json():
            raise LookupError("the server has no Secret block schema")
        create = {
            "name": self.block_name,
            "data": data,
            "block_type_id": type_id,
            "block_schema_id": schemas.json()[0]["id"],
        }
        self._call("POST", "/block_documents/", body=create).raise_for_status()

    # -- who fetches -------------------------------------------------------------------------------------
    @contextmanager
    def exclusive(self) -> Iterator[bool]:
        """Hold the shop's token lock (True), or, when it was not granted in time, go ahead without (False)."""
        lease = self._acquire()
        try:
            yield lease is not None
        finally:
            if lease is not None:
                self._release(lease)

    def _acquire(self) -> str | None:
        deadline = time.monotonic() + self.wait_seconds
        body = {"names": [self.lock_name], "slots": 1, "mode": "concurrency", "lease_duration": LEASE_SECONDS}
        attempt = 0
        try:
            self._ensure_lock()
            while True:
                attempt += 1
                response = self._call("POST", "/v2/concurrency_limits/increment-with-lease", body=body)
                if response.status_code == 200:
                    granted = response.json()
                    if granted.get("limits"):
                        return str(granted["lease_id"])
                    self._lock_exists = False  # deleted meanwhile: the server granted nothing
                    self._ensure_lock()
                    continue
                if response.status_code != 423:
                    logger.warning("%s: lock refused (HTTP %d)", self.lock_name, response.status_code)
                    return None
                wait = min(MAX_POLL, 0.01 * 2**attempt) * random.uniform(0.8, 1.2)
                if time.monotonic() + wait > deadline:
                    logger.warning("%s: another process held the lock for %.0f s", self.lock_name, self.wait_seconds)
                    return None
                time.sleep(wait)
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            logger.warning("%s: lock not taken (%s)", self.lock_name, type(exc).__name__)
            return None

    def _release(self, lease: str) -> None:
        try:
            self._call("POST", "/v2/concurrency_limits/decrement-with-lease", body={"lease_id": lease})
        except httpx.HTTPError as exc:  # the lease expires on its own
            logger.warning("%s: lock not released (%s); it frees itself", self.lock_name, type(exc).__name__)

    def _ensure_lock(self) -> None:
        """Create the one-slot limit when missing (once per process and store)."""
        if self._lock_exists:
            return
        found = self._call("GET", f"/v2/concurrency_limits/{self.lock_name}")
        if found.status_code == 404:
            created = self._call("POST", "/v2/concurrency_limits/", body={"name": self.lock_name, "limit": 1})
            if created.status_code != 409:  # 409: another process created it first
                created.raise_for_status()
        else:
            found.raise_for_status()
        self._lock_exists = True

    # -- the Prefect API ---------------------------------------------------------------------------------
    def _call(
        self, method: str, path: str, *, body: Any = None, params: dict[str, str] | None = None
    ) -> httpx.Response:
        """One request on this store's connection, repeated after milliseconds while the server is busy."""
        http = self._api()._client  # the client's httpx connection: base URL, auth and API-version headers
        for attempt in range(1, BUSY_TRIES + 1):
            try:
                response = httpx.Client.send(http, http.build_request(method, path, json=body, params=params))
            except httpx.TransportError:
                if attempt >= UNREACHABLE_TRIES:  # a server that is down: fetch without it, now
                    raise
            else:
                if response.status_code not in BUSY or attempt == BUSY_TRIES:
                    return response
            time.sleep(busy_wait(attempt))
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _api(self) -> SyncPrefectClient:
        """A client of this store's own (see ``PrefectSharedBucket._api``)."""
        with self._client_lock:
            if self._client is None:
                self._client = contextvars.copy_context().run(own_client)
            return self._client


def _token_of(body: Any) -> SharedToken | None:
    if not isinstance(body, dict):
        return None
    value, renew_at = body.get("access_token"), body.get("renew_at")
    if not isinstance(value, str) or not isinstance(renew_at, (int, float)):
        return None
    return SharedToken(SecretStr(value), float(renew_at), str(body.get("scope") or ""), str(body.get("app") or ""))


def shared_token_for(name: str, shop: ShopifyShop) -> PrefectTokenStore | None:
    """The shared token store of the shop block saved as ``name``: only for a Dev Dashboard app (client
    credentials) whose block shares the API budget across workers (``shared_rate_limit``)."""
    if not shop.shared_rate_limit or shop.client_id is None:
        return None
    return PrefectTokenStore(name)
