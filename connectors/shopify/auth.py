"""How a request to the Admin API is authenticated: a fixed token, or one fetched by the client-credentials grant.

Since 2026-01 a shop cannot create a legacy admin "custom app"; an app from the Dev Dashboard has no token to
copy. It exchanges its client ID and secret for one:

    POST https://{shop}.myshopify.com/admin/oauth/access_token   (application/x-www-form-urlencoded)
    grant_type=client_credentials&client_id=…&client_secret=…
    → {"access_token": "shpat_…", "scope": "read_products,…", "expires_in": 86399}

(https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/client-credentials-grant).
The token lasts about 24 hours, so ``ClientCredentialsAuth`` renews it a little before it expires and, should
Shopify refuse it anyway (an earlier revocation, clocks that disagree), once more on a 401 before the 401
reaches the caller. A run therefore never fails because a token expired; it fails on credentials Shopify
refuses (``AuthenticationError``) or on a token endpoint that is down (``ServerError``, retried by the task).

Both kinds are ``httpx.Auth``: the client passes one per request (never to the ``httpx.Client``), so the
token goes to the shop's GraphQL endpoint only, never to another host such as a bulk result URL. A fetch goes
through the same ``httpx.Client`` as the request that needed it (tests' transports see it too).

One ``ClientCredentialsAuth`` per shop × app and process (``client_credentials_for``): every client of the
shop in the process, whichever task built it, uses the same token, and threads that find it stale fetch one
new token between them, not one each.

Across processes (several workers, or the flow-run processes of one worker), a ``TokenStore`` shares it the
same way: a process whose token is missing, due or refused first looks in the store, and only when the store
holds nothing better does it fetch, inside the store's ``exclusive`` section, looking once more after it got
in (another process may have fetched while it waited). So N processes that start together make one grant,
and a renewal by one is the token of all. The store is a port: ``engine/shared_token.py`` keeps it in the
Prefect server (a Secret block and a one-slot global concurrency limit, next to the shared cost budget).
Expiry crosses processes as wall-clock time (``time.time``); inside a process it stays monotonic.

Neither the client secret nor any token ever reaches a message: ``scrub`` removes them from text bound for an
exception or a log, and errors here are built from Shopify's answer, never from the request.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from collections.abc import Callable, Generator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

import httpx
from pydantic import SecretStr

from connectors.shopify.errors import AuthenticationError, ServerError

__all__ = [
    "HEADER",
    "AccessTokenAuth",
    "ClientCredentialsAuth",
    "SharedToken",
    "ShopifyAuth",
    "TokenStore",
    "client_credentials_for",
    "reset_credentials",
]

HEADER = "X-Shopify-Access-Token"
TOKEN_PATH = "/admin/oauth/access_token"
RENEW_AHEAD_SECONDS = 300.0
"""Renew this long before expiry (at most a tenth of the token's life): a page started on a token that is
about to expire still finishes on it."""


class ShopifyAuth(httpx.Auth):
    """What ``ShopifyClient`` needs of an authentication: the ``httpx.Auth`` flow, an identity that names the
    app installation (it keys the shop's cost governor, which keeps only a digest of it: for a legacy app it is
    the token itself), and a scrubber."""

    identity: SecretStr

    def scrub(self, text: str) -> str:
        raise NotImplementedError


class AccessTokenAuth(ShopifyAuth):
    """A legacy custom app's Admin API access token: fixed, valid until the merchant revokes it."""

    def __init__(self, token: SecretStr | str) -> None:
        self._token = token if isinstance(token, SecretStr) else SecretStr(token)
        if not self._token.get_secret_value().strip():
            raise ValueError("access token must not be empty")
        self.identity = self._token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[HEADER] = self._token.get_secret_value()
        yield request

    def scrub(self, text: str) -> str:
        return text.replace(self._token.get_secret_value(), "***")


@dataclass(frozen=True)
class _Token:
    value: str
    renew_at: float
    scope: str


@dataclass(frozen=True)
class SharedToken:
    """A token as processes share it: ``renew_at`` is wall-clock time (``time.time``), ``app`` a digest of the
    client ID and secret it was issued for (a rotated secret or another app does not adopt it)."""

    value: SecretStr
    renew_at: float
    scope: str
    app: str


class TokenStore(Protocol):
    """Where the processes of one shop keep its current token (e.g. the Prefect server: ``engine/shared_token.py``).

    An implementation keeps the token secret at rest and never logs it. Every method is best effort: a store
    that cannot be reached makes the process fetch its own token (one more grant), never fails the request."""

    def load(self) -> SharedToken | None:
        """The stored token, or None when there is none or it cannot be read. Never raises."""

    def save(self, token: SharedToken) -> None:
        """Keep ``token`` for the other processes. Never raises."""

    def exclusive(self) -> AbstractContextManager[object]:
        """Held by the one process that fetches; others wait for it (a while: then they fetch too)."""


class ClientCredentialsAuth(ShopifyAuth):
    """A Dev Dashboard app's token, fetched by the client-credentials grant and renewed before it expires."""

    requires_response_body = True  # the token endpoint's JSON is read inside the flow

    def __init__(
        self,
        shop_url: str,
        client_id: str,
        client_secret: SecretStr | str,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        shared: TokenStore | None = None,
    ) -> None:
        if not client_id.strip():
            raise ValueError("client_id must not be empty")
        self._secret = client_secret if isinstance(client_secret, SecretStr) else SecretStr(client_secret)
        if not self._secret.get_secret_value().strip():
            raise ValueError("client_secret must not be empty")
        self.shop_url = shop_url.rstrip("/")
        self.client_id = client_id.strip()
        self.identity = SecretStr(f"app:{self.client_id}")  # one bucket per app installation, whichever token
        self._clock = clock
        self._wall = wall
        self.shared = shared
        """The store this process shares its token through with the shop's other processes (None: not shared)."""
        self._app = _digest(f"{self.client_id}\n{self._secret.get_secret_value()}")
        self._lock = threading.Lock()
        self._token: _Token | None = None
        self._issued: deque[str] = deque(maxlen=8)  # recent tokens: a late error may quote an older one
        self.fetches = 0
        """Tokens fetched so far by this process (the run report and tests read it)."""
        self.adopted = 0
        """Tokens taken from the shared store, fetched by another process (tests read it)."""

    @property
    def scope(self) -> str | None:
        """The scopes Shopify granted with the current token (comma-separated), once one was fetched."""
        token = self._token
        return token.scope if token else None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = yield from self._valid_token(stale=None)
        request.headers[HEADER] = token
        response = yield request
        if response.status_code == 401:  # expired or revoked early: one new token, one more try
            request.headers[HEADER] = yield from self._valid_token(stale=token)
            yield request

    def scrub(self, text: str) -> str:
        for secret in (self._secret.get_secret_value(), *self._issued):
            text = text.replace(secret, "***")
        return text

    def _valid_token(self, stale: str | None) -> Generator[httpx.Request, httpx.Response, str]:
        """The current token unless it is due for renewal or is ``stale`` (just refused); else a new one: the
        shared store's when it holds a better one, else one fetched here.

        The lock is held across the fetch, so threads that find the token stale together wait for one fetch
        and all use its result (the thread that drives the generator also releases the lock: httpx closes an
        abandoned auth flow). With a shared store, its ``exclusive`` section does the same for processes."""
        with self._lock:
            current = self._token
            if current is not None and current.value != stale and self._clock() < current.renew_at:
                return current.value
            if self.shared is None:
                return (yield from self._fetch())
            if (adopted := self._adopt(stale)) is not None:
                return adopted
            with self.shared.exclusive():
                if (adopted := self._adopt(stale)) is not None:  # fetched by another process while we waited
                    return adopted
                value = yield from self._fetch()
                token = self._token
                assert token is not None  # set by _fetch
                wall_renew_at = self._wall() + (token.renew_at - self._clock())
                self.shared.save(SharedToken(SecretStr(value), wall_renew_at, token.scope, self._app))
                return value

    def _fetch(self) -> Generator[httpx.Request, httpx.Response, str]:
        response = yield self._token_request()
        self._token = self._read(response)
        self._issued.append(self._token.value)
        self.fetches += 1
        return self._token.value

    def _adopt(self, stale: str | None) -> str | None:
        """The shared store's token when it is this app's, not ``stale`` nor the one held, and not yet due."""
        assert self.shared is not None
        stored = self.shared.load()
        if stored is None or stored.app != self._app:
            return None
        value = stored.value.get_secret_value()
        left = stored.renew_at - self._wall()
        held = self._token.value if self._token else None
        if not value or value in (stale, held) or left <= 0:
            return None
        self._token = _Token(value=value, renew_at=self._clock() + left, scope=stored.scope)
        self._issued.append(value)
        self.adopted += 1
        return value

    def _token_request(self) -> httpx.Request:
        return httpx.Request(
            "POST",
            f"{self.shop_url}{TOKEN_PATH}",
            data={
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self._secret.get_secret_value(),
            },
            headers={"Accept": "application/json"},
        )

    def _read(self, response: httpx.Response) -> _Token:
        where = f"{self.shop_url} access token for app {self.client_id}"
        if response.status_code >= 500:
            raise ServerError(
                f"{where}: HTTP {response.status_code} from the token endpoint", status=response.status_code
            )
        body = _json(response)
        value, expires_in = body.get("access_token"), body.get("expires_in")
        if response.status_code != 200 or not isinstance(value, str) or not value:
            detail = body.get("error_description") or body.get("error") or body.get("errors") or "no access_token"
            raise AuthenticationError(
                f"{where}: HTTP {response.status_code}: Shopify refused the app's client credentials: "
                f"{self.scrub(str(detail))}; check the client ID and secret (Dev Dashboard → the app → Settings) "
                "and that the app is installed on this shop",
                status=response.status_code,
            )
        lifetime = float(expires_in) if isinstance(expires_in, (int, float)) and expires_in > 0 else 0.0
        ahead = min(RENEW_AHEAD_SECONDS, lifetime / 10)
        return _Token(value=value, renew_at=self._clock() + lifetime - ahead, scope=str(body.get("scope") or ""))


def _json(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


_registry: dict[tuple[str, str, str], ClientCredentialsAuth] = {}
_registry_lock = threading.Lock()


def client_credentials_for(
    shop_url: str,
    client_id: str,
    client_secret: SecretStr | str,
    *,
    clock: Callable[[], float] | None = None,
    wall: Callable[[], float] | None = None,
    shared: TokenStore | None = None,
) -> ClientCredentialsAuth:
    """The process-wide token source of one shop × app. Keyed by shop, client ID and a digest of the secret
    (a rotated secret starts afresh); ``clock`` and ``wall`` only matter to the first caller (tests).
    ``shared`` attaches the shop's cross-process store to it (the first caller that has one; later ones share it)."""
    secret = client_secret.get_secret_value() if isinstance(client_secret, SecretStr) else client_secret
    key = (shop_url.rstrip("/").lower(), client_id.strip(), _digest(secret))
    with _registry_lock:
        auth = _registry.get(key)
        if auth is None:
            auth = _registry[key] = ClientCredentialsAuth(
                shop_url, client_id, client_secret, clock=clock or time.monotonic, wall=wall or time.time
            )
        if shared is not None and auth.shared is None:
            auth.shared = shared
        return auth


def reset_credentials() -> None:
    """Forget every shared token source (tests)."""
    with _registry_lock:
        _registry.clear()
