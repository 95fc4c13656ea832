"""Export records besides stock and orders: categories, stock suppliers, address book, stores, bank documents."""

from __future__ import annotations

from datetime import datetime

from lxml import etree

from connectors.pohoda.models.directory import AddressBookEntry, CategoryNode, StockSuppliers, Store, SupplierItem
from connectors.pohoda.models.orders import PartyAddress
from connectors.pohoda.models.payments import BankEntry
from connectors.pohoda.models.shipments import DeliveryItem, DeliveryNote
from connectors.pohoda.models.stock import UserParameter
from connectors.pohoda.xml.elements import child, children, ext_id_of, ref_of, text_of
from connectors.pohoda.xml.read_orders import read_address, read_links
from connectors.pohoda.xml.values import read_bool, read_date, read_decimal, read_int

__all__ = ["read_address_book", "read_bank", "read_categories", "read_delivery_note", "read_store", "read_suppliers"]


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
        children=[_category(sub, ident) for sub in children(child(element, "ctg:subCategories"), "ctg:category")],
    )


def read_categories(element: etree._Element) -> list[CategoryNode]:
    """The root categories of one ``categoryDetail`` (each with its sub-tree)."""
    return [_category(category, None) for category in children(element, "ctg:category")]


def read_suppliers(element: etree._Element) -> StockSuppliers:
    stock_id, stock_code = ref_of(child(child(element, "sup:stockItem"), "typ:stockItem"), "stockItem")
    suppliers = []
    for item in children(child(element, "sup:suppliers"), "sup:supplierItem"):
        address_id, address_name = ref_of(child(item, "sup:refAd"), "refAd")
        suppliers.append(
            SupplierItem(
                id=read_int(text_of(item, "sup:id"), "supplierItem.id"),
                default=read_bool(item.get("default"), "supplierItem.default") or False,
                address_id=address_id,
                address_name=address_name,
                order_code=text_of(item, "sup:orderCode"),
                order_name=text_of(item, "sup:orderName"),
                purchasing_price=read_decimal(text_of(item, "sup:purchasingPrice"), "supplierItem.purchasingPrice"),
                currency=ref_of(child(item, "sup:currency"), "currency")[1],
                ean=text_of(item, "sup:ean"),
                delivery_days=read_int(text_of(item, "sup:deliveryTime"), "supplierItem.deliveryTime"),
                min_quantity=read_decimal(text_of(item, "sup:minQuantity"), "supplierItem.minQuantity"),
            )
        )
    return StockSuppliers(stock_id=stock_id, stock_code=stock_code, suppliers=suppliers)


def read_address_book(element: etree._Element, *, exported_at: datetime | None = None) -> AddressBookEntry:
    header = child(element, "adb:addressbookHeader")
    identity = child(header, "adb:identity")
    ext_ids = [e for e in (ext_id_of(x) for x in children(identity, "typ:extId")) if e is not None]
    return AddressBookEntry(
        id=read_int(text_of(header, "adb:id"), "id"),
        ext_ids=ext_ids,
        address=read_address(child(identity, "typ:address")) or PartyAddress(),
        ship_to=[a for a in (read_address(s) for s in children(identity, "typ:shipToAddress")) if a is not None],
        phone=text_of(header, "adb:phone"),
        mobile=text_of(header, "adb:mobil"),
        email=text_of(header, "adb:email"),
        web=text_of(header, "adb:web"),
        note=text_of(header, "adb:note"),
        exported_at=exported_at,
    )


def read_store(element: etree._Element) -> Store:
    return Store(
        id=read_int(text_of(element, "sto:id"), "id"),
        name=text_of(element, "sto:name") or "",
        text=text_of(element, "sto:text"),
    )


def read_bank(element: etree._Element) -> BankEntry:
    header = child(element, "bnk:bankHeader")
    summary = child(element, "bnk:bankSummary")
    home = child(summary, "bnk:homeCurrency")
    foreign = child(summary, "bnk:foreignCurrency")
    amount = read_decimal(text_of(home, "typ:priceNone"), "homeCurrency.priceNone")
    if amount is None:
        amount = read_decimal(text_of(foreign, "typ:priceSum"), "foreignCurrency.priceSum")
    return BankEntry(
        id=read_int(text_of(header, "bnk:id"), "id"),
        ext_id=ext_id_of(child(header, "bnk:extId")),
        kind=text_of(header, "bnk:bankType"),
        number=text_of(child(header, "bnk:number"), "typ:numberRequested") or text_of(header, "bnk:number"),
        variable_symbol=text_of(header, "bnk:symVar"),
        date=read_date(text_of(header, "bnk:datePayment") or text_of(header, "bnk:dateStatement"), "date"),
        amount=amount,
    )


def _delivery_item(element: etree._Element, index: int) -> DeliveryItem:
    field = f"vydejkaItem[{index}]"
    linked = child(element, "vyd:linkedDocument")
    source = child(linked, "typ:sourceDocument")
    stock_id, stock_code = ref_of(child(child(element, "vyd:stockItem"), "typ:stockItem"), f"{field}.stockItem")
    from_order = text_of(linked, "typ:sourceAgenda") == "receivedOrder"
    return DeliveryItem(
        id=read_int(text_of(element, "vyd:id"), f"{field}.id"),
        text=text_of(element, "vyd:text"),
        quantity=read_decimal(text_of(element, "vyd:quantity"), f"{field}.quantity") or 0,
        code=text_of(element, "vyd:code"),
        stock_id=stock_id,
        stock_code=stock_code,
        order_id=read_int(text_of(source, "typ:id"), f"{field}.linkedDocument") if from_order else None,
        order_number=text_of(source, "typ:number") if from_order else None,
        order_item_id=read_int(
            text_of(child(linked, "typ:sourceDocumentItem"), "typ:sourceItemId"), f"{field}.sourceItemId"
        )
        if from_order
        else None,
    )


def read_delivery_note(element: etree._Element, *, exported_at: datetime | None = None) -> DeliveryNote:
    header = child(element, "vyd:vydejkaHeader")
    number = child(header, "vyd:number")
    return DeliveryNote(
        id=read_int(text_of(header, "vyd:id"), "id"),
        number=text_of(number, "typ:numberRequested") or text_of(number, "typ:ids"),
        date=read_date(text_of(header, "vyd:date"), "date"),
        number_order=text_of(header, "vyd:numberOrder"),
        text=text_of(header, "vyd:text"),
        carrier=ref_of(child(header, "vyd:carrier"), "carrier")[1],
        partner=read_address(child(child(header, "vyd:partnerIdentity"), "typ:address")),
        parameters=[
            UserParameter(name=text_of(p, "typ:name") or "?", value=_parameter_value(p))
            for p in children(child(header, "vyd:parameters"), "typ:parameter")
        ],
        items=[
            _delivery_item(item, index)
            for index, item in enumerate(children(child(element, "vyd:vydejkaDetail"), "vyd:vydejkaItem"))
        ],
        linked_documents=read_links(child(element, "vyd:linkedDocuments")),
        exported_at=exported_at,
    )


def _parameter_value(parameter: etree._Element) -> str:
    for part in parameter:
        if part.tag.endswith("Value") and part.text:
            return part.text
        if part.tag.endswith("listValueRef"):
            return ref_of(part, "listValueRef")[1] or ""
    return ""
