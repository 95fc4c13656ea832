"""Configuration of one emulated mServer: who may call it, which accounting unit it serves, what goes wrong.

One mServer configuration is bound to one accounting unit (company IČO **and** fiscal year), so the company
data lives here, not in the state: ``GET /status?companyDetail`` reports it and a dataPack whose ``ico`` differs
is refused as a whole, as the real one does.

Faults are shares (0.0–1.0) drawn from a seeded ``random.Random`` so a test that asks for "20 % busy" sees the
same sequence every run, and a script makes the N-th request fail exactly (see :mod:`emulators.faults`); they
can be swapped at runtime (``PohodaEmulator.set_faults`` or ``POST /_emulator/faults``).
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from emulators import faults
from emulators.faults import Share

DEFAULT_USER = "admin"
DEFAULT_PASSWORD = "pohoda-emulator"
DEFAULT_ICO = "12345678"
PROGRAM_VERSION = "14200.0 SQL (16.10.2025)"


class FaultConfig(faults.FaultConfig):
    """What share of ``POST /xml`` requests fail, and how. Each request draws once per kind, in this order:
    ``latency`` (always added), ``error_5xx``, ``busy``; then, for a request that applied imports,
    ``drop_after_apply``. ``script`` and ``token_revoked``: see :mod:`emulators.faults`; revoked credentials
    (the user's password changed or the user removed in POHODA) get the 401 a wrong password gets, on
    ``/xml``, ``/status?companyDetail`` and ``/documents`` alike.
    """

    busy: Share = Field(0.0, ge=0, le=1, description="answer 503 'busy' without processing")
    busy_when_locked: bool = Field(
        False, description="a request arriving while another is processed answers busy instead of waiting"
    )
    item_seconds: float = Field(
        0.0, ge=0, description="seconds each imported dataPackItem takes, after it is applied (a slow import)"
    )


class PohodaEmulatorConfig(BaseModel):
    """One mServer configuration (``Pohoda.exe /HTTP start "<name>"``) and the accounting unit it opens."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field("commerce-sync", min_length=1, description="mServer configuration name (/status 'name')")
    user: str = Field(DEFAULT_USER, min_length=1)
    password: SecretStr = SecretStr(DEFAULT_PASSWORD)
    company_ico: str = Field(DEFAULT_ICO, min_length=1, max_length=15)
    company_name: str = Field("Ukázková firma s.r.o.", min_length=1)
    fiscal_year: int = Field(2025, ge=1990, le=2100)
    fiscal_year_start: date | None = Field(None, description="accounting unit start; default 1 Jan of fiscal_year")
    fiscal_year_end: date | None = Field(None, description="accounting unit end; default 31 Dec of fiscal_year")
    time_zone: str = Field("Europe/Prague", description="POHODA stores local times without an offset")
    program_version: str = PROGRAM_VERSION
    status_plain: bool = Field(False, description="GET /status answers a bare string instead of XML")
    stock_moves_bump_last_changes: bool = Field(
        True, description="a delivery note changing a card's quantity also moves the card's lastChanges"
    )
    xsd_dir: Path | None = Field(
        default_factory=lambda: _env_path("POHODA_XSD_DIR"),
        description="validate requests (data.xsd) and our answers (response.xsd) against these XSDs; None = off",
    )
    record_dir: Path | None = Field(default_factory=lambda: _env_path("COMMERCE_SYNC_RECORD_DIR"))
    faults: FaultConfig = Field(default_factory=FaultConfig)

    @model_validator(mode="after")
    def _fill_dates(self) -> PohodaEmulatorConfig:
        if self.fiscal_year_start is None:
            self.fiscal_year_start = date(self.fiscal_year, 1, 1)
        if self.fiscal_year_end is None:
            self.fiscal_year_end = date(self.fiscal_year, 12, 31)
        if self.fiscal_year_end < self.fiscal_year_start:
            raise ValueError("fiscal_year_end is before fiscal_year_start")
        return self

    @property
    def database_name(self) -> str:
        """MSSQL database of the accounting unit, as POHODA names it."""
        return f"StwPh_{self.company_ico}_{self.fiscal_year}"


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None
