"""Shopify's calculated query cost, computed from the document alone (requested) or with its result (actual).

What Shopify documents (https://shopify.dev/docs/api/usage/limits#cost-calculation, also
https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits#cost-calculation): every field has an
integer cost; by default a scalar or enum costs 0, an object 1, an interface or union the maximum of its
possible selections, a connection is "sized by the first and last arguments", a mutation costs 10; a query
whose requested cost exceeds 1000 is refused; the actual cost is computed from the results and the difference
refunded. Shopify's engineering blog adds that a connection costs "two points plus the number of returned
objects" (https://shopify.engineering/rate-limiting-graphql-apis-calculating-query-complexity). Shopify also
"reserves the right to set manual costs", and publishes no formula for how ``first`` sizes a connection.

Two models (``EmulatorConfig.cost_model``):

- ``"calibrated"`` (the default) reproduces the ``requestedQueryCost`` values Shopify answered to Business
  Central's connector (API 2025-07; microsoft/BCApps PR #5926 "GraphQL cost audit",
  https://github.com/microsoft/BCApps/pull/5926, and PR #8545, https://github.com/microsoft/BCApps/pull/8545;
  the queries are its ``.resources/graphql/**`` files): a connection costs ``2 + ⌈per-node cost × scale(n)⌉``
  where ``scale`` grows far slower than ``n`` (``_SCALE``: the page sizes those measurements pin down,
  interpolated between them), money and phone value objects are free (``_FREE_TYPES``: the measurements only
  add up if they are), and a mutation costs 10 whatever plain objects its payload selects (BC's
  ``inventorySetQuantities`` and ``orderMarkAsPaid`` measure 10 with payload objects selected); connections
  in a payload are charged like in a query. ``tests/emulators/shopify/test_shopify_emu_cost_calibration.py``
  replays each measured query.
- ``"pessimistic"`` is the old linear reading of "sized by first": ``2 + n × node``, every object 1, a
  mutation ``10 +`` its payload — 5–20× what Shopify charges, for "pessimistic shop" tests whose pages must
  stay small.

Common to both: ``pageInfo``/``cursor`` are inside the connection's 2; ``edges { node }`` and ``nodes`` cost
their node's selection; a list taking ``first``/``last`` is sized like a connection (without the 2),
``nodes(ids:)`` charges one item per id (Shopify documents nothing here: the hostile reading), another list
one item; the *actual* cost walks the result instead (the nodes returned), so ``actual ≤ requested``.

``requested_cost(schema, document, variables, operation_name, model=...)`` is the stable entry point.
"""

from __future__ import annotations

import bisect
import math
from typing import Any, Literal

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    parse,
)
from graphql.execution.values import get_argument_values, get_variable_values

MUTATION_COST = 10
CONNECTION_BASE = 2

CostModel = Literal["calibrated", "pessimistic"]

_SCALE: tuple[tuple[int, float], ...] = (
    (0, 0.0),
    (1, 1.0),  # customers(first: 1) → 3 (FindCustomerIdByPhone)
    (3, 2.0),  # order.lineItems(first: 3) → 23 (PR #8545, before)
    (10, 4.0),  # order.lineItems(first: 10) → 43 (PR #8545, after)
    (20, 5.0),  # locations(first: 20) → 12 (GetLocations)
    (25, 6.0),  # orders(first: 25) → 68 (GetOrdersToImport)
    (50, 7.0),  # product.metafields(first: 50) → 11 (GetProductById)
    (100, 9.0),  # inventoryLevels(first: 100) → 48, prices(first: 100) → 31, products(first: 100) media → 47
    (150, 10.0),  # orders(first: 150) → 112 (GetNextOpenOrdersToImport)
    (200, 10.0),  # products / customers / variants(first: 200) → 12, productVariants media → 52
    (250, 11.0),  # publication.products(first: 250) → 16 (GetCatalogProducts)
)
"""How many nodes' worth of cost a connection of ``n`` requested nodes is charged, in the calibrated model.

Each pair is read off one of BC's measured queries (named beside it) once every other field in it is counted
by the rules in the module docstring; between two pairs the scale is interpolated, past 250 extrapolated."""

_FREE_TYPES = frozenset({"MoneyV2", "MoneyBag", "CustomerPhoneNumber"})
"""Value objects the calibrated model charges 0: with them at 1, BC's measured prices(first: 100) (31 vs 48
for inventoryLevels with as many objects per node), order line items and orders do not add up."""


