"""Id mappings (shop GID ⇄ ERP key) and content hashes / last-sent values, per (shop, entity).

Both are written in bulk — a product sync maps thousands of variants, an inventory sync remembers thousands
of quantities — so writes are one dialect upsert (``INSERT … ON CONFLICT DO UPDATE``) executed over all
rows, and reads filter by one array parameter (PostgreSQL) or chunked ``IN`` lists (SQLite).

A mapping is one-to-one: mapping a shop id to a new ERP key drops its old pairing in the same transaction,
so a lookup in either direction has one answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from connectors.state._base import StoreBase, require_key
from connectors.state.schema import hashes
from connectors.state.schema import id_mappings as im

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MappingStore"]


class MappingStore(StoreBase):
    """Id mappings and content hashes."""

    # --- id mappings -------------------------------------------------------------------------------------

    def put_mappings(
        self, shop: str, entity: str, pairs: Iterable[tuple[str, str]], conn: sa.Connection | None = None
    ) -> int:
        """Upsert ``(erp_key, shop_id)`` pairs; returns how many pairs were written.

        A pair list that maps one key to two partners is refused whole (``ValueError`` naming the key):
        silently keeping one of them would attach a shop product to the wrong ERP item.
        """
        require_key(shop, "shop")
        require_key(entity, "entity")
        by_erp: dict[str, str] = {}
        by_shop: dict[str, str] = {}
        for erp_key, shop_id in pairs:
            record = f"{entity} mapping {erp_key!r} -> {shop_id!r}"
            require_key(erp_key, "erp_key", record)
            require_key(shop_id, "shop_id", record)
            if (other := by_erp.setdefault(erp_key, shop_id)) != shop_id:
                raise ValueError(f"{entity} erp_key {erp_key!r} is paired with both {other!r} and {shop_id!r}")
            if (other := by_shop.setdefault(shop_id, erp_key)) != erp_key:
                raise ValueError(f"{entity} shop_id {shop_id!r} is paired with both {other!r} and {erp_key!r}")
        if not by_erp:
            return 0
        now = self._now()
        with self._write(conn) as c:
            moved = [
                old for shop_id, old in self.erp_keys(shop, entity, by_shop, conn=c).items() if old != by_shop[shop_id]
            ]
            self.delete_mappings(shop, entity, moved, conn=c)
            ins = self._insert(c, im)
            c.execute(
                ins.on_conflict_do_update(
                    index_elements=[im.c.shop, im.c.entity, im.c.erp_key],
                    set_={"shop_id": ins.excluded.shop_id, "updated_at": ins.excluded.updated_at},
                ),
                [
                    {"shop": shop, "entity": entity, "erp_key": k, "shop_id": v, "updated_at": now}
                    for k, v in by_erp.items()
                ],
            )
        return len(by_erp)

    def shop_ids(
        self, shop: str, entity: str, erp_keys: Iterable[str], *, conn: sa.Connection | None = None
    ) -> dict[str, str]:
        """``{erp_key: shop_id}`` for the keys that are mapped; unmapped keys are simply absent."""
        query = sa.select(im.c.erp_key, im.c.shop_id).where(im.c.shop == shop, im.c.entity == entity)
        with self._read(conn) as c:
            return {row.erp_key: row.shop_id for row in self._select_in(c, query, im.c.erp_key, erp_keys)}

    def erp_keys(
        self, shop: str, entity: str, shop_ids: Iterable[str], *, conn: sa.Connection | None = None
    ) -> dict[str, str]:
        """``{shop_id: erp_key}`` for the shop ids that are mapped; unmapped ids are simply absent."""
        query = sa.select(im.c.erp_key, im.c.shop_id).where(im.c.shop == shop, im.c.entity == entity)
        with self._read(conn) as c:
            return {row.shop_id: row.erp_key for row in self._select_in(c, query, im.c.shop_id, shop_ids)}

    def all_mappings(self, shop: str, entity: str, *, conn: sa.Connection | None = None) -> pd.DataFrame:
        """Every mapping of (shop, entity) as a frame with columns ``erp_key``, ``shop_id``, sorted by key.

        A frame, because reconcile and maintenance diff whole sets (``isin``, ``merge(indicator=True)``).
        """
        query = (
            sa.select(im.c.erp_key, im.c.shop_id).where(im.c.shop == shop, im.c.entity == entity).order_by(im.c.erp_key)
        )
        with self._read(conn) as c:
            rows = c.execute(query).all()
        import pandas as pd  # here, not at the top: pandas costs every flow-run process ~1 s to import

        return pd.DataFrame.from_records(rows, columns=["erp_key", "shop_id"])

    def delete_mappings(
        self, shop: str, entity: str, erp_keys: Iterable[str], conn: sa.Connection | None = None
    ) -> int:
        """Forget the mappings of these ERP keys (the item was deleted on one side); returns rows deleted."""
        query = sa.delete(im).where(im.c.shop == shop, im.c.entity == entity)
        with self._write(conn) as c:
            return self._delete_in(c, query, im.c.erp_key, erp_keys)

    # --- content hashes / last-sent values ---------------------------------------------------------------

    def put_hashes(self, shop: str, entity: str, values: Mapping[str, str], conn: sa.Connection | None = None) -> int:
        """Upsert ``{key: hash}`` (a content hash, or the last value sent, e.g. a quantity); returns count."""
        require_key(shop, "shop")
        require_key(entity, "entity")
        rows: list[dict[str, Any]] = []
        now = self._now()
        for key, value in values.items():
            if not isinstance(key, str) or not key or len(key) > 512:
                raise ValueError(f"{entity} hash key {key!r} must be a non-empty string of at most 512 characters")
            if not isinstance(value, str):
                raise ValueError(f"{entity} {key!r}: hash must be a string, got {type(value).__name__}")
            rows.append({"shop": shop, "entity": entity, "key": key, "hash": value, "updated_at": now})
        if not rows:
            return 0
        with self._write(conn) as c:
            ins = self._insert(c, hashes)
            c.execute(
                ins.on_conflict_do_update(
                    index_elements=[hashes.c.shop, hashes.c.entity, hashes.c.key],
                    set_={"hash": ins.excluded.hash, "updated_at": ins.excluded.updated_at},
                ),
                rows,
            )
        return len(rows)

    def get_hashes(
        self, shop: str, entity: str, keys: Iterable[str] | None = None, *, conn: sa.Connection | None = None
    ) -> dict[str, str]:
        """``{key: hash}`` for the given keys (absent when never stored), or for every key when ``None``."""
        query = sa.select(hashes.c.key, hashes.c.hash).where(hashes.c.shop == shop, hashes.c.entity == entity)
        with self._read(conn) as c:
            rows = c.execute(query).all() if keys is None else self._select_in(c, query, hashes.c.key, keys)
        return {row.key: row.hash for row in rows}

    def delete_hashes(self, shop: str, entity: str, keys: Iterable[str], conn: sa.Connection | None = None) -> int:
        """Forget stored hashes, so the next sync sends these records again; returns rows deleted."""
        query = sa.delete(hashes).where(hashes.c.shop == shop, hashes.c.entity == entity)
        with self._write(conn) as c:
            return self._delete_in(c, query, hashes.c.key, keys)
