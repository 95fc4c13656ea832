"""Where picture files go: POHODA's documents folder, which the XML interface cannot write.

A stock card names its pictures by file name only (``stk:pictures/stk:picture/stk:filepath``); the files must
already lie in the company's documents folder under ``Obrázky\\`` (``Dokumenty\\<firma>\\Obrázky``). mServer
serves that folder read-only (``GET /documents/...``), so a bridge that imports shop images writes the file
through some other way, then links it on the card. That way is a :class:`DocumentStore`:

- :class:`FolderDocuments`: the documents folder as a mounted path (an SMB share of the POHODA server, e.g.
  ``/mnt/pohoda/Dokumenty/Firma``) — the real installation;
- :class:`EmulatorDocuments`: the emulator's stand-in, ``PUT /_emulator/documents/<path>``.

Choose one with the ``documents`` argument of the adapter (``PohodaMServer.backend(documents=...)``), or the
environment: ``COMMERCE_SYNC_POHODA_DOCUMENTS`` = a folder path, or ``emulator`` for the emulator at the
block's URL. Without one, reading pictures works and writing them is refused with a clear error.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

import httpx

from connectors.erp.errors import ErpRefused, ErpUnavailable

__all__ = ["DOCUMENTS_ENV", "DocumentStore", "EmulatorDocuments", "FolderDocuments", "documents_from_env"]

DOCUMENTS_ENV = "COMMERCE_SYNC_POHODA_DOCUMENTS"


class DocumentStore(Protocol):
    def put(self, path: str, content: bytes) -> None:
        """Write ``content`` at ``path`` (``Obrázky/chair-0.jpg``) of the company's documents folder."""


def _relative(path: str) -> Path:
    relative = Path(path.replace("\\", "/").strip("/"))
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise ErpRefused(f"document path {path!r} must stay inside the documents folder")
    return relative


class FolderDocuments:
    """The documents folder, mounted; files are replaced atomically (a reader never sees half a picture)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"FolderDocuments({str(self.root)!r})"

    def put(self, path: str, content: bytes) -> None:
        target = self.root / _relative(path)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=target.parent, delete=False, prefix=".cs-") as handle:
                handle.write(content)
            os.replace(handle.name, target)
        except OSError as exc:
            raise ErpUnavailable(f"POHODA documents folder {self.root}: cannot write {path}: {exc.strerror}") from exc


class EmulatorDocuments:
    """The emulator's documents folder (``PUT /_emulator/documents/<path>``): the demo's and the tests' store."""

    def __init__(self, base_url: str, http: httpx.Client | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = http or httpx.Client(timeout=30.0)

    def __repr__(self) -> str:
        return f"EmulatorDocuments({self.base_url!r})"

    def put(self, path: str, content: bytes) -> None:
        url = f"{self.base_url}/_emulator/documents/{quote(_relative(path).as_posix())}"
        try:
            response = self._http.put(url, content=content)
        except httpx.HTTPError as exc:
            raise ErpUnavailable(f"POHODA emulator {self.base_url}: cannot write {path}: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            raise ErpUnavailable(f"POHODA emulator {self.base_url}: writing {path} gave HTTP {response.status_code}")
        if response.status_code >= 300:
            raise ErpRefused(f"POHODA emulator {self.base_url}: writing {path} gave HTTP {response.status_code}")


def documents_from_env(mserver_url: str) -> DocumentStore | None:
    """The store ``COMMERCE_SYNC_POHODA_DOCUMENTS`` names (a folder, or ``emulator``), else None."""
    value = os.environ.get(DOCUMENTS_ENV, "").strip()
    if not value:
        return None
    if value.lower() == "emulator":
        return EmulatorDocuments(mserver_url)
    return FolderDocuments(value)
