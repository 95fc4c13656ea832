"""``ShopifyClient``: the one way commerce-sync talks to the Shopify Admin GraphQL API.

``POST {shop}/admin/api/{version}/graphql.json`` with ``X-Shopify-Access-Token``; every document comes from
the operation catalogue by name (never a string built in code), every request goes through the shop's
cost governor, and every failure ends as one of the errors in ``errors.py``.

Retries, decided once per response:
- ``THROTTLED`` (HTTP 200 without data) and HTTP 429 → wait for the bucket (the governor computes the wait
  from ``throttleStatus``; ``Retry-After`` is honoured) and retry, up to ``RetryPolicy.max_throttled`` times.
- 5xx, timeouts, connection errors → bounded exponential back-off with jitter, up to
  ``RetryPolicy.max_attempts``. A mutation that is not retry-safe (no ``@idempotent``, no ``# retry-safe``
  header) is *not* repeated once the request may have reached Shopify: the error is raised at once and the
  caller, who knows the record, decides (re-read, then retry).
- 401/403 → ``AuthenticationError`` at once (with client credentials, a 401 first gets one new token and one
  more try: ``auth.py``); other GraphQL errors → ``QueryError`` (partial data is never
  used silently).

The HTTP seam is the ``httpx.Client`` passed in (tests give it an ``httpx.MockTransport``). The shop is reached
with a legacy app's ``access_token`` or a Dev Dashboard app's ``client_id`` + ``client_secret``, whose token is
fetched and renewed by ``auth.py`` (one per shop and process). Either way the token is added per request (so it
never leaks to another host, e.g. a bulk result URL) and scrubbed, with the client secret, from any text that
reaches an exception or a log.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import SecretStr

from connectors.shopify import paging
from connectors.shopify.auth import AccessTokenAuth, ShopifyAuth, TokenStore, client_credentials_for
from connectors.shopify.errors import (
    ConnectionFailed,
    MaxCostExceeded,
    OperationError,
    RequestTimeout,
    Retriable,
    ServerError,
    Throttled,
    UserError,
)
from connectors.shopify.operations import MAX_QUERY_COST, Operation, OperationCatalog, catalog
from connectors.shopify.responses import Response, interpret
from connectors.shopify.throttle import CostGovernor, SharedBucket, governor_for
from domain.models import Page

__all__ = ["DEFAULT_API_VERSION", "RetryPolicy", "ShopifyClient", "normalise_shop_url"]

logger = logging.getLogger(__name__)

DEFAULT_API_VERSION = "2026-04"
_VERSION = re.compile(r"^(\d{4}-(01|04|07|10)|unstable)$")
_MYSHOPIFY = re.compile(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$")
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def normalise_shop_url(value: str) -> str:
    """``https://<name>.myshopify.com`` (scheme added when missing), or a loopback URL with a port for the
    emulator. Anything else is refused: a token sent to a mistyped host is a leaked token."""
    raw = value.strip().rstrip("/")
    if "://" not in raw:
        raw = f"https://{raw}"
    parts = urlsplit(raw)
    host = (parts.hostname or "").lower()
    if host in _LOOPBACK:
        if parts.scheme not in ("http", "https") or parts.port is None:
            raise ValueError(f"loopback shop URL needs a scheme and a port, e.g. http://127.0.0.1:8081: {value!r}")
        return f"{parts.scheme}://{parts.netloc}"
    if parts.scheme != "https" or not _MYSHOPIFY.match(host) or parts.path not in ("", "/"):
        raise ValueError(f"shop must be https://<name>.myshopify.com or a loopback emulator URL, got {value!r}")
    return f"https://{host}"


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    """Attempts in total for 5xx / timeouts / connection errors."""
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    max_throttled: int = 30
    """Throttled answers tolerated for one call before ``Throttled`` is raised."""
    default_retry_after: float = 1.0
    """Seconds to hold back after a 429 without ``Retry-After``."""
    max_retry_after: float = 120.0
    """A longer ``Retry-After`` (e.g. the daily variant-creation limit) is raised as ``Throttled`` at once
    instead of blocking a worker for hours; the caller reschedules."""

    def backoff(self, failures: int, rnd: Callable[[], float]) -> float:
        """Exponential back-off with "equal jitter": between half and all of ``base·2^(n−1)``, capped."""
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** max(0, failures - 1))
        return ceiling / 2 + rnd() * ceiling / 2


class ShopifyClient:
    """A shop's Admin GraphQL client. Thread-safe; share one per shop and process (or let Blocks build them:
    the cost governor is shared either way). ``shared_budget`` coordinates several processes: it is attached
    to the shop's process-wide governor (see ``throttle.py``); ``shared_token`` likewise shares a Dev Dashboard
    app's token between processes (see ``auth.py``)."""

    def __init__(
        self,
        shop_url: str,
        access_token: SecretStr | str | None = None,
        *,
        client_id: str | None = None,
        client_secret: SecretStr | str | None = None,
        api_version: str = DEFAULT_API_VERSION,
        http: httpx.Client | None = None,
        governor: CostGovernor | None = None,
        shared_budget: SharedBucket | None = None,
        shared_token: TokenStore | None = None,
        retry: RetryPolicy | None = None,
        operations: OperationCatalog | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
        timeout: float = 60.0,
    ) -> None:
        if not _VERSION.match(api_version):
            raise ValueError(f"api_version must look like 2026-04 (a quarterly release), got {api_version!r}")
        self.shop_url = normalise_shop_url(shop_url)
        self.auth = _auth(self.shop_url, access_token, client_id, client_secret, shared_token)
        self.api_version = api_version
        self.endpoint = f"{self.shop_url}/admin/api/{api_version}/graphql.json"
        self._owns_http = http is None
        self.http = http if http is not None else httpx.Client(timeout=httpx.Timeout(timeout, connect=10.0))
        if governor is not None and shared_budget is not None:
            raise ValueError("pass shared_budget to the CostGovernor you give the client, not to both")
        self.governor = (
            governor if governor is not None else governor_for(self.shop_url, self.auth.identity, shared=shared_budget)
        )
        self.retry = retry or RetryPolicy()
        self.operations = operations or catalog
        self._sleep = sleep
        self._rng = rng
        self.served_version: str | None = None
        """The ``X-Shopify-API-Version`` of the last answer that named one."""

    def __repr__(self) -> str:
        return f"ShopifyClient(shop_url={self.shop_url!r}, api_version={self.api_version!r})"

    def close(self) -> None:
        if self._owns_http:
            self.http.close()

    def __enter__(self) -> ShopifyClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- public surface ----------------------------------------------------------------------------------
    def execute(self, operation: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Run a named operation and return its ``data``."""
        return self.request(operation, variables).data

    def request(self, operation: str, variables: Mapping[str, Any] | None = None) -> Response:
        """Like ``execute`` but also returns ``extensions`` (cost details)."""
        op = self.operations.get(operation)
        if op.is_bulk_query:
            raise OperationError(f"{op.name} is a bulk-only query; run it with connectors.shopify.bulk")
        values = dict(variables or {})
        self._check_variables(op, values)
        return self._send(op, values)

    def fetch_page(
        self,
        operation: str,
        variables: Mapping[str, Any] | None,
        connection_path: str | Sequence[str],
        *,
        after: str | None = None,
        page_size: int | None = None,
    ) -> Page[dict[str, Any]]:
        """One page of a connection: the unit of work of a Prefect task (``next_cursor`` None = last page)."""
        op = self.operations.get(operation)
        return paging.to_page(self._fetch_connection(op, variables, connection_path, after, page_size))

    def iter_pages(
        self,
        operation: str,
        variables: Mapping[str, Any] | None,
        connection_path: str | Sequence[str],
        *,
        after: str | None = None,
        page_size: int | None = None,
    ) -> Iterator[Page[dict[str, Any]]]:
        """Every page of a connection, feeding ``endCursor`` back as ``$after``."""
        op = self.operations.get(operation)

        def fetch(cursor: str | None) -> paging.Connection:
            return self._fetch_connection(op, variables, connection_path, cursor, page_size)

        for connection in paging.iter_connection(fetch, after):
            yield paging.to_page(connection)

    def iter_nodes(
        self,
        operation: str,
        variables: Mapping[str, Any] | None,
        connection_path: str | Sequence[str],
        *,
        page_size: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every node of a connection, page after page (for listings small enough to read in one task)."""
        for page in self.iter_pages(operation, variables, connection_path, page_size=page_size):
            yield from page.items

    def mutate(
        self,
        operation: str,
        variables: Mapping[str, Any] | None,
        payload_path: str | Sequence[str],
        *,
        errors_field: str = "userErrors",
    ) -> tuple[dict[str, Any] | None, list[UserError]]:
        """Run a mutation; return its payload and its ``userErrors`` (record-level refusals, not raised here:
        see ``mutations.py`` to turn them into ``RecordError`` per record)."""
        op = self.operations.get(operation)
        if op.kind != "mutation":
            raise OperationError(f"{op.name} is a {op.kind}, not a mutation")
        data = self.execute(operation, variables)
        payload = paging.dig(data, payload_path, operation=op.name)
        raw_errors = payload.get(errors_field) if isinstance(payload, Mapping) else None
        return payload, [UserError.from_payload(raw) for raw in raw_errors or ()]

    def estimated_cost(self, operation: str, variables: Mapping[str, Any] | None = None) -> int:
        """What the governor reserves: the cost Shopify reported for the same sizes, else an upper bound from
        what it reported for other page sizes and from the document's declared cost (``cost_memory.py``)."""
        op = self.operations.get(operation)
        return self.governor.costs.estimate(op, dict(variables or {}))

    def page_size(self, operation: str, variables: Mapping[str, Any] | None = None) -> int:
        """The ``first`` the next page of ``operation`` asks for: the largest Shopify's reported costs allow."""
        op = self.operations.get(operation)
        return paging.page_size(op, None, self.governor.costs.page_size(op, dict(variables or {})))

    @property
    def version_drift(self) -> str | None:
        """A warning for the run report when Shopify answered with another API version than the pinned one.

        Shopify serves a request for a version it no longer supports with the oldest supported stable version
        ("falls forward", https://shopify.dev/docs/api/usage/versioning) and names the version it used in the
        ``X-Shopify-API-Version`` header: the requests still succeed, on a schema nobody tested.
        """
        served = self.served_version
        if served is None or served == self.api_version:
            return None
        return (
            f"Shopify answered with API version {served}, not the pinned {self.api_version} (no longer "
            "supported, so Shopify falls forward); check the changelog and update the shop's api_version"
        )

    # -- internals ---------------------------------------------------------------------------------------
    def _fetch_connection(
        self,
        op: Operation,
        variables: Mapping[str, Any] | None,
        connection_path: str | Sequence[str],
        after: str | None,
        size: int | None,
    ) -> paging.Connection:
        allowed = self.governor.costs.page_size(op, {**(variables or {}), "after": after})
        values = {**(variables or {}), "first": paging.page_size(op, size, allowed), "after": after}
        self._check_variables(op, values)
        return paging.read_connection(self._send(op, values).data, connection_path, operation=op.name)

    def _check_variables(self, op: Operation, values: Mapping[str, Any]) -> None:
        unknown = sorted(set(values) - set(op.variables))
        if unknown:
            raise OperationError(f"{op.name} declares no variable(s) {unknown}; it takes {list(op.variables)}")
        missing = [name for name in op.required_variables if values.get(name) is None]
        if missing:
            raise OperationError(f"{op.name} needs variable(s) {missing}")
        too_long = [name for name, value in values.items() if isinstance(value, (list, tuple)) and len(value) > 250]
        if too_long:
            raise OperationError(f"{op.name}: Shopify takes at most 250 items per input list; split {too_long}")
        if op.idempotency_variable and not str(values.get(op.idempotency_variable) or "").strip():
            raise OperationError(
                f"{op.name} is @idempotent: pass ${op.idempotency_variable} (see connectors.shopify.idempotency)"
            )

    def _cost(self, op: Operation, values: Mapping[str, Any]) -> int:
        return self.governor.costs.estimate(op, values)

    def _send(self, op: Operation, variables: dict[str, Any]) -> Response:
        cost = self._cost(op, variables)
        if cost > MAX_QUERY_COST:
            raise MaxCostExceeded(
                f"{op.name}: requested cost {cost} exceeds Shopify's single-query maximum {MAX_QUERY_COST}; "
                "ask for a smaller page",
                operation=op.name,
            )
        body = {"query": op.document, "variables": variables, "operationName": op.name}
        failures = throttles = 0
        while True:
            reservation = self.governor.reserve(self._cost(op, variables))  # may have learned a better figure
            try:
                response = self.http.post(self.endpoint, json=body, headers=_HEADERS, auth=self.auth)
            except httpx.TransportError as exc:
                not_sent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))
                self.governor.settle(reservation, None, refund=not_sent)
                kind = RequestTimeout if isinstance(exc, httpx.TimeoutException) else ConnectionFailed
                error: Retriable = kind(f"{self.shop_url} {op.name}: {type(exc).__name__}: {self._scrub(str(exc))}")
                if not (not_sent or op.retry_safe):
                    raise error from exc
                failures += 1
                self._back_off(op, error, failures)
                continue
            except BaseException:
                self.governor.settle(reservation, None, refund=True)
                raise
            self._note_version(response)
            outcome = interpret(
                response,
                where=f"{self.shop_url} {op.name}",
                operation=op.name,
                scrub=self._scrub,
                default_retry_after=self.retry.default_retry_after,
            )
            if outcome.throttled:
                self.governor.throttled(reservation, outcome.status)
                if outcome.retry_after and outcome.retry_after > self.retry.max_retry_after:
                    raise Throttled(
                        f"{self.shop_url} {op.name}: Shopify asks to wait {outcome.retry_after:.0f} s",
                        retry_after=outcome.retry_after,
                    )
                if outcome.retry_after:
                    self.governor.pause(outcome.retry_after)
                self._learn_cost(op, variables, outcome.extensions)
                throttles += 1
                if throttles > self.retry.max_throttled:
                    raise Throttled(
                        f"{self.shop_url} {op.name}: still throttled after {throttles} tries",
                        retry_after=outcome.retry_after,
                    )
                logger.info("%s %s: throttled, retrying (%d)", self.shop_url, op.name, throttles)
                continue
            self.governor.settle(reservation, outcome.status, actual_cost=_actual_cost(outcome.extensions))
            self._learn_cost(op, variables, outcome.extensions)
            if isinstance(outcome.error, ServerError) and op.retry_safe:
                failures += 1
                self._back_off(op, outcome.error, failures)
                continue
            if outcome.error is not None:
                raise outcome.error
            assert outcome.response is not None
            return outcome.response

    def _back_off(self, op: Operation, error: Retriable, failures: int) -> None:
        if failures >= self.retry.max_attempts:
            raise error
        delay = self.retry.backoff(failures, self._rng)
        logger.warning("%s %s: %s; retry %d in %.2f s", self.shop_url, op.name, error, failures, delay)
        self._sleep(delay)

    def _learn_cost(self, op: Operation, variables: Mapping[str, Any], extensions: Mapping[str, Any] | None) -> None:
        cost = (extensions or {}).get("cost")
        requested = cost.get("requestedQueryCost") if isinstance(cost, Mapping) else None
        if isinstance(requested, (int, float)) and not isinstance(requested, bool) and requested >= 0:
            self.governor.costs.learn(op, variables, int(requested))

    def _note_version(self, response: httpx.Response) -> None:
        served = response.headers.get("X-Shopify-API-Version")
        if not served or served == self.served_version:
            return
        self.served_version = served
        if served != self.api_version:
            logger.warning("%s: %s", self.shop_url, self.version_drift)

    def _scrub(self, text: str) -> str:
        return self.auth.scrub(text)


_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


def _auth(
    shop_url: str,
    access_token: SecretStr | str | None,
    client_id: str | None,
    client_secret: SecretStr | str | None,
    shared_token: TokenStore | None = None,
) -> ShopifyAuth:
    """A legacy app's fixed token, or the shop's shared client-credentials token source: exactly one of them.
    ``shared_token`` matters to the second only (a legacy token is the same in every process already)."""
    if access_token is not None and (client_id is not None or client_secret is not None):
        raise ValueError("pass access_token or client_id + client_secret, not both")
    if access_token is not None:
        return AccessTokenAuth(access_token)
    if client_id is None or client_secret is None:
        raise ValueError("pass access_token, or client_id and client_secret (a Dev Dashboard app)")
    return client_credentials_for(shop_url, client_id, client_secret, shared=shared_token)


def _actual_cost(extensions: Mapping[str, Any] | None) -> float | None:
    """``extensions.cost.actualQueryCost`` when Shopify reported it (it is null on refused requests)."""
    cost = (extensions or {}).get("cost")
    actual = cost.get("actualQueryCost") if isinstance(cost, Mapping) else None
    return float(actual) if isinstance(actual, (int, float)) and not isinstance(actual, bool) and actual >= 0 else None
