"""Internet parameters (``ipm:intParam``): the definitions a card's ``stk:intParameters`` refer to by id.

A card names its parameter and value ids; their names, types and units live in this agenda, so a product's
options need one ``lst:listIntParamRequest`` beside the cards.
"""

from __future__ import annotations

from lxml import etree

from connectors.pohoda.models.stock import IntParamDefinition
from connectors.pohoda.xml.agendas._lists import list_item
from connectors.pohoda.xml.elements import agenda, child, children, sub, text_of
from connectors.pohoda.xml.pack import DataPackItem
from connectors.pohoda.xml.values import read_int

__all__ = ["list_int_params", "read_int_params"]


def list_int_params() -> DataPackItem:
    """Every internet-parameter definition (name, type, unit, list values)."""
    root = agenda("lst:listIntParamRequest", version="2.0")
    sub(root, "lst:requestIntParam")
    return list_item("list.intparams", root, None)


def read_int_params(detail: etree._Element) -> list[IntParamDefinition]:
    """The definitions of one ``lst:intParamDetail``; one without an id cannot be referred to and is left out.

    The name falls back to the id, the type to ``textValue``.
    """
    found = []
    for element in children(detail, "ipm:intParam"):
        ident = read_int(text_of(element, "ipm:id"), "intParam.id")
        if ident is None:
            continue
        found.append(
            IntParamDefinition(
                id=ident,
                name=text_of(element, "ipm:name") or str(ident),
                type=text_of(element, "ipm:parameterType") or "textValue",
                unit=text_of(child(element, "ipm:parameterSettings"), "ipm:unit"),
            )
        )
    return found
