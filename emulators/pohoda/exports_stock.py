"""Catalogue exports: ``lStk:listStockRequest`` and the lists around it (stores, categories, internet
parameters, stock-item suppliers).

A stock card exports its quantities live: ``count`` (on hand), ``countReceivedOrders`` / ``reservation`` (open
received orders, reserved ones) and ``countIssue`` (= count − reservation). The store of a card is the root of
its ``stk:storage``; ``ftr:store`` filters by it. ``restrictionData`` switches off pictures, categories,
related stocks, internet parameters, price levels, user parameters (``stockParameters``) and the components
of a package or set (``stockItem``). A package or set exports no ``count``/``countIssue``: its components are
listed with theirs, as POHODA does.
"""

from __future__ import annotations

from lxml import etree

from . import records as r
from .context import ItemContext
from .filters import read_limit, refuse_unsupported, stock_filter
from .render import request_groups, restriction_flag, stock_ref
from .responses import list_envelope
from .xml import child, opt, sub


def list_stock(ctx: ItemContext, request: etree._Element, item: etree._Element) -> None:
    state = ctx.state
    with state.lock:
        envelope = list_envelope(item, "lStk:listStock", state.now(), ctx.zone)
        seen: set[int] = set()
        for limit, query, restriction in request_groups(request, "requestStock"):
            refuse_unsupported(query)
            matches = state.find_cards(stock_filter(child(query, "ftr:filter"), ctx.zone, state.store_of_ref))
            for card in read_limit(limit).apply(matches):
                if card.id not in seen:
                    seen.add(card.id)
                    _stock(ctx, envelope, card, restriction)


def _stock(ctx: ItemContext, parent: etree._Element, card: r.StockCard, restriction: etree._Element | None) -> None:
    state = ctx.state
    node = sub(parent, "lStk:stock", version="2.0")
    header = sub(node, "stk:stockHeader")
    sub(header, "stk:id", card.id)
    if card.ext_id is not None:
        ext = sub(header, "stk:extId")
        sub(ext, "typ:ids", card.ext_id.ids)
        sub(ext, "typ:exSystemName", card.ext_id.system)
    sub(header, "stk:stockType", card.stock_type)
    sub(header, "stk:code", card.code)
    opt(header, "stk:EAN", card.ean)
    opt(header, "stk:PLU", card.plu)
    sub(header, "stk:isSales", card.is_sales)
    sub(header, "stk:isInternet", card.is_internet)
    sub(header, "stk:sellingRateVAT", card.selling_rate_vat)
    sub(header, "stk:name", card.name)
    opt(header, "stk:nameComplement", card.name_complement)
    sub(header, "stk:unit", card.unit)
    sub(sub(header, "stk:storage"), "typ:ids", card.storage)
    sub(sub(header, "stk:typePrice"), "typ:ids", card.type_price)
    sub(header, "stk:purchasingPrice", card.purchasing_price, payVAT=False)
    sub(header, "stk:sellingPrice", card.selling_price, payVAT=card.selling_price_vat)
    opt(header, "stk:mass", card.mass)
    ordered, reserved = state.reserved_quantity(card.id)
    if not card.is_package:  # a package's quantity is its components' (stk:stockDetail below)
        sub(header, "stk:count", card.count)
        sub(header, "stk:countIssue", card.count - reserved)
    sub(header, "stk:countReceivedOrders", ordered)
    sub(header, "stk:reservation", reserved)
    if card.supplier_id is not None:
        sub(sub(header, "stk:supplier"), "typ:id", card.supplier_id)
    for element, value in (
        ("producer", card.producer),
        ("availability", card.availability),
        ("description", card.description),
        ("description2", card.description2),
        ("note", card.note),
    ):
        opt(header, f"stk:{element}", value)
    if card.pictures and restriction_flag(restriction, "pictures"):
        pictures = sub(header, "stk:pictures")
        for picture in card.pictures:
            entry = sub(pictures, "stk:picture", default=picture.default)
            sub(entry, "stk:id", picture.id)
            sub(entry, "stk:filepath", picture.filepath)
            sub(entry, "stk:description", picture.description)
            sub(entry, "stk:order", picture.order)
    if card.category_ids and restriction_flag(restriction, "categories"):
        categories = sub(header, "stk:categories")
        for position, category_id in enumerate(card.category_ids):
            sub(categories, "stk:idCategory", category_id, main=True if position == 0 else None)
    related = [state.cards[i] for i in card.related_ids if i in state.cards]
    if related and restriction_flag(restriction, "relatedStocks"):
        holder = sub(header, "stk:relatedStocks")
        for other in related:
            stock_item = sub(sub(holder, "stk:idStocks"), "typ:stockItem")
            sub(stock_item, "typ:id", other.id)
            sub(stock_item, "typ:ids", other.code)
    if card.int_params and restriction_flag(restriction, "intParameters"):
        _int_parameters(ctx, header, card)
    if card.user_params and restriction_flag(restriction, "stockParameters"):
        holder = sub(header, "stk:parameters")
        for name, value in card.user_params.items():
            parameter = sub(holder, "typ:parameter")
            sub(parameter, "typ:name", name)
            sub(parameter, "typ:textValue", value)
    if card.components and restriction_flag(restriction, "stockItem"):
        _components(ctx, node, card)
    if card.prices and restriction_flag(restriction, "stockPriceItem"):
        prices = sub(node, "stk:stockPriceItem")
        for level, price in card.prices.items():
            entry = sub(prices, "stk:stockPrice")
            sub(entry, "typ:ids", level)
            sub(entry, "typ:price", price)


