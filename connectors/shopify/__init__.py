"""Shopify Admin GraphQL connector (API 2026-04): plain Python, no Prefect. See README.md in this folder."""

from connectors.shopify.bulk import BulkJob, BulkRunner
from connectors.shopify.client import DEFAULT_API_VERSION, RetryPolicy, ShopifyClient, normalise_shop_url
from connectors.shopify.errors import Fatal, RecordError, Retriable, ShopifyError
from connectors.shopify.idempotency import idempotency_key
from connectors.shopify.throttle import CostGovernor, governor_for

__all__ = [
    "DEFAULT_API_VERSION",
    "BulkJob",
    "BulkRunner",
    "CostGovernor",
    "Fatal",
    "RecordError",
    "Retriable",
    "RetryPolicy",
    "ShopifyClient",
    "ShopifyError",
    "governor_for",
    "idempotency_key",
    "normalise_shop_url",
]
