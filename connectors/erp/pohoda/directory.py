"""The e-shop category tree, and suppliers and producers as POHODA holds them.

- Categories are POHODA's "Kategorie internetového obchodu" (``lst:listCategoryRequest``); a category's key is
  POHODA's id, which is what stock cards reference (``stk:categories/stk:idCategory``).
- POHODA keeps no register of suppliers or producers apart from the cards: a supplier is the address-book
  entry a card names (``stk:supplier``; key = the address-book id, name = its company or name), a producer is
  the free text ``stk:producer`` (key = name = that text). So the parties are read off the cards (a light
  export of every card) and a party no card refers to does not exist for the sync.
"""

from __future__ import annotations

from connectors.erp.errors import validated
from connectors.erp.pohoda.catalog import Cards
from connectors.erp.pohoda.customers import Customers
from connectors.erp.pohoda.mserver import MServer
from connectors.pohoda.models.directory import CategoryNode
from connectors.pohoda.models.requests import QUANTITY_SWEEP, StockListRequest
from connectors.pohoda.xml.agendas.categories import list_categories
from domain.models import Category, Party, PartyKind

__all__ = ["categories", "parties"]


def categories(mserver: MServer) -> list[Category]:
    answer = mserver.read_one(list_categories(), "categories")
    roots: list[CategoryNode] = answer.records
    return [category for root in roots for category in root.flatten()]


def parties(cards: Cards, customers: Customers) -> list[Party]:
    supplier_ids: set[int] = set()
    producers: set[str] = set()
    for page in cards.pages(StockListRequest(restriction=QUANTITY_SWEEP)):
        for card in page.cards:
            if card.supplier_id is not None:
                supplier_ids.add(card.supplier_id)
            if card.producer and card.producer.strip():
                producers.add(card.producer.strip())
    found = [
        validated(f"producer {name}", Party, erp_key=name, name=name, kind=PartyKind.PRODUCER) for name in producers
    ]
    for address_id, entry in customers.entries_by_id(supplier_ids).items():
        name = entry.address.company or entry.address.name or str(address_id)
        found.append(
            validated(f"supplier {address_id}", Party, erp_key=str(address_id), name=name, kind=PartyKind.SUPPLIER)
        )
    return sorted(found, key=lambda p: (p.kind.value, p.erp_key))
