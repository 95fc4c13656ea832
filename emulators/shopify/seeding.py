"""Filling the shop from the domain models (``domain.models``), for the demo and for tests.

Seeded records keep the ids of GIDs the models carry (``Order.shop_id``, ``Transaction.shop_id``,
``Customer.shop_id``, ``OrderLine.shop_id``, ``Variant.shop_id``), so data generated once can be compared on
both sides. Products get the handle ``slugify(erp_key)`` and their parameters become metafields in the
``custom`` namespace. Each seeded order gets one fulfillment order at a location (the one named by
``location_key``, else the first location; a location "Shop location" is created when there is none).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from domain import models as m
from domain.refunds import Refund

from . import catalog_ops as ops
from . import order_ops
from . import records as r
from .gids import parse_gid

if TYPE_CHECKING:
    from .state import ShopState


def _id(shop_id: str | None, type_name: str) -> int | None:
    return parse_gid(shop_id, type_name) if shop_id else None


def _address(state: Any, address: m.Address | None) -> r.Address | None:
    if address is None:
        return None
    return r.Address(
        id=state.next_id("_addresses"),
        first_name=address.first_name,
        last_name=address.last_name,
        company=address.company,
        address1=address.street,
        address2=address.street2,
        city=address.city,
        zip=address.zip,
        country_code=address.country_code,
        phone=address.phone,
    )


class SeedingMixin:
    """``ShopState``'s seeding API; every method takes the state lock and returns the GIDs it made."""

    def seed_locations(self: ShopState, locations: Iterable[Any]) -> dict[str, str]:
        """Locations from keys (``"PRAHA"``), dicts (``{"name", "key", "address"...}``) or objects with
        ``erp_key``/``name`` (the ERP port's ``Location``). Returns GIDs by key (the name when no key)."""
        made: dict[str, str] = {}
        with self.lock:
            for spec in locations:
                if isinstance(spec, str):
                    data: dict[str, Any] = {"name": spec, "key": spec}
                elif isinstance(spec, dict):
                    data = dict(spec)
                else:
                    data = {"name": spec.name, "key": getattr(spec, "erp_key", None)}
                name = data.pop("name")
                key = data.pop("key", None) or name
                existing = next((loc for loc in self.locations.values() if (loc.key or loc.name) == key), None)
                if existing is None:
                    now = self.now()
                    address = {"countryCode": "CZ", **data.pop("address", {}), **data}
                    existing = r.Location(
                        id=self.next_id("locations"),
                        name=name,
                        key=key,
                        created_at=now,
                        updated_at=now,
                        address=address,
                    )
                    self.locations[existing.id] = existing
                    for item in self.inventory_items.values():
                        ops.activate(self, item, existing)
                made[key] = existing.gid
        return made

    def seed_products(self: ShopState, products: Iterable[m.Product]) -> dict[str, str]:
        """Products with variants, inventory items (stocked at every location) and parameter metafields."""
        made: dict[str, str] = {}
        with self.lock:
            for model in products:
                product = ops.create_product(
                    self,
                    title=model.title,
                    handle=model.erp_key,
                    description_html=model.description or "",
                    vendor=model.vendor or "",
                    status="ACTIVE" if model.active else "DRAFT",
                )
                option_names = list(dict.fromkeys(k for v in model.variants for k in v.options))
                for variant in model.variants:
                    pairs = [(name, variant.options[name]) for name in option_names if name in variant.options]
                    if not pairs and len(model.variants) > 1:
                        pairs = [("Title", variant.title or variant.sku)]
                    ops.create_variant(
                        self,
                        product,
                        price=variant.price,
                        option_values=pairs or None,
                        wanted_id=_id(variant.shop_id, "ProductVariant"),
                        sku=variant.sku,
                        barcode=variant.barcode,
                        compare_at_price=variant.compare_at_price,
                    )
                for parameter in model.parameters:
                    value = f"{parameter.value} {parameter.unit}" if parameter.unit else parameter.value
                    key = ops.slugify(parameter.name).replace("-", "_")
                    ops.set_metafield(self, product, "PRODUCT", "custom", key, "single_line_text_field", value)
                stamp = model.updated_at or self.now()
                product.created_at = product.updated_at = stamp
                made[model.erp_key] = product.gid
        return made

    def seed_stock(self: ShopState, levels: Iterable[m.StockLevel]) -> int:
        """Set ``available`` per SKU and location (key or name); returns how many levels were set."""
        done = 0
        with self.lock:
            locations = {loc.name: loc for loc in self.locations.values()}
            locations.update({loc.key: loc for loc in self.locations.values() if loc.key})
            by_sku: dict[str, r.Variant] = {}  # one index, not a scan per level: benchmarks seed 50 000 levels
            for variant in self.variants.values():
                if variant.sku:
                    by_sku.setdefault(variant.sku, variant)
            for level in levels:
                variant = by_sku.get(level.sku)
                location = locations.get(level.location_key)
                if variant is None or location is None:
                    raise ValueError(f"stock of sku {level.sku!r} at {level.location_key!r}: unknown sku or location")
                item = self.inventory_items[variant.inventory_item_id]
                ops.set_quantity(self, ops.activate(self, item, location), "available", level.shop_quantity())
                done += 1
        return done

    def seed_customers(self: ShopState, customers: Iterable[m.Customer]) -> list[str]:
        with self.lock:
            by_email = self._emails()
            return [self._seed_customer(model, by_email).gid for model in customers]

    def _emails(self: ShopState) -> dict[str, r.Customer]:
        return {c.email.casefold(): c for c in self.customers.values() if c.email}

    def _seed_customer(
        self: ShopState, model: m.Customer, by_email: dict[str, r.Customer], stamp: Any = None
    ) -> r.Customer:
        """The customer a model names (by GID, then e-mail), created when new; ``by_email`` is kept current."""
        wanted = _id(model.shop_id, "Customer")
        if wanted is not None and wanted in self.customers:
            return self.customers[wanted]
        if model.email_key and model.email_key in by_email:
            return by_email[model.email_key]
        stamp = model.updated_at or stamp or self.now()
        customer = r.Customer(
            id=self.claim_id("customers", wanted),
            created_at=stamp,
            updated_at=stamp,
            first_name=model.first_name,
            last_name=model.last_name,
            email=model.email,
            phone=model.phone,
            addresses=[a for a in (_address(self, x) for x in model.addresses) if a is not None],
        )
        self.customers[customer.id] = customer
        if customer.email:
            by_email[customer.email.casefold()] = customer
        return customer

    def seed_orders(self: ShopState, orders: Iterable[m.Order], location_key: str | None = None) -> list[str]:
        made: list[str] = []
        with self.lock:
            location = self._seed_location(location_key)
            by_email = self._emails()
            by_sku: dict[str, r.Variant] = {}
            for variant in self.variants.values():
                if variant.sku:
                    by_sku.setdefault(variant.sku, variant)
            for model in orders:
                made.append(self._seed_order(model, location, by_email, by_sku).gid)
        return made

    def seed_refunds(self: ShopState, refunds: Iterable[Refund]) -> list[str]:
        """Refunds of seeded orders, as ``refundCreate`` would have left them; their REFUND transactions are the
        order's (seeded with it, matched by GID). Stock is not touched: the seeded levels are already today's."""
        made: list[str] = []
        with self.lock:
            for model in refunds:
                order = self.find(model.order_shop_id, "Order")
                if order is None:
                    raise ValueError(f"refund {model.shop_id}: order {model.order_shop_id} was not seeded")
                refund = r.Refund(
                    id=self.claim_id("refunds", _id(model.shop_id, "Refund")),
                    order_id=order.id,
                    created_at=model.processed_at,
                    updated_at=model.processed_at,
                    processed_at=model.processed_at,
                    note=model.note,
                )
                location = self.locations[min(self.locations)] if self.locations else None
                for line in model.lines:
                    item = self.find(line.line_shop_id, "LineItem")
                    restocked = line.restocked and location is not None
                    refund.lines.append(
                        r.RefundLine(
                            id=self.next_id("_refund_lines"),
                            line_item_id=item.id,
                            quantity=line.quantity,
                            restock_type=line.restock_type.value,
                            location_id=location.id if restocked else None,
                        )
                    )
                if model.shipping or model.shipping_tax:
                    refund.shipping_lines.append(
                        r.RefundShippingLine(  # tax-inclusive, as the seeded orders' prices are
                            id=self.next_id("_refund_shipping"),
                            subtotal=model.shipping + model.shipping_tax,
                            tax=model.shipping_tax,
                        )
                    )
                refund.transaction_ids = [self.find(tx.shop_id, "OrderTransaction").id for tx in model.transactions]
                self.refunds[refund.id] = refund
                order.refund_ids.append(refund.id)
                made.append(refund.gid)
        return made

    def _seed_location(self: ShopState, key: str | None) -> r.Location:
        if key is None and self.locations:
            return self.locations[min(self.locations)]
        key = key or "Shop location"
        return self.find(self.seed_locations([key])[key], "Location")

    def _seed_order(
        self: ShopState,
        model: m.Order,
        location: r.Location,
        by_email: dict[str, r.Customer],
        by_sku: dict[str, r.Variant],
    ) -> r.Order:
        order_id = self.claim_id("orders", _id(model.shop_id, "Order"))
        digits = "".join(ch for ch in model.name if ch.isdigit())
        customer = self._seed_customer(model.customer, by_email, model.created_at) if model.customer else None
        order = r.Order(
            id=order_id,
            number=int(digits) if digits else order_id,
            name=model.name,
            currency=model.currency,
            created_at=model.created_at,
            updated_at=model.updated_at,
            processed_at=model.created_at,
            total=model.total,
            customer_id=customer.id if customer else None,
            email=(model.customer.email if model.customer else None),
            phone=(model.customer.phone if model.customer else None),
            billing_address=_address(self, model.billing_address),
            shipping_address=_address(self, model.shipping_address),
            shipping_total=model.shipping_total,
            shipping_title="Shipping" if model.shipping_total else None,
            tax_total=model.tax_total,
            tags=list(model.tags),
            note=model.note,
            cancelled_at=model.cancelled_at,
            cancel_reason="OTHER" if model.cancelled_at else None,
            closed_at=(model.cancelled_at or model.updated_at) if model.closed or model.cancelled_at else None,
            test=model.test,
            source_name=model.source_name or "web",
        )
        order.presentment_currency, order.presentment_rate = _presentment(model)
        for line in model.lines:
            order.line_items.append(self._seed_line(order, line, by_sku))
        for tx in model.transactions:
            order.transactions.append(self._seed_transaction(order, tx))
        # prices that add up to the total without the tax were entered tax-inclusive (EU B2C shops)
        order.taxes_included = sum((li.total for li in model.lines), Decimal("0")) + model.shipping_total == model.total
        order.financial_status = model.financial_status.value if model.financial_status else _paid_status(order)
        self.orders[order.id] = order
        order_ops.create_fulfillment_order(self, order, location)
        status = model.fulfillment_status.value if model.fulfillment_status else None
        if status == "FULFILLED":
            order_ops.fulfill_everything(self, order)
        elif status not in (None, "UNFULFILLED"):
            order.fulfillment_status_override = status
        order.updated_at = model.updated_at
        for fo_id in order.fulfillment_order_ids:
            self.fulfillment_orders[fo_id].updated_at = model.updated_at
        return order

    def _seed_line(self: ShopState, order: r.Order, line: m.OrderLine, by_sku: dict[str, r.Variant]) -> r.LineItem:
        variant = by_sku.get(line.sku) if line.sku else None
        product = self.products.get(variant.product_id) if variant else None
        item = r.LineItem(
            id=self.claim_id("line_items", _id(line.shop_id, "LineItem")),
            order_id=order.id,
            title=line.title,
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount=line.discount,
            tax_rate=line.tax_rate,
            sku=line.sku,
            variant_id=variant.id if variant else None,
            product_id=product.id if product else None,
            variant_title=variant.title if variant and variant.title != "Default Title" else None,
            vendor=product.vendor if product else None,
        )
        self.line_items[item.id] = item
        return item

    def _seed_transaction(self: ShopState, order: r.Order, tx: m.Transaction) -> r.Transaction:
        record = r.Transaction(
            id=self.claim_id("transactions", _id(tx.shop_id, "OrderTransaction")),
            order_id=order.id,
            kind=tx.kind.value,
            status=tx.status.value,
            amount=tx.amount,
            currency=tx.currency,
            processed_at=tx.processed_at,
            created_at=tx.processed_at,
            gateway=tx.gateway,
            presentment_amount=tx.presentment_amount if order.presentment else None,
        )
        self.transactions[record.id] = record
        return record


def _presentment(model: m.Order) -> tuple[str | None, Decimal | None]:
    """A multi-currency order's presentment currency and the rate its checkout fixed, read from a transaction
    that carries both amounts (the domain order keeps currency codes, not a rate)."""
    code = model.presentment_currency
    if code is None or code == model.currency:
        return None, None
    paid = next((t for t in model.transactions if t.presentment_amount is not None and t.amount), None)
    if paid is None or paid.presentment_amount is None:
        raise ValueError(f"order {model.name}: presentment currency {code} needs a transaction with its amount in it")
    return code, paid.presentment_amount / paid.amount


def _paid_status(order: r.Order) -> str:
    paid = sum(
        (t.amount for t in order.transactions if t.status == "SUCCESS" and t.kind in ("SALE", "CAPTURE")), Decimal("0")
    )
    if paid <= 0:
        return "PENDING"
    return "PAID" if paid >= order.total else "PARTIALLY_PAID"
