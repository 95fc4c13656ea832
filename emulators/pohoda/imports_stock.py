"""``stk:stock`` import: add, update (with ``update``/``add`` switches and a filter) or delete a stock card.

How POHODA decides (``stk:actionType``, see stock.xsd and filter.xsd):
- no actionType, or ``stk:add``: create; with ``add update="true"`` an existing match is updated instead;
- ``stk:update``: update every card the filter matches; with ``add="true"`` create when nothing matches;
- ``stk:delete``: delete the matches.
A create needs ``name`` and ``code``; the store is the root of ``stk:storage`` (``ZBOŽÍ/Hrnky`` → store
``ZBOŽÍ``), which must exist. ``stockType`` cannot change. Quantities are export-only and ignored with a
warning: stock moves through documents, never through the card.
"""

from __future__ import annotations

import copy
from decimal import Decimal

from lxml import etree

from . import records as r
from .context import ItemContext, read_ext_id, refuse, warning
from .filters import stock_filter
from .responses import Detail, ImportOutcome, Produced
from .state import ImportedRecord
from .xml import NS, bool_of, child, decimal_of, int_of, local_name, text

_EXPORT_ONLY = (
    "count",
    "countIssue",
    "countReceivedOrders",
    "reservation",
    "countIssuedOrders",
    "weightedPurchasePrice",
    "reclamation",
    "service",
)
_TEXT_FIELDS = {
    "name": "name",
    "nameComplement": "name_complement",
    "unit": "unit",
    "producer": "producer",
    "availability": "availability",
    "description": "description",
    "description2": "description2",
    "note": "note",
    "EAN": "ean",
}


def import_stock(ctx: ItemContext, stock: etree._Element) -> ImportOutcome:
    state = ctx.state
    header = child(stock, "stk:stockHeader")
    action = child(stock, "stk:actionType")
    request = action[0] if action is not None and len(action) else None
    verb = local_name(request) if request is not None else "add"
    with state.lock:
        matches = _matches(ctx, request, header) if request is not None else []
        if verb == "delete":
            if not matches:
                raise refuse(request, "Zásoba podle filtru nebyla nalezena.")
            for card in matches:
                del state.cards[card.id]
            return _outcome(ctx, matches[0], "delete", [])
        if header is None:
            raise refuse(stock, "Chybí stk:stockHeader.", errno=102)
        if matches and (verb == "update" or request.get("update") == "true"):
            details: list[Detail] = []
            for card in matches:  # applied to a copy first: a refused field leaves the card untouched
                changed = copy.deepcopy(card)
                details = _apply_header(ctx, changed, header, stock, creating=False)
                state.touch(changed)
                state.cards[card.id] = changed
            return _outcome(ctx, state.cards[matches[0].id], "update", details)
        if verb == "update" and request.get("add") != "true":
            raise refuse(request, 'Zásoba podle filtru nebyla nalezena (stk:update bez add="true").')
        card = _create(ctx, header)
        details = _apply_header(ctx, card, header, stock, creating=True)
        state.add_card(card)
        return _outcome(ctx, card, "add", details)


def _matches(ctx: ItemContext, request: etree._Element | None, header: etree._Element | None) -> list[r.StockCard]:
    state = ctx.state
    flt = child(request, "ftr:filter")
    if flt is not None:
        return state.find_cards(stock_filter(flt, ctx.zone, state.store_of_ref))
    code = text(header, "stk:code")
    if not code:
        return []
    store = _store_of_storage(ctx, header, required=False)
    return state.find_cards(lambda c: c.code == code and (store is None or c.store_id == store.id))


def _store_of_storage(ctx: ItemContext, header: etree._Element, required: bool) -> r.Store | None:
    storage = child(header, "stk:storage")
    if storage is None:
        if required:
            return ctx.state.default_store()
        return None
    by_id = int_of(storage, "typ:id")
    path = text(storage, "typ:ids") or ""
    root = path.split("/", 1)[0]
    store = ctx.state.stores.get(by_id) if by_id is not None else ctx.state.store_by_name(root)
    if store is None:
        raise refuse(storage, f"Členění skladu {path or by_id!r}: sklad neexistuje.", errno=110, requested=path)
    return store


