"""Queue categories: which sync types may never run at the same time for the same shop.

This is BC's "use the same job-queue category to avoid conflicts", enforced twice: by the work queue a
deployment sits on (concurrency limit 1) and, inside every flow, by a Prefect global concurrency limit named
``lock_name(shop, category)`` so an ad-hoc in-process run respects it too.

Why these groups:
- ``orders``: customers, orders, sales orders, payments, shipments and order status all read or write the
  order staging rows and the ERP sales documents; a payment recorded while its sales order is being created
  would be lost or booked twice.
- ``catalog``: products, inventory, images, categories and parameters all write the shop's products and the
  product/variant/inventory-item mappings; two writers of one product race on its variants.
- ``maintenance``: maintenance and reconcile touch every kind of record, so they run on their own queue but
  hold the locks of every category while they work.
"""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    ORDERS = "orders"
    CATALOG = "catalog"
    MAINTENANCE = "maintenance"


class Direction(StrEnum):
    SHOP_TO_ERP = "shop-to-erp"
    ERP_TO_SHOP = "erp-to-shop"
    BOTH = "both"


# sync type → (category, direction); the one table deployments, locks and docs are generated from
SYNC_TYPES: dict[str, tuple[Category, Direction]] = {
    "sync_customers": (Category.ORDERS, Direction.SHOP_TO_ERP),
    "sync_orders": (Category.ORDERS, Direction.SHOP_TO_ERP),
    "create_sales_orders": (Category.ORDERS, Direction.SHOP_TO_ERP),
    "sync_payments": (Category.ORDERS, Direction.SHOP_TO_ERP),
    "sync_shipments": (Category.ORDERS, Direction.ERP_TO_SHOP),
    "sync_order_status": (Category.ORDERS, Direction.ERP_TO_SHOP),
    "sync_products": (Category.CATALOG, Direction.ERP_TO_SHOP),
    "sync_inventory": (Category.CATALOG, Direction.ERP_TO_SHOP),
    "sync_images": (Category.CATALOG, Direction.BOTH),
    "sync_categories": (Category.CATALOG, Direction.ERP_TO_SHOP),
    "sync_parameters": (Category.CATALOG, Direction.ERP_TO_SHOP),
    "import_items": (Category.CATALOG, Direction.SHOP_TO_ERP),
    "maintenance": (Category.MAINTENANCE, Direction.BOTH),
    "reconcile": (Category.MAINTENANCE, Direction.BOTH),
}

RECORD_CATEGORIES: tuple[Category, ...] = (Category.ORDERS, Category.CATALOG)


def category_of(sync_type: str) -> Category:
    try:
        return SYNC_TYPES[sync_type][0]
    except KeyError:
        raise ValueError(f"unknown sync type {sync_type!r}; known: {', '.join(SYNC_TYPES)}") from None


def lock_name(shop: str, category: Category) -> str:
    """Global concurrency limit guarding one shop's category, e.g. ``shop-a:orders``."""
    return f"{shop}:{category.value}"


def locks_for(shop: str, sync_type: str) -> list[str]:
    """The locks a run of ``sync_type`` holds: its category's, or every record category for maintenance.

    Sorted, so two runs that need several locks always take them in the same order (no deadlock).
    """
    category = category_of(sync_type)
    if category is Category.MAINTENANCE:
        return sorted(lock_name(shop, c) for c in (*RECORD_CATEGORIES, Category.MAINTENANCE))
    return [lock_name(shop, category)]


def queue_name(shop: str, category: Category) -> str:
    """Work queue of a shop's category: the deployment-side half of the same exclusion."""
    return f"{shop}-{category.value}"


def shopify_budget_name(shop: str) -> str:
    """The global concurrency limit that carries a shop's Shopify API budget, e.g. ``shopify-cost:acme``.

    Named after the shop's block like the ``<shop>:<category>`` locks; ``engine.shared_budget`` keeps the
    budget in it and ``deployments.setup`` creates it.
    """
    return f"shopify-cost:{shop}"
