"""Shop-side sample orders for :mod:`commerce_sync.samples.data`: lines on real SKUs, totals that add up.

Why the details: prices include VAT (a Czech B2C shop), so ``tax_total`` is the VAT *contained* in each line
at its own rate; EUR orders convert the CZK list price at a fixed rate; payment states come with the
transactions a shop would hold for them (paid → a sale, cash on delivery → a pending sale, refunded → a sale
and a refund). ERP customers reappear with the shop's spelling of their e-mail and phone.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from commerce_sync.samples import names
from domain.models import (
    GIFT_CARD_GATEWAY,
    Customer,
    FinancialStatus,
    FulfillmentStatus,
    Order,
    OrderLine,
    Product,
    Transaction,
    TransactionKind,
    TransactionStatus,
)
from domain.refunds import Refund, RefundLine, RestockType

__all__ = ["EUR_RATE", "generate_orders", "lifecycle_scenarios"]

EUR_RATE = Decimal("25")  # CZK per EUR, fixed so the data is deterministic
CENT = Decimal("0.01")
SHIPPING = {"CZK": (Decimal("1500"), Decimal("89")), "EUR": (Decimal("60"), Decimal("3.90"))}  # free above, fee


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def _shop_spelling(rng: random.Random, customer: Customer, shop_id: str) -> Customer:
    """The ERP customer as the shop knows them: its own id, often another spelling of the same e-mail/phone."""
    email = customer.email
    if email and rng.random() < 0.25:
        local, domain = email.split("@")
        email = f"{local.title()}@{domain.upper()}"
    phone = customer.phone
    if phone and rng.random() < 0.3:
        phone = phone.replace("+420", "").replace(" ", "")
    return customer.model_copy(
        update={"shop_id": shop_id, "erp_key": None, "email": email, "phone": phone, "updated_at": None}
    )


class _Ids:
    def __init__(self) -> None:
        self.customer = 5000
        self.line = 100_000
        self.transaction = 900_000

    def next(self, kind: str) -> int:
        value = getattr(self, kind) + 1
        setattr(self, kind, value)
        return value


def _transactions(
    rng: random.Random, ids: _Ids, order_gid: str, total: Decimal, currency: str, created: datetime
) -> tuple[FinancialStatus, list[Transaction], datetime | None]:
    roll = rng.random()
    at = created + timedelta(minutes=rng.randint(1, 30))

    def tx(kind: TransactionKind, status: TransactionStatus, gateway: str, when: datetime) -> Transaction:
        return Transaction(
            shop_id=f"gid://shopify/OrderTransaction/{ids.next('transaction')}",
            order_shop_id=order_gid,
            kind=kind,
            status=status,
            gateway=gateway,
            amount=total,
            currency=currency,
            processed_at=when,
        )

    if roll < 0.70:
        gateway = rng.choice(("shopify_payments", "shopify_payments", "bank_transfer"))
        return FinancialStatus.PAID, [tx(TransactionKind.SALE, TransactionStatus.SUCCESS, gateway, at)], None
    if roll < 0.85:
        cod = tx(TransactionKind.SALE, TransactionStatus.PENDING, "cash_on_delivery", at)
        return FinancialStatus.PENDING, [cod], None
    if roll < 0.95:
        return (
            FinancialStatus.AUTHORIZED,
            [tx(TransactionKind.AUTHORIZATION, TransactionStatus.SUCCESS, "shopify_payments", at)],
            None,
        )
    refund_at = at + timedelta(days=rng.randint(1, 5))
    return (
        FinancialStatus.REFUNDED,
        [
            tx(TransactionKind.SALE, TransactionStatus.SUCCESS, "shopify_payments", at),
            tx(TransactionKind.REFUND, TransactionStatus.SUCCESS, "shopify_payments", refund_at),
        ],
        refund_at,
    )


def generate_orders(
    rng: random.Random,
    count: int,
    products: Sequence[Product],
    erp_customers: Sequence[Customer],
    new_customer: Callable[[], Customer],
    base: datetime,
) -> list[Order]:
    """``count`` orders #1001…, oldest first, over the 120 days after ``base``."""
    offer = [(p, v) for p in products if p.active for v in p.variants]
    if count and not offer:
        raise ValueError("sample orders need at least one active item: ask for items > 0")
    ids = _Ids()
    known_shop_ids: dict[str, str] = {}
    times = sorted(base + timedelta(minutes=rng.randrange(60 * 24 * 120)) for _ in range(count))
    orders = []
    for index, created in enumerate(times):
        number = 1001 + index
        order_gid = f"gid://shopify/Order/{number}"
        if erp_customers and rng.random() < 0.65:
            known = rng.choice(erp_customers)
            shop_id = known_shop_ids.setdefault(known.erp_key or "", f"gid://shopify/Customer/{ids.next('customer')}")
            customer = _shop_spelling(rng, known, shop_id)
        else:
            customer = new_customer().model_copy(update={"shop_id": f"gid://shopify/Customer/{ids.next('customer')}"})
        address = customer.addresses[0] if customer.addresses else None
        currency = "EUR" if (address and address.country_code == "SK") or rng.random() < 0.05 else "CZK"
        lines = []
        for pick in rng.sample(range(len(offer)), min(len(offer), rng.choice((1, 1, 1, 2, 2, 3, 4)))):
            product, variant = offer[pick]
            price = variant.price if currency == "CZK" else _money(variant.price / EUR_RATE)
            quantity = rng.choice((1, 1, 1, 2, 3))
            discount = _money(price * quantity * Decimal("0.10")) if rng.random() < 0.1 else Decimal("0")
            lines.append(
                OrderLine(
                    shop_id=f"gid://shopify/LineItem/{ids.next('line')}",
                    sku=variant.sku,
                    title=f"{product.title} – {variant.title}" if variant.title else product.title,
                    quantity=quantity,
                    unit_price=price,
                    discount=discount,
                    tax_rate=(product.vat_rate or Decimal("0")) / 100,
                )
            )
        subtotal = sum((line.total for line in lines), Decimal("0"))
        free_above, fee = SHIPPING[currency]
        shipping = Decimal("0") if subtotal >= free_above else fee
        vat = sum((_money(line.total * line.tax_rate / (1 + line.tax_rate)) for line in lines), Decimal("0"))
        vat += _money(shipping * Decimal("0.21") / Decimal("1.21"))
        total = subtotal + shipping
        status, transactions, cancelled_at = _transactions(rng, ids, order_gid, total, currency, created)
        updated = max([created, *(t.processed_at for t in transactions)])
        orders.append(
            Order(
                shop_id=order_gid,
                name=f"#{number}",
                created_at=created,
                updated_at=updated,
                currency=currency,
                customer=customer,
                billing_address=address,
                shipping_address=address,
                lines=lines,
                shipping_total=shipping,
                tax_total=vat,
                total=total,
                financial_status=status,
                fulfillment_status=FulfillmentStatus.UNFULFILLED,
                cancelled_at=cancelled_at,
                transactions=transactions,
                note=rng.choice(names.NOTES) if rng.random() < 0.1 else None,
            )
        )
    return orders


