"""Access scopes: which ones each flow needs, which ones a shop granted, and what is missing.

Every Admin API field requires a scope ("Requires `read_orders` access scope" on each reference page); without
it Shopify answers that field with ``ACCESS_DENIED`` and names the scope (``errors.py`` keeps the
``requiredAccess`` words). Orders have a second limit: "Only the last 60 days' worth of orders from a store are
accessible from the Order object by default ... request access to all orders ... read_all_orders"
(https://shopify.dev/docs/api/admin-graphql/latest/objects/Order). The flows that read old orders say so in
their report instead of counting unseen orders as missing or drifted.

``FLOW_SCOPES`` is what the connector README's table shows; a test derives it from the operations each flow's
tasks name (``operation_scopes``), so the table cannot fall behind the code.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from graphql import FieldNode, InlineFragmentNode, OperationDefinitionNode, parse

from connectors.shopify.client import ShopifyClient
from connectors.shopify.operations import Operation

ALL_ORDERS = "read_all_orders"
ORDER_HISTORY = timedelta(days=60)
"""How far back Shopify shows orders to an app without ``read_all_orders``."""

_QUERY_FIELDS = {
    "read_products": "products product productVariants productVariant collections collection collectionByIdentifier",
    "read_inventory": "inventoryItems inventoryItem inventoryLevel",
    "read_locations": "locations location",
    "read_customers": "customers customer",
    "read_orders": "orders order",
    "read_merchant_managed_fulfillment_orders": "fulfillmentOrders fulfillmentOrder",
}
_MUTATION_FIELDS = {
    "write_products": (
        "productSet productCreate productUpdate productVariantsBulkCreate productVariantsBulkUpdate collectionCreate "
        "collectionUpdate collectionAddProducts productCreateMedia metafieldsSet"
    ),
    "write_inventory": "inventorySetQuantities inventoryAdjustQuantities inventoryActivate",
    "write_files": "fileCreate fileUpdate",
    "write_customers": "customerCreate customerUpdate",
    "write_orders": "orderClose orderCancel refundCreate tagsAdd",
    "write_merchant_managed_fulfillment_orders": "fulfillmentCreate",
}
_NODE_TYPES = {
    "read_products": "Product ProductVariant Collection MediaImage",
    "read_orders": "Order",
    "read_customers": "Customer",
    "read_inventory": "InventoryItem",
    "read_locations": "Location",
}
ROOT_FIELD_SCOPES: dict[tuple[str, str], str] = {
    **{("query", f): scope for scope, names in _QUERY_FIELDS.items() for f in names.split()},
    **{("mutation", f): scope for scope, names in _MUTATION_FIELDS.items() for f in names.split()},
}
"""(operation kind, root field) → the scope Shopify requires (``metafieldsSet`` and ``tagsAdd`` need the write
scope of what they write: the project writes product metafields and order tags)."""
NODE_TYPE_SCOPES = {t: scope for scope, names in _NODE_TYPES.items() for t in names.split()}
"""``node``/``nodes`` need the read scope of the types their fragments select."""
NESTED_FIELD_SCOPES = {
    "inventoryLevels": "read_inventory",
    "inventoryLevel": "read_inventory",
    "inventoryItem": "read_inventory",
    "fulfillmentOrders": "read_merchant_managed_fulfillment_orders",
}
"""Fields below the root that reach another resource's data."""

