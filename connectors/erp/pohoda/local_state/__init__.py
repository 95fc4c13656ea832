"""The POHODA adapter's own bookkeeping: ``cs_pohoda_*`` tables beside the sync state (the issue's "local state store").

Why the adapter keeps state of its own, when the SQL adapter keeps none — one module per concern:
- ``marks``: single values, e.g. the ``lastChanges`` watermarks of the two indexes below.
- ``card_index`` and ``address_index``: POHODA cannot filter stock cards by a user field (``VPrItemKey``) nor
  address-book entries by e-mail or phone (``ftr:filter`` has no such elements; ``queryFilter`` is SQL on
  POHODA's tables). So the adapter mirrors the few keys it must search by — card → product key, address →
  e-mail/phone keys — refreshed incrementally. A row may outlive its record (POHODA reports no deletions):
  every hit is re-read from POHODA before it is used.
- ``orders`` and ``payments``: what a document was created from (the shop order's ``lines_signature``, the
  import revision after a deliberate delete) and which shop transactions were booked against an order.
- ``shipments``: POHODA has no flag for "sent to the shop", so a delivery note's sync outcome lives here.
- ``listings``: POHODA cannot sort a stock export by code, nor report when a card changed: a listing that must
  page in the port's order takes a snapshot on its first page and serves later pages from it.

:class:`LocalState` (``store.py``) joins them over one engine; every row carries ``scope`` (the company IČO),
so one database can serve several accounting units.
"""

from connectors.erp.pohoda.local_state.schema import metadata
from connectors.erp.pohoda.local_state.store import LocalState

__all__ = ["LocalState", "metadata"]
