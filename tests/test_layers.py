"""The house's layering, read from the imports themselves so it stays true.

    domain ← connectors ← blocks ← engine ← tasks ← flows ← deployments ← commerce_sync (the shell) / bench

and ``emulators`` stand on ``domain`` and ``connectors`` only. Every import counts, including the ones inside
functions and under ``TYPE_CHECKING``: a lazy import that points up is still a dependency that points up.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LAYERS = ["domain", "connectors", "blocks", "engine", "tasks", "flows", "deployments", "commerce_sync"]
RANK = {name: rank for rank, name in enumerate(LAYERS)} | {"bench": len(LAYERS)}
EMULATORS_MAY_IMPORT = {"domain", "connectors", "emulators"}
PACKAGES = [*RANK, "emulators"]


def _project_imports(path: Path) -> list[tuple[int, str]]:
    """(line, top-level package) of every import of a project package in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [(node.lineno, name.split(".")[0]) for name in names if name.split(".")[0] in PACKAGES]
    return found


def _violations(package: str, root: Path = REPO) -> list[str]:
    bad = []
    for path in sorted((root / package).rglob("*.py")):
        for line, target in _project_imports(path):
            where = f"{path.relative_to(root)}:{line} imports {target}"
            if package == "emulators":
                if target not in EMULATORS_MAY_IMPORT:
                    bad.append(where)
            elif target == "emulators":
                if package not in ("commerce_sync", "bench"):
                    bad.append(where)
            elif RANK[target] > RANK[package]:
                bad.append(where)
    return bad


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_point_down_the_layers_only(package):
    assert (REPO / package).is_dir(), f"{package}/ is missing"
    assert _violations(package) == []


def test_the_checker_sees_a_lazy_upward_import(tmp_path):
    (tmp_path / "domain").mkdir()
    (tmp_path / "domain" / "x.py").write_text("def f():\n    from flows.runtime import sync_run\n")
    (tmp_path / "emulators").mkdir()
    (tmp_path / "emulators" / "y.py").write_text("import blocks\n")
    assert _violations("domain", tmp_path) == ["domain/x.py:2 imports flows"]
    assert _violations("emulators", tmp_path) == ["emulators/y.py:1 imports blocks"]


def test_connectors_never_import_prefect():
    offenders = []
    for path in sorted((REPO / "connectors").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [module or ""]
            if any(name.split(".")[0] == "prefect" for name in names):
                offenders.append(str(path.relative_to(REPO)))
    assert offenders == []
