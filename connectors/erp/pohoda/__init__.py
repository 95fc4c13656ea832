"""The ``pohoda`` adapter of the ERP port: STORMWARE POHODA through mServer, plus a local state store.

See ``backend.py`` for the entry point and ``README.md`` in this folder for how the shop's data is laid out
in POHODA, what the local state holds, and where the adapter differs from the ``sql`` one.
"""

from connectors.erp.pohoda.backend import PohodaErpBackend
from connectors.erp.pohoda.documents import DocumentStore, EmulatorDocuments, FolderDocuments, documents_from_env
from connectors.erp.pohoda.local_state import LocalState
from connectors.erp.pohoda.settings import PohodaSettings

__all__ = [
    "DocumentStore",
    "EmulatorDocuments",
    "FolderDocuments",
    "LocalState",
    "PohodaErpBackend",
    "PohodaSettings",
    "documents_from_env",
]
