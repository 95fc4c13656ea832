"""The real POHODA schemas: requests are checked against ``data.xsd``, our own answers against ``response.xsd``.

Loading the set takes a fraction of a second, so each directory's schemas are built once per process and shared
by every emulator instance (``lxml.etree.XMLSchema`` validation is thread-safe for reading).
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

_LOCK = threading.Lock()


@dataclass(frozen=True)
class Schemas:
    data: etree.XMLSchema
    response: etree.XMLSchema


@functools.lru_cache(maxsize=4)
def _load(directory: str) -> Schemas:
    base = Path(directory)
    for name in ("data.xsd", "response.xsd"):
        if not (base / name).is_file():
            raise FileNotFoundError(f"POHODA XSD directory {base}: {name} not found")
    return Schemas(
        etree.XMLSchema(etree.parse(str(base / "data.xsd"))), etree.XMLSchema(etree.parse(str(base / "response.xsd")))
    )


def load_schemas(directory: Path | str) -> Schemas:
    with _LOCK:
        return _load(str(Path(directory).resolve()))


def first_errors(schema: etree.XMLSchema, document: etree._Element, limit: int = 3) -> list[str]:
    """Empty when ``document`` is valid; else up to ``limit`` "line N: message" strings."""
    if schema.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in list(schema.error_log)[:limit]]


class InvalidResponse(AssertionError):
    """The emulator built an answer ``response.xsd`` rejects: a bug in the emulator, never the client's fault."""
