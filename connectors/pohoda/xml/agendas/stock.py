"""Stock cards (``stk:stock``): the card import, and the stock export request (``lStk:listStockRequest``).

The export's answer is read by ``stock_read.read_stock_item`` (one card) or ``stock_stream`` (a big export).

Upsert is ``stk:actionType/stk:update add="true"`` with an ``ftr:filter`` on the code: POHODA updates the card
it finds and creates it when none matches, so the same request works for new and existing items and a retry
changes nothing. Export-only fields (``id``, quantities, weighted purchase price, picture ids/order) are never
written: quantity changes only through documents (receipts, delivery notes), not through the card.
"""

from __future__ import annotations

from typing import Literal, get_args
from zoneinfo import ZoneInfo

from lxml import etree

from connectors.pohoda.errors import RecordError
from connectors.pohoda.models.requests import StockListRequest, StockPart
from connectors.pohoda.models.stock import StockItem, UserParameter
from connectors.pohoda.xml.agendas._lists import drop_if_empty, limit, list_item, restriction
from connectors.pohoda.xml.elements import ElementWriter, agenda, sub
from connectors.pohoda.xml.pack import DataPackItem, make_item
from connectors.pohoda.xml.values import DEFAULT_TZ, fmt_bool, fmt_decimal

__all__ = ["list_stock", "stock_card"]

_VALUE_ELEMENT = {
    "text": "typ:textValue",
    "memo": "typ:memoValue",
    "currency": "typ:currencyValue",
    "boolean": "typ:booleanValue",
    "number": "typ:numberValue",
    "integer": "typ:integerValue",
    "datetime": "typ:datetimeValue",
}


def stock_card(
    item: StockItem,
    *,
    mode: Literal["upsert", "add", "update"] = "upsert",
    match: Literal["code", "ext_id", "id"] = "code",
    scope: str | None = None,
    tz: ZoneInfo = DEFAULT_TZ,
) -> DataPackItem:
    """The dataPackItem that writes ``item``; ``mode="update"`` refuses to create a missing card.

    Pass the sync run as ``scope`` (see ``pack.py``) so that a later run may write content sent before.
    """
    w = ElementWriter(item.record, tz)
    root = agenda("stk:stock", version="2.0")
    if mode != "add":
        _action(w, root, item, mode, match)
    header = sub(root, "stk:stockHeader")
    _identity(w, header, item)
    _prices(w, header, item)
    _catalogue(w, header, item)
    if item.price_levels:
        levels = sub(root, "stk:stockPriceItem")
        for level in item.price_levels:
            price = sub(levels, "stk:stockPrice")
            w.integer(price, "typ:id", level.id)
            w.text(price, "typ:ids", level.name, "typ:stockPriceType/ids", field="price_levels.name")
            w.decimal(price, "typ:price", level.price)
    return make_item(f"stock.{mode}", item.code, root, record=item.record, writes=True, scope=scope)


def _action(w: ElementWriter, root: etree._Element, item: StockItem, mode: str, match: str) -> None:
    request = sub(sub(root, "stk:actionType"), "stk:update", **({"add": "true"} if mode == "upsert" else {}))
    flt = sub(request, "ftr:filter")
    if match == "code":
        w.text(flt, "ftr:code", item.code, "ftr:filterStocksType/code", field="code")
    elif match == "ext_id":
        if item.ext_id is None:
            raise RecordError(item.record, "ext_id", "matching by ext_id needs an ext_id")
        w.ext_id(flt, "ftr:extId", item.ext_id)
    else:
        if item.id is None:
            raise RecordError(item.record, "id", "matching by id needs POHODA's id")
        w.integer(flt, "ftr:id", item.id)


def _identity(w: ElementWriter, header: etree._Element, item: StockItem) -> None:
    w.ext_id(header, "stk:extId", item.ext_id)
    sub(header, "stk:stockType", item.stock_type)
    w.text(header, "stk:code", item.code, "stk:stockHeaderType/code")
    w.text(header, "stk:EAN", item.ean, "stk:stockHeaderType/EAN", field="ean")
    w.boolean(header, "stk:isSales", item.is_sales)
    w.boolean(header, "stk:isInternet", item.is_internet)
    w.text(header, "stk:name", item.name, "stk:stockHeaderType/name")
    w.text(
        header,
        "stk:nameComplement",
        item.name_complement,
        "stk:stockHeaderType/nameComplement",
        field="name_complement",
    )
    w.text(header, "stk:unit", item.unit, "stk:stockHeaderType/unit")
    w.ref(header, "stk:storage", item.storage_id, item.storage_path, limit=None, field="storage_path")
    w.ref(header, "stk:typePrice", item.price_group_id, item.price_group, field="price_group")


