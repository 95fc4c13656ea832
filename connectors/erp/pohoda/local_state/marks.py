"""Single named values (``cs_pohoda_marks``): the indexes' ``lastChanges`` watermarks, the shipments floor."""

from __future__ import annotations

import sqlalchemy as sa

from connectors.erp.pohoda.local_state._base import LocalBase
from connectors.erp.pohoda.local_state.schema import marks

__all__ = ["Marks"]


class Marks(LocalBase):
    def mark(self, name: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.scalar(sa.select(marks.c.value).where(self._where(marks), marks.c.name == name))

    def set_mark(self, name: str, value: str | None) -> None:
        """Store ``value`` under ``name``; ``None`` forgets it."""
        with self._tx() as conn:
            if value is None:
                conn.execute(marks.delete().where(self._where(marks), marks.c.name == name))
            else:
                self._upsert(conn, marks, [{"name": name, "value": value}])
