"""``stk:stockType`` element → :class:`StockItem` (a ``lStk:stock`` of an export or a ``stk:stock`` import).

This is the hot loop of a 100 000-card export, so it walks each element's children once, dispatching on the
full tag through dicts, collects plain strings, and lets pydantic (Rust) convert and validate them in one
``model_validate``. A bad value raises :class:`StockRecordError` naming the card (code, else id), the field
(model name and XML element) and the reason; callers turn it into a ``Rejected`` entry and go on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lxml import etree
from pydantic import ValidationError

from connectors.pohoda.errors import RecordError
from connectors.pohoda.models.stock import StockItem
from connectors.pohoda.namespaces import q

__all__ = ["StockRecordError", "read_stock_item"]

_STK = q("stk:id")[: -len("id")]
_TYP_ID, _TYP_IDS, _TYP_PRICE = q("typ:id"), q("typ:ids"), q("typ:price")
_TYP_SYSTEM, _TYP_SYSTEM_TEXT = q("typ:exSystemName"), q("typ:exSystemText")
_TYP_NAME, _TYP_LIST_REF, _TYP_LIST = q("typ:name"), q("typ:listValueRef"), q("typ:list")

_TEXT = {
    _STK + xml: field
    for xml, field in {
        "id": "id",
        "stockType": "stock_type",
        "code": "code",
        "EAN": "ean",
        "isSales": "is_sales",
        "isInternet": "is_internet",
        "name": "name",
        "nameComplement": "name_complement",
        "unit": "unit",
        "count": "count",
        "countIssue": "count_issue",
        "countReceivedOrders": "count_received_orders",
        "reservation": "reservation",
        "mass": "mass",
        "producer": "producer",
        "availability": "availability",
        "description": "description",
        "description2": "description2",
    }.items()
}
_XML_NAME = {field: tag[len(_STK) :] for tag, field in _TEXT.items()} | {
    "selling_price": "sellingPrice",
    "purchasing_price": "purchasingPrice",
    "selling_vat": "sellingRateVAT",
    "storage_id": "storage",
    "price_group_id": "typePrice",
    "supplier_id": "supplier",
    "pictures": "pictures",
    "category_ids": "categories",
    "int_parameters": "intParameters",
    "parameters": "parameters",
    "price_levels": "stockPriceItem",
    "components": "stockDetail",
    "ext_id": "extId",
}
_USER_VALUES = {
    q(f"typ:{kind}Value"): kind for kind in ("text", "memo", "currency", "boolean", "number", "integer", "datetime")
}


class StockRecordError(RecordError, ValueError):
    """A stock card that cannot become a model: ``record`` (the card), ``field``, ``reason``."""


def _ref(element: etree._Element) -> tuple[str | None, str | None]:
    ident = ids = None
    for part in element:
        if part.tag == _TYP_ID:
            ident = part.text
        elif part.tag == _TYP_IDS:
            ids = part.text
    return ident, ids


def _ext_id(element: etree._Element) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in element:
        key = {_TYP_IDS: "ids", _TYP_SYSTEM: "system", _TYP_SYSTEM_TEXT: "text"}.get(part.tag)
        if key:
            out[key] = part.text
    return out


def _leaves(element: etree._Element, names: dict[str, str]) -> dict[str, Any]:
    return {names[part.tag]: part.text for part in element if part.tag in names}


_PICTURE = {
    _STK + "filepath": "filepath",
    _STK + "description": "description",
    _STK + "order": "order",
    _STK + "id": "id",
}
_PRICE_LEVEL = {_TYP_ID: "id", _TYP_IDS: "name", _TYP_PRICE: "price"}
_INT_PARAM = {
    _STK + "intParameterID": "id",
    _STK + "intParameterName": "name",
    _STK + "intParameterOrder": "order",
    _STK + "intParameterType": "type",
}
_COMPONENT = {
    _STK + "id": "id",
    _STK + "code": "code",
    _STK + "name": "name",
    _STK + "count": "count",
    _STK + "quantity": "quantity",
}
_INT_VALUE = {_STK + "parameterValueID": "id", _STK + "parameterValue": "value", _STK + "parameterOrder": "order"}


def _components(element: etree._Element) -> list[dict[str, Any]]:
    """``stk:stockDetail``: the cards a package or set is made of."""
    found = []
    for item in element:
        data = _leaves(item, _COMPONENT)
        storage = next((p for p in item if p.tag == _STK + "storage"), None)
        if storage is not None:
            data["storage_path"] = _ref(storage)[1]
        found.append(data)
    return found


def _int_parameters(element: etree._Element) -> list[dict[str, Any]]:
    found = []
    for parameter in element:
        data = _leaves(parameter, _INT_PARAM)
        values = next((p for p in parameter if p.tag == _STK + "intParameterValues"), None)
        data["values"] = [_leaves(value, _INT_VALUE) for value in values] if values is not None else []
        found.append(data)
    return found


def _user_parameters(element: etree._Element) -> list[dict[str, Any]]:
    found = []
    for parameter in element:
        data: dict[str, Any] = {}
        for part in parameter:
            if part.tag == _TYP_NAME:
                data["name"] = part.text
            elif part.tag in _USER_VALUES:
                data["kind"], data["value"] = _USER_VALUES[part.tag], part.text or ""
            elif part.tag == _TYP_LIST_REF:
                ident, ids = _ref(part)
                data["kind"], data["value"] = "list", ids or ident or ""
            elif part.tag == _TYP_LIST:
                data["list_name"] = _ref(part)[1]
        found.append(data)
    return found


def _price(prefix: str) -> Any:
    def read(part: etree._Element, data: dict[str, Any]) -> None:
        data[f"{prefix}_price"] = part.text
        data[f"{prefix}_price_with_vat"] = part.get("payVAT") or "false"

    return read


def _vat(part: etree._Element, data: dict[str, Any]) -> None:
    data["selling_vat"] = part.text
    percent = part.get("value")
    if percent is not None:
        data["selling_vat_percent"] = percent


def _pair(id_field: str | None, ids_field: str | None) -> Any:
    def read(part: etree._Element, data: dict[str, Any]) -> None:
        ident, ids = _ref(part)
        if id_field:
            data[id_field] = ident
        if ids_field:
            data[ids_field] = ids

    return read


def _pictures(part: etree._Element, data: dict[str, Any]) -> None:
    found = []
    for picture in part:
        entry = {_PICTURE[p.tag]: p.text for p in picture if p.tag in _PICTURE}
        entry["default"] = picture.get("default") or "false"
        found.append(entry)
    data["pictures"] = found


def _categories(part: etree._Element, data: dict[str, Any]) -> None:
    ids = []
    for category in part:
        ids.append(category.text)
        if category.get("main") == "true":
            data["main_category_id"] = category.text
    data["category_ids"] = ids


_COMPLEX = {
    _STK + local: handler
    for local, handler in {
        "sellingPrice": _price("selling"),
        "purchasingPrice": _price("purchasing"),
        "sellingRateVAT": _vat,
        "storage": _pair("storage_id", "storage_path"),
        "typePrice": _pair("price_group_id", "price_group"),
        "supplier": _pair("supplier_id", None),
        "extId": lambda part, data: data.__setitem__("ext_id", _ext_id(part)),
        "pictures": _pictures,
        "categories": _categories,
        "intParameters": lambda part, data: data.__setitem__("int_parameters", _int_parameters(part)),
        "parameters": lambda part, data: data.__setitem__("parameters", _user_parameters(part)),
    }.items()
}


def _header(header: etree._Element, data: dict[str, Any]) -> None:
    text_fields, complex_fields = _TEXT, _COMPLEX
    for part in header:
        tag = part.tag
        field = text_fields.get(tag)
        if field is not None:
            text = part.text
            if text is not None:
                data[field] = text
        else:
            handler = complex_fields.get(tag)
            if handler is not None:
                handler(part, data)


def read_stock_item(element: etree._Element, *, exported_at: datetime | None = None) -> StockItem:
    """One stock card; raises ``StockRecordError`` (card, field, reason) when it cannot become a model."""
    data: dict[str, Any] = {}
    for part in element:
        if part.tag == _STK + "stockHeader":
            _header(part, data)
        elif part.tag == _STK + "stockPriceItem":
            data["price_levels"] = [_leaves(price, _PRICE_LEVEL) for price in part]
        elif part.tag == _STK + "stockDetail":
            data["components"] = _components(part)
    if exported_at is not None:
        data["exported_at"] = exported_at
    try:
        return StockItem.model_validate(data)
    except ValidationError as exc:
        raise _record_error(data, exc) from None


def _record_error(data: dict[str, Any], exc: ValidationError) -> StockRecordError:
    first = exc.errors()[0]
    loc = [str(part) for part in first["loc"]]
    field = ".".join(loc) or "record"
    xml = _XML_NAME.get(loc[0]) if loc else None
    if xml:
        field = f"{field} (stk:{xml})"
    shown = first.get("input")
    reason = first["msg"] + (f", got {shown!r}" if isinstance(shown, str) else "")
    return StockRecordError(stock_label(data), field, reason)


def stock_label(data: dict[str, Any]) -> str:
    """How a possibly broken card is named: its code, else its POHODA id."""
    if isinstance(data.get("code"), str) and data["code"].strip():
        return f"stock item {data['code'].strip()!r}"
    if data.get("id"):
        return f"stock item id {data['id']}"
    return "stock item without code"
