"""The catalogue of GraphQL documents: ``operations/<area>/<Name>.graphql``, loaded by name.

Why files and not strings in code: each document is reviewed as GraphQL, validated against the real 2026-04
schema by a test, and carries its measured cost on line 1, the way BC's Shopify connector does it.

File grammar (the header is ``#`` comment lines before the first definition):

- line 1 ``# cost: N`` — an upper bound of the requested cost Shopify charges for the document, computed with
  the pessimistic linear rule (``2 + first × node``; Shopify charges 5–20× less). For a paged query it is
  computed at the page size the first page uses, written in the same line as ``first: M`` (``# cost: 754
  (linear-rule bound at first: 250; …)``), and ``N ≤ 1000`` is tested. Later pages are sized from what
  Shopify reported (``cost_memory.py``).
- a query reading many objects at once by ``nodes(ids: $ids)`` (Shopify charges one object's selection per
  id) declares the batch its cost was measured at in the same line, ``ids: K`` (``# cost: 989
  (requestedQueryCost with ids: 43; …)``): ``nodes.read_nodes`` never sends more than ``K`` ids, and a test
  checks that ``K`` is the largest batch under the 1000 cap.
- ``# cost: bulk`` marks a query meant only for ``bulkOperationRunQuery`` (no cost cap, no paging).
- ``# retry-safe: <why>`` on a mutation: repeating it after an ambiguous failure (5xx, read timeout) is
  harmless. Queries and mutations carrying ``@idempotent`` are always retry-safe; other mutations are not
  retried after the request may have reached Shopify.
- files in ``operations/fragments/`` hold fragment definitions only; a document gets every fragment it
  spreads (transitively) appended, so the text sent is self-contained.

The name of the operation inside a file must equal the file's stem, and names are unique across areas.
"""

from __future__ import annotations

import difflib
import re
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    Visitor,
    parse,
    print_ast,
    visit,
)
from graphql.language import DirectiveNode, NonNullTypeNode, VariableNode

from connectors.shopify.errors import OperationError, UnknownOperation

__all__ = ["OPERATIONS_DIR", "MAX_QUERY_COST", "Operation", "OperationCatalog", "get_operation", "catalog"]

OPERATIONS_DIR = Path(__file__).with_name("operations")
MAX_QUERY_COST = 1000
"""Shopify's single-query cap on the *requested* cost, whatever the plan."""

_COST = re.compile(r"^#\s*cost:\s*(?P<cost>\d+|bulk)\b(?P<rest>.*)$")
_FIRST = re.compile(r"\bfirst:\s*(?P<first>\d+)")
_IDS = re.compile(r"\bids:\s*(?P<ids>\d+)")
_RETRY_SAFE = re.compile(r"^#\s*retry-safe:", re.MULTILINE)
_FRAGMENTS_AREA = "fragments"
_KINDS: dict[str, Literal["query", "mutation"]] = {"query": "query", "mutation": "mutation"}


@dataclass(frozen=True)
class Operation:
    """One loaded operation: what to send and what the header declares about it."""

    name: str
    area: str
    path: Path
    kind: Literal["query", "mutation"]
    document: str
    """The text sent to Shopify: the operation plus its fragments, printed without comments."""
    cost: int | None
    """Declared requested cost (at ``max_first`` for a paged query); None for a bulk-only query."""
    max_first: int | None
    """Largest page size this document is costed for (None: not a paged query)."""
    max_ids: int | None
    """Largest ``$ids`` batch this document is costed for (None: not a ``nodes(ids:)`` batch read)."""
    variables: tuple[str, ...]
    required_variables: tuple[str, ...]
    """Non-null variables without a default: sending without them is refused before the request."""
    idempotency_variable: str | None
    """The variable feeding ``@idempotent(key: $…)``, when the mutation carries the directive."""
    retry_safe: bool

    @property
    def is_bulk_query(self) -> bool:
        return self.cost is None

    @property
    def idempotent(self) -> bool:
        return self.idempotency_variable is not None


