"""What every mutation needs: the 250-item input cap, the 2026-04 ``@idempotent`` rules, metafield checks.

``guarded`` wraps each root mutation resolver (installed by ``schema.executable_schema``). It refuses oversized input
arrays like Shopify (``MAX_INPUT_SIZE_EXCEEDED``) and, for the mutations that 2026-04 makes idempotent, requires
``@idempotent(key:)``: a repeated key with the same arguments answers the first result without applying the
change again; the same key with other arguments is refused. That is what lets a client retry a write whose
answer it lost.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from graphql import GraphQLError, value_from_ast

from ..context import ctx, user_error

IDEMPOTENT_MUTATIONS = {"inventorySetQuantities", "inventoryAdjustQuantities", "inventoryActivate", "refundCreate"}
_MISMATCH_CODE = {
    "inventorySetQuantities": "IDEMPOTENCY_KEY_PARAMETER_MISMATCH",
    "inventoryAdjustQuantities": "IDEMPOTENCY_KEY_PARAMETER_MISMATCH",
}


def guarded(field_name: str, resolve: Any) -> Any:
    """Wrap a root mutation resolver with the input-size and idempotency rules."""

    def run(root: Any, info: Any, **args: Any) -> Any:
        return mutation_middleware(resolve, root, info, **args)

    run.__name__ = f"guarded_{field_name}"
    return run


def mutation_middleware(next_: Any, root: Any, info: Any, **args: Any) -> Any:
    _check_input_sizes(info, args, [info.field_name])
    if info.field_name not in IDEMPOTENT_MUTATIONS:
        return next_(root, info, **args)
    key = _idempotency_key(info)
    state = ctx(info).state
    fingerprint = json.dumps(args, sort_keys=True, default=str)
    stored = state.idempotency.get((info.field_name, key))
    if stored is not None:
        if stored[0] == fingerprint:
            return stored[1]
        return {
            "userErrors": [
                user_error(
                    None,
                    "The same idempotency key was used with different parameters.",
                    _MISMATCH_CODE.get(info.field_name),
                )
            ]
        }
    result = next_(root, info, **args)
    state.idempotency[(info.field_name, key)] = (fingerprint, result)
    return result


def _idempotency_key(info: Any) -> str:
    for directive in info.field_nodes[0].directives:
        if directive.name.value != "idempotent":
            continue
        for argument in directive.arguments:
            if argument.name.value == "key":
                from graphql import GraphQLNonNull, GraphQLString

                key = value_from_ast(argument.value, GraphQLNonNull(GraphQLString), info.variable_values)
                if not isinstance(key, str) or not key.strip():
                    raise GraphQLError(
                        "The idempotency key cannot be an empty string or whitespace only.",
                        extensions={"code": "BAD_REQUEST"},
                    )
                return key
    raise GraphQLError(
        "The @idempotent directive is required for this mutation but was not provided.",
        extensions={"code": "BAD_REQUEST"},
    )


def _check_input_sizes(info: Any, value: Any, path: list) -> None:
    limit = ctx(info).config.max_input_array
    if isinstance(value, dict):
        for key, item in value.items():
            _check_input_sizes(info, item, [*path, key])
    elif isinstance(value, list):
        if len(value) > limit:
            raise GraphQLError(
                f"The input array size of {len(value)} is greater than the maximum allowed of {limit}.",
                extensions={"code": "MAX_INPUT_SIZE_EXCEEDED", "path": path},
            )
        for item in value:
            _check_input_sizes(info, item, path)


# ---- metafields -------------------------------------------------------------------------------------------

_INTEGER = re.compile(r"^-?\d+$")


def metafield_value_error(type_: str, value: str) -> str | None:
    """Why ``value`` is not valid for metafield ``type_`` (None when it is), for the types the sync writes."""
    try:
        if type_ == "single_line_text_field":
            return "Value must be a single line text string." if "\n" in value else None
        if type_ == "number_integer":
            return None if _INTEGER.match(value.strip()) else "Value must be an integer."
        if type_ == "number_decimal":
            Decimal(value)
            return None
        if type_ == "boolean":
            return None if value.strip() in ("true", "false") else "Value must be true or false."
        if type_ in ("json", "money", "dimension", "weight", "volume", "rating") or type_.startswith("list."):
            json.loads(value)
            return None
        if type_ == "date":
            date.fromisoformat(value)
            return None
        if type_ == "date_time":
            datetime.fromisoformat(value.replace("Z", "+00:00"))
            return None
        if type_ == "url":
            return (
                None
                if re.match(r"^(https?|mailto|sms|tel)://|^(mailto|tel|sms):", value)
                else "Value must be a valid URL."
            )
        if type_ in ("multi_line_text_field", "rich_text_field", "color") or type_.endswith("_reference"):
            return None
    except (ValueError, InvalidOperation):
        return f"Value is invalid for type {type_}."
    return f"Type '{type_}' is not a valid metafield type."


def metafield_errors(state: Any, owner_type: str, owner_id: int, inputs: list[dict], path: list) -> list[dict]:
    """userErrors for MetafieldInput entries nested in a product/variant/collection/customer input."""
    errors = []
    for i, mf in enumerate(inputs):
        key = mf.get("key")
        existing = state.metafields_of(owner_type, owner_id).get((mf.get("namespace") or "$app", key))
        type_ = mf.get("type") or (existing.type if existing else None)
        if not key or mf.get("value") is None:
            errors.append(user_error([*path, i, "key" if not key else "value"], "Key and value are required."))
        elif not type_:
            errors.append(user_error([*path, i, "type"], "Type can't be blank."))
        elif (problem := metafield_value_error(type_, mf["value"])) is not None:
            errors.append(user_error([*path, i, "value"], problem))
    return errors
