"""Stock per SKU and store (the ERP location), and the stores themselves.

A store (sklad) is a location: ``Location.erp_key`` is its short name (``sto:name``, ≤10 characters), which is
also the root of each card's ``stk:storage`` path. A card's quantity is what may still be sold: ``countIssue``
("k výdeji" = on hand minus reservations of open received orders), or ``count`` with ``basis="count"``.
A package or set ("komplet", "sada") has no quantity of its own: its level is what its components make (the
export lists them; ``StockItem.package_count``), so it is neither skipped nor a failed record.

Two ways through the stock, both in the port's ``(sku, location)`` order:
- for given SKUs, the cards are asked for by code, in SKU order, a batch per dataPack — exact and cheap;
- for the whole warehouse, POHODA cannot sort by code, so the first page sweeps every card into a snapshot
  (a streamed light export per 10 000 cards, read with ``iter_stock_chunks``: memory stays flat) and the pages
  are served from it. The levels are those of one moment, and ``updated_at`` is that moment.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import ValidationError

from connectors.erp.errors import RecordError, record_error, validated
from connectors.erp.paging import decode_cursor, encode_cursor
from connectors.erp.pohoda.cards import NOT_STOCKED, store_of
from connectors.erp.pohoda.catalog import Cards
from connectors.erp.pohoda.local_state import LocalState
from connectors.erp.pohoda.mserver import MServer
from connectors.erp.port import Location
from connectors.pohoda import errors as pohoda
from connectors.pohoda.models.requests import QUANTITY_SWEEP, Page, StockListRequest
from connectors.pohoda.models.stock import StockItem
from connectors.pohoda.xml import iter_stock_chunks
from connectors.pohoda.xml.agendas.stock import list_stock
from connectors.pohoda.xml.agendas.stores import list_stores
from domain.models import Page as ResultPage
from domain.models import StockLevel

__all__ = ["Stock"]

BY_SKU = "pohoda-stock"
SWEEP = "pohoda-stock-sweep"
CODES_PER_BATCH = 50
SWEEP_PAGE = 10_000
"""Cards per streamed export: POHODA's ``limit/count`` allows 1..10 000."""


