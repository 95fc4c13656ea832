"""Reading a bulk operation's JSONL result: streamed line by line, children re-attached to their parents.

With ``groupObjects: false`` (Shopify's faster default since 2026-01) a bulk query's nested connections are
flattened: every child node becomes its own line carrying ``__parentId``, and Shopify promises nothing about
the order of the lines — a child need not follow its parent, and may even come before it
(https://shopify.dev/changelog/posts/bulk-operations-group-objects-default-changed-to-false). Which connection a
child came from is not written on the line, so ``child_fields_of`` reads it from the bulk document itself: a
node with one child connection is unambiguous; with several, the child's GID type picks the field whose
singular name it matches (``gid://shopify/LineItem/1`` → ``lineItems``, ``ProductVariant`` → ``variants``), and
an explicit ``{"GidType": "field"}`` mapping overrides both.

Results can be millions of lines, so ``assemble`` holds at most ``SPILL_AFTER`` lines: a bigger result
is spilled to a temporary SQLite file (indexed by parent) and rebuilt from it one root at a time — memory is
then one root and its descendants, whatever the order. A child whose parent is nowhere in the file is an error
naming both ids, raised before any root is yielded, never a silent orphan.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import chain, islice
from typing import Any, NoReturn

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


SPILL_AFTER = 20_000
"""Lines a result may have and still be rebuilt in memory (a few MB); past it, the lines go to disk."""

ChildrenOf = Callable[[str], Iterable[tuple[int, dict[str, Any]]]]
"""Parent id → its children as (line number, object), in file order."""


def assemble(
    lines: Iterable[dict[str, Any]],
    tree: ConnectionTree,
    overrides: Mapping[str, str] | None = None,
) -> Iterator[dict[str, Any]]:
    """Root objects, in file order, with their children attached as lists under their connection's name,
    whatever the order of the lines. Children come by the number of their GID, the order of a connection read
    without a sort key (an order's line items as they were placed); the ungrouped file itself has no order."""
    iterator = iter(lines)
    head = list(islice(iterator, SPILL_AFTER))
    if len(head) < SPILL_AFTER:
        yield from _in_memory(head, tree, overrides or {})
    else:
        yield from _spilled(chain(head, iterator), tree, overrides or {})


def _in_memory(
    lines: list[dict[str, Any]], tree: ConnectionTree, overrides: Mapping[str, str]
) -> Iterator[dict[str, Any]]:
    roots: list[dict[str, Any]] = []
    ids: set[str] = set()
    children: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for number, obj in enumerate(lines, start=1):
        parent = obj.pop("__parentId", None)
        if parent is None:
            roots.append(obj)
        else:
            children.setdefault(parent, []).append((number, obj))
        if "id" in obj:
            ids.add(obj["id"])
    for parent, kids in children.items():
        if parent not in ids:
            number, child = kids[0]
            _orphan(number, child.get("id"), parent)
        kids.sort(key=lambda kid: (_gid_number(kid[1]), kid[0]))

    def children_of(parent_id: str) -> list[tuple[int, dict[str, Any]]]:
        return children.get(parent_id, [])

    for root in roots:
        yield _attach(children_of, root, (), tree, overrides)


def _spilled(
    lines: Iterable[dict[str, Any]], tree: ConnectionTree, overrides: Mapping[str, str]
) -> Iterator[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="bulk-jsonl-") as folder:
        db = sqlite3.connect(os.path.join(folder, "lines.db"))
        try:
            _spill(db, lines)
            orphan = db.execute(
                "SELECT seq, id, parent FROM line AS child WHERE parent IS NOT NULL "
                "AND NOT EXISTS (SELECT 1 FROM line AS p WHERE p.id = child.parent) ORDER BY seq LIMIT 1"
            ).fetchone()
            if orphan is not None:
                _orphan(*orphan)

            def children_of(parent_id: str) -> Iterator[tuple[int, dict[str, Any]]]:
                query = "SELECT seq, body FROM line WHERE parent = ? ORDER BY rank, seq"
                for number, body in db.execute(query, (parent_id,)).fetchall():
                    yield number, json.loads(body)

            for (body,) in db.execute("SELECT body FROM line WHERE parent IS NULL ORDER BY seq"):
                yield _attach(children_of, json.loads(body), (), tree, overrides)
        finally:
            db.close()


def _spill(db: sqlite3.Connection, lines: Iterable[dict[str, Any]]) -> None:
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    db.execute("CREATE TABLE line (seq INTEGER PRIMARY KEY, id TEXT, parent TEXT, rank INTEGER, body TEXT NOT NULL)")
    rows = (
        (number, obj.get("id"), obj.pop("__parentId", None), _gid_number(obj), json.dumps(obj, separators=(",", ":")))
        for number, obj in enumerate(lines, start=1)
    )
    db.executemany("INSERT INTO line VALUES (?, ?, ?, ?, ?)", rows)
    db.execute("CREATE INDEX line_parent ON line (parent, seq)")
    db.execute("CREATE INDEX line_id ON line (id)")


def _gid_number(obj: Mapping[str, Any]) -> int:
    """``gid://shopify/LineItem/42`` → 42; a node without a numeric GID sorts first (then by line)."""
    tail = str(obj.get("id", "")).rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else -1


def _orphan(number: int, child_id: str | None, parent_id: str) -> NoReturn:
    raise QueryError(f"bulk result line {number}: parent {parent_id} of {child_id} is not in the result")


def _attach(
    children_of: ChildrenOf,
    obj: dict[str, Any],
    path: tuple[str, ...],
    tree: ConnectionTree,
    overrides: Mapping[str, str],
) -> dict[str, Any]:
    """``obj`` with its descendants attached (depth-first; Shopify nests connections at most two deep)."""
    candidates = tree.get(path, [])
    for name in candidates:
        obj.setdefault(name, [])
    if not candidates or "id" not in obj:  # a leaf of the query: nothing can name it as parent
        return obj
    for number, child in children_of(obj["id"]):
        field = _field_for(child, candidates, overrides)
        if field is None:
            raise QueryError(
                f"bulk result line {number}: cannot tell which of {candidates} {child.get('id')} belongs to; "
                "pass overrides={'<GidType>': '<field>'}"
            )
        obj.setdefault(field, []).append(_attach(children_of, child, path + (field,), tree, overrides))
    return obj
