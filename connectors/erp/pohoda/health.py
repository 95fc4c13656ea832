"""mServer's health as the maintenance run reports it: up or down, idle or busy, which unit, which program.

Four questions, each answered by the cheapest request that can answer it:
- is it up, and idle or busy (``GET /status``, no authentication, so a wrong password does not hide it);
- does it serve the configured accounting unit and year (``GET /status?companyDetail``, what the adapter
  checks before every first write);
- which POHODA program version answers (``responsePack/@programVersion`` of a one-item export: the stores);
- how long that export took, a real round trip through POHODA (``/status`` is answered by mServer alone).

A busy mServer is asked nothing more: an export would wait behind the work it is doing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from connectors.erp.pohoda.mserver import MServer
from connectors.pohoda.errors import PohodaError, WrongCompany
from connectors.pohoda.xml.agendas.stores import list_stores

__all__ = ["MServerHealth", "check_mserver"]


@dataclass(frozen=True)
class MServerHealth:
    """What ``check_mserver`` found; ``problem`` is None when the mServer can take the syncs' work now."""

    url: str
    state: str  # "up", "busy", "down", "wrong unit"
    processing: int | None = None
    company: str | None = None
    ico: str | None = None
    year: int | None = None
    program_version: str | None = None
    response_ms: int | None = None
    problem: str | None = None

    def rows(self) -> list[dict[str, str]]:
        """The health table's rows, one per question."""
        unit = " ".join(str(part) for part in (self.company, self.ico and f"IČO {self.ico}", self.year) if part)
        return [
            {
                "check": "mServer status",
                "result": self.state,
                "detail": self.problem or f"{self.processing or 0} requests in progress",
            },
            {"check": "accounting unit", "result": unit or "unknown", "detail": self.url},
            {"check": "program version", "result": self.program_version or "unknown", "detail": ""},
            {
                "check": "response time",
                "result": "" if self.response_ms is None else f"{self.response_ms} ms",
                "detail": "one export of the stores",
            },
        ]


def check_mserver(mserver: MServer, *, clock=time.monotonic) -> MServerHealth:
    """Ask ``mserver`` the four questions; a failure is a ``problem`` of the answer, never an exception."""
    client = mserver.client
    try:
        status = client.status()
    except PohodaError as exc:
        return MServerHealth(client.url, "down", problem=f"mServer does not answer: {exc}")
    if status.busy:
        return MServerHealth(
            client.url,
            "busy",
            processing=status.processing,
            problem=f"mServer is busy ({status.processing or '?'} requests in progress)",
        )
    try:
        detail = client.check_company(force=True)
    except WrongCompany as exc:
        return MServerHealth(client.url, "wrong unit", processing=status.processing, problem=str(exc))
    except PohodaError as exc:
        return MServerHealth(client.url, "down", processing=status.processing, problem=f"company check failed: {exc}")
    found = MServerHealth(
        client.url,
        "up",
        processing=status.processing,
        company=detail.company if detail else None,
        ico=detail.ico if detail else None,
        year=detail.year if detail else None,
    )
    started = clock()
    try:
        mserver.read_one(list_stores(), "health check")
    except PohodaError as exc:
        return replace(found, state="down", problem=f"export failed: {exc}")
    elapsed = round((clock() - started) * 1000)
    return replace(found, program_version=mserver.program_version, response_ms=elapsed)
