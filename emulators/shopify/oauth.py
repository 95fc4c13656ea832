"""The client-credentials grant: ``POST /admin/oauth/access_token`` issues tokens that expire.

Modelled on https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/client-credentials-grant
(the only way a Dev Dashboard app gets an Admin API token since 2026-01): a form
``grant_type=client_credentials&client_id=…&client_secret=…`` answers ``{"access_token", "scope",
"expires_in"}``, the token lasting ``token_ttl_seconds`` (Shopify: 86399, about 24 h) on the emulator's clock.
An expired token is refused like any unknown token (HTTP 401 ``Invalid API key or access token``).

Shopify documents no error answer for this grant; its OAuth endpoint answers other grants' mistakes with
HTTP 400 ``{"error": "invalid_request", "error_description": …}`` (seen by clients, e.g.
github.com/BNMetrics/Laravel-ShopifyAPI/issues/9), so the emulator answers RFC 6749 §5.2's codes the same way:
``unsupported_grant_type``, ``invalid_request`` (a field missing) and ``invalid_client`` (unknown ID, wrong
secret). The answer never repeats the secret.

The rate-limit bucket belongs to the app installation, not to one token: a renewed token draws from the same
bucket (``bucket_key``).
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .clock import Clock

SCOPE = "read_products,write_products,read_inventory,write_inventory,read_orders,write_orders,read_customers"


@dataclass(frozen=True)
class Issued:
    client_id: str
    expires_at: float  # the emulator clock's monotonic reading


class TokenIssuer:
    """Tokens issued by the grant, each with its app and expiry."""

    def __init__(self, credentials: dict[str, str], ttl_seconds: int, clock: Clock) -> None:
        self._credentials = credentials
        self._ttl = ttl_seconds
        self._clock = clock
        self._issued: dict[str, Issued] = {}
        self._lock = threading.Lock()
        self.grants = 0
        """Tokens issued so far (tests count renewals)."""

    def grant(self, form: dict[str, str]) -> tuple[int, dict]:
        """The HTTP status and JSON answer to a token request's form."""
        if form.get("grant_type") != "client_credentials":
            return 400, _error("unsupported_grant_type", "grant_type must be client_credentials")
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if not client_id or not secret:
            return 400, _error("invalid_request", "client_id and client_secret are required")
        expected = self._credentials.get(client_id)
        if expected is None or not secrets.compare_digest(expected.encode(), secret.encode()):
            return 400, _error("invalid_client", "Client authentication failed: unknown client or wrong secret")
        token = f"shpat_{secrets.token_hex(16)}"
        with self._lock:
            self._issued[token] = Issued(client_id, self._clock.monotonic() + self._ttl)
            self.grants += 1
        return 200, {"access_token": token, "scope": SCOPE, "expires_in": self._ttl}

    def valid(self, token: str) -> bool:
        with self._lock:
            issued = self._issued.get(token)
        return issued is not None and self._clock.monotonic() < issued.expires_at

    def issued_tokens(self) -> list[str]:
        """Every token issued so far, expired or not (a secret scan looks for them)."""
        with self._lock:
            return list(self._issued)

    def bucket_key(self, token: str) -> str:
        """The app a token was issued to (its rate-limit bucket), or the token itself for a legacy token."""
        with self._lock:
            issued = self._issued.get(token)
        return f"app:{issued.client_id}" if issued else token


def _error(code: str, description: str) -> dict:
    return {"error": code, "error_description": description}


async def access_token_endpoint(request: Request) -> Response:
    """``POST /admin/oauth/access_token``: form-encoded as documented; JSON too (Shopify's Node library sends
    JSON). The request is not recorded: its body holds the client secret."""
    issuer: TokenIssuer = request.app.state.emulator.oauth
    raw = await request.body()
    if "application/json" in request.headers.get("content-type", ""):
        try:
            body = await request.json()
        except ValueError:
            body = None
        form = {str(k): str(v) for k, v in body.items()} if isinstance(body, dict) else {}
    else:
        form = {key: values[0] for key, values in parse_qs(raw.decode("utf-8", "replace")).items()}
    status, answer = issuer.grant(form)
    return JSONResponse(answer, status_code=status)
