"""Reading a bulk operation's JSONL result: streamed line by line, children re-attached to their parents.

With ``groupObjects: false`` (Shopify's faster default) a bulk query's nested connections are flattened: every
child node becomes its own line, after its parent, carrying ``__parentId``. Which connection a child came from
is not written on the line, so ``child_fields_of`` reads it from the bulk document itself: a node with one
child connection is unambiguous; with several, the child's GID type picks the field whose singular name it
matches (``gid://shopify/LineItem/1`` → ``lineItems``, ``ProductVariant`` → ``variants``), and an explicit
``{"GidType": "field"}`` mapping overrides both.

Results can be millions of lines, so nothing is held beyond the record being assembled: a root object is
yielded when the next root begins. That relies on Shopify writing each root's descendants right after it; a
child whose parent is not the current record is an error, not a silent orphan.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import httpx
from graphql import FieldNode, OperationDefinitionNode, SelectionSetNode, parse

from connectors.shopify.errors import ConnectionFailed, QueryError, ServerError

__all__ = ["assemble", "child_fields_of", "iter_jsonl"]

ConnectionTree = dict[tuple[str, ...], list[str]]
"""Path of connection names from the root (``()`` = the root node) → child connection names at that node."""


def iter_jsonl(http: httpx.Client, url: str) -> Iterator[dict[str, Any]]:
    """Stream the objects of a JSONL file. No Shopify token is sent: the URL is a signed storage link."""
    try:
        with http.stream("GET", url) as response:
            if response.status_code >= 500:
                raise ServerError(f"bulk result download: HTTP {response.status_code}", status=response.status_code)
            if response.status_code >= 400:
                raise QueryError(f"bulk result download refused: HTTP {response.status_code} (URL expired?)")
            for number, line in enumerate(response.iter_lines(), start=1):
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise QueryError(f"bulk result line {number} is not JSON: {exc.msg}") from None
    except httpx.TransportError as exc:
        raise ConnectionFailed(f"bulk result download failed: {type(exc).__name__}") from exc


def _connection_node(selection: FieldNode) -> SelectionSetNode | None:
    """The node selection of a connection field (``edges { node {…} }`` or ``nodes {…}``), else None."""
    if selection.selection_set is None:
        return None
    for sub in selection.selection_set.selections:
        if not isinstance(sub, FieldNode) or sub.selection_set is None:
            continue
        if sub.name.value == "nodes":
            return sub.selection_set
        if sub.name.value == "edges":
            for inner in sub.selection_set.selections:
                if isinstance(inner, FieldNode) and inner.name.value == "node":
                    return inner.selection_set
    return None


def child_fields_of(document: str) -> ConnectionTree:
    """The connection tree of a bulk query document (see ``ConnectionTree``)."""
    definition = next(d for d in parse(document).definitions if isinstance(d, OperationDefinitionNode))
    tree: ConnectionTree = {}

    def walk(selection_set: SelectionSetNode, path: tuple[str, ...]) -> None:
        for selection in selection_set.selections:
            if not isinstance(selection, FieldNode):
                continue
            node = _connection_node(selection)
            if node is not None:
                name = selection.alias.value if selection.alias else selection.name.value
                tree.setdefault(path, []).append(name)
                walk(node, path + (name,))
            elif selection.selection_set is not None:
                walk(selection.selection_set, path)  # a plain object/list: its connections belong to this node

    root = next((s for s in definition.selection_set.selections if isinstance(s, FieldNode)), None)
    node = _connection_node(root) if root is not None else None
    if node is None:
        raise QueryError("a bulk query must start with a connection (edges { node } or nodes)")
    walk(node, ())
    return tree


def _singular_pascal(field: str) -> str:
    base = field[:-1] if field.endswith("s") else field
    return base[:1].upper() + base[1:]


def _field_for(child: Mapping[str, Any], candidates: list[str], overrides: Mapping[str, str]) -> str | None:
    gid_type = str(child.get("id", "")).removeprefix("gid://shopify/").split("/", 1)[0]
    if gid_type in overrides:
        return overrides[gid_type]
    if len(candidates) == 1:
        return candidates[0]
    matches = [c for c in candidates if gid_type == _singular_pascal(c)]
    matches = matches or [c for c in candidates if gid_type.endswith(_singular_pascal(c))]
    matches = matches or [c for c in candidates if gid_type.startswith(_singular_pascal(c))]
    return matches[0] if len(matches) == 1 else None


def assemble(
    lines: Iterable[dict[str, Any]],
    tree: ConnectionTree,
    overrides: Mapping[str, str] | None = None,
) -> Iterator[dict[str, Any]]:
    """Root objects with their children attached as lists under their connection's name."""
    overrides = overrides or {}
    root: dict[str, Any] | None = None
    paths: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {}
    for number, obj in enumerate(lines, start=1):
        parent_id = obj.pop("__parentId", None)
        if parent_id is None:
            if root is not None:
                yield root
            root, paths = obj, {}
            for name in tree.get((), []):
                root.setdefault(name, [])
            if "id" in obj:
                paths[obj["id"]] = (obj, ())
            continue
        parent = paths.get(parent_id)
        if parent is None:
            raise QueryError(
                f"bulk result line {number}: parent {parent_id} of {obj.get('id')} is not the record being "
                "assembled (children must follow their parent)"
            )
        parent_obj, parent_path = parent
        candidates = tree.get(parent_path, [])
        name = _field_for(obj, candidates, overrides)
        if name is None:
            raise QueryError(
                f"bulk result line {number}: cannot tell which of {candidates} {obj.get('id')} belongs to; "
                "pass overrides={'<GidType>': '<field>'}"
            )
        parent_obj.setdefault(name, []).append(obj)
        for grandchild in tree.get(parent_path + (name,), []):
            obj.setdefault(grandchild, [])
        if "id" in obj:
            paths[obj["id"]] = (obj, parent_path + (name,))
    if root is not None:
        yield root
