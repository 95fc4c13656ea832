"""Reading one Admin API HTTP response: data, a throttle refusal, or the error it amounts to.

Decided in one place (like the meltano SDK's ``validate_response``) so every caller sees the same rules:

- 401/403 → ``AuthenticationError``; GraphQL ``ACCESS_DENIED`` → ``AccessDenied`` (a missing scope).
- 429, or HTTP 200 whose ``errors`` carry ``THROTTLED`` and no data → a throttle refusal (Shopify usually
  throttles GraphQL with 200, not 429 — clients that only watch 429 miss it).
- 5xx, a non-JSON body, GraphQL ``INTERNAL_SERVER_ERROR`` → ``ServerError`` (retriable).
- ``MAX_COST_EXCEEDED`` → ``MaxCostExceeded``; any other GraphQL error → ``QueryError`` carrying the partial
  data, never dropping the errors.

Every text taken from the response passes through ``scrub`` so a token echoed by a proxy cannot reach an
exception message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from connectors.shopify.errors import (
    AccessDenied,
    AuthenticationError,
    HttpError,
    MaxCostExceeded,
    QueryError,
    ServerError,
)
from connectors.shopify.throttle import ThrottleStatus

__all__ = ["Outcome", "Response", "interpret"]


@dataclass(frozen=True)
class Response:
    data: dict[str, Any]
    extensions: dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    """Exactly one of: ``response`` (success), ``error``, or ``throttled``; plus what the bucket looks like."""

    response: Response | None = None
    error: Exception | None = None
    throttled: bool = False
    status: ThrottleStatus | None = None
    extensions: Mapping[str, Any] | None = None
    retry_after: float | None = None


def interpret(
    response: httpx.Response,
    *,
    where: str,
    operation: str,
    scrub: Callable[[str], str],
    default_retry_after: float,
) -> Outcome:
    """Classify ``response``; ``where`` (shop and operation) prefixes every message."""
    status = response.status_code
    if status in (401, 403):
        return Outcome(
            error=AuthenticationError(
                f"{where}: HTTP {status}: Shopify refused the access token (revoked, wrong shop, or missing "
                f"scope): {scrub(_error_text(response))}",
                status=status,
            )
        )
    if status == 429:
        extensions = _body_field(response, "extensions") or {}
        return Outcome(
            throttled=True,
            status=ThrottleStatus.from_extensions(extensions),
            extensions=extensions,
            retry_after=_retry_after(response) or default_retry_after,
        )
    if status >= 500:
        return Outcome(error=ServerError(f"{where}: HTTP {status}", status=status))
    if status >= 300:
        return Outcome(error=HttpError(f"{where}: HTTP {status}: {scrub(_error_text(response))}", status=status))
    try:
        body = response.json()
    except ValueError:
        return Outcome(error=ServerError(f"{where}: HTTP {status} with a body that is not JSON", status=status))
    if not isinstance(body, Mapping):
        return Outcome(error=ServerError(f"{where}: unexpected response body", status=status))

    raw_extensions = body.get("extensions")
    extensions = raw_extensions if isinstance(raw_extensions, Mapping) else {}
    throttle_status = ThrottleStatus.from_extensions(extensions)
    data = body.get("data")
    if body.get("errors"):
        error = _graphql_error(body["errors"], data, where=where, operation=operation, scrub=scrub)
        if error is None:
            return Outcome(throttled=True, status=throttle_status, extensions=extensions)
        return Outcome(error=error, status=throttle_status, extensions=extensions)
    if not isinstance(data, Mapping):
        error = QueryError(f"{where}: response carries no data", operation=operation)
        return Outcome(error=error, status=throttle_status, extensions=extensions)
    return Outcome(
        response=Response(data=dict(data), extensions=dict(extensions)),
        status=throttle_status,
        extensions=extensions,
    )


def _graphql_error(
    errors: Any, data: Any, *, where: str, operation: str, scrub: Callable[[str], str]
) -> Exception | None:
    """The error for a response's ``errors``; None when it is a plain THROTTLED refusal."""
    if isinstance(errors, str):  # Shopify's legacy shape: "errors": "[API] Invalid API key …"
        errors = [{"message": errors}]
    if not isinstance(errors, list):
        errors = [errors]
    errors = [e if isinstance(e, Mapping) else {"message": str(e)} for e in errors]
    codes = {str((e.get("extensions") or {}).get("code")) for e in errors}
    message = "; ".join(scrub(str(e.get("message", ""))) for e in errors)
    if "THROTTLED" in codes and not data:
        return None
    if "ACCESS_DENIED" in codes:
        return AccessDenied(f"{where}: access denied (missing scope?): {message}")
    if "MAX_COST_EXCEEDED" in codes:
        return MaxCostExceeded(f"{where}: {message}", errors=errors, data=data, operation=operation)
    if "INTERNAL_SERVER_ERROR" in codes:
        return ServerError(f"{where}: {message}")
    return QueryError(f"{where}: {message}", errors=errors, data=data, operation=operation)


def _body_field(response: httpx.Response, key: str) -> Any:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get(key) if isinstance(body, Mapping) else None


def _error_text(response: httpx.Response) -> str:
    errors = _body_field(response, "errors")
    if errors:
        return str(errors)[:300]
    return response.text[:300] if response.text else response.reason_phrase


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP-date: fall back to the default pause
