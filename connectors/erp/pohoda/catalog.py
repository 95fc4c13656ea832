"""Items: stock cards read from POHODA, grouped into products, and the listing of items changed in a window.

How "changed since" works without a change time per card (POHODA exports none):
- ``lStk:listStockRequest`` with ``ftr:lastChanges`` lists the cards whose *latest* change is at or after a
  time, keyset-paged with ``limit/idFrom`` + ``count``. A window ``[since, until)`` is the cards changed since
  ``since`` minus the cards changed since ``until`` — a card changed in the window and again after ``until``
  is therefore delivered by the next window instead, never lost. ``since`` None starts from every card.
- The changed cards' product keys (``VPrItemKey``) are stored as a snapshot on the first page; pages then go
  through the snapshot in product-key order, so they neither repeat nor skip an item while cards change.
- A product is assembled from *all* its cards, also unchanged ones: the card index (``LocalState``, kept
  current with ``lastChanges``) knows the codes of every product key, and the cards are then fetched by code,
  many per dataPack.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import ValidationError

from connectors.erp.errors import RecordError, record_error
from connectors.erp.paging import decode_cursor, encode_cursor
from connectors.erp.pohoda.cards import CatalogSettings, group_cards, product_key, store_of, to_product
from connectors.erp.pohoda.local_state import LocalState
from connectors.erp.pohoda.mserver import MServer
from connectors.pohoda.models.requests import QUANTITY_SWEEP, Page, StockListRequest, StockPart
from connectors.pohoda.models.responses import Rejected
from connectors.pohoda.models.stock import IntParamDefinition, StockItem
from connectors.pohoda.namespaces import NS
from connectors.pohoda.xml.agendas.int_params import list_int_params
from connectors.pohoda.xml.agendas.stock import list_stock
from connectors.pohoda.xml.limits import MAX_LENGTH
from domain.models import Page as ResultPage
from domain.models import Product

__all__ = ["INDEX_PARTS", "PICTURE_PARTS", "PRODUCT_PARTS", "CardPage", "Cards"]

LISTING = "pohoda-items"
INDEX_PARTS: dict[StockPart, bool] = {**QUANTITY_SWEEP, "stockParameters": True}
"""Header and user fields only: enough to know a card's product key."""
PICTURE_PARTS: dict[StockPart, bool] = {**INDEX_PARTS, "pictures": True}
PRODUCT_PARTS: dict[StockPart, bool] = {
    part: False
    for part in (
        "relatedFiles",
        "relatedLinks",
        "pictures",
        "relatedStocks",
        "alternativeStocks",
        "stockAttach",
        "stockSerialNumber",
    )
}
"""Everything a product needs (categories, internet parameters, price levels, user fields), nothing heavier."""
_MAX_CODE = MAX_LENGTH["ftr:filterStocksType/code"]


@dataclass
class CardPage:
    cards: list[StockItem]
    rejected: list[Rejected]
    exported_at: datetime | None
    size: int = 0
    last_id: int | None = None


@dataclass
class Assembled:
    products: list[Product] = field(default_factory=list)
    problems: list[RecordError] = field(default_factory=list)

    @property
    def rejected(self) -> list[str]:
        return [str(problem) for problem in self.problems]


def _problem(rejected: Rejected) -> RecordError:
    return RecordError(rejected.record, rejected.field, rejected.reason)


