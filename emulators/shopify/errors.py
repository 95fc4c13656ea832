"""Error bodies as Shopify sends them.

Validation errors are reworded from graphql-core's phrasing into the graphql-ruby phrasing Shopify answers
with (``Field 'x' doesn't exist on type 'Product'``, ``extensions.code: undefinedField``), so a client that
logs or matches them sees what production would show. Throttling and cost errors carry the cost extension.
"""

from __future__ import annotations

import re
from typing import Any

from graphql import GraphQLError

DOCS_RATE_LIMITS = "https://shopify.dev/api/usage/rate-limits"
INTERNAL_ERROR = "Internal error. Looks like something went wrong on our end."

_RULES: list[tuple[re.Pattern, Any]] = [
    (
        re.compile(r"^Cannot query field '(?P<field>[^']+)' on type '(?P<type>[^']+)'\."),
        lambda m: (
            f"Field '{m['field']}' doesn't exist on type '{m['type']}'",
            {"code": "undefinedField", "typeName": m["type"], "fieldName": m["field"]},
        ),
    ),
    (
        re.compile(r"^Unknown argument '(?P<arg>[^']+)' on field '(?P<type>[^'.]+)\.(?P<field>[^']+)'\."),
        lambda m: (
            f"Field '{m['field']}' doesn't accept argument '{m['arg']}'",
            {"code": "argumentNotAccepted", "name": m["field"], "typeName": "Field", "argumentName": m["arg"]},
        ),
    ),
    (
        re.compile(r"^Field '(?P<field>[^']+)' argument '(?P<arg>[^']+)' of type '[^']+' is required"),
        lambda m: (
            f"Field '{m['field']}' is missing required arguments: {m['arg']}",
            {"code": "missingRequiredArguments", "className": "Field", "name": m["field"], "arguments": m["arg"]},
        ),
    ),
    (
        re.compile(r"^Variable '\$(?P<var>[^']+)' is never used(?: in operation '(?P<op>[^']+)')?\."),
        lambda m: (
            f"Variable ${m['var']} is declared by {m['op'] or 'anonymous query'} but not used",
            {"code": "variableNotUsed", "variableName": m["var"]},
        ),
    ),
    (
        re.compile(r"^Variable '\$(?P<var>[^']+)' is not defined(?: by operation '(?P<op>[^']+)')?\."),
        lambda m: (
            f"Variable ${m['var']} is used by {m['op'] or 'anonymous query'} but not declared",
            {"code": "variableNotDefined", "variableName": m["var"]},
        ),
    ),
    (
        re.compile(r"^Field '(?P<field>[^']+)' of type '(?P<type>[^']+)' must have a selection of subfields"),
        lambda m: (
            f"Field must have selections (field '{m['field']}' returns {m['type']} but has no selections. "
            f"Did you mean '{m['field']} {{ ... }}'?)",
            {"code": "selectionMismatch", "nodeName": f"field '{m['field']}'", "typeName": m["type"]},
        ),
    ),
    (
        re.compile(r"^Field '(?P<field>[^']+)' must not have a selection since type '(?P<type>[^']+)'"),
        lambda m: (
            f"Selections can't be made on scalars (field '{m['field']}' returns {m['type']} but has selections)",
            {"code": "selectionMismatch", "nodeName": f"field '{m['field']}'", "typeName": m["type"]},
        ),
    ),
    (
        re.compile(r"^Unknown type '(?P<type>[^']+)'\."),
        lambda m: (
            f"No such type {m['type']}, so it can't be a fragment condition",
            {"code": "undefinedType", "typeName": m["type"]},
        ),
    ),
    (
        re.compile(
            r"^Variable '\$(?P<var>[^']+)' (?:of required type '(?P<type>[^']+)' was not provided|got invalid "
            r"value)"
        ),
        lambda m: (
            f"Variable ${m['var']} of type {m['type'] or 'the declared type'} was provided invalid value",
            {"code": "INVALID_VARIABLE", "problems": [{"path": [], "explanation": m.string}]},
        ),
    ),
]


def _locations(error: GraphQLError) -> list[dict] | None:
    if not error.locations:
        return None
    return [{"line": loc.line, "column": loc.column} for loc in error.locations]


def validation_error(error: GraphQLError) -> dict:
    """A graphql-core validation/coercion error in Shopify's words."""
    message, extensions = error.message, {"code": "validationError"}
    for pattern, reword in _RULES:
        match = pattern.search(error.message)
        if match:
            message, extensions = reword(match)
            break
    body: dict[str, Any] = {"message": message}
    locations = _locations(error)
    if locations:
        body["locations"] = locations
    body["extensions"] = extensions
    return body


def syntax_error(error: GraphQLError) -> dict:
    body: dict[str, Any] = {"message": error.message.replace("Syntax Error: ", "syntax error, ")}
    locations = _locations(error)
    if locations:
        body["locations"] = locations
    body["extensions"] = {"code": "parseError"}
    return body


def execution_error(error: GraphQLError) -> dict:
    """An error raised while resolving: keep ours (they carry a code), hide Python exceptions' text."""
    original = error.original_error
    if original is not None and not isinstance(original, GraphQLError):
        message, extensions = INTERNAL_ERROR, {"code": "INTERNAL_SERVER_ERROR"}
    else:
        message, extensions = error.message, dict(error.extensions or {})
        if "code" not in extensions:
            extensions["code"] = "BAD_REQUEST"
    body: dict[str, Any] = {"message": message}
    locations = _locations(error)
    if locations:
        body["locations"] = locations
    if error.path:
        body["path"] = list(error.path)
    body["extensions"] = extensions
    return body


def throttled_error() -> dict:
    return {"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": DOCS_RATE_LIMITS}}


def max_cost_error(cost: int, limit: int) -> dict:
    return {
        "message": f"Query cost is {cost}, which exceeds the single query max cost limit ({limit}).\n\n"
        f"See {DOCS_RATE_LIMITS} for more information on how the\ncost of a query is calculated.\n\n"
        "To query larger amounts of data with fewer limits, bulk operations should be used instead.\n"
        "See https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n",
        "extensions": {"code": "MAX_COST_EXCEEDED", "cost": cost, "maxCost": limit, "documentation": DOCS_RATE_LIMITS},
    }
