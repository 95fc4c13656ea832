"""Cursor pagination as Shopify does it: opaque keyset cursors over a sort key, ``first``/``after`` and
``last``/``before``, ``reverse``, at most 250 per page.

A cursor encodes the sort value and id of its record (base64 JSON, like Shopify's ``eyJsYXN0X2lkIjo…``), not a
position, so records inserted or updated between two page requests never shift the next page: a record moved
behind the cursor by an update is simply not seen again on this walk, as with the real API.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError

SortKey = Callable[[Any], Any]


class PagingError(GraphQLError):
    """A bad ``first``/``last``/cursor argument, answered as a GraphQL error."""

    def __reduce__(self) -> tuple[type[PagingError], tuple[str]]:
        """Rebuilt through the constructor: ``GraphQLError`` keeps ``message`` in a slot, which the default
        reduction does not always carry across (the copy then has no message to print)."""
        return type(self), (self.message,)


def encode_cursor(value: Any, record_id: int) -> str:
    raw = json.dumps({"last_id": record_id, "last_value": value}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return _freeze(data["last_value"]), int(data["last_id"])
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise PagingError(f"Invalid cursor: {cursor!r}", extensions={"code": "BAD_REQUEST"}) from exc


def _freeze(value: Any) -> Any:
    return tuple(_freeze(v) for v in value) if isinstance(value, list) else value


@dataclass
class Page:
    """One page of a connection; ``key`` gives each node's cursor lazily (only when ``edges`` are asked for)."""

    nodes: list
    has_next_page: bool
    has_previous_page: bool
    key: SortKey = field(repr=False, default=lambda r: r.id)

    def cursor(self, node: Any) -> str:
        return encode_cursor(self.key(node), node.id)

    @property
    def start_cursor(self) -> str | None:
        return self.cursor(self.nodes[0]) if self.nodes else None

    @property
    def end_cursor(self) -> str | None:
        return self.cursor(self.nodes[-1]) if self.nodes else None

    @property
    def page_info(self) -> Page:
        return self

    @property
    def edges(self) -> list[dict]:
        return [{"cursor": self.cursor(n), "node": n} for n in self.nodes]


def sort_records(records: Iterable[Any], key: SortKey, reverse: bool) -> list[tuple[Any, int, Any]]:
    """``(sort value, id, record)`` in page order; reusable across the pages of one walk."""
    return sorted(((key(r), r.id, r) for r in records), key=lambda t: (t[0], t[1]), reverse=reverse)


def paginate(
    records: Iterable[Any],
    *,
    key: SortKey = lambda r: r.id,
    first: int | None = None,
    last: int | None = None,
    after: str | None = None,
    before: str | None = None,
    reverse: bool = False,
    max_page: int = 250,
    unbounded: bool = False,
    presorted: list[tuple[Any, int, Any]] | None = None,
) -> Page:
    """Sort by ``(key, id)``, cut at the cursors, take ``first`` from the front or ``last`` from the back.

    ``unbounded`` (bulk operations) ignores page sizes and cursors and returns everything in order.
    """
    decorated = presorted if presorted is not None else sort_records(records, key, reverse)
    if unbounded:
        return Page([t[2] for t in decorated], False, False, key)
    if first is None and last is None:
        raise PagingError("you must provide one of first or last", extensions={"code": "BAD_REQUEST"})
    for name, size in (("first", first), ("last", last)):
        if size is not None and (size < 0 or size > max_page):
            raise PagingError(
                f"The `{name}` argument must be between 0 and {max_page}.",
                extensions={"code": "BAD_REQUEST", "argumentName": name},
            )
    lo, hi = 0, len(decorated)
    if after is not None:
        lo = _position(decorated, decode_cursor(after), reverse, right=True)
    if before is not None:
        hi = max(lo, _position(decorated, decode_cursor(before), reverse, right=False))
    has_next = hi < len(decorated)
    has_prev = lo > 0
    if first is not None:
        has_next = has_next or hi - lo > first
        hi = min(hi, lo + first)
    if last is not None:
        has_prev = has_prev or hi - lo > last
        lo = max(lo, hi - last)
    return Page([t[2] for t in decorated[lo:hi]], has_next, has_prev, key)


def _position(rows: list[tuple], cursor: tuple[Any, int], reverse: bool, right: bool) -> int:
    """Index just past (``right``) or at the cursor in rows sorted by ``(value, id)``, either direction."""
    lo, hi = 0, len(rows)
    try:
        while lo < hi:
            mid = (lo + hi) // 2
            k = (rows[mid][0], rows[mid][1])
            if reverse:
                before = k >= cursor if right else k > cursor
            else:
                before = k <= cursor if right else k < cursor
            if before:
                lo = mid + 1
            else:
                hi = mid
    except TypeError as exc:
        raise PagingError("Invalid cursor for current pagination sort.", extensions={"code": "BAD_REQUEST"}) from exc
    return lo
