"""Constants and canned mServer answers shared by the POHODA connector tests."""

from __future__ import annotations

ICO = "12345678"
USER = "eshop"
PASSWORD = "Tajné-heslo-42"


def company_detail(ico: str = ICO, year: int = 2025, name: str = "Ukázková firma s.r.o.") -> bytes:
    """``GET /status?companyDetail`` as mServer answers it (Windows-1250 XML)."""
    text = (
        f'<?xml version="1.0" encoding="Windows-1250"?>\n<mServer><status>idle</status><companyDetail>'
        f"<company>{name}</company><databaseName>StwPh_{ico}_{year}</databaseName><year>{year}</year>"
        "</companyDetail></mServer>"
    )
    return text.encode("cp1250")
