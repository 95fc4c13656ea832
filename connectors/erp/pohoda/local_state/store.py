"""``LocalState``: the POHODA adapter's ``cs_pohoda_*`` tables of one accounting unit, joined in one object.

Each concern lives in its own module (marks, card and address indexes, orders, payments, shipments,
listings); this class only joins them and owns the schema and the engine's lifetime.
"""

from __future__ import annotations

from connectors.erp.pohoda.local_state.address_index import AddressIndex
from connectors.erp.pohoda.local_state.card_index import CardIndex
from connectors.erp.pohoda.local_state.listings import Listings
from connectors.erp.pohoda.local_state.marks import Marks
from connectors.erp.pohoda.local_state.orders import OrderBook
from connectors.erp.pohoda.local_state.payments import PaymentBook
from connectors.erp.pohoda.local_state.schema import metadata
from connectors.erp.pohoda.local_state.shipments import ShipmentLog
from connectors.state import make_engine

__all__ = ["LocalState"]


class LocalState(Marks, CardIndex, AddressIndex, OrderBook, PaymentBook, ShipmentLog, Listings):
    """The ``cs_pohoda_*`` tables of one accounting unit (``scope`` = its IČO) on one SQLAlchemy engine."""

    @classmethod
    def from_url(cls, url: str, scope: str) -> LocalState:
        """A local state on a new engine, its tables created if missing."""
        local = cls(make_engine(url), scope)
        local.create_schema()
        return local

    def create_schema(self) -> None:
        metadata.create_all(self.engine, checkfirst=True)

    def close(self) -> None:
        self.engine.dispose()
