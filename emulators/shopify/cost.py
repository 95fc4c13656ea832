"""Shopify's calculated query cost, computed from the document alone (requested) or with its result (actual).

Rules (Shopify documents the first five; the connection formula is the community's reading of "sized by
first", which this project adopts everywhere):

- scalar and enum fields cost 0;
- an object, interface or union field costs 1 plus its selection; an abstract selection costs its most
  expensive type condition;
- a connection costs ``2 + size × (cost of one node)``, ``size`` being ``first`` or ``last`` (variables and
  argument defaults applied); ``pageInfo``/``cursor`` are inside the 2, ``edges { node }`` and ``nodes`` each
  cost ``1 + selection`` per node;
- a plain list of objects costs ``first ×`` its item when it takes ``first`` (``nodes(ids:)``: one per id),
  else one item;
- a root mutation field costs 10 plus what its payload selects (the payload object itself is free);
- the *actual* cost walks the result instead: connections count the nodes returned, null objects cost 0, so
  ``actual ≤ requested``.

``requested_cost(schema, document, variables, operation_name)`` is the stable entry point the connector's tests
use to check the ``# cost: N`` header of each ``.graphql`` file.
"""

from __future__ import annotations

from typing import Any

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


class CostError(ValueError):
    pass


def requested_cost(
    schema: GraphQLSchema,
    document: DocumentNode | str,
    variables: dict[str, Any] | None = None,
    operation_name: str | None = None,
) -> int:
    """The cost Shopify reserves before running ``document`` (what ``requestedQueryCost`` reports)."""
    return _Walker(schema, document, variables, operation_name).total(None)


def actual_cost(
    schema: GraphQLSchema,
    document: DocumentNode | str,
    variables: dict[str, Any] | None,
    data: dict[str, Any] | None,
    operation_name: str | None = None,
) -> int:
    """The cost of what ``data`` actually holds (``actualQueryCost``); never more than requested."""
    if data is None:
        return 0
    return _Walker(schema, document, variables, operation_name).total(data)


class _Walker:
    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode | str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
    ):
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
                cost += MUTATION_COST + self._children(field_def, field_node, value)
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
        size = self._size(field_def, node) if _is_list(field_def.type) else 1
        if data is not None:
            items = value if isinstance(value, list) else [value]
            return sum(1 + self._selection(named, node.selection_set, item) for item in items if item is not None)
        return size * (1 + self._selection(named, node.selection_set, None))

    def _children(self, field_def: Any, node: FieldNode, value: Any) -> int:
        named = get_named_type(field_def.type)
        if not isinstance(named, (GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType)):
            return 0
        return self._selection(named, node.selection_set, value)

    def _connection(self, conn_type: GraphQLObjectType, field_def: Any, node: FieldNode, value: Any) -> int:
        node_type = get_named_type(conn_type.fields["nodes"].type) if "nodes" in conn_type.fields else None
        if value is None:  # requested: size × one node
            per_node = 0
            for child in self._connection_children(conn_type, node.selection_set):
                per_node += self._node_part(conn_type, node_type, child, None)
            return CONNECTION_BASE + self._size(field_def, node) * per_node
        cost = CONNECTION_BASE
        for child in self._connection_children(conn_type, node.selection_set):
            items = _get(value, child) or []
            for item in items:
                cost += self._node_part(conn_type, node_type, child, item)
        return cost

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
            return 1 + self._selection(node_type, child.selection_set, item)
        if name == "edges":
            edge_type = get_named_type(conn_type.fields["edges"].type)
            cost = 0
            for edge_child in self._connection_children(edge_type, child.selection_set):
                if edge_child.name.value == "node":
                    node_value = _get(item, edge_child)
                    if item is not None and node_value is None:
                        continue
                    cost += 1 + self._selection(node_type, edge_child.selection_set, node_value)
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
