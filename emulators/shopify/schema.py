"""The executable schema: the subset SDL (``schema.graphql``) plus scalars and resolvers.

Resolvers register with ``@resolver("Type", "field")`` in the area modules under ``resolvers/`` and
``mutations/``; every other field falls back to reading the record attribute of the same name in snake_case
(``updatedAt`` → ``updated_at``), or the dict key for payload dicts. The schema is built once per process.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    build_schema,
    value_from_ast_untyped,
)

SDL_PATH = Path(__file__).with_name("schema.graphql")
_AREAS = (
    "resolvers.common",
    "resolvers.catalog",
    "resolvers.inventory",
    "resolvers.customers",
    "resolvers.orders",
    "resolvers.fulfillment",
    "mutations.products",
    "mutations.variants",
    "mutations.inventory",
    "mutations.media",
    "mutations.catalog",
    "mutations.customers",
    "mutations.orders",
    "mutations.refunds",
    "mutations.bulk",
    "mutations.webhooks",
)

Resolver = Callable[..., Any]
_FIELD_RESOLVERS: dict[tuple[str, str], Resolver] = {}


def resolver(type_name: str, *field_names: str) -> Callable[[Resolver], Resolver]:
    """Register ``fn`` as the resolver of ``type_name.field`` for each field name given."""

    def register(fn: Resolver) -> Resolver:
        for name in field_names:
            key = (type_name, name)
            if key in _FIELD_RESOLVERS:
                raise RuntimeError(f"two resolvers for {type_name}.{name}")
            _FIELD_RESOLVERS[key] = fn
        return fn

    return register


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _default_resolver(field_name: str) -> Resolver:
    attr = snake(field_name)

    def resolve(source: Any, info: Any, **_: Any) -> Any:
        if isinstance(source, dict):
            return source.get(field_name)
        if field_name == "id" and hasattr(source, "gid"):
            return source.gid
        return getattr(source, attr, None)

    return resolve


# ---- scalars ------------------------------------------------------------------------------------------------


def format_datetime(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _serialize_datetime(value: Any) -> str:
    return format_datetime(value) if isinstance(value, datetime) else str(value)


def _parse_datetime(value: Any) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise GraphQLError(f"invalid DateTime: {value!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def format_decimal(value: Decimal) -> str:
    """Money as Shopify prints it: at least two decimals (``"19.90"``), more only when the value has them."""
    value = Decimal(value)
    if value == value.quantize(Decimal("0.01")):
        value = value.quantize(Decimal("0.01"))
    return format(value, "f")


def _parse_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise GraphQLError(f"invalid decimal value: {value!r}")
    try:
        parsed = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise GraphQLError(f"invalid decimal value: {value!r}") from exc
    if not parsed.is_finite():
        raise GraphQLError(f"invalid decimal value: {value!r}")
    return parsed


def _serialize_decimal(value: Any) -> str:
    return format_decimal(value) if isinstance(value, (Decimal, int)) else str(value)


def _literal(parse: Callable[[Any], Any]) -> Callable[..., Any]:
    def parse_literal(node: Any, variables: Any = None) -> Any:
        return parse(value_from_ast_untyped(node, variables))

    return parse_literal


def _json_value(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


_SCALARS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "DateTime": (_serialize_datetime, _parse_datetime),
    "Decimal": (_serialize_decimal, _parse_decimal),
    "Money": (_serialize_decimal, _parse_decimal),
    "UnsignedInt64": (lambda v: str(int(v)), lambda v: int(v)),
}


def _install_scalars(schema: GraphQLSchema) -> None:
    for name, (serialize, parse) in _SCALARS.items():
        scalar = schema.type_map.get(name)
        if isinstance(scalar, GraphQLScalarType):
            scalar.serialize = serialize
            scalar.parse_value = parse
            scalar.parse_literal = _literal(parse)


def _resolve_abstract(value: Any, info: Any, abstract_type: Any) -> str | None:
    return getattr(value, "GQL_TYPE", None) or None


@lru_cache(maxsize=1)
def executable_schema() -> GraphQLSchema:
    for area in _AREAS:
        importlib.import_module(f"{__package__}.{area}")
    schema = build_schema(SDL_PATH.read_text(encoding="utf-8"))
    _install_scalars(schema)
    unknown = set(_FIELD_RESOLVERS)
    for gql_type in schema.type_map.values():
        if isinstance(gql_type, GraphQLInterfaceType):
            gql_type.resolve_type = _resolve_abstract
        if not isinstance(gql_type, GraphQLObjectType) or gql_type.name.startswith("__"):
            continue
        for field_name, field in gql_type.fields.items():
            key = (gql_type.name, field_name)
            field.resolve = _FIELD_RESOLVERS.get(key) or _default_resolver(field_name)
            unknown.discard(key)
    if unknown:
        raise RuntimeError(f"resolvers for fields missing from schema.graphql: {sorted(unknown)}")
    from .access import scoped
    from .mutations.support import guarded

    for field_name, field in schema.mutation_type.fields.items():
        field.resolve = scoped("Mutation", field_name, guarded(field_name, field.resolve))
    for field_name, field in schema.query_type.fields.items():
        field.resolve = scoped("QueryRoot", field_name, field.resolve)
    return schema