class OperationCatalog:
    """Loads and caches every operation under one folder. Thread-safe; files are read once."""

    def __init__(self, root: Path = OPERATIONS_DIR) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()
        self._loaded: dict[str, Operation] = {}

    @cached_property
    def _paths(self) -> dict[str, Path]:
        """Operation name → file, checking that no two areas define the same name."""
        paths: dict[str, Path] = {}
        for path in sorted(self.root.glob("*/*.graphql")):
            if path.parent.name == _FRAGMENTS_AREA:
                continue
            if path.stem in paths:
                raise OperationError(f"operation {path.stem!r} is defined twice: {paths[path.stem]} and {path}")
            paths[path.stem] = path
        return paths

    @cached_property
    def _fragments(self) -> dict[str, FragmentDefinitionNode]:
        fragments: dict[str, FragmentDefinitionNode] = {}
        for path in sorted((self.root / _FRAGMENTS_AREA).glob("*.graphql")):
            for definition in _parse(path).definitions:
                if not isinstance(definition, FragmentDefinitionNode):
                    raise OperationError(f"{path}: fragment files may only hold fragment definitions")
                if definition.name.value in fragments:
                    raise OperationError(f"{path}: fragment {definition.name.value!r} is defined twice")
                fragments[definition.name.value] = definition
        return fragments

    def names(self) -> list[str]:
        return sorted(self._paths)

    def all(self) -> list[Operation]:
        return [self.get(name) for name in self.names()]

    def get(self, name: str) -> Operation:
        """The operation called ``name``; ``UnknownOperation`` (with close matches) when there is none."""
        with self._lock:
            cached = self._loaded.get(name)
            if cached is not None:
                return cached
            path = self._paths.get(name)
            if path is None:
                near = difflib.get_close_matches(name, self._paths, n=3)
                hint = f"; did you mean {', '.join(near)}?" if near else ""
                raise UnknownOperation(f"no GraphQL operation named {name!r} under {self.root}{hint}")
            operation = self._load(name, path)
            self._loaded[name] = operation
            return operation

    def _load(self, name: str, path: Path) -> Operation:
        text = path.read_text(encoding="utf-8")
        first_line = text.splitlines()[0] if text else ""
        header = _COST.match(first_line)
        if header is None:
            raise OperationError(f"{path}: line 1 must be '# cost: N' (or '# cost: bulk'), got {first_line!r}")
        document = _parse(path, text)
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if len(operations) != 1 or len(document.definitions) != 1:
            raise OperationError(f"{path}: must hold exactly one operation and nothing else")
        definition = operations[0]
        if definition.name is None or definition.name.value != name:
            found = definition.name.value if definition.name else "an anonymous operation"
            raise OperationError(f"{path}: the operation must be named {name!r} like its file, found {found}")
        kind = _KINDS.get(definition.operation.value)
        if kind is None:
            raise OperationError(f"{path}: only queries and mutations are supported, not {definition.operation.value}")

        cost_text = header.group("cost")
        first = _FIRST.search(header.group("rest"))
        ids = _IDS.search(header.group("rest"))
        idempotency_variable = _idempotency_variable(definition, path)
        full = DocumentNode(definitions=(definition, *self._fragments_for(definition, path)))
        return Operation(
            name=name,
            area=path.parent.name,
            path=path,
            kind=kind,
            document=print_ast(full),
            cost=None if cost_text == "bulk" else int(cost_text),
            max_first=int(first.group("first")) if first else None,
            max_ids=int(ids.group("ids")) if ids else None,
            variables=tuple(v.variable.name.value for v in definition.variable_definitions or ()),
            required_variables=tuple(
                v.variable.name.value
                for v in definition.variable_definitions or ()
                if isinstance(v.type, NonNullTypeNode) and v.default_value is None
            ),
            idempotency_variable=idempotency_variable,
            retry_safe=kind == "query" or idempotency_variable is not None or bool(_RETRY_SAFE.search(text)),
        )

    def _fragments_for(self, definition: OperationDefinitionNode, path: Path) -> list[FragmentDefinitionNode]:
        """Every fragment the operation spreads, transitively, in first-use order."""
        needed: list[FragmentDefinitionNode] = []
        pending = _spreads(definition)
        while pending:
            fragment_name = pending.pop(0)
            if any(f.name.value == fragment_name for f in needed):
                continue
            fragment = self._fragments.get(fragment_name)
            if fragment is None:
                raise OperationError(f"{path}: unknown fragment {fragment_name!r} (not in operations/fragments/)")
            needed.append(fragment)
            pending.extend(_spreads(fragment))
        return needed


def _parse(path: Path, text: str | None = None) -> DocumentNode:
    try:
        return parse(text if text is not None else path.read_text(encoding="utf-8"), no_location=True)
    except GraphQLSyntaxError as exc:
        raise OperationError(f"{path}: {exc.message} at {exc.locations}") from exc


def _spreads(node: OperationDefinitionNode | FragmentDefinitionNode) -> list[str]:
    names: list[str] = []

    class Collect(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_args) -> None:
            names.append(spread.name.value)

    visit(node, Collect())
    return names


def _idempotency_variable(definition: OperationDefinitionNode, path: Path) -> str | None:
    found: list[str] = []

    class Collect(Visitor):
        def enter_directive(self, directive: DirectiveNode, *_args) -> None:
            if directive.name.value != "idempotent":
                return
            key = next((a.value for a in directive.arguments or () if a.name.value == "key"), None)
            if not isinstance(key, VariableNode):
                raise OperationError(f"{path}: @idempotent(key:) must take a variable, never a literal key")
            found.append(key.name.value)

    visit(definition, Collect())
    return found[0] if found else None


catalog = OperationCatalog()
"""The package's own operations; what ``ShopifyClient`` uses unless given another catalogue."""


def get_operation(name: str) -> Operation:
    return catalog.get(name)