def _prices(w: ElementWriter, header: etree._Element, item: StockItem) -> None:
    if item.selling_vat is not None:
        attrib = {"value": fmt_decimal(item.selling_vat_percent)} if item.selling_vat_percent is not None else {}
        sub(header, "stk:sellingRateVAT", item.selling_vat.value, **attrib)
    w.decimal(header, "stk:purchasingPrice", item.purchasing_price, payVAT=fmt_bool(item.purchasing_price_with_vat))
    w.decimal(header, "stk:sellingPrice", item.selling_price, payVAT=fmt_bool(item.selling_price_with_vat))
    w.decimal(header, "stk:mass", item.mass)
    if item.supplier_id is not None:
        w.integer(sub(header, "stk:supplier"), "typ:id", item.supplier_id)
    w.text(header, "stk:producer", item.producer, "stk:stockHeaderType/producer")


def _catalogue(w: ElementWriter, header: etree._Element, item: StockItem) -> None:
    w.text(header, "stk:availability", item.availability, "stk:stockHeaderType/availability")
    w.text(header, "stk:description", item.description)
    w.text(header, "stk:description2", item.description2)
    if item.pictures:
        pictures = sub(header, "stk:pictures")
        for index, picture in enumerate(item.pictures):
            element = sub(pictures, "stk:picture", default=fmt_bool(picture.default))
            w.text(element, "stk:filepath", picture.filepath, field=f"pictures[{index}].filepath")
            w.text(element, "stk:description", picture.description, field=f"pictures[{index}].description")
    categories = list(item.category_ids)
    if item.main_category_id is not None and item.main_category_id not in categories:
        categories.insert(0, item.main_category_id)
    if categories:
        element = sub(header, "stk:categories")
        for category in categories:
            sub(
                element,
                "stk:idCategory",
                str(category),
                **({"main": "true"} if category == item.main_category_id else {}),
            )
    if item.int_parameters:
        _int_parameters(w, sub(header, "stk:intParameters"), item)
    if item.parameters:
        element = sub(header, "stk:parameters")
        for index, parameter in enumerate(item.parameters):
            _user_parameter(w, element, parameter, index)


def _int_parameters(w: ElementWriter, parent: etree._Element, item: StockItem) -> None:
    for index, parameter in enumerate(item.int_parameters):
        element = sub(parent, "stk:intParameter")
        w.integer(element, "stk:intParameterID", parameter.id)
        w.text(
            element,
            "stk:intParameterName",
            parameter.name,
            "stk:intParameterType/intParameterName",
            field=f"int_parameters[{index}].name",
        )
        w.integer(element, "stk:intParameterOrder", parameter.order)
        if parameter.values:
            values = sub(element, "stk:intParameterValues")
            for value in parameter.values:
                entry = sub(values, "stk:intParameterValue")
                w.integer(entry, "stk:parameterValueID", value.id)
                w.text(
                    entry,
                    "stk:parameterValue",
                    value.value,
                    "stk:intParameterValueType/parameterValue",
                    field=f"int_parameters[{index}].values",
                )
                w.integer(entry, "stk:parameterOrder", value.order)


def _user_parameter(w: ElementWriter, parent: etree._Element, parameter: UserParameter, index: int) -> None:
    element = sub(parent, "typ:parameter")
    w.text(element, "typ:name", parameter.name, "typ:parameterDocType/name", field=f"parameters[{index}].name")
    if parameter.kind == "list":
        w.ref(element, "typ:listValueRef", ids=parameter.value, field=f"parameters[{index}].value")
        w.ref(element, "typ:list", ids=parameter.list_name, field=f"parameters[{index}].list_name")
    else:
        w.text(element, _VALUE_ELEMENT[parameter.kind], parameter.value, field=f"parameters[{index}].value")


def list_stock(request: StockListRequest, *, tz: ZoneInfo = DEFAULT_TZ) -> DataPackItem:
    """The stock export: one keyset page of the cards ``request`` filters, the parts it restricts left out."""
    w = ElementWriter("stock list request", tz)
    root = agenda("lStk:listStockRequest", version="2.0", stockVersion="2.0")
    limit(w, root, "lStk:limit", request.page)
    flt = sub(sub(root, "lStk:requestStock"), "ftr:filter")
    w.integer(flt, "ftr:id", request.id)
    w.ext_id(flt, "ftr:extId", request.ext_id)
    w.text(flt, "ftr:code", request.code, "ftr:filterStocksType/code")
    w.text(flt, "ftr:EAN", request.ean, field="ean")
    w.text(flt, "ftr:name", request.name)
    w.ref(flt, "ftr:storage", ids=request.storage, limit=None, field="storage")
    w.ref(flt, "ftr:store", ids=request.store, field="store")
    w.boolean(flt, "ftr:internet", request.internet)
    w.local_datetime(flt, "ftr:lastChanges", request.last_changes)
    drop_if_empty(flt)
    restriction(root, "lStk:restrictionData", request.restriction, get_args(StockPart))
    return list_item("list.stock", root, request.page)
