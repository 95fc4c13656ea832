"""An order's unknown SKUs become ERP items (the shop block's ``auto_create_items``, default off).

Off, an order naming a SKU the ERP does not know fails with that SKU and waits for a person. On, the SKU's
item is created first, then the order:

- From the line's **shop product**, whole (every variant, as ``import_items`` makes it, mapped to the product
  in the same unit of work). Not from the ordered variant alone: ``sync_products`` sends an item's variants
  declaratively, so an item of one variant would take the product's other variants away in the shop.
- From the **line alone** (its title, unit price and tax rate; key = the SKU) when the shop no longer has the
  variant (deleted since the order, or a custom line).
- Never into another item: a product whose other variants' SKUs belong to an ERP item, or whose key is
  another item's, fails the order naming the SKU, as before.

Idempotent and crash-safe without bookkeeping of its own: an item is created only for a SKU the ERP does not
know when the order is tried, and its key is its first SKU, so a run that died after the item was written finds
the SKU known and creates the order only; ``upsert_item`` writes an item it finds by that key over itself.
"""

from __future__ import annotations

from decimal import Decimal

from connectors.erp.errors import RecordError
from connectors.shopify.nodes import read_nodes
from domain.models import Order, OrderLine, Product, Variant
from engine.resources import ShopResources
from tasks.shop_products import complete_variants, map_item, shop_product_from_node

__all__ = ["create_missing_items", "item_from_line", "vat_percent"]


def vat_percent(tax_rate: Decimal | None) -> Decimal | None:
    """A line's tax rate as Shopify reports it (0.21) as the ERP's VAT percentage (21)."""
    if tax_rate is None:
        return None
    percent = tax_rate * 100
    return percent.quantize(Decimal(1)) if percent == percent.to_integral_value() else percent.normalize()


def item_from_line(line: OrderLine) -> Product:
    """The item of a line whose shop variant is gone: one variant, the line's title, unit price and VAT."""
    assert line.sku is not None
    return Product(
        erp_key=line.sku,
        title=line.title.strip() or line.sku,
        vat_rate=vat_percent(line.tax_rate),
        variants=[Variant(sku=line.sku, price=line.unit_price)],
    )


def create_missing_items(res: ShopResources, shop: str, order: Order, label: str) -> list[str]:
    """Create the ERP items of the order's SKUs the ERP does not know; returns the keys of the items created.
    Raises ``RecordError`` naming the order and the line when a SKU's item cannot be made."""
    first: dict[str, tuple[int, OrderLine]] = {}
    for index, line in enumerate(order.lines):
        if line.sku:
            first.setdefault(line.sku, (index, line))
    known = {v.sku for p in res.erp.get_products_by_sku(list(first)) for v in p.variants}
    missing = [(index, line) for sku, (index, line) in first.items() if sku not in known]
    ids = [line.variant_id for _, line in missing if line.variant_id]
    found = read_nodes(res.shopify, "ProductsOfVariants", ids) if ids else {}
    created: list[str] = []
    for index, line in missing:
        if line.sku in known:
            continue  # an earlier line's product carried it
        field = f"lines[{index}].sku"
        variant = found.get(line.variant_id or "")
        node = complete_variants(res, variant["product"]) if variant and variant.get("product") else None
        try:
            item = shop_product_from_node(node, vat_percent(line.tax_rate)) if node else item_from_line(line)
            _check_new(res, item, line)
        except RecordError as exc:
            why = f"SKU {line.sku!r} is not an ERP item, and auto_create_items cannot create it: {exc.reason}"
            raise RecordError(label, field, why) from None
        with res.erp.unit_of_work(res.state) as work:
            work.erp.upsert_item(item)
            if node:
                map_item(res, shop, item.erp_key, node, conn=work.conn)
        created.append(item.erp_key)
        known.update(v.sku for v in item.variants)
    return created


def _check_new(res: ShopResources, item: Product, line: OrderLine) -> None:
    """Refuse an item that would change one the ERP has (its key, or its product's other SKUs, taken)."""
    owners = {v.sku: p.erp_key for p in res.erp.get_products_by_sku([v.sku for v in item.variants]) for v in p.variants}
    taken = sorted(sku for sku in owners if sku != line.sku)
    if taken:
        raise RecordError(
            f"item {item.erp_key}",
            "sku",
            f"its shop product also has SKU(s) {', '.join(taken)} of ERP item {owners[taken[0]]}: "
            "add it to that item in the ERP",
        )
    if res.erp.existing_item_keys([item.erp_key]):
        raise RecordError(f"item {item.erp_key}", "erp_key", f"an ERP item has the key {item.erp_key!r} already")