class Stock:
    def __init__(
        self, mserver: MServer, cards: Cards, local: LocalState, *, basis: Literal["available", "count"] = "available"
    ) -> None:
        self.mserver = mserver
        self.cards = cards
        self.local = local
        self.basis = basis

    def locations(self) -> list[Location]:
        answer = self.mserver.read_one(list_stores(), "stores")
        found = [validated(f"store {s.name}", Location, erp_key=s.name, name=s.text or s.name) for s in answer.records]
        return sorted(found, key=lambda loc: loc.erp_key)

    def _quantity(self, card: StockItem) -> Decimal:
        return card.on_hand() if self.basis == "count" else card.available()

    def _level(self, card: StockItem, at: datetime | None) -> StockLevel | str:
        """The card's level, or why it cannot be one."""
        store = store_of(card)
        try:
            if store is None:
                raise pohoda.RecordError(card.record, "storage", "the card names no store")
            return StockLevel(sku=card.code, location_key=store, quantity=self._quantity(card), updated_at=at)
        except pohoda.RecordError as exc:
            return str(exc)
        except ValidationError as exc:
            return str(record_error(f"stock {card.code}@{store}", exc))

    def page(
        self, skus: Sequence[str] | None, location_keys: Sequence[str] | None, cursor: str | None, limit: int
    ) -> ResultPage[StockLevel]:
        if (skus is not None and not skus) or (location_keys is not None and not location_keys):
            return ResultPage[StockLevel](items=[])
        if skus is not None:
            return self._by_sku(sorted(set(skus)), location_keys, cursor, limit)
        return self._sweep_page(location_keys, cursor, limit)

    # ---- given SKUs -----------------------------------------------------------------------------------------

    def _by_sku(
        self, skus: list[str], location_keys: Sequence[str] | None, cursor: str | None, limit: int
    ) -> ResultPage[StockLevel]:
        after = tuple(decode_cursor(BY_SKU, cursor, 2)) if cursor else None
        stores = set(location_keys) if location_keys is not None else None
        levels: list[StockLevel] = []
        rejected: list[str] = []
        todo = [s for s in skus if after is None or s >= after[0]]
        for start in range(0, len(todo), CODES_PER_BATCH):
            cards, bad, _ = self.cards.by_codes(todo[start : start + CODES_PER_BATCH], QUANTITY_SWEEP)
            rejected += [str(r) for r in bad]
            for card in cards:
                if card.stock_type in NOT_STOCKED or (stores is not None and store_of(card) not in stores):
                    continue
                if after is not None and (card.code, store_of(card) or "") <= after:
                    continue
                level = self._level(card, card.exported_at)
                if isinstance(level, StockLevel):
                    levels.append(level)
                else:
                    rejected.append(level)
            if len(levels) > limit:
                break
        levels.sort(key=lambda s: (s.sku, s.location_key))
        more = len(levels) > limit
        levels = levels[:limit]
        next_cursor = encode_cursor(BY_SKU, levels[-1].sku, levels[-1].location_key) if more else None
        return ResultPage[StockLevel](items=levels, next_cursor=next_cursor, rejected=rejected)

    # ---- the whole warehouse --------------------------------------------------------------------------------

    def _sweep_page(
        self, location_keys: Sequence[str] | None, cursor: str | None, limit: int
    ) -> ResultPage[StockLevel]:
        rejected: list[str] = []
        if cursor is not None:
            listing_id, sku, location = decode_cursor(SWEEP, cursor, 3)
            exists, as_of = self.local.listing_as_of(str(listing_id))
            if not exists:
                raise RecordError(f"{SWEEP} listing", "cursor", "this listing expired; start it again")
            after: tuple[str, str] | None = (str(sku), str(location))
        else:
            rows, rejected, as_of = self._sweep(location_keys)
            listing_id, after = self.local.new_listing(rows, as_of), None
        found = self.local.listing_page(str(listing_id), after, limit + 1)
        more = len(found) > limit
        levels = [
            StockLevel(sku=k1, location_key=k2, quantity=q if q is not None else Decimal("0"), updated_at=as_of)
            for k1, k2, q in found[:limit]
        ]
        if not more:
            self.local.drop_listing(str(listing_id))
        next_cursor = encode_cursor(SWEEP, listing_id, levels[-1].sku, levels[-1].location_key) if more else None
        return ResultPage[StockLevel](items=levels, next_cursor=next_cursor, rejected=rejected)

    def _sweep(
        self, location_keys: Sequence[str] | None
    ) -> tuple[list[tuple[str, str, Decimal | None]], list[str], datetime | None]:
        rows: list[tuple[str, str, Decimal | None]] = []
        rejected: list[str] = []
        as_of = None
        for store in sorted(set(location_keys)) if location_keys is not None else [None]:
            id_from: int | None = None
            while True:
                request = StockListRequest(
                    store=store, page=Page(id_from=id_from, count=SWEEP_PAGE), restriction=QUANTITY_SWEEP
                )
                seen, last_id = 0, None
                with tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as sink:
                    self.mserver.download(list_stock(request, tz=self.mserver.client.tz), sink, "stock sweep")
                    sink.seek(0)
                    for chunk in iter_stock_chunks(sink, 500, tz=self.mserver.client.tz, company_ico=self.mserver.ico):
                        seen += len(chunk) + len(chunk.rejected)
                        rejected += [str(r) for r in chunk.rejected]
                        for card in chunk:
                            last_id = max(last_id or 0, card.id or 0)
                            as_of = as_of or card.exported_at
                            if card.stock_type in NOT_STOCKED:
                                continue
                            level = self._level(card, None)
                            if isinstance(level, StockLevel):
                                rows.append((level.sku, level.location_key, level.quantity))
                            else:
                                rejected.append(level)
                if seen < SWEEP_PAGE or not last_id:
                    break
                id_from = last_id + 1
        return rows, rejected, as_of