class Cards:
    """Stock cards of one POHODA, the card index, and the products they make."""

    def __init__(
        self, mserver: MServer, local: LocalState, settings: CatalogSettings, *, page_size: int = 1000
    ) -> None:
        self.mserver = mserver
        self.local = local
        self.settings = settings
        self.page_size = page_size

    # ---- reading cards -------------------------------------------------------------------------------------

    def pages(self, request: StockListRequest) -> Iterator[CardPage]:
        """Every page of a stock export, keyset-paged by card id (``idFrom`` = highest id seen + 1)."""
        id_from: int | None = None
        while True:
            paged = request.model_copy(update={"page": Page(id_from=id_from, count=self.page_size)})
            answer = self.mserver.read_one(list_stock(paged, tz=self.mserver.client.tz), "stock export")
            ids = (
                [
                    int(e.text)
                    for e in answer.element.iterfind("lStk:stock/stk:stockHeader/stk:id", NS)
                    if e.text and e.text.strip().isdigit()
                ]
                if answer.element is not None
                else []
            )
            yield CardPage(
                answer.records, answer.item.rejected, answer.item.exported_at, len(ids), max(ids, default=None)
            )
            if len(ids) < self.page_size or not ids:
                return
            id_from = max(ids) + 1

    def by_codes(
        self, codes: Sequence[str], parts: dict[StockPart, bool], extra: Sequence = ()
    ) -> tuple[list[StockItem], list[Rejected], list]:
        """The cards (every store) with exactly these codes, one export item per code, many per pack.

        ``extra`` items ride along in the first pack; their answers are returned third.
        """
        wanted = sorted({c for c in codes if c and len(c) <= _MAX_CODE})
        items = [
            *extra,
            *(list_stock(StockListRequest(code=code, restriction=parts), tz=self.mserver.client.tz) for code in wanted),
        ]
        if not items:
            return [], [], []
        answers = self.mserver.read(items, "stock cards by code")
        cards: list[StockItem] = []
        rejected: list[Rejected] = []
        for code, answer in zip(wanted, answers[len(extra) :], strict=False):
            cards += [card for card in answer.records if card.code == code]
            rejected += answer.item.rejected
        return cards, rejected, answers[: len(extra)]

    # ---- the card index ------------------------------------------------------------------------------------

    def refresh_index(self, *, full: bool = False) -> None:
        """Bring the card index up to date: everything on first use (or when ``full``), then the cards changed
        since the last time. Only a full sweep forgets deleted cards: ``lastChanges`` lists no deletions."""
        mark = None if full else self.local.mark("cards")
        since = datetime.fromisoformat(mark) if mark else None
        rows: list[tuple[int, str, str | None, str]] = []
        stamp = None
        for page in self.pages(StockListRequest(last_changes=since, restriction=INDEX_PARTS)):
            stamp = stamp or page.exported_at
            rows += [
                (c.id, c.code, store_of(c), product_key(c, self.settings.item_key_parameter))
                for c in page.cards
                if c.id is not None
            ]
        self.local.put_cards(rows, replace=since is None)
        if stamp is not None:
            self.local.set_mark("cards", stamp.isoformat())

    def existing_keys(self, keys: Sequence[str]) -> set[str]:
        """Which of these product keys still have a card, after a full sweep of the card index (headers and
        user fields only), since POHODA tells of no deleted card. A card taken off the internet still counts."""
        self.refresh_index(full=True)
        return set(self.local.card_product_keys().values()) & set(keys)

    # ---- products ------------------------------------------------------------------------------------------

    def products(self, keys: Sequence[str], *, refresh: bool = True) -> Assembled:
        """The products with these keys, ordered by key; unknown keys are left out."""
        if refresh:
            self.refresh_index()
        wanted = set(keys)
        codes = self.local.codes_of(wanted)
        cards, rejected, (definitions_answer,) = self.by_codes(
            [code for group in codes.values() for code in group], PRODUCT_PARTS, extra=[list_int_params()]
        )
        definitions: dict[int, IntParamDefinition] = {d.id: d for d in definitions_answer.records}
        result = Assembled(problems=[_problem(r) for r in rejected])
        groups = group_cards(cards, self.settings.item_key_parameter)
        for key in sorted(k for k in groups if k in wanted):
            try:
                result.products.append(to_product(key, groups[key], definitions, self.settings))
            except RecordError as exc:
                result.problems.append(exc)
            except ValidationError as exc:
                result.problems.append(record_error(f"item {key}", exc))
        return result

    def changed_keys(self, since: datetime | None, until: datetime | None) -> tuple[list[str], datetime | None]:
        """Product keys of the cards whose latest change is in ``[since, until)``, and when POHODA said so."""
        self.refresh_index()
        as_of = None
        if since is None:
            keys_by_card = self.local.card_product_keys()
        else:
            keys_by_card = {}
            for page in self.pages(StockListRequest(last_changes=since, restriction=INDEX_PARTS)):
                as_of = as_of or page.exported_at
                keys_by_card.update(
                    {c.id: product_key(c, self.settings.item_key_parameter) for c in page.cards if c.id is not None}
                )
        if until is not None:
            for page in self.pages(StockListRequest(last_changes=until, restriction=QUANTITY_SWEEP)):
                as_of = as_of or page.exported_at
                for card in page.cards:
                    if card.id is not None:
                        keys_by_card.pop(card.id, None)
        return sorted(set(keys_by_card.values())), as_of

    def changed_page(
        self, since: datetime | None, until: datetime | None, cursor: str | None, limit: int
    ) -> ResultPage[Product]:
        if cursor is not None:
            listing_id, after = decode_cursor(LISTING, cursor, 2)
            if not self.local.listing_as_of(str(listing_id))[0]:
                raise RecordError(f"{LISTING} listing", "cursor", "this listing expired; start it again")
        else:
            keys, as_of = self.changed_keys(since, until)
            listing_id, after = self.local.new_listing(((k, "", None) for k in keys), as_of), None
        rows = self.local.listing_page(str(listing_id), (str(after), "") if after is not None else None, limit + 1)
        keys = [row[0] for row in rows[:limit]]
        more = len(rows) > limit
        assembled = self.products(keys, refresh=cursor is not None)
        if not more:
            self.local.drop_listing(str(listing_id))
        next_cursor = encode_cursor(LISTING, listing_id, keys[-1]) if more else None
        return ResultPage[Product](items=assembled.products, next_cursor=next_cursor, rejected=assembled.rejected)
