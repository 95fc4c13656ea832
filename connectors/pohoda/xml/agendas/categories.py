"""E-shop categories (``ctg:category``): the tree a card's ``stk:categories`` refer to by id."""

from __future__ import annotations

from lxml import etree

from connectors.pohoda.models.directory import CategoryNode
from connectors.pohoda.models.requests import CategoryListRequest
from connectors.pohoda.xml.agendas._lists import limit, list_item
from connectors.pohoda.xml.elements import ElementWriter, agenda, child, children, sub, text_of
from connectors.pohoda.xml.pack import DataPackItem
from connectors.pohoda.xml.values import read_bool, read_int

__all__ = ["list_categories", "read_categories"]


def list_categories(request: CategoryListRequest | None = None) -> DataPackItem:
    request = request or CategoryListRequest()
    root = agenda("lst:listCategoryRequest", version="2.0", categoryVersion="2.0")
    limit(ElementWriter("category list request"), root, "lst:limit", request.page)
    sub(root, "lst:requestCategory")
    return list_item("list.categories", root, request.page)


def _category(element: etree._Element, parent_id: int | None) -> CategoryNode:
    ident = read_int(text_of(element, "ctg:id"), "category.id")
    return CategoryNode(
        id=ident,
        parent_id=read_int(text_of(element, "ctg:parentId"), "category.parentId") or parent_id,
        name=text_of(element, "ctg:name") or "",
        description=text_of(element, "ctg:description"),
        sequence=read_int(text_of(element, "ctg:sequence"), "category.sequence") or 0,
        displayed=read_bool(text_of(element, "ctg:displayed"), "category.displayed"),
        picture=text_of(element, "ctg:picture"),
        children=[_category(node, ident) for node in children(child(element, "ctg:subCategories"), "ctg:category")],
    )


def read_categories(element: etree._Element) -> list[CategoryNode]:
    """The root categories of one ``categoryDetail`` (each with its sub-tree)."""
    return [_category(category, None) for category in children(element, "ctg:category")]
