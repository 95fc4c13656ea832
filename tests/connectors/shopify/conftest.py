"""Fixtures for the Shopify connector tests: fake time, and a client wired to a scripted shop.

Nothing here sleeps: the governor, the client's back-off and the bulk poller all take the fake clock's
``sleep``, which only advances time and records how long the code wanted to wait.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import GraphQLSchema, build_schema

from connectors.shopify.client import RetryPolicy, ShopifyClient
from connectors.shopify.testing import SHOP, TOKEN, FakeTime
from connectors.shopify.throttle import CostGovernor


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def make_client(fake_time: FakeTime) -> Callable[..., ShopifyClient]:
    """``make_client(shop)`` → a client whose transport is the scripted shop and whose time is fake."""

    def build(handler: Callable[[httpx.Request], httpx.Response], **options: Any) -> ShopifyClient:
        governor = options.pop("governor", None) or CostGovernor(clock=fake_time.clock, sleep=fake_time.sleep)
        return ShopifyClient(
            options.pop("shop_url", SHOP),
            options.pop("access_token", TOKEN),
            http=httpx.Client(transport=httpx.MockTransport(handler)),
            governor=governor,
            retry=options.pop("retry", RetryPolicy()),
            sleep=fake_time.sleep,
            rng=lambda: 0.5,
            **options,
        )

    return build


@pytest.fixture(scope="session")
def shopify_schema(shared_dir: Path) -> GraphQLSchema:
    """The real Admin API 2026-04 schema (built once per test session: it takes a few seconds)."""
    text = (shared_dir / "reference/shopify/admin-2026-04.graphql").read_text(encoding="utf-8")
    return build_schema(text, assume_valid=True)