def _create(ctx: ItemContext, header: etree._Element) -> r.StockCard:
    code, name = text(header, "stk:code"), text(header, "stk:name")
    if not code:
        raise refuse(header, "Nová zásoba musí mít kód (stk:code).", errno=102)
    if not name:
        raise refuse(header, f"Nová zásoba {code!r} musí mít název (stk:name).", errno=102)
    store = _store_of_storage(ctx, header, required=True)
    assert store is not None
    clash = ctx.state.card_by_code(code, store.id)
    if clash is not None:
        raise refuse(
            child(header, "stk:code"),
            f"Zásoba s kódem {code!r} již ve skladu {store.name} existuje (id {clash.id}).",
            errno=110,
            requested=code,
        )
    storage_path = text(header, "stk:storage/typ:ids") or store.name
    return r.StockCard(
        ctx.state.next_id("stock"),
        store.id,
        code,
        name,
        ctx.state.now(),
        storage=storage_path,
        stock_type=text(header, "stk:stockType") or "card",
    )


def _apply_header(
    ctx: ItemContext, card: r.StockCard, header: etree._Element, stock: etree._Element, creating: bool
) -> list[Detail]:
    details: list[Detail] = []
    stock_type = text(header, "stk:stockType")
    if stock_type and stock_type != card.stock_type:
        raise refuse(child(header, "stk:stockType"), f"Typ zásoby {card.code!r} nelze změnit.", errno=110)
    for element, attr in _TEXT_FIELDS.items():
        if (value := text(header, f"stk:{element}")) is not None:
            setattr(card, attr, value)
    if (code := text(header, "stk:code")) is not None and code != card.code:
        if ctx.state.card_by_code(code, card.store_id) is not None:
            raise refuse(child(header, "stk:code"), f"Kód {code!r} již ve skladu existuje.", errno=110)
        card.code = code
    if (ext := read_ext_id(header, "stk:extId")) is not None:
        card.ext_id = ext
    for element, attr in (("isSales", "is_sales"), ("isInternet", "is_internet")):
        if (flag := bool_of(header, f"stk:{element}")) is not None:
            setattr(card, attr, flag)
    if (plu := int_of(header, "stk:PLU")) is not None:
        card.plu = plu
    if (rate := text(header, "stk:sellingRateVAT")) is not None:
        card.selling_rate_vat = rate
    if (level := text(header, "stk:typePrice/typ:ids")) is not None:
        card.type_price = level
    if (node := child(header, "stk:sellingPrice")) is not None:
        card.selling_price = decimal_of(node) or Decimal("0")
        card.selling_price_vat = node.get("payVAT") == "true"
    if (price := decimal_of(header, "stk:purchasingPrice")) is not None:
        card.purchasing_price = price
    if (mass := decimal_of(header, "stk:mass")) is not None:
        card.mass = mass
    if not creating and (storage := text(header, "stk:storage/typ:ids")) is not None:
        if storage.split("/", 1)[0].casefold() != card.storage.split("/", 1)[0].casefold():
            raise refuse(child(header, "stk:storage"), "Zásobu nelze importem přesunout do jiného skladu.", 110)
        card.storage = storage
    details += _supplier(ctx, card, header)
    for name in _EXPORT_ONLY:
        if (node := child(header, f"stk:{name}")) is not None:
            details.append(warning(node, f"stk:{name} se importem nenastavuje (pouze export); ignorováno."))
    details += _categories(ctx, card, header)
    details += _pictures(ctx, card, header)
    _int_parameters(ctx, card, header)
    _user_parameters(card, header)
    _related(ctx, card, header)
    for price in stock.iterfind("stk:stockPriceItem/stk:stockPrice", NS):
        level_name, value = text(price, "typ:ids"), decimal_of(price, "typ:price")
        if level_name and value is not None:
            card.prices[level_name] = value
    return details


