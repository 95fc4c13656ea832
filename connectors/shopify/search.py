"""Builders for Shopify's search syntax (the ``query:`` argument), so no caller formats one by hand.

Why this matters:
- Shopify only honours the time of a datetime filter when the value is quoted; an unquoted
  ``updated_at:>=2026-01-01T10:00:00Z`` silently keeps only the date (confirmed by Shopify staff), which
  turns an incremental window into a full day's re-read — or a miss.
- Values with spaces, quotes, colons or parentheses change the meaning of the query unless quoted and
  escaped; a SKU like ``A:1 OR x`` must not become an ``OR``.

Windows are half-open, ``[start, end)``: ``updated_at:>='start' AND updated_at:<'end'``, so consecutive
windows tile time without gaps. Shopify has been reported to treat strict ``<``/``>`` on dates like
``<=``/``>=``, so callers must still dedupe boundary records by GID.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime

__all__ = [
    "all_of",
    "any_of",
    "datetime_literal",
    "field_filter",
    "quote",
    "updated_at_filter",
]

_FIELD = re.compile(r"^[a-z][a-z0-9_.]*$")
_COMPARATORS = (":", ":<", ":>", ":<=", ":>=")


def datetime_literal(value: datetime) -> str:
    """``'2026-01-01T00:00:00Z'``: an aware datetime in UTC, second precision, single-quoted as Shopify's docs
    show. Naive datetimes are refused (their zone is a guess)."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"search filter datetime must be timezone-aware, got naive {value.isoformat()}")
    utc = value.astimezone(UTC).replace(microsecond=0)
    return f"'{utc.strftime('%Y-%m-%dT%H:%M:%SZ')}'"


def quote(value: str | int | float | bool | date | datetime) -> str:
    """One search value, quoted and escaped.

    Strings are wrapped in double quotes with ``\\`` and ``"`` backslash-escaped; numbers and booleans go
    bare; datetimes become quoted UTC literals (see ``datetime_literal``), dates ``'YYYY-MM-DD'``.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, datetime):
        return datetime_literal(value)
    if isinstance(value, date):
        return f"'{value.isoformat()}'"
    if not isinstance(value, str):
        raise TypeError(f"cannot use {type(value).__name__} as a search value")
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def field_filter(field: str, value: str | int | float | bool | date | datetime, comparator: str = ":") -> str:
    """``field<comparator><quoted value>``, e.g. ``field_filter("sku", "A 1")`` → ``sku:"A 1"``."""
    if not _FIELD.match(field):
        raise ValueError(f"not a search field name: {field!r}")
    if comparator not in _COMPARATORS:
        raise ValueError(f"comparator must be one of {_COMPARATORS}, got {comparator!r}")
    return f"{field}{comparator}{quote(value)}"


def all_of(*terms: str | None) -> str:
    """Terms joined with AND (empty terms skipped), each parenthesised when it contains an OR."""
    kept = [t for t in terms if t]
    return " AND ".join(f"({t})" if " OR " in t and len(kept) > 1 and not _wrapped(t) else t for t in kept)


def _wrapped(term: str) -> bool:
    """Whether the whole term sits inside one pair of parentheses (quoted text ignored)."""
    if not term.startswith("("):
        return False
    depth, quote_char, escaped = 0, None, False
    for i, ch in enumerate(term):
        if quote_char:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote_char:
                quote_char = None
        elif ch in "\"'":
            quote_char = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i == len(term) - 1
    return False


def any_of(field: str, values: Iterable[str | int], comparator: str = ":") -> str:
    """``(field:"a" OR field:"b")`` — e.g. a batch of SKUs to look up in one query."""
    terms = [field_filter(field, v, comparator) for v in dict.fromkeys(values)]
    if not terms:
        raise ValueError(f"any_of({field!r}) needs at least one value")
    return terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")"


def updated_at_filter(start: datetime | None, end: datetime | None, field: str = "updated_at") -> str:
    """The half-open window ``field:>='start' AND field:<'end'``; either bound may be open (None)."""
    if not _FIELD.match(field):
        raise ValueError(f"not a search field name: {field!r}")
    if start is not None and end is not None and not start < end:
        raise ValueError(f"empty window: start {start.isoformat()} is not before end {end.isoformat()}")
    lower = f"{field}:>={datetime_literal(start)}" if start is not None else None
    upper = f"{field}:<{datetime_literal(end)}" if end is not None else None
    if lower is None and upper is None:
        raise ValueError("updated_at_filter needs a start, an end, or both")
    return all_of(lower, upper)
