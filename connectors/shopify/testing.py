"""Test doubles for code that talks to Shopify through this connector (plain Python, no pytest).

Other layers' tests (tasks, flows) can reuse them: ``ScriptedShop`` is an ``httpx.MockTransport`` handler
that answers from a script and records what was sent; ``FakeTime`` gives the governor, the client's back-off
and the bulk poller a clock that only moves when they "sleep", so no test ever waits.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

__all__ = [
    "ENDPOINT",
    "SHOP",
    "TOKEN",
    "FakeTime",
    "ScriptedShop",
    "connection",
    "cost_extensions",
    "ok",
    "throttled",
]

SHOP = "https://demo-shop.myshopify.com"
TOKEN = "shpat_super_secret_token_123"
ENDPOINT = f"{SHOP}/admin/api/2026-04/graphql.json"


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    @property
    def slept(self) -> float:
        return sum(self.sleeps)


def cost_extensions(
    requested: int = 10, available: float = 1990, maximum: float = 2000, rate: float = 100, actual: int | None = None
) -> dict[str, Any]:
    return {
        "cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": actual if actual is not None else requested,
            "throttleStatus": {"maximumAvailable": maximum, "currentlyAvailable": available, "restoreRate": rate},
        }
    }


def ok(data: dict[str, Any], **cost: Any) -> httpx.Response:
    return httpx.Response(200, json={"data": data, "extensions": cost_extensions(**cost)})


def throttled(requested: int = 500, available: float = 100, maximum: float = 2000, rate: float = 100) -> httpx.Response:
    body = {
        "errors": [
            {
                "message": "Throttled",
                "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"},
            }
        ],
        "extensions": {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": None,
                "throttleStatus": {"maximumAvailable": maximum, "currentlyAvailable": available, "restoreRate": rate},
            }
        },
    }
    return httpx.Response(200, json=body)


def connection(nodes: list[dict], *, has_next: bool, cursor: str | None) -> dict[str, Any]:
    return {"nodes": nodes, "pageInfo": {"hasNextPage": has_next, "endCursor": cursor}}


class ScriptedShop:
    """Answers requests from a script: each entry is an ``httpx.Response``, an exception to raise, or a
    ``callable(request, body) -> Response``. Records every request body (parsed JSON) and header set."""

    def __init__(self, script: list[Any] | None = None) -> None:
        self.script = list(script or [])
        self.requests: list[dict[str, Any]] = []
        self.headers: list[httpx.Headers] = []
        self.urls: list[str] = []

    def add(self, *entries: Any) -> ScriptedShop:
        self.script.extend(entries)
        return self

    def __call__(self, request: httpx.Request) -> httpx.Response:
        content = request.read()
        try:
            body = json.loads(content) if content else {}
        except ValueError:  # not a GraphQL request (an upload, a download)
            body = {}
        self.requests.append(body)
        self.headers.append(request.headers)
        self.urls.append(str(request.url))
        if not self.script:
            raise AssertionError(f"unexpected extra request: {body.get('operationName')}")
        entry = self.script.pop(0)
        if isinstance(entry, BaseException):
            raise entry
        if callable(entry) and not isinstance(entry, httpx.Response):
            return entry(request, body)
        return entry

    @property
    def operations(self) -> list[str | None]:
        """Each request's GraphQL operation name; ``None`` for an upload or a download."""
        return [r.get("operationName") for r in self.requests]

    @property
    def variables(self) -> list[dict[str, Any]]:
        return [r.get("variables") or {} for r in self.requests]