def _components(ctx: ItemContext, node: etree._Element, card: r.StockCard) -> None:
    """``stk:stockDetail``: each component card with its own count and the quantity one package takes."""
    detail = sub(node, "stk:stockDetail")
    for order, component in enumerate(card.components, start=1):
        part = ctx.state.cards.get(component.card_id)
        if part is None:
            continue
        item = sub(detail, "stk:stockItem")
        sub(item, "stk:id", part.id)
        sub(sub(item, "stk:storage"), "typ:ids", part.storage)
        sub(item, "stk:code", part.code)
        sub(item, "stk:name", part.name)
        sub(item, "stk:count", part.count)
        sub(item, "stk:quantity", component.quantity)
        sub(item, "stk:unit", part.unit)
        sub(item, "stk:stockOrder", order)


def _int_parameters(ctx: ItemContext, header: etree._Element, card: r.StockCard) -> None:
    holder = sub(header, "stk:intParameters")
    by_param: dict[int, list[r.IntParamValue]] = {}
    for value in card.int_params:
        by_param.setdefault(value.param_id, []).append(value)
    for param_id, values in by_param.items():
        definition = ctx.state.int_params[param_id]
        entry = sub(holder, "stk:intParameter")
        sub(entry, "stk:intParameterID", definition.id)
        sub(entry, "stk:intParameterName", definition.name)
        sub(entry, "stk:intParameterOrder", values[0].order)
        sub(entry, "stk:intParameterType", definition.parameter_type)
        holder_values = sub(entry, "stk:intParameterValues")
        for value in values:
            value_node = sub(holder_values, "stk:intParameterValue")
            if definition.parameter_type == "listValue" and value.value in definition.values:
                sub(value_node, "stk:parameterValueID", definition.values.index(value.value) + 1)
            sub(value_node, "stk:parameterValue", value.value)


def list_store(ctx: ItemContext, request: etree._Element, item: etree._Element) -> None:
    state = ctx.state
    with state.lock:
        envelope = list_envelope(item, "lst:listStore", state.now(), ctx.zone)
        for store in state.sorted_by_id(state.stores.values()):
            node = sub(envelope, "lst:store", version="2.0")
            sub(node, "sto:id", store.id)
            sub(node, "sto:name", store.name)
            sub(node, "sto:text", store.text)


def list_category(ctx: ItemContext, request: etree._Element, item: etree._Element) -> None:
    state = ctx.state
    with state.lock:
        envelope = list_envelope(item, "lst:listCategory", state.now(), ctx.zone)
        detail = sub(envelope, "lst:categoryDetail", version="2.0")
        children: dict[int | None, list[r.Category]] = {}
        for category in state.categories.values():
            children.setdefault(category.parent_id, []).append(category)
        for kids in children.values():
            kids.sort(key=lambda c: (c.sequence, c.id))
        for root in children.get(None, []):
            _category(detail, root, children)


def _category(parent: etree._Element, category: r.Category, children: dict[int | None, list[r.Category]]) -> None:
    node = sub(parent, "ctg:category")
    sub(node, "ctg:id", category.id)
    sub(node, "ctg:name", category.name)
    opt(node, "ctg:description", category.description)
    sub(node, "ctg:sequence", category.sequence)
    sub(node, "ctg:displayed", category.displayed)
    if category.parent_id is not None:
        sub(node, "ctg:parentId", category.parent_id)
    kids = children.get(category.id, [])
    if kids:
        holder = sub(node, "ctg:subCategories")
        for kid in kids:
            _category(holder, kid, children)


def list_int_param(ctx: ItemContext, request: etree._Element, item: etree._Element) -> None:
    state = ctx.state
    with state.lock:
        envelope = list_envelope(item, "lst:listIntParam", state.now(), ctx.zone)
        detail = sub(envelope, "lst:intParamDetail", version="2.0")
        for param in state.sorted_by_id(state.int_params.values()):
            node = sub(detail, "ipm:intParam")
            sub(node, "ipm:id", param.id)
            sub(node, "ipm:name", param.name)
            sub(node, "ipm:parameterType", param.parameter_type)
            if param.unit or param.values:
                settings = sub(node, "ipm:parameterSettings")
                opt(settings, "ipm:unit", param.unit)
                if param.values:
                    values = sub(settings, "ipm:parameterList")
                    for position, value in enumerate(param.values, start=1):
                        entry = sub(values, "ipm:parameterListItem")
                        sub(entry, "ipm:id", position)
                        sub(entry, "ipm:name", value)
                        sub(entry, "ipm:sequence", position)


def list_supplier(ctx: ItemContext, request: etree._Element, item: etree._Element) -> None:
    """Per stock card (stock filter and limit), its suppliers ("Dodavatelé") from the address book."""
    state = ctx.state
    with state.lock:
        envelope = list_envelope(item, "lst:listSupplier", state.now(), ctx.zone)
        for limit, query, _ in request_groups(request, "requestSupplier"):
            refuse_unsupported(query)
            matches = state.find_cards(stock_filter(child(query, "ftr:filter"), ctx.zone, state.store_of_ref))
            for card in read_limit(limit).apply([c for c in matches if c.supplier_id in state.addresses]):
                supplier = state.addresses[card.supplier_id]
                node = sub(envelope, "lst:supplier", version="2.0")
                stock_ref(node, "sup:stockItem", card, state.stores.get(card.store_id))
                entry = sub(sub(node, "sup:suppliers"), "sup:supplierItem", default=True)
                ref = sub(entry, "sup:refAd")
                sub(ref, "typ:id", supplier.id)
                opt(ref, "typ:ids", supplier.address.company or supplier.address.name)
                sub(entry, "sup:purchasingPrice", card.purchasing_price)
