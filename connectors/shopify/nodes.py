"""Batch reads by id: many objects per request through ``nodes(ids: $ids)`` instead of one request each.

Why: Shopify reserves a query's *requested* cost before it runs it, and a one-object query (``product(id:)``)
pays its connection sizes on every request. ``nodes(ids:)`` charges one object's selection per id, so a
document declares the batch it was costed at (``# cost: N (… ids: K; …)``, ``K`` the largest batch whose
cost stays under the 1000-point cap, which a test checks) and ``read_nodes`` sends at most ``K`` ids per
request. Fewer requests, and a batch of products costs what the products cost, not what their requests do.

Shopify answers ``null`` for an id that names nothing (deleted, or of another type than the document's
``... on Type``); ``read_nodes`` keeps that as ``None`` so the caller can report that record.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from connectors.shopify.errors import OperationError
from connectors.shopify.operations import Operation

if TYPE_CHECKING:
    from connectors.shopify.client import ShopifyClient

__all__ = ["batches", "read_nodes"]


def batches(operation: Operation, ids: Sequence[str]) -> Iterator[list[str]]:
    """``ids`` (duplicates dropped, order kept) in runs of the document's declared batch size."""
    if operation.max_ids is None or "ids" not in operation.variables:
        raise OperationError(f"{operation.name} is not a batch read (needs $ids and 'ids: K' in its cost line)")
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), operation.max_ids):
        yield unique[start : start + operation.max_ids]


def read_nodes(
    client: ShopifyClient, operation: str, ids: Sequence[str], variables: Mapping[str, Any] | None = None
) -> dict[str, dict[str, Any] | None]:
    """``{id: node}`` for every id, in as few requests as the document's batch size allows; ``None`` for an
    id Shopify knows no such object by."""
    op = client.operations.get(operation)
    found: dict[str, dict[str, Any] | None] = {}
    for batch in batches(op, ids):
        data = client.execute(operation, {**(variables or {}), "ids": batch})
        nodes = data.get("nodes")
        if not isinstance(nodes, list) or len(nodes) != len(batch):
            raise OperationError(f"{operation}: expected {len(batch)} nodes, got {nodes!r:.200}")
        for gid, node in zip(batch, nodes, strict=False):
            found[gid] = node if isinstance(node, dict) and node else None
    return found