def scale(size: int) -> float:
    """``_SCALE`` interpolated at ``size`` (the calibrated ``n``-nodes multiplier)."""
    if size <= 0:
        return 0.0
    points = [n for n, _ in _SCALE]
    index = bisect.bisect_left(points, size)
    if index < len(points) and points[index] == size:
        return _SCALE[index][1]
    (n0, s0), (n1, s1) = _SCALE[min(index, len(_SCALE) - 1) - 1], _SCALE[min(index, len(_SCALE) - 1)]
    return s0 + (s1 - s0) * (size - n0) / (n1 - n0)


class CostError(ValueError):
    pass


def requested_cost(
    schema: GraphQLSchema,
    document: DocumentNode | str,
    variables: dict[str, Any] | None = None,
    operation_name: str | None = None,
    *,
    model: CostModel = "calibrated",
) -> int:
    """The cost Shopify reserves before running ``document`` (what ``requestedQueryCost`` reports)."""
    return _Walker(schema, document, variables, operation_name, model).total(None)


def actual_cost(
    schema: GraphQLSchema,
    document: DocumentNode | str,
    variables: dict[str, Any] | None,
    data: dict[str, Any] | None,
    operation_name: str | None = None,
    *,
    model: CostModel = "calibrated",
) -> int:
    """The cost of what ``data`` actually holds (``actualQueryCost``); never more than requested."""
    if data is None:
        return 0
    return _Walker(schema, document, variables, operation_name, model).total(data)


