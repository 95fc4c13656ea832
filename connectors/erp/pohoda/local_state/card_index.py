"""The card index (``cs_pohoda_cards``): card → code, store and product key.

POHODA cannot filter stock cards by a user field, so finding the cards of a product (``VPrItemKey``) needs
this mirror; a hit is re-read from POHODA before it is used, since a row may outlive its card.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from connectors.erp.pohoda.local_state._base import LocalBase, chunked
from connectors.erp.pohoda.local_state.schema import cards

__all__ = ["CardIndex"]


class CardIndex(LocalBase):
    def put_cards(self, rows: Iterable[tuple[int, str, str | None, str]], *, replace: bool = False) -> None:
        """``(card_id, code, store, product_key)`` rows; ``replace`` drops every other card of the scope."""
        data = [{"card_id": i, "code": c, "store": s, "product_key": k} for i, c, s, k in rows]
        with self._tx() as conn:
            if replace:
                conn.execute(cards.delete().where(self._where(cards)))
            self._upsert(conn, cards, data)

    def codes_of(self, product_keys: Iterable[str]) -> dict[str, list[str]]:
        """Card codes (SKUs) per product key, each code once, in card-id order."""
        found: dict[str, list[str]] = {}
        with self.engine.connect() as conn:
            for chunk in chunked(sorted(set(product_keys))):
                query = (
                    sa.select(cards.c.product_key, cards.c.code)
                    .where(self._where(cards), cards.c.product_key.in_(chunk))
                    .order_by(cards.c.card_id)
                )
                for row in conn.execute(query):
                    codes = found.setdefault(row.product_key, [])
                    if row.code not in codes:
                        codes.append(row.code)
        return found

    def card_product_keys(self) -> dict[int, str]:
        """Every indexed card's product key, by card id."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(cards.c.card_id, cards.c.product_key).where(self._where(cards)))
            return {row.card_id: row.product_key for row in rows}
