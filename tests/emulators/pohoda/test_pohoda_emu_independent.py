"""The emulator reads requests with its own lxml code, never through the connector's readers or models.

An emulator that parsed requests with ``connectors.pohoda``'s models would accept whatever the connector
writes — the connector's mistakes included — so the tests against it would prove nothing.
"""

from __future__ import annotations

import ast
from pathlib import Path

import emulators.pohoda

FORBIDDEN = ("connectors.pohoda.models", "connectors.pohoda.xml", "connectors.pohoda.mapping", "connectors.erp")


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.update([node.module, *(f"{node.module}.{alias.name}" for alias in node.names)])
    return found


def test_no_emulator_module_imports_the_connectors_readers_or_models() -> None:
    package = Path(emulators.pohoda.__file__).parent
    offenders = {
        f"{path.name}: {name}"
        for path in sorted(package.glob("*.py"))
        for name in _imports(path)
        if name.startswith(FORBIDDEN)
    }
    assert not offenders, f"the emulator must read requests on its own: {sorted(offenders)}"


def test_the_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "reader.py"
    module.write_text("from connectors.pohoda import xml\nfrom connectors.pohoda.xml.parsers import read_order\n")
    assert {"connectors.pohoda.xml", "connectors.pohoda.xml.parsers"} <= _imports(module)
