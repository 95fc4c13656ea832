"""Helpers for the Shopify emulator tests: request shortcuts and small domain models to seed with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from domain import models as m
from emulators.shopify import DEFAULT_TOKEN, ShopState

START = datetime(2026, 3, 1, tzinfo=UTC)
GRAPHQL_PATH = "/admin/api/2026-04/graphql.json"


def post(
    client: httpx.Client,
    query: str,
    variables: dict | None = None,
    token: str = DEFAULT_TOKEN,
    operation_name: str | None = None,
) -> httpx.Response:
    body: dict[str, Any] = {"query": query, "variables": variables}
    if operation_name:
        body["operationName"] = operation_name
    return client.post(GRAPHQL_PATH, json=body, headers={"X-Shopify-Access-Token": token})


def product_model(
    key: str, *, sizes: tuple[str, ...] = ("S", "M"), price: str = "10.00", updated_at: datetime | None = None
) -> m.Product:
    return m.Product(
        erp_key=key,
        title=f"Product {key}",
        vendor="Acme",
        variants=[m.Variant(sku=f"{key}-{s}", price=Decimal(price), options={"Size": s}) for s in sizes],
        parameters=[m.Parameter(name="Material", value="wool")],
        updated_at=updated_at,
    )


def order_model(
    n: int,
    *,
    skus: tuple[str, ...] = ("P1-S",),
    updated_at: datetime | None = None,
    paid: bool = True,
    customer_email: str | None = None,
    **extra: Any,
) -> m.Order:
    stamp = updated_at or START - timedelta(days=10) + timedelta(minutes=n)
    lines = [
        m.OrderLine(
            shop_id=f"gid://shopify/LineItem/{n * 100 + i}",
            sku=sku,
            title=f"Item {sku}",
            quantity=2,
            unit_price=Decimal("10.00"),
            tax_rate=Decimal("0.21"),
        )
        for i, sku in enumerate(skus, start=1)
    ]
    total = sum((line.total for line in lines), Decimal("0"))
    txs = (
        [
            m.Transaction(
                shop_id=f"gid://shopify/OrderTransaction/{n}",
                order_shop_id=f"gid://shopify/Order/{n}",
                kind=m.TransactionKind.SALE,
                status=m.TransactionStatus.SUCCESS,
                gateway="manual",
                amount=total,
                currency="EUR",
                processed_at=stamp,
            )
        ]
        if paid
        else []
    )
    customer = m.Customer(email=customer_email or f"buyer{n}@example.com", first_name="Ada", last_name=f"N{n}")
    return m.Order(
        shop_id=f"gid://shopify/Order/{n}",
        name=f"#{n}",
        created_at=stamp,
        updated_at=stamp,
        currency="EUR",
        customer=customer,
        lines=lines,
        total=total,
        transactions=txs,
        **extra,
    )


@dataclass
class Seeded:
    locations: dict[str, str]
    products: dict[str, str]
    orders: list[str]

    def variant(self, shop: ShopState, sku: str) -> Any:
        return next(shop.variants_with_sku(sku))

    def item_gid(self, shop: ShopState, sku: str) -> str:
        return f"gid://shopify/InventoryItem/{self.variant(shop, sku).inventory_item_id}"
