"""What the app may see: access scopes per root field, and the 60-day window on orders.

- Each root field needs an access scope ("Requires `read_orders` access scope" on every query's reference page,
  e.g. https://shopify.dev/docs/api/admin-graphql/2025-04/queries/orderByIdentifier). Without it Shopify answers
  the field with null and an error naming the scope; seen by clients as ``Access denied for shopifyqlQuery field.
  Required access: "read_reports" access scope.`` (https://github.com/Shopify/shopify-api-ruby/issues/1415) with
  ``extensions.code: ACCESS_DENIED`` and the access-scopes page as ``documentation``
  (https://github.com/kirillplatonov/shopify_graphql/issues/35).
- "Only the last 60 days' worth of orders from a store are accessible from the Order object by default. If you
  want to access older records, then you need to request access to all orders ... read_all_orders"
  (https://shopify.dev/docs/api/admin-graphql/2025-10/enums/Audience, the note on every Order page). Older
  orders are left out of ``orders``/``ordersCount`` and ``order``/``node``/``nodes`` answer null for them.

``EmulatorConfig.scopes`` lists the granted scopes (``currentAppInstallation { accessScopes }`` answers them).
Fields not in ``FIELD_SCOPES`` need none here; ``metafieldsSet`` and ``tagsAdd`` (whose scope follows the owner
they write) are among them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from graphql import GraphQLError

from . import records as r
from .context import ctx

DOCS_ACCESS_SCOPES = "https://shopify.dev/api/usage/access-scopes"
ALL_ORDERS = "read_all_orders"
ORDER_WINDOW = timedelta(days=60)

_READ = {
    "read_products": (
        "products productsCount product productVariants productVariant collections collection collectionByIdentifier"
    ),
    "read_inventory": "inventoryItems inventoryItem inventoryLevel",
    "read_locations": "locations location",
    "read_customers": "customers customer customersCount",
    "read_orders": "orders order ordersCount",
    "read_merchant_managed_fulfillment_orders": "fulfillmentOrders fulfillmentOrder",
}
_WRITE = {
    "write_products": (
        "productSet productCreate productUpdate productDelete productVariantsBulkCreate productVariantsBulkUpdate "
        "collectionCreate collectionUpdate collectionDelete collectionAddProducts productCreateMedia"
    ),
    "write_inventory": "inventorySetQuantities inventoryAdjustQuantities inventoryActivate",
    "write_files": "fileCreate fileUpdate fileDelete",
    "write_customers": "customerCreate customerUpdate",
    "write_orders": "orderClose orderCancel orderMarkAsPaid refundCreate",
    "write_merchant_managed_fulfillment_orders": "fulfillmentCreate fulfillmentTrackingInfoUpdate",
}
FIELD_SCOPES: dict[tuple[str, str], str] = {
    **{("QueryRoot", f): scope for scope, fields in _READ.items() for f in fields.split()},
    **{("Mutation", f): scope for scope, fields in _WRITE.items() for f in fields.split()},
}
"""(root type, field) → the scope Shopify requires for it."""

DEFAULT_SCOPES = sorted({*FIELD_SCOPES.values(), *(s.replace("write_", "read_") for s in _WRITE), ALL_ORDERS})
"""What the emulator grants unless told otherwise: everything it models, order history included."""


def scoped(type_name: str, field_name: str, resolve: Callable[..., Any]) -> Callable[..., Any]:
    """``resolve`` behind the scope check of ``type_name.field_name`` (unchanged when the field needs none)."""
    scope = FIELD_SCOPES.get((type_name, field_name))
    if scope is None:
        return resolve

    def checked(source: Any, info: Any, **args: Any) -> Any:
        if scope not in ctx(info).config.scopes:
            raise GraphQLError(
                f"Access denied for {field_name} field. Required access: `{scope}` access scope.",
                extensions={
                    "code": "ACCESS_DENIED",
                    "documentation": DOCS_ACCESS_SCOPES,
                    "requiredAccess": f"`{scope}` access scope.",
                },
            )
        return resolve(source, info, **args)

    return checked


def visible(info: Any, record: Any) -> bool:
    """False for an order older than 60 days when ``read_all_orders`` is not granted."""
    context = ctx(info)
    if not isinstance(record, r.Order) or ALL_ORDERS in context.config.scopes:
        return True
    return record.created_at >= context.state.now() - ORDER_WINDOW
