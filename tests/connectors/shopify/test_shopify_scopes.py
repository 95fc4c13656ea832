"""Access scopes: the table of what each flow needs follows the operations its tasks use; granted scopes are read
from the shop; a missing one is named."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from connectors.shopify import CostGovernor, ShopifyClient
from connectors.shopify.errors import AccessDenied
from connectors.shopify.operations import catalog
from connectors.shopify.scopes import FLOW_SCOPES, check_scopes, granted_scopes, operation_scopes
from connectors.shopify.testing import FakeTime
from emulators.shopify import EmulatorConfig, emulator_client, emulator_of
from emulators.shopify.access import DEFAULT_SCOPES
from emulators.shopify.config import DEFAULT_TOKEN

ROOT = Path(__file__).resolve().parents[3]
FLOWS = sorted(p.stem for p in (ROOT / "flows").glob("*.py") if p.stem not in ("__init__", "params", "runtime"))


def _source(module: str) -> Path | None:
    path = ROOT.joinpath(*module.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def _followed(module: str) -> bool:
    """Modules whose operation names count for a flow: tasks, and connector modules a task names itself (but not
    ``scopes.py``, whose strings are GraphQL type names such as ``Order``)."""
    if module == "connectors.shopify.scopes":
        return False
    return module.startswith("tasks.") or (module.startswith("connectors.shopify.") and _source(module) is not None)


def operations_of(flow: str) -> set[str]:
    """Operation names written in the flow's module and in the task and connector modules it reaches."""
    names, seen, todo = set(catalog.names()), set(), [f"flows.{flow}"]
    found: set[str] = set()
    while todo:
        module = todo.pop()
        path = _source(module)
        if module in seen or path is None:
            continue
        seen.add(module)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in names:
                found.add(node.value)
            elif isinstance(node, ast.ImportFrom) and node.module:
                todo += [m for m in (node.module, *(f"{node.module}.{a.name}" for a in node.names)) if _followed(m)]
    return found


@pytest.mark.parametrize("flow", FLOWS)
def test_the_scopes_table_holds_what_the_operations_of_each_flow_need(flow):
    needed = set().union(*(operation_scopes(catalog.get(name)) for name in operations_of(flow)))
    assert FLOW_SCOPES[flow] == needed


def test_the_connector_readme_shows_the_scopes_table():
    text = (ROOT / "connectors/shopify/README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(\w+)` \| ([^|]*) \|", text, re.MULTILINE))
    shown = {flow: {s.strip(" `") for s in scopes.split(",") if s.strip()} for flow, scopes in rows.items()}
    assert {flow: shown.get(flow) for flow in FLOW_SCOPES} == {flow: set(s) for flow, s in FLOW_SCOPES.items()}


def test_an_operations_scopes_come_from_its_root_fields_node_types_and_nested_resources():
    assert operation_scopes(catalog.get("OrderStates")) == {"read_orders"}
    assert operation_scopes(catalog.get("OrderCancel")) == {"write_orders"}
    assert operation_scopes(catalog.get("InventoryLevelsBulk")) == {"read_locations", "read_inventory"}
    assert operation_scopes(catalog.get("AppAccessScopes")) == set()


def test_missing_scopes_are_named_per_flow_and_a_write_scope_covers_its_read():
    granted = set(DEFAULT_SCOPES) - {"read_customers", "write_customers", "write_inventory", "read_inventory"}
    granted -= {"read_all_orders"}
    check = check_scopes(granted)
    assert check.missing == {
        "reconcile": {"read_inventory", "write_inventory"},
        "sync_customers": {"read_customers"},
        "sync_inventory": {"read_inventory", "write_inventory"},
        "sync_products": {"read_inventory"},
    }
    assert not check.order_history and any("read_all_orders" in note for note in check.notes())
    assert check_scopes({"write_orders"}, {"f": frozenset({"read_orders"})}).missing == {}


def _client(scopes: list[str]) -> tuple[ShopifyClient, object]:
    http = emulator_client(EmulatorConfig(record_dir=None, scopes=scopes))
    fake = FakeTime()
    client = ShopifyClient(
        f"https://{emulator_of(http.app).config.domain}",
        DEFAULT_TOKEN,
        http=http,
        governor=CostGovernor(clock=fake.clock, sleep=fake.sleep),
        sleep=fake.sleep,
    )
    return client, http


def test_the_granted_scopes_are_read_from_the_shop_and_a_denied_field_names_its_scope():
    client, http = _client([s for s in DEFAULT_SCOPES if s != "read_customers"])
    with http:
        assert granted_scopes(client) == set(DEFAULT_SCOPES) - {"read_customers"}
        with pytest.raises(AccessDenied, match="read_customers"):
            client.execute("CustomersUpdatedSince", {"first": 1, "after": None, "query": "updated_at:>'2026-01-01'"})
