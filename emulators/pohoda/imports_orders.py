"""``ord:order`` import: create a received order, or delete one (the 2025 schema has no order *update*).

Rules emulated:
- ``extId`` (ids + exSystemName) is unique per agenda: a second order with the same extId is not created; the
  item answers ``rsp:recordDuplicity`` naming the existing order (id, number) — the same answer the batch
  duplicity check gives, so a client has one "already there" path;
- ``number/numberRequested`` with ``checkDuplicity`` (default true) refuses a used number; ``false`` renumbers
  and warns; without it the default series numbers the order;
- items reference stock by ``typ:stockItem`` (``id`` > ``ids`` = code > ``EAN`` > ``PLU``), optionally with a
  ``typ:store``; an unknown stock item refuses the whole order; an item without ``stockItem`` is a text item;
- ``delete`` (``ftr:filter agenda="prijate_objednavky"`` by id or number) refuses an order that already has
  linked documents (invoice, delivery note), as POHODA does.
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from . import records as r
from .clock import local_date, parse_date
from .context import ItemContext, read_address, read_ext_id, refuse, warning
from .responses import Detail, Duplicity, ImportOutcome, Produced
from .state import ImportedRecord
from .xml import NS, bool_of, child, decimal_of, int_of, local_name, text

AGENDA = {"receivedOrder": "prijate_objednavky", "issuedOrder": "vydane_objednavky"}


def import_order(ctx: ItemContext, order: etree._Element) -> ImportOutcome:
    action = child(order, "ord:actionType")
    if action is not None and len(action) and local_name(action[0]) == "delete":
        return _delete(ctx, action[0])
    header = child(order, "ord:orderHeader")
    if header is None:
        raise refuse(order, "Chybí ord:orderHeader.", errno=102)
    state = ctx.state
    with state.lock:
        ext_id = read_ext_id(header, "ord:extId")
        if ext_id is not None and (existing := state.order_by_ext_id(ext_id)) is not None:
            raise Duplicity(
                _record(existing, local_date(existing.created_at, ctx.zone)),
                f"Objednávka s extId {ext_id.ids!r} ({ext_id.system}) již existuje: {existing.number}.",
            )
        details: list[Detail] = []
        order_type = text(header, "ord:orderType") or "receivedOrder"
        order_id, number = _number(ctx, header, details)
        items = [_item(ctx, node) for node in order.iterfind("ord:orderDetail/ord:orderItem", NS)]
        partner, partner_id = _partner(ctx, header)
        created = r.Order(
            id=order_id,
            number=number,
            order_type=order_type,
            date=parse_date(text(header, "ord:date")) if text(header, "ord:date") else state.today(),
            changed_at=state.now(),
            created_at=state.now(),
            items=items,
            ext_id=ext_id,
            number_order=text(header, "ord:numberOrder"),
            text=text(header, "ord:text"),
            partner=partner,
            partner_id=partner_id,
            ship_to=read_address(child(header, "ord:partnerIdentity/typ:shipToAddress")),
            payment_type=text(header, "ord:paymentType/typ:ids") or text(header, "ord:paymentType/typ:paymentType"),
            carrier=text(header, "ord:carrier/typ:ids"),
            note=text(header, "ord:note"),
            int_note=text(header, "ord:intNote"),
            is_reserved=bool(bool_of(header, "ord:isReserved")),
            is_executed=bool(bool_of(header, "ord:isExecuted")),
        )
        state.orders[created.id] = created
        for item in items:
            if item.stock_card_id is not None and created.is_reserved and state.stock_moves_bump_last_changes:
                state.touch(state.cards[item.stock_card_id])
        record = _record(created, state.today())
        return ImportOutcome(Produced(created.id, number=created.number, action="add", ext_id=ext_id), details, record)


def _record(order: r.Order, created_on) -> ImportedRecord:
    return ImportedRecord(AGENDA.get(order.order_type, "prijate_objednavky"), order.id, order.number, created_on)


def _number(ctx: ItemContext, header: etree._Element, details: list[Detail]) -> tuple[int, str]:
    state = ctx.state
    requested_node = child(header, "ord:number/typ:numberRequested")
    order_id, number = state.next_number("order")
    if requested_node is None or not requested_node.text:
        return order_id, number
    requested = requested_node.text.strip()
    if not any(o.number == requested for o in state.orders.values()):
        return order_id, requested
    if requested_node.get("checkDuplicity", "true") == "true":
        raise refuse(requested_node, f"Číslo dokladu {requested!r} již existuje.", errno=110, requested=requested)
    details.append(
        warning(requested_node, "Číslo dokladu již existovalo; přiděleno nové.", requested=requested, produced=number)
    )
    return order_id, number


def _partner(ctx: ItemContext, header: etree._Element) -> tuple[r.Address | None, int | None]:
    identity = child(header, "ord:partnerIdentity")
    if identity is None:
        return None, None
    if (partner_id := int_of(identity, "typ:id")) is not None:
        entry = ctx.state.addresses.get(partner_id)
        if entry is None:
            raise refuse(
                child(identity, "typ:id"), f"Adresa id {partner_id} v adresáři neexistuje.", requested=str(partner_id)
            )
        return entry.address, entry.id
    node = child(identity, "typ:address")
    address = read_address(node)
    if node is not None and node.get("linkToAddress") == "true" and address is not None:
        for entry in ctx.state.addresses.values():
            keys = [
                (address.ico, entry.address.ico),
                (address.company, entry.address.company),
                (address.name, entry.address.name),
            ]
            if any(a and b and a.casefold() == b.casefold() for a, b in keys):
                return address, entry.id
    return address, None


def _item(ctx: ItemContext, node: etree._Element) -> r.OrderItem:
    state = ctx.state
    card = None
    ref = child(node, "ord:stockItem")
    if ref is not None:
        card = stock_card(ctx, ref)
    text_value = text(node, "ord:text") or (card.name if card else None)
    if not text_value:
        raise refuse(node, "Položka objednávky musí mít text nebo skladovou zásobu.", errno=102)
    return r.OrderItem(
        id=state.next_id("orderItem"),
        text=text_value[:90],
        quantity=decimal_of(node, "ord:quantity") if text(node, "ord:quantity") else Decimal("1"),
        unit_price=decimal_of(node, "ord:homeCurrency/typ:unitPrice") or Decimal("0"),
        pay_vat=bool(bool_of(node, "ord:payVAT")),
        rate_vat=text(node, "ord:rateVAT") or "none",
        unit=text(node, "ord:unit") or (card.unit if card else None),
        code=text(node, "ord:code") or (card.code if card else None),
        discount_percentage=decimal_of(node, "ord:discountPercentage") or Decimal("0"),
        stock_card_id=card.id if card else None,
        store_id=card.store_id if card else None,
        ext_id=text(node, "ord:extId"),
        note=text(node, "ord:note"),
    )


def stock_card(ctx: ItemContext, ref: etree._Element) -> r.StockCard:
    """The card a ``typ:stockItemType`` reference names (store, then id > code > EAN > PLU); refused if none."""
    state = ctx.state
    store_node = child(ref, "typ:store")
    store = None
    if store_node is not None:
        store = state.store_of_ref(int_of(store_node, "typ:id"), text(store_node, "typ:ids"))
        if store is None:
            raise refuse(store_node, "Sklad neexistuje.", requested=text(store_node, "typ:ids"))
    stock = child(ref, "typ:stockItem")
    card_id, code = int_of(stock, "typ:id"), text(stock, "typ:ids")
    ean, plu = text(stock, "typ:EAN"), int_of(stock, "typ:PLU")
    in_store = [c for _, c in sorted(state.cards.items()) if store is None or c.store_id == store.id]
    for test in (
        lambda c: card_id is not None and c.id == card_id,
        lambda c: code is not None and c.code == code,
        lambda c: ean is not None and c.ean == ean,
        lambda c: plu is not None and c.plu == plu,
    ):
        found = next((c for c in in_store if test(c)), None)
        if found is not None:
            return found
    wanted = card_id or code or ean or plu
    raise refuse(
        stock if stock is not None else ref, f"Skladová zásoba {wanted!r} nebyla nalezena.", requested=str(wanted)
    )


def _delete(ctx: ItemContext, delete: etree._Element) -> ImportOutcome:
    flt = child(delete, "ftr:filter")
    order_id, number = int_of(flt, "ftr:id"), text(flt, "ftr:number")
    with ctx.state.lock:
        found = next(
            (
                o
                for o in ctx.state.orders.values()
                if (order_id is not None and o.id == order_id) or (number is not None and o.number == number)
            ),
            None,
        )
        if found is None:
            raise refuse(delete, f"Objednávka {order_id or number!r} nebyla nalezena.")
        if found.links:
            raise refuse(
                delete,
                f"Objednávku {found.number} nelze smazat: má navázané doklady "
                f"({', '.join(link.number for link in found.links)}).",
                errno=110,
            )
        del ctx.state.orders[found.id]
        return ImportOutcome(
            Produced(found.id, number=found.number, action="delete"), [], _record(found, ctx.state.today())
        )
