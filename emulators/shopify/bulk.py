"""Bulk query operations: check the inner query like Shopify, run it over the whole shop, write JSONL.

The query runs through the same resolvers with ``bulk=True`` (connections ignore ``first``/``after`` and return
everything, in order). Each node of a connection becomes one JSON line; nodes of a nested connection become
their own lines with ``__parentId`` (the parent's ``id``). Plain lists stay inside their parent's line.

``groupObjects`` (the argument of ``bulkOperationRunQuery``):
- ``true``: every child line comes right after its parent (Shopify: "places child objects directly below their
  corresponding parent objects", https://shopify.dev/changelog/posts/optional-groupobjects-argument-in-bulk-operations-mutations-that-offers-faster-and-more-reliable-job-execution).
- ``false`` (the default since 2026-01, https://shopify.dev/changelog/posts/bulk-operations-group-objects-default-changed-to-false):
  Shopify promises no order at all, so the emulator is as hostile as that allows — the lines are shuffled
  (seeded by the operation's id, so a test can reproduce it): a child may come long after its parent, between
  other roots' children, or before its parent.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    execute,
    get_named_type,
    parse,
    validate,
)

from . import errors
from .cost import _is_connection

MAX_CONNECTIONS = 5
MAX_NESTING = 2


class BulkQueryError(ValueError):
    pass


@dataclass
class BulkResult:
    lines: list[dict]
    root_count: int

    def jsonl(self) -> bytes:
        return b"".join(json.dumps(line, separators=(",", ":")).encode() + b"\n" for line in self.lines)


def check_bulk_query(schema: GraphQLSchema, query: str) -> Any:
    """The parsed document, or BulkQueryError with Shopify's complaint about it."""
    try:
        document = parse(query)
    except GraphQLError as exc:
        raise BulkQueryError(f"Invalid bulk query: {errors.syntax_error(exc)['message']}") from exc
    problems = validate(schema, document)
    if problems:
        raise BulkQueryError(f"Invalid bulk query: {errors.validation_error(problems[0])['message']}")
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(ops) != 1 or ops[0].operation != OperationType.QUERY:
        raise BulkQueryError("Bulk queries must contain exactly one query operation.")
    for field in _fields(ops[0].selection_set, document):
        if field.name.value in ("node", "nodes"):
            raise BulkQueryError("Bulk queries cannot contain top level `node` or `nodes` fields.")
    found = _scan(schema.query_type, ops[0].selection_set, document, depth=0, in_list=False)
    if found == 0:
        raise BulkQueryError("Bulk queries must contain at least one connection.")
    if found > MAX_CONNECTIONS:
        raise BulkQueryError(f"Bulk queries cannot contain more than {MAX_CONNECTIONS} connections.")
    return document


def _fields(selection_set: SelectionSetNode | None, document: Any) -> list[FieldNode]:
    out: list[FieldNode] = []
    if selection_set is None:
        return out
    fragments = {
        d.name.value: d
        for d in document.definitions
        if hasattr(d, "type_condition") and not isinstance(d, OperationDefinitionNode)
    }
    for sel in selection_set.selections:
        if isinstance(sel, FieldNode):
            out.append(sel)
        elif isinstance(sel, InlineFragmentNode):
            out.extend(_fields(sel.selection_set, document))
        elif isinstance(sel, FragmentSpreadNode):
            out.extend(_fields(fragments[sel.name.value].selection_set, document))
    return out


def _scan(parent: Any, selection_set: SelectionSetNode | None, document: Any, depth: int, in_list: bool) -> int:
    """Count connections, enforcing depth, the id rule and 'no connection inside a list'."""
    found = 0
    for field in _fields(selection_set, document):
        definition = getattr(parent, "fields", {}).get(field.name.value)
        if definition is None:
            continue
        named = get_named_type(definition.type)
        if _is_connection(named):
            if in_list:
                raise BulkQueryError(
                    "Queries that contain a connection field within a list field are not currently supported."
                )
            if depth >= MAX_NESTING:
                raise BulkQueryError(
                    f"Bulk queries cannot contain connections with a nesting depth greater than {MAX_NESTING}."
                )
            node_type, node_selection = _node_selection(named, field, document)
            if depth > 0 and not _selects_id(selection_set, document):
                raise BulkQueryError(
                    f"The parent 'node' field for a nested connection must select the 'id' field. "
                    f"Connection fields without 'id': {field.name.value}."
                )
            found += 1 + _scan(node_type, node_selection, document, depth + 1, in_list=False)
        elif hasattr(named, "fields"):
            found += _scan(named, field.selection_set, document, depth, in_list or _is_list(definition.type))
    return found


def _selects_id(selection_set: SelectionSetNode | None, document: Any) -> bool:
    return any(f.name.value == "id" and f.alias is None for f in _fields(selection_set, document))


def _node_selection(conn_type: Any, field: FieldNode, document: Any) -> tuple[Any, SelectionSetNode | None]:
    node_type = get_named_type(conn_type.fields["nodes"].type)
    for child in _fields(field.selection_set, document):
        if child.name.value == "nodes":
            return node_type, child.selection_set
        if child.name.value == "edges":
            for edge_child in _fields(child.selection_set, document):
                if edge_child.name.value == "node":
                    return node_type, edge_child.selection_set
    return node_type, None


def _is_list(type_: Any) -> bool:
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def run_bulk_query(
    schema: GraphQLSchema, document: Any, context: Any, *, group_objects: bool = False, seed: int = 0
) -> BulkResult:
    """Execute the checked document over everything and flatten it to JSONL lines: grouped (children right
    after their parent) or, without ``group_objects``, in a seeded shuffled order (see the module docstring)."""
    result = execute(schema, document, context_value=context)
    if result.errors:
        raise BulkQueryError(result.errors[0].message)
    lines: list[dict] = []
    op = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    roots = _emit(schema.query_type, op.selection_set, result.data, document, None, lines)
    if not group_objects:
        random.Random(seed).shuffle(lines)
    return BulkResult(lines, roots)


def _emit(
    parent: Any,
    selection_set: SelectionSetNode | None,
    data: Any,
    document: Any,
    parent_id: str | None,
    lines: list[dict],
) -> int:
    """Write the nodes of every connection under ``selection_set``; returns how many top-level nodes."""
    roots = 0
    if not isinstance(data, dict):
        return 0
    for field in _fields(selection_set, document):
        definition = getattr(parent, "fields", {}).get(field.name.value)
        if definition is None:
            continue
        named = get_named_type(definition.type)
        key = field.alias.value if field.alias else field.name.value
        value = data.get(key)
        if _is_connection(named) and isinstance(value, dict):
            node_type, node_selection = _node_selection(named, field, document)
            nodes = value.get("nodes") or [e.get("node") for e in value.get("edges") or []]
            nested = [
                f
                for f in _fields(node_selection, document)
                if (d := node_type.fields.get(f.name.value)) is not None and _is_connection(get_named_type(d.type))
            ]
            for node in nodes:
                if node is None:
                    continue
                line = {
                    k: v
                    for k, v in node.items()
                    if k not in {(f.alias.value if f.alias else f.name.value) for f in nested}
                }
                if parent_id is not None:
                    line["__parentId"] = parent_id
                lines.append(line)
                roots += 1
                _emit(node_type, node_selection, node, document, node.get("id"), lines)
        elif hasattr(named, "fields") and isinstance(value, dict) and parent_id is None:
            roots += _emit(named, field.selection_set, value, document, None, lines)
    return roots if parent_id is None else 0
