"""``bench/api_cost.py`` without running it (a run is the demo's whole first pass): what it reads off the
emulator's ledger per flow, and its report."""

from __future__ import annotations

from bench.api_cost import BenchResult, FlowCost, _ledger_delta, _page_sizes, report
from connectors.shopify.cost_memory import CostMemory
from connectors.shopify.operations import catalog


def test_a_flows_cost_is_what_the_ledger_grew_by_while_it_ran():
    before = {"ProductMedia": {"calls": 3, "requested": 609, "actual": 12}}
    after = {
        "ProductMedia": {"calls": 5, "requested": 1015, "actual": 20},
        "ProductsMedia": {"calls": 1, "requested": 989, "actual": 40},
    }

    assert _ledger_delta(before, after) == {
        "ProductMedia": {"calls": 2, "requested": 406, "actual": 8},
        "ProductsMedia": {"calls": 1, "requested": 989, "actual": 40},
    }
    assert _ledger_delta(after, after) == {}  # a flow that sent nothing has no rows


def test_the_report_totals_the_flows_and_lists_operations_by_requested_points():
    flows = [
        FlowCost(
            "sync_images",
            requests=12,
            throttled=0,
            requested=7660,
            actual=1868,
            governor_wait_s=10.8,
            wall_s=11.4,
            by_operation={
                "ProductsMedia": {"calls": 12, "requested": 6072, "actual": 920},
                "StagedUploadsCreate": {"calls": 4, "requested": 52, "actual": 52},
            },
        ),
        FlowCost(
            "sync_payments",
            requests=5,
            throttled=1,
            requested=3976,
            actual=429,
            governor_wait_s=0.0,
            wall_s=0.3,
            by_operation={"OrderTransactionsUpdatedSince": {"calls": 4, "requested": 3976, "actual": 429}},
        ),
    ]
    result = BenchResult(
        items=200, customers=50, orders=100, bucket_size=2000, restore_rate=100.0, full_bucket=True, flows=flows
    )

    text = report(result, by_operation=True)

    assert "each flow starts with a full bucket" in text
    total = next(line for line in text.splitlines() if line.startswith("total"))
    assert total.split() == ["total", "17", "1", "11636", "2297", "10.8", "11.7"]
    lines = text.splitlines()
    assert lines.index(next(ln for ln in lines if "sync_images / ProductsMedia" in ln)) < lines.index(
        next(ln for ln in lines if "sync_images / StagedUploadsCreate" in ln)
    )


def test_fixed_page_sizes_learn_nothing_from_shopify_and_adaptive_ones_are_restored_after():
    orders = catalog.get("OrdersUpdatedSince")
    variables = {"query": "x", "after": None}
    with _page_sizes("fixed"):
        memory = CostMemory()
        memory.learn(orders, {**variables, "first": 11}, 68)
        assert memory.page_size(orders, variables) == 11  # the header's size, as before adaptive sizing
    memory = CostMemory()
    memory.learn(orders, {**variables, "first": 11}, 68)
    assert memory.page_size(orders, variables) > 11