class _Walker:
    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode | str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        model: CostModel = "calibrated",
    ):
        if model not in ("calibrated", "pessimistic"):
            raise CostError(f"unknown cost model {model!r}")
        self.calibrated = model == "calibrated"
        self.free_objects = False
        """True while walking a mutation's payload in the calibrated model: plain objects there cost 0."""
        self.schema = schema
        self.document = parse(document) if isinstance(document, str) else document
        self.fragments = {d.name.value: d for d in self.document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.operation = _operation(self.document, operation_name)
        coerced = get_variable_values(schema, self.operation.variable_definitions or [], variables or {})
        self.variables = (variables or {}) if isinstance(coerced, list) else coerced  # defaults applied

    def total(self, data: Any) -> int:
        op = self.operation
        if op.operation == OperationType.MUTATION:
            root = self.schema.mutation_type
            cost = 0
            for field_node, field_def in self._fields(root, op.selection_set):
                value = _get(data, field_node)
                if data is not None and value is None:
                    cost += MUTATION_COST
                    continue
                self.free_objects = self.calibrated
                cost += MUTATION_COST + self._children(field_def, field_node, value)
                self.free_objects = False
            return cost
        root = self.schema.query_type
        return self._selection(root, op.selection_set, data)

    # ---- selection sets ---------------------------------------------------------------------------------

    def _selection(self, parent: Any, selection_set: SelectionSetNode | None, data: Any) -> int:
        if selection_set is None:
            return 0
        direct = 0
        by_condition: dict[str, int] = {}
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                direct += self._field(parent, node, data)
                continue
            if isinstance(node, InlineFragmentNode):
                condition = node.type_condition.name.value if node.type_condition else parent.name
                sub = node.selection_set
            elif isinstance(node, FragmentSpreadNode):
                fragment = self.fragments[node.name.value]
                condition, sub = fragment.type_condition.name.value, fragment.selection_set
            else:
                continue
            target = self.schema.type_map[condition]
            cost = self._selection(target, sub, data)
            if condition == parent.name or not _is_abstract(parent):
                direct += cost
            else:
                by_condition[condition] = by_condition.get(condition, 0) + cost
        return direct + (max(by_condition.values()) if by_condition else 0)

    def _fields(self, parent: Any, selection_set: SelectionSetNode) -> list[tuple[FieldNode, Any]]:
        found = []
        for node in selection_set.selections:
            if isinstance(node, FieldNode) and not node.name.value.startswith("__"):
                found.append((node, parent.fields[node.name.value]))
        return found

    def _field(self, parent: Any, node: FieldNode, data: Any) -> int:
        name = node.name.value
        if name.startswith("__"):
            return 0
        field_def = parent.fields.get(name)
        if field_def is None:
            raise CostError(f"field {parent.name}.{name} is not in the schema")
        named = get_named_type(field_def.type)
        if not isinstance(named, (GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType)):
            return 0
        value = _get(data, node)
        if data is not None and value is None:
            return 0
        if _is_connection(named):
            return self._connection(named, field_def, node, value)
        own = self._own_cost(named)
        if data is not None:
            items = value if isinstance(value, list) else [value]
            costs = [own + self._selection(named, node.selection_set, item) for item in items if item is not None]
            return self._sized(len(costs), sum(costs), by_first=self._sized_by_first(field_def, node))
        per_item = own + self._selection(named, node.selection_set, None)
        if not _is_list(field_def.type):
            return per_item
        size = self._size(field_def, node)
        return self._sized(size, size * per_item, by_first=self._sized_by_first(field_def, node))

    def _own_cost(self, named: Any) -> int:
        """An object's own point: 0 for calibrated value objects and for payload objects of a mutation."""
        if self.calibrated and (self.free_objects or named.name in _FREE_TYPES):
            return 0
        return 1

    def _sized(self, count: int, total: int, *, by_first: bool) -> int:
        """What ``count`` items costing ``total`` together are charged: all of it in the linear model (and for
        ``nodes(ids:)`` always); ``⌈mean × scale(count)⌉`` for a calibrated connection or ``first`` list."""
        if not self.calibrated or not by_first or count == 0:
            return total
        return math.ceil(total / count * scale(count) - 1e-9)

    @staticmethod
    def _sized_by_first(field_def: Any, node: FieldNode) -> bool:
        return "first" in field_def.args or "last" in field_def.args

    def _children(self, field_def: Any, node: FieldNode, value: Any) -> int:
        named = get_named_type(field_def.type)
        if not isinstance(named, (GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType)):
            return 0
        return self._selection(named, node.selection_set, value)

    def _connection(self, conn_type: GraphQLObjectType, field_def: Any, node: FieldNode, value: Any) -> int:
        node_type = get_named_type(conn_type.fields["nodes"].type) if "nodes" in conn_type.fields else None
        children = self._connection_children(conn_type, node.selection_set)
        payload, self.free_objects = self.free_objects, False  # a payload's connections are charged in full
        try:
            if value is None:  # requested: size × one node
                per_node = sum(self._node_part(conn_type, node_type, child, None) for child in children)
                size = self._size(field_def, node)
                return CONNECTION_BASE + self._sized(size, size * per_node, by_first=True)
            total = count = 0
            for child in children:
                items = _get(value, child) or []
                count = max(count, len(items))
                total += sum(self._node_part(conn_type, node_type, child, item) for item in items)
            return CONNECTION_BASE + self._sized(count, total, by_first=True)
        finally:
            self.free_objects = payload

    def _connection_children(self, conn_type: Any, selection_set: SelectionSetNode | None) -> list[FieldNode]:
        """Field nodes directly under a connection, fragments flattened."""
        out: list[FieldNode] = []
        if selection_set is None:
            return out
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                out.append(sel)
            elif isinstance(sel, InlineFragmentNode):
                out.extend(self._connection_children(conn_type, sel.selection_set))
            elif isinstance(sel, FragmentSpreadNode):
                out.extend(self._connection_children(conn_type, self.fragments[sel.name.value].selection_set))
        return out

    def _node_part(self, conn_type: Any, node_type: Any, child: FieldNode, item: Any) -> int:
        name = child.name.value
        if name == "nodes":
            return self._own_cost(node_type) + self._selection(node_type, child.selection_set, item)
        if name == "edges":
            edge_type = get_named_type(conn_type.fields["edges"].type)
            cost = 0
            for edge_child in self._connection_children(edge_type, child.selection_set):
                if edge_child.name.value == "node":
                    node_value = _get(item, edge_child)
                    if item is not None and node_value is None:
                        continue
                    cost += self._own_cost(node_type) + self._selection(node_type, edge_child.selection_set, node_value)
            return cost
        return 0  # pageInfo and scalar extras are inside the connection's base cost

    def _size(self, field_def: Any, node: FieldNode) -> int:
        if "first" not in field_def.args and "last" not in field_def.args and "ids" not in field_def.args:
            return 1
        try:
            args = get_argument_values(field_def, node, self.variables)
        except Exception:  # invalid arguments are reported by validation, not here
            return 0
        if isinstance(args.get("ids"), list):
            return len(args["ids"])
        size = args.get("first") if args.get("first") is not None else args.get("last")
        if size is None:
            return 0 if _is_connection(get_named_type(field_def.type)) else 1
        return max(int(size), 0)


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode:
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is not None:
        ops = [op for op in ops if op.name is not None and op.name.value == name]
    if len(ops) != 1:
        raise CostError("the document must hold exactly one operation (or name one with operation_name)")
    return ops[0]


def _get(data: Any, node: FieldNode) -> Any:
    if data is None or not isinstance(data, dict):
        return None
    key = node.alias.value if node.alias else node.name.value
    return data.get(key)


def _is_connection(named: Any) -> bool:
    return (
        isinstance(named, GraphQLObjectType)
        and named.name.endswith("Connection")
        and ("edges" in named.fields or "nodes" in named.fields)
    )


def _is_list(type_: Any) -> bool:
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def _is_abstract(type_: Any) -> bool:
    return isinstance(type_, (GraphQLInterfaceType, GraphQLUnionType))
