"""mServer's ``GET /status`` and ``GET /status?companyDetail`` answers, read defensively.

``/status`` (no authentication) says whether mServer is ``idle`` or ``busy`` and how many requests it is
processing; some installations answer a bare string instead of XML, so that is accepted too (``message``).
``/status?companyDetail`` (authenticated) names the accounting unit the mServer configuration has open:
company name, database (``StwPh_<IČO>_<year>`` for POHODA SQL) and fiscal year. The IČO is taken from an
``ico`` element when present, else from the database name: that is what the client compares with the
configured company before it writes anything.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from connectors.pohoda.namespaces import local_name
from connectors.pohoda.xml.safe import parse_document

__all__ = ["CompanyDetail", "ServerStatus", "read_company_detail", "read_status"]

_DATABASE = re.compile(r"StwPh_(\d{6,10})_(\d{4})", re.IGNORECASE)
_PLAIN_STATE = re.compile(r"\b(idle|busy)\b", re.IGNORECASE)


class ServerStatus(BaseModel):
    model_config = ConfigDict(frozen=True)

    status: str | None = None
    processing: int | None = None
    name: str | None = None
    server: str | None = None
    message: str | None = None

    @property
    def busy(self) -> bool:
        return (self.status or "").lower() == "busy"


class CompanyDetail(BaseModel):
    model_config = ConfigDict(frozen=True)

    company: str | None = None
    database_name: str | None = None
    year: int | None = None
    ico: str | None = None


def _texts(data: bytes) -> tuple[dict[str, str], str | None]:
    """Local element name → text of every element (first wins), or ``({}, message)`` for a plain answer."""
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped.startswith(b"<"):
        return {}, data.decode("cp1250", errors="replace").strip() or None
    root = parse_document(bytes(stripped))
    found: dict[str, str] = {}
    for element in root.iter():
        name = local_name(element.tag)
        if name and element.text and element.text.strip() and name not in found:
            found[name] = element.text.strip()
    return found, found.get("message")


def read_status(data: bytes) -> ServerStatus:
    found, message = _texts(data)
    processing = found.get("processing")
    plain = _PLAIN_STATE.search(message or "") if not found else None
    return ServerStatus(
        status=found.get("status") or (plain.group(1).lower() if plain else None),
        processing=int(processing) if processing and processing.isdigit() else None,
        name=found.get("name"),
        server=found.get("server"),
        message=message,
    )


def read_company_detail(data: bytes) -> CompanyDetail:
    found, _ = _texts(data)
    database = found.get("databaseName")
    match = _DATABASE.search(database or "")
    year = found.get("year")
    ico = found.get("ico") or (match.group(1) if match else None)
    if year is None and match:
        year = match.group(2)
    return CompanyDetail(
        company=found.get("company"),
        database_name=database,
        year=int(year) if year and year.strip().isdigit() else None,
        ico=ico,
    )