def _supplier(ctx: ItemContext, card: r.StockCard, header: etree._Element) -> list[Detail]:
    node = child(header, "stk:supplier")
    if node is None:
        return []
    supplier_id = int_of(node, "typ:id")
    if supplier_id is not None and supplier_id not in ctx.state.addresses:
        return [
            warning(node, f"Dodavatel id {supplier_id} není v adresáři; ponechán prázdný.", requested=str(supplier_id))
        ]
    card.supplier_id = supplier_id
    return []


def _categories(ctx: ItemContext, card: r.StockCard, header: etree._Element) -> list[Detail]:
    node = child(header, "stk:categories")
    if node is None:
        return []
    ids, details = [], []
    for entry in node:
        value = int_of(entry)
        if value in ctx.state.categories:
            ids.append(value)
        else:
            details.append(warning(entry, f"Kategorie id {value} neexistuje; vynechána.", requested=str(value)))
    card.category_ids = ids
    return details


def _pictures(ctx: ItemContext, card: r.StockCard, header: etree._Element) -> list[Detail]:
    details = []
    for node in header.iterfind("stk:pictures/stk:picture", NS):
        path = text(node, "stk:filepath")
        action = child(node, "typ:actionType")
        existing = next((p for p in card.pictures if p.filepath == path or p.id == int_of(node, "stk:id")), None)
        if action is not None and len(action) and local_name(action[0]) == "delete":
            if existing is not None:
                card.pictures.remove(existing)
            continue
        if not path:
            raise refuse(node, "Obrázek musí mít stk:filepath (jméno souboru).", errno=102)
        if ctx.state.picture_path(path) not in ctx.state.documents:
            details.append(warning(node, f"Soubor {path!r} není ve složce Obrázky.", requested=path))
        default = node.get("default") == "true"
        if default:
            for picture in card.pictures:
                picture.default = False
        description = text(node, "stk:description") or f"Obrázek_({len(card.pictures) + 1})"
        if existing is None:
            card.pictures.append(
                r.Picture(ctx.state.next_id("picture"), path, description, default, len(card.pictures) + 1)
            )
        else:
            existing.description, existing.default = description, default
    return details


def _int_parameters(ctx: ItemContext, card: r.StockCard, header: etree._Element) -> None:
    for node in header.iterfind("stk:intParameters/stk:intParameter", NS):
        param_id, name = int_of(node, "stk:intParameterID"), text(node, "stk:intParameterName")
        definition = ctx.state.int_params.get(param_id) if param_id else None
        if definition is None and name:
            definition = ctx.state.int_param(name[:32], None)
        if definition is None:
            raise refuse(node, f"Internetový parametr id {param_id} neexistuje.", errno=110)
        card.int_params = [v for v in card.int_params if v.param_id != definition.id]
        action = child(node, "typ:actionType")
        if action is not None and len(action) and local_name(action[0]) == "delete":
            continue
        for order, value in enumerate(node.iterfind("stk:intParameterValues/stk:intParameterValue", NS), 1):
            card.int_params.append(
                r.IntParamValue(
                    definition.id,
                    text(value, "stk:parameterValue") or "",
                    int_of(node, "stk:intParameterOrder") or order,
                )
            )


def _user_parameters(card: r.StockCard, header: etree._Element) -> None:
    for node in header.iterfind("stk:parameters/typ:parameter", NS):
        name = text(node, "typ:name")
        value = next((v.text or "" for v in node if local_name(v) not in ("name", "list")), "")
        if name:
            card.user_params[name] = value.strip()


def _related(ctx: ItemContext, card: r.StockCard, header: etree._Element) -> None:
    node = child(header, "stk:relatedStocks")
    if node is None:
        return
    related = []
    for ref in node.iterfind("stk:idStocks/typ:stockItem", NS):
        other = ctx.state.cards.get(int_of(ref, "typ:id") or 0) or ctx.state.card_by_code(
            text(ref, "typ:ids") or "", card.store_id
        )
        if other is not None and other.id != card.id:
            related.append(other.id)
    card.related_ids = related


def _outcome(ctx: ItemContext, card: r.StockCard, action: str, details: list[Detail]) -> ImportOutcome:
    record = ImportedRecord("zasoby", card.id, card.code, ctx.state.today())
    return ImportOutcome(Produced(card.id, code=card.code, action=action), details, record)
