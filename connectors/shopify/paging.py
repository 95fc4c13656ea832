"""Cursor pagination over GraphQL connections, as pure functions testable without HTTP.

A paged document declares ``$first: Int!`` and ``$after: String`` and selects ``nodes`` (or
``edges { node }``) plus ``pageInfo { hasNextPage endCursor }``; a null ``$after`` serves the first page, so
one document covers every page (no GetX/GetNextX twins).

Page size: each document's header says the ``first`` its cost bound was computed at (``# cost: N (… first:
M)``, ``N ≤ 1000`` is tested): the first page of a document is at most ``M``. Later pages are sized from the
cost Shopify reported (``cost_memory.py``), up to Shopify's 250 and within the 1000-point cap; the client
passes that size as ``allowed``. Asking for fewer is allowed (tiny pages in tests, smaller tasks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from connectors.shopify.errors import NotFound, OperationError, QueryError
from connectors.shopify.operations import Operation
from domain.models import Page

__all__ = ["MAX_PAGE_SIZE", "Connection", "dig", "iter_connection", "page_size", "read_connection", "to_page"]

MAX_PAGE_SIZE = 250
"""Shopify's maximum ``first`` for any connection."""


@dataclass(frozen=True)
class Connection:
    nodes: list[dict[str, Any]]
    has_next_page: bool
    end_cursor: str | None


def split_path(path: str | Sequence[str]) -> tuple[str, ...]:
    return tuple(path.split(".")) if isinstance(path, str) else tuple(path)


def dig(data: Mapping[str, Any], path: str | Sequence[str], *, operation: str = "") -> Any:
    """``data["order"]["lineItems"]`` for path ``"order.lineItems"``.

    A null on the way means the object the query is rooted at does not exist (``order(id:)`` of a deleted
    order) and raises ``NotFound`` naming it, rather than looking like an empty listing.
    """
    keys = split_path(path)
    current: Any = data
    for depth, key in enumerate(keys):
        if not isinstance(current, Mapping) or key not in current:
            where = ".".join(keys[:depth]) or "data"
            raise OperationError(f"{operation}: response has no {key!r} under {where} (is the path right?)")
        current = current[key]
        if current is None and depth < len(keys) - 1:
            raise NotFound(f"{operation}: {'.'.join(keys[: depth + 1])} is null (no such object)")
    return current


def read_connection(data: Mapping[str, Any], path: str | Sequence[str], *, operation: str = "") -> Connection:
    """The nodes and page info of the connection at ``path``."""
    raw = dig(data, path, operation=operation)
    if not isinstance(raw, Mapping):
        raise NotFound(f"{operation}: {'.'.join(split_path(path))} is null (no such object)")
    if "nodes" in raw:
        nodes = list(raw["nodes"] or [])
    elif "edges" in raw:
        nodes = [edge["node"] for edge in raw["edges"] or []]
    else:
        raise OperationError(f"{operation}: the connection at {path!r} selects neither nodes nor edges")
    info = raw.get("pageInfo")
    if not isinstance(info, Mapping) or "hasNextPage" not in info or "endCursor" not in info:
        raise OperationError(
            f"{operation}: the connection at {path!r} must select pageInfo {{ hasNextPage endCursor }}"
        )
    return Connection(nodes=nodes, has_next_page=bool(info["hasNextPage"]), end_cursor=info["endCursor"])


def page_size(operation: Operation, requested: int | None = None, allowed: int | None = None) -> int:
    """The ``first`` to send: the caller's wish, capped by ``allowed`` (default: the header's ``first``) and 250."""
    if operation.max_first is None or not {"first", "after"} <= set(operation.variables):
        raise OperationError(
            f"{operation.name} is not a paged operation (needs $first/$after and 'first: M' in its cost line)"
        )
    size = min(operation.max_first if allowed is None else max(1, allowed), MAX_PAGE_SIZE)
    if requested is not None:
        if requested < 1:
            raise ValueError(f"page size must be at least 1, got {requested}")
        size = min(size, requested)
    return size


def to_page(connection: Connection) -> Page[dict[str, Any]]:
    """The domain ``Page``: ``next_cursor`` is None on the last page."""
    return Page[dict[str, Any]](
        items=connection.nodes,
        next_cursor=connection.end_cursor if connection.has_next_page else None,
    )


def iter_connection(fetch: Callable[[str | None], Connection], after: str | None = None) -> Iterator[Connection]:
    """Fetch page after page, feeding each ``endCursor`` back as ``after`` until ``hasNextPage`` is false."""
    seen: set[str] = set()
    while True:
        connection = fetch(after)
        yield connection
        if not connection.has_next_page:
            return
        if not connection.end_cursor or connection.end_cursor in seen:
            raise QueryError(
                f"the server said hasNextPage but repeated or omitted the cursor {connection.end_cursor!r}"
            )
        seen.add(connection.end_cursor)
        after = connection.end_cursor
