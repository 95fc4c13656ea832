"""Fixtures for the POHODA connector tests: the real STORMWARE schemas, the shared samples, a scripted mServer.

The XSDs are loaded once per session (``pohoda_xsd``) and every test that checks a document we send calls
``assert_valid_request``; tests that need them skip on a bare clone without ``../shared``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree
from pohoda_support import ICO, PASSWORD, USER, company_detail

from connectors.pohoda.client import MServerClient


@dataclass
class PohodaSchemas:
    data: etree.XMLSchema
    response: etree.XMLSchema

    def errors(self, schema: etree.XMLSchema, document: bytes) -> list[str]:
        root = etree.fromstring(document)
        if schema.validate(root):
            return []
        return [f"line {e.line}: {e.message}" for e in schema.error_log]

    def assert_valid_request(self, document: bytes) -> None:
        problems = self.errors(self.data, document)
        assert not problems, "\n".join(problems)

    def assert_valid_response(self, document: bytes) -> None:
        problems = self.errors(self.response, document)
        assert not problems, "\n".join(problems)


@pytest.fixture(scope="session")
def pohoda_reference(shared_dir: Path) -> Path:
    return shared_dir / "reference" / "pohoda"


@pytest.fixture(scope="session")
def pohoda_xsd(pohoda_reference: Path) -> PohodaSchemas:
    xsd = pohoda_reference / "xsd"
    return PohodaSchemas(
        data=etree.XMLSchema(etree.parse(str(xsd / "data.xsd"))),
        response=etree.XMLSchema(etree.parse(str(xsd / "response.xsd"))),
    )


@pytest.fixture(scope="session")
def samples(pohoda_reference: Path) -> Path:
    return pohoda_reference / "samples"


@dataclass
class ScriptedMServer:
    """A fake mServer: answers by path, records every request it saw."""

    company: bytes
    answer: Callable[[httpx.Request], httpx.Response]
    requests: list[httpx.Request]

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/status" and "companyDetail" in str(request.url):
            return httpx.Response(200, content=self.company, headers={"content-type": "text/xml"})
        if request.url.path == "/status":
            return httpx.Response(200, content=b"<mServer><status>idle</status><processing>0</processing></mServer>")
        return self.answer(request)

    @property
    def posts(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == "POST"]


@pytest.fixture
def mserver() -> Callable[..., tuple[MServerClient, ScriptedMServer]]:
    """``mserver(answer, company=…, **client_options)`` → (client, scripted server)."""

    def build(
        answer: Callable[[httpx.Request], httpx.Response], *, company: bytes | None = None, **options: Any
    ) -> tuple[MServerClient, ScriptedMServer]:
        server = ScriptedMServer(company or company_detail(), answer, [])
        client = MServerClient(
            "http://127.0.0.1:444",
            USER,
            options.pop("password", PASSWORD),
            application=options.pop("application", "commerce-sync"),
            company_ico=options.pop("company_ico", ICO),
            http=httpx.Client(transport=httpx.MockTransport(server.handler)),
            clock=options.pop("clock", lambda: datetime(2025, 6, 1, tzinfo=UTC)),
            **options,
        )
        return client, server

    return build
