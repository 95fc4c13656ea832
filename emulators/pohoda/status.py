"""``GET /status``: the answer tools use to see whether mServer is up and which accounting unit it serves.

The XML form (root ``mServer``) carries ``message`` "Response from POHODA mServer", ``name`` (configuration),
``server``, ``status`` (``idle`` | ``busy``) and ``processing`` (requests in progress); with ``?companyDetail``
also ``companyDetail`` (``company``, ``ico``, ``databaseName``, ``year``, accounting-unit dates). Some mServer
builds answer the plain call with a bare string, so ``status_plain`` switches to that form: clients must parse
defensively.
"""

from __future__ import annotations

from lxml import etree

from .config import PohodaEmulatorConfig

MESSAGE = "Response from POHODA mServer"


def status_body(config: PohodaEmulatorConfig, processing: int, server: str, company_detail: bool) -> tuple[bytes, str]:
    state = "busy" if processing else "idle"
    if config.status_plain and not company_detail:
        return f"{MESSAGE}: {state}".encode(), "text/plain; charset=utf-8"
    root = etree.Element("mServer")
    for name, value in (
        ("message", MESSAGE),
        ("name", config.name),
        ("server", server),
        ("status", state),
        ("processing", str(processing)),
    ):
        etree.SubElement(root, name).text = value
    if company_detail:
        detail = etree.SubElement(root, "companyDetail")
        for name, value in (
            ("company", config.company_name),
            ("ico", config.company_ico),
            ("databaseName", config.database_name),
            ("year", str(config.fiscal_year)),
            ("dateFrom", config.fiscal_year_start.isoformat()),
            ("dateTo", config.fiscal_year_end.isoformat()),
        ):
            etree.SubElement(detail, name).text = value
    return (
        etree.tostring(root, xml_declaration=True, encoding="Windows-1250", pretty_print=True),
        "text/xml; charset=Windows-1250",
    )
