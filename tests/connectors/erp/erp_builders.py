"""Small builders for the ERP battery: a product, an order, a transaction, with only what a test cares about."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain.models import (
    Order,
    OrderLine,
    Parameter,
    Product,
    Transaction,
    TransactionKind,
    TransactionStatus,
    Variant,
)

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def product(
    key: str,
    *skus: str,
    updated: datetime = T0,
    price: str = "100.00",
    categories: tuple[str, ...] = (),
    producer: str | None = None,
    parameters: tuple[tuple[str, str], ...] = (),
) -> Product:
    skus = skus or (f"{key}-1",)
    return Product(
        erp_key=key,
        title=f"Výrobek {key}",
        producer_key=producer,
        category_keys=list(categories),
        parameters=[Parameter(name=n, value=v) for n, v in parameters],
        vat_rate=Decimal("21"),
        variants=[
            Variant(sku=sku, title=f"var {i}", options={"Velikost": str(i)}, price=Decimal(price), barcode=None)
            for i, sku in enumerate(skus)
        ],
        updated_at=updated,
    )


def order(number: int, *lines: tuple[str | None, int, str], currency: str = "CZK") -> Order:
    order_lines = [
        OrderLine(
            shop_id=f"gid://shopify/LineItem/{number}{i}",
            sku=sku,
            title=f"řádek {i}",
            quantity=qty,
            unit_price=Decimal(price),
        )
        for i, (sku, qty, price) in enumerate(lines)
    ]
    total = sum((line.total for line in order_lines), Decimal("0"))
    return Order(
        shop_id=f"gid://shopify/Order/{number}",
        name=f"#{number}",
        created_at=T0,
        updated_at=T0,
        currency=currency,
        lines=order_lines,
        total=total,
    )


def transaction(number: int, order_number: int, amount: str = "100.00") -> Transaction:
    return Transaction(
        shop_id=f"gid://shopify/OrderTransaction/{number}",
        order_shop_id=f"gid://shopify/Order/{order_number}",
        kind=TransactionKind.SALE,
        status=TransactionStatus.SUCCESS,
        gateway="shopify_payments",
        amount=Decimal(amount),
        currency="CZK",
        processed_at=T0,
    )
