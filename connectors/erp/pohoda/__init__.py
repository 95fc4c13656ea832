"""The ``pohoda`` adapter of the ERP port: STORMWARE POHODA through mServer, plus a local state store.

See ``backend.py`` for the entry point and ``README.md`` in this folder for how the shop's data is laid out
in POHODA, what the local state holds, and where the adapter differs from the ``sql`` one.

The names below load on first use (PEP 562): every flow-run process imports the ERP blocks, which need
``settings`` only, and a SQL shop's run should not pay half a second for the POHODA adapter it never uses.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from connectors.erp.pohoda.backend import PohodaErpBackend
    from connectors.erp.pohoda.documents import DocumentStore, EmulatorDocuments, FolderDocuments, documents_from_env
    from connectors.erp.pohoda.local_state import LocalState
    from connectors.erp.pohoda.settings import PohodaSettings

_HOMES = {
    "DocumentStore": "documents",
    "EmulatorDocuments": "documents",
    "FolderDocuments": "documents",
    "documents_from_env": "documents",
    "LocalState": "local_state",
    "PohodaErpBackend": "backend",
    "PohodaSettings": "settings",
}

__all__ = [
    "DocumentStore",
    "EmulatorDocuments",
    "FolderDocuments",
    "LocalState",
    "PohodaErpBackend",
    "PohodaSettings",
    "documents_from_env",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{home}"), name)
