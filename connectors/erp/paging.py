"""Opaque keyset cursors, shared by every ERP adapter.

A listing ordered by a stable key (``(updated_at, erp_key)`` for items, ``(sku, location_key)`` for stock)
continues *after* the last key it returned, never at an offset: rows inserted or updated while a sync pages
through cannot shift a page and make it skip or repeat a row. The cursor is that last key, serialised as
URL-safe base64 JSON, tagged with the listing it belongs to so one listing's cursor is refused by another.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar

from connectors.erp.errors import RecordError
from domain.models import Page

__all__ = ["cursor_datetime", "decode_cursor", "encode_cursor", "iter_pages", "require_limit", "require_utc"]

T = TypeVar("T")


def encode_cursor(listing: str, *key: Any) -> str:
    """The cursor after the row whose sort key is ``key`` (datetimes become ISO strings)."""
    parts = [k.isoformat() if isinstance(k, datetime) else k for k in key]
    raw = json.dumps({"l": listing, "k": parts}, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(listing: str, cursor: str, arity: int) -> list[Any]:
    """The key a cursor of ``listing`` stands for; a foreign or mangled cursor is a ``RecordError``."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        key = data["k"]
        if data["l"] != listing or not isinstance(key, list) or len(key) != arity:
            raise ValueError(listing)
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise RecordError(f"{listing} listing", "cursor", "not a cursor issued by this listing") from None
    return key


def cursor_datetime(listing: str, value: Any) -> datetime:
    """A datetime decoded from a cursor, refusing anything that is not an aware ISO timestamp."""
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise RecordError(f"{listing} listing", "cursor", "not a cursor issued by this listing") from None
    if parsed.tzinfo is None:
        raise RecordError(f"{listing} listing", "cursor", "not a cursor issued by this listing")
    return parsed.astimezone(UTC)


def require_utc(name: str, value: datetime | None) -> datetime | None:
    """``value`` in UTC; a naive datetime is refused, naming the parameter (it would be off by the zone)."""
    if value is None:
        return None
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got naive {value.isoformat()}")
    return value.astimezone(UTC)


def require_limit(limit: int) -> int:
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    return limit


def iter_pages(fetch: Callable[[str | None], Page[T]]) -> Iterator[Page[T]]:
    """Every page of a listing, from the first (cursor ``None``) until a page has no ``next_cursor``."""
    cursor: str | None = None
    while True:
        page = fetch(cursor)
        yield page
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
