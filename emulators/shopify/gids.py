"""Shopify global ids: ``gid://shopify/Product/123`` (inventory levels carry a query string)."""

from __future__ import annotations

import re

_GID = re.compile(r"^gid://shopify/(?P<type>[A-Za-z]+)/(?P<id>\d+)(?:\?(?P<query>.*))?$")


def gid(type_name: str, number: int) -> str:
    return f"gid://shopify/{type_name}/{number}"


def parse_gid(value: object, expected: str | tuple[str, ...] | None = None) -> int | None:
    """The numeric id of a GID of the expected type(s), else None (a malformed or foreign id is 'not found')."""
    parsed = split_gid(value)
    if parsed is None:
        return None
    type_name, number = parsed
    if expected is not None:
        allowed = (expected,) if isinstance(expected, str) else expected
        if type_name not in allowed:
            return None
    return number


def split_gid(value: object) -> tuple[str, int] | None:
    if not isinstance(value, str):
        return None
    match = _GID.match(value.strip())
    if not match:
        return None
    return match.group("type"), int(match.group("id"))
