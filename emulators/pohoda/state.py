"""The emulated accounting unit: every agenda's records, id sequences, document numbers, the documents folder.

Thread-safety: the app processes one ``POST /xml`` at a time (like mServer), but tests and admin endpoints touch
the state from other threads, so every public method takes ``self.lock`` (re-entrant: methods call each other).

Document numbers look like POHODA's default series: ``<yy><series><seq:05>`` — ``250100001`` is the first
received order of 2025 (series 01); invoices use 10, delivery notes 20, bank 30, cash 40. They fit the
10-character ``ftr:number`` of a delete filter.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from . import records as r
from .actions import ActionsMixin
from .clock import Clock, SystemClock
from .seeding import SeedingMixin

SERIES = {"order": "01", "invoice": "10", "vydejka": "20", "bank": "30", "cash": "40"}
PICTURES_DIR = "Obrázky"
DEFAULT_STORE = "ZBOŽÍ"


@dataclass(frozen=True)
class ImportedRecord:
    """What a dataPackItem created, remembered for the duplicity check (``rsp:recordDuplicity``)."""

    agenda: str  # ftr:printAgendaType, e.g. prijate_objednavky, zasoby, adresar, banka
    id: int
    number: str | None
    created_on: date


class PohodaState(SeedingMixin, ActionsMixin):
    """All agendas of one accounting unit; seeding (:class:`SeedingMixin`) and user actions
    (:class:`ActionsMixin`) are mixed in so tests reach everything from one object."""

    def __init__(
        self,
        clock: Clock | None = None,
        fiscal_year: int = 2025,
        time_zone: str = "Europe/Prague",
        stock_moves_bump_last_changes: bool = True,
    ):
        self.clock = clock or SystemClock()
        self.fiscal_year = fiscal_year
        self.time_zone = time_zone
        self.stock_moves_bump_last_changes = stock_moves_bump_last_changes
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.stores: dict[int, r.Store] = {}
            self.categories: dict[int, r.Category] = {}
            self.int_params: dict[int, r.IntParam] = {}
            self.cards: dict[int, r.StockCard] = {}
            self.addresses: dict[int, r.AddressBookEntry] = {}
            self.orders: dict[int, r.Order] = {}
            self.invoices: dict[int, r.Invoice] = {}
            self.delivery_notes: dict[int, r.DeliveryNote] = {}
            self.payments: dict[int, r.Payment] = {}
            self.documents: dict[str, bytes] = {}
            self.imported: dict[tuple[str, str], ImportedRecord] = {}
            self._sequences: dict[str, int] = {}
            self.add_store(DEFAULT_STORE, "Zboží")  # a fresh POHODA company has one store

    def drop_pristine_default_store(self) -> None:
        """Seeding brings its own stores: the fresh company's unused default store goes (ids restart at 1)."""
        with self.lock:
            if (
                len(self.stores) == 1
                and self.store_by_name(DEFAULT_STORE) is not None
                and not self.cards
                and not self.orders
            ):
                self.stores.clear()
                self._sequences.pop("store", None)

    # -- ids, numbers, time -------------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock.now()

    def next_id(self, agenda: str) -> int:
        with self.lock:
            self._sequences[agenda] = self._sequences.get(agenda, 0) + 1
            return self._sequences[agenda]

    def next_number(self, agenda: str) -> tuple[int, str]:
        """A new id and the document number of that agenda's default series."""
        new_id = self.next_id(agenda)
        return new_id, f"{self.fiscal_year % 100:02d}{SERIES[agenda]}{new_id:05d}"

    def touch(self, record: Any) -> None:
        record.changed_at = self.now()

    # -- stores, categories, parameters --------------------------------------------------------------------

    def add_store(self, name: str, text: str | None = None) -> r.Store:
        with self.lock:
            if self.store_by_name(name):
                raise ValueError(f"store {name!r}: already exists")
            store = r.Store(self.next_id("store"), name, text or name, self.now())
            self.stores[store.id] = store
            return store

    def store_by_name(self, name: str) -> r.Store | None:
        with self.lock:
            folded = name.casefold()
            return next((s for s in self.stores.values() if s.name.casefold() == folded), None)

    def store_of_ref(self, store_id: int | None, ids: str | None) -> r.Store | None:
        with self.lock:
            if store_id is not None:
                return self.stores.get(store_id)
            return self.store_by_name(ids) if ids else None

    def default_store(self) -> r.Store:
        with self.lock:
            if not self.stores:
                return self.add_store(DEFAULT_STORE, "Zboží")
            return self.stores[min(self.stores)]

    def add_category(
        self, name: str, parent_id: int | None = None, sequence: int = 0, description: str | None = None
    ) -> r.Category:
        with self.lock:
            if parent_id is not None and parent_id not in self.categories:
                raise ValueError(f"category {name!r}: parent id {parent_id} does not exist")
            category = r.Category(self.next_id("category"), name, parent_id, sequence, self.now(), description)
            self.categories[category.id] = category
            return category

    def int_param(self, name: str, parameter_type: str | None = "textValue", unit: str | None = None) -> r.IntParam:
        """The definition named ``name`` of that type and unit (any, for type None), created on first use.

        Name, type and unit identify it so a variant option (``listValue`` "Barva") never merges with a plain
        product parameter of the same name (``textValue`` "Barva"), nor "Hmotnost" in kg with one without unit.
        """
        with self.lock:
            for param in self.int_params.values():
                if param.name.casefold() == name.casefold() and (
                    parameter_type is None or (param.parameter_type, param.unit) == (parameter_type, unit)
                ):
                    return param
            param = r.IntParam(self.next_id("intParam"), name, parameter_type or "textValue", unit)
            self.int_params[param.id] = param
            return param

    # -- stock cards ---------------------------------------------------------------------------------------

    def add_card(self, card: r.StockCard) -> r.StockCard:
        with self.lock:
            clash = self.card_by_code(card.code, card.store_id)
            if clash is not None:
                raise ValueError(f"stock card {card.code!r}: already exists in store {card.store_id} (id {clash.id})")
            self.cards[card.id] = card
            return card

    def card_by_code(self, code: str, store_id: int | None = None) -> r.StockCard | None:
        with self.lock:
            matches = [
                c for c in self.cards.values() if c.code == code and (store_id is None or c.store_id == store_id)
            ]
            return min(matches, key=lambda c: c.id) if matches else None

    def find_cards(self, predicate: Callable[[r.StockCard], bool]) -> list[r.StockCard]:
        with self.lock:
            return [c for _, c in sorted(self.cards.items()) if predicate(c)]

    def reserved_quantity(self, card_id: int) -> tuple[Decimal, Decimal]:
        """(ordered, reserved) of a card over open received orders: ``countReceivedOrders``, ``reservation``."""
        ordered = reserved = Decimal("0")
        with self.lock:
            for order in self.orders.values():
                if order.order_type != "receivedOrder" or not order.is_open:
                    continue
                for item in order.items:
                    if item.stock_card_id == card_id:
                        open_quantity = max(item.quantity - item.delivered, Decimal("0"))
                        ordered += open_quantity
                        if order.is_reserved:
                            reserved += open_quantity
        return ordered, reserved

    # -- address book --------------------------------------------------------------------------------------

    def add_address(self, entry: r.AddressBookEntry) -> r.AddressBookEntry:
        with self.lock:
            self.addresses[entry.id] = entry
            return entry

    def address_by_number(self, number: str) -> r.AddressBookEntry | None:
        with self.lock:
            return next((a for a in self.addresses.values() if a.number == number), None)

    # -- documents ------------------------------------------------------------------------------------------

    def order(self, ref: int | str) -> r.Order:
        """An order by id, document number, ``numberOrder`` or extId ids; ``KeyError`` names the reference."""
        with self.lock:
            if isinstance(ref, int):
                if ref in self.orders:
                    return self.orders[ref]
            else:
                for order in self.orders.values():
                    if ref in (order.number, order.number_order) or (order.ext_id and order.ext_id.ids == ref):
                        return order
        raise KeyError(f"order {ref!r}: not found")

    def order_by_ext_id(self, ext_id: r.ExtId) -> r.Order | None:
        with self.lock:
            return next((o for o in self.orders.values() if o.ext_id and o.ext_id.key() == ext_id.key()), None)

    def payment_by_ext_id(self, agenda: str, ext_id: r.ExtId) -> r.Payment | None:
        with self.lock:
            return next(
                (
                    p
                    for p in self.payments.values()
                    if p.agenda == agenda and p.ext_id and p.ext_id.key() == ext_id.key()
                ),
                None,
            )

    def put_document(self, path: str, content: bytes) -> None:
        """A file in the company's documents folder (what ``GET /documents/<path>`` serves)."""
        with self.lock:
            self.documents[path.strip("/")] = content

    def picture_path(self, filename: str) -> str:
        return f"{PICTURES_DIR}/{filename}"

    # -- bookkeeping ----------------------------------------------------------------------------------------

    def remember_import(self, pack_id: str, item_id: str, record: ImportedRecord) -> None:
        with self.lock:
            self.imported[(pack_id, item_id)] = record

    def imported_record(self, pack_id: str, item_id: str) -> ImportedRecord | None:
        with self.lock:
            return self.imported.get((pack_id, item_id))

    def counts(self) -> dict[str, int]:
        with self.lock:
            return {
                "stores": len(self.stores),
                "categories": len(self.categories),
                "int_params": len(self.int_params),
                "stock_cards": len(self.cards),
                "addresses": len(self.addresses),
                "orders": len(self.orders),
                "invoices": len(self.invoices),
                "delivery_notes": len(self.delivery_notes),
                "payments": len(self.payments),
                "documents": len(self.documents),
            }

    @staticmethod
    def sorted_by_id(values: Iterable[Any]) -> list[Any]:
        return sorted(values, key=lambda record: record.id)