def lifecycle_scenarios(orders: list[Order]) -> tuple[list[Order], list[Refund]]:
    """The order lifecycle on top of the generated orders, each on its own order, so every demo shows it:
    a partial refund with restock, a full refund, a shipping refund, a gift-card payment; EUR orders are the
    second currency (``generate_orders``). (A test order and one cancelled before import are left to the
    import-condition tests: in the shared sample they would leave orders out of the ERP that every other
    sync test counts on.) The orders come
    back with the refund transactions and statuses a shop would show; the refunds are seeded beside them
    (``ShopState.seed_refunds``). Cancellations *after* import need time to pass between two syncs, so a
    scenario runner cancels an imported order then; they cannot be seeded."""
    orders = list(orders)
    paid = [
        index
        for index, o in enumerate(orders)
        if o.financial_status is FinancialStatus.PAID and o.cancelled_at is None and o.currency == "CZK" and o.lines
    ]
    refunds: list[Refund] = []

    def take(condition: Callable[[Order], bool] = lambda o: True) -> int | None:
        """The first paid order not given a role yet that fits ``condition`` (None: none left)."""
        found = next((i for i in paid if condition(orders[i])), None)
        if found is not None:
            paid.remove(found)
        return found

    scenarios: list[tuple[int | None, Callable[[Order, int], Order]]] = [
        (take(), lambda o, n: _refunded(o, n, refunds, lines=o.lines[:1], units=1, restock="RETURN")),
        (take(), _gift_card),
        (take(), lambda o, n: _refunded(o, n, refunds, lines=o.lines, units=None, restock="CANCEL", shipping=True)),
        (take(lambda o: o.shipping_total > 0), lambda o, n: _refunded(o, n, refunds, lines=[], shipping=True)),
    ]
    for number, (index, change) in enumerate(scenarios, start=1):
        if index is not None:
            orders[index] = change(orders[index], number)
    return orders, refunds


def _gift_card(order: Order, number: int) -> Order:
    txs = [t.model_copy(update={"gateway": GIFT_CARD_GATEWAY}) if t.is_money_in else t for t in order.transactions]
    return order.model_copy(update={"transactions": txs})


def _refunded(
    order: Order,
    number: int,
    refunds: list[Refund],
    *,
    lines: Sequence[OrderLine],
    units: int | None = None,
    restock: str = "NO_RESTOCK",
    shipping: bool = False,
) -> Order:
    """``order`` with a refund of ``units`` of each of ``lines`` (None: all of them) and its shipping."""
    at = order.updated_at + timedelta(days=2)
    goods = []
    for line in lines:
        quantity = units or line.quantity
        gross = _money(line.total * quantity / line.quantity)
        tax = _money(gross * (line.tax_rate or 0) / (1 + (line.tax_rate or 0)))
        goods.append(
            RefundLine(
                line_shop_id=line.shop_id,
                sku=line.sku,
                title=line.title,
                quantity=quantity,
                amount=gross - tax,
                tax=tax,
                restock_type=RestockType(restock),
            )
        )
    ship_tax = _money(order.shipping_total * Decimal("0.21") / Decimal("1.21")) if shipping else Decimal("0")
    ship = order.shipping_total - ship_tax if shipping else Decimal("0")
    back = sum((g.amount + g.tax for g in goods), Decimal("0")) + ship + ship_tax
    money = Transaction(
        shop_id=f"gid://shopify/OrderTransaction/{990_000 + number}",
        order_shop_id=order.shop_id,
        kind=TransactionKind.REFUND,
        status=TransactionStatus.SUCCESS,
        gateway=next((t.gateway for t in order.transactions if t.is_money_in), None),
        amount=back,
        currency=order.currency,
        processed_at=at,
    )
    refunds.append(
        Refund(
            shop_id=f"gid://shopify/Refund/{number}",
            order_shop_id=order.shop_id,
            order_name=order.name,
            processed_at=at,
            currency=order.currency,
            lines=goods,
            shipping=ship,
            shipping_tax=ship_tax,
            transactions=[money],
        )
    )
    status = FinancialStatus.REFUNDED if back >= order.total else FinancialStatus.PARTIALLY_REFUNDED
    return order.model_copy(
        update={"transactions": [*order.transactions, money], "financial_status": status, "updated_at": at}
    )