FLOW_SCOPES: dict[str, frozenset[str]] = {
    "create_sales_orders": frozenset({"read_products"}),
    "import_items": frozenset({"read_products", "write_files", "write_products"}),
    "maintenance": frozenset({"read_locations"}),
    "reconcile": frozenset(
        {"read_inventory", "read_locations", "read_orders", "read_products", "write_inventory", "write_products"}
    ),
    "sync_categories": frozenset({"read_products", "write_products"}),
    "sync_customers": frozenset({"read_customers"}),
    "sync_images": frozenset({"read_products", "write_files", "write_products"}),
    "sync_inventory": frozenset({"read_inventory", "read_locations", "write_inventory"}),
    "sync_order_status": frozenset({"read_orders", "write_orders"}),
    "sync_orders": frozenset({"read_orders"}),
    "sync_parameters": frozenset({"write_products"}),
    "sync_payments": frozenset({"read_orders"}),
    "sync_products": frozenset({"read_inventory", "read_products", "write_files", "write_products"}),
    "sync_shipments": frozenset(
        {"read_merchant_managed_fulfillment_orders", "read_orders", "write_merchant_managed_fulfillment_orders"}
    ),
}
"""Scopes each flow's operations need. ``read_all_orders`` is wanted, not needed, by the flows in
``ORDER_HISTORY_FLOWS``: without it they work on the last 60 days and say so."""
ORDER_HISTORY_FLOWS = frozenset({"sync_orders", "reconcile", "sync_order_status"})


def operation_scopes(operation: Operation) -> set[str]:
    """The scopes one document needs: its root fields', the types its ``node(s)`` fragments select, and the
    nested fields that reach another resource (``NESTED_FIELD_SCOPES``)."""
    scopes: set[str] = set()
    for definition in parse(operation.document).definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        kind = definition.operation.value
        for selection in definition.selection_set.selections:
            if isinstance(selection, FieldNode) and (kind, selection.name.value) in ROOT_FIELD_SCOPES:
                scopes.add(ROOT_FIELD_SCOPES[(kind, selection.name.value)])
        for node in _walk(definition):
            if isinstance(node, FieldNode) and node.name.value in NESTED_FIELD_SCOPES:
                scopes.add(NESTED_FIELD_SCOPES[node.name.value])
            elif isinstance(node, InlineFragmentNode) and node.type_condition:
                scopes.update(_node_scope(node.type_condition.name.value))
    return scopes


def _node_scope(type_name: str) -> set[str]:
    scope = NODE_TYPE_SCOPES.get(type_name)
    return {scope} if scope else set()


def _walk(node: Any) -> Iterator[Any]:
    for child in getattr(getattr(node, "selection_set", None), "selections", None) or ():
        yield child
        yield from _walk(child)


def granted_scopes(client: ShopifyClient) -> frozenset[str]:
    """The scope handles the shop granted this app (``currentAppInstallation { accessScopes }``)."""
    data = client.execute("AppAccessScopes")
    return frozenset(s["handle"] for s in data["currentAppInstallation"]["accessScopes"])


@dataclass(frozen=True)
class ScopeCheck:
    """Per flow, the needed scopes the shop did not grant; and whether old orders are visible."""

    missing: Mapping[str, frozenset[str]]
    order_history: bool

    def notes(self) -> list[str]:
        notes = [
            f"{flow} cannot run: the app lacks the access scope(s) {', '.join(sorted(scopes))}"
            for flow, scopes in sorted(self.missing.items())
        ]
        if not self.order_history:
            notes.append(history_note())
        return notes


def check_scopes(granted: Iterable[str], flows: Mapping[str, frozenset[str]] = FLOW_SCOPES) -> ScopeCheck:
    """Granted against needed: a write scope counts for its read scope too (Shopify lists both when it grants
    a write scope, https://shopify.dev/docs/api/admin-graphql/2025-10/queries/appinstallation)."""
    have = set(granted)
    have |= {s.replace("write_", "read_", 1) for s in have if s.startswith("write_")}
    missing = {flow: frozenset(needed - have) for flow, needed in flows.items() if needed - have}
    return ScopeCheck(missing=missing, order_history=ALL_ORDERS in have)


def history_note() -> str:
    days = ORDER_HISTORY.days
    return (
        f"Shopify shows this app only the orders of the last {days} days (the {ALL_ORDERS} access scope is not "
        f"granted): older orders are not read, and not reported as missing"
    )
