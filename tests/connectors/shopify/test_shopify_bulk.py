"""Bulk operations: start, poll, stream the JSONL, re-assemble children, adopt or wait when busy, fail clearly."""

from __future__ import annotations

import json
import random

import httpx
import pytest

from connectors.shopify import jsonl
from connectors.shopify.bulk import BulkRunner, inline_variables
from connectors.shopify.errors import BulkOperationFailed, BulkOperationInProgress, OperationError, QueryError
from connectors.shopify.operations import catalog
from connectors.shopify.testing import TOKEN, ScriptedShop, connection, ok

RESULT_URL = "https://storage.googleapis.com/shopify-bulk/result.jsonl?sig=abc"
JOB = "gid://shopify/BulkOperation/1"


def started(job_id: str = JOB) -> httpx.Response:
    return ok({"bulkOperationRunQuery": {"bulkOperation": {"id": job_id, "status": "CREATED"}, "userErrors": []}})


def busy(running: str = "gid://shopify/BulkOperation/9") -> httpx.Response:
    message = f"A bulk query operation for this app and shop is already in progress: {running}."
    error = {"field": None, "message": message, "code": "OPERATION_IN_PROGRESS"}
    return ok({"bulkOperationRunQuery": {"bulkOperation": None, "userErrors": [error]}})


def job(status: str, **fields) -> httpx.Response:
    node = {
        "id": fields.pop("id", JOB),
        "status": status,
        "errorCode": None,
        "url": None,
        "partialDataUrl": None,
        "objectCount": "0",
        "query": "{}",
        **fields,
    }
    return ok({"bulkOperation": node})


def jsonl_file(*objects: dict) -> httpx.Response:
    return httpx.Response(200, text="\n".join(json.dumps(o) for o in objects) + "\n")


def running_list(*nodes: dict) -> httpx.Response:
    return ok({"bulkOperations": connection(list(nodes), has_next=False, cursor=None)})


@pytest.fixture
def runner_for(make_client, fake_time):
    def build(shop: ScriptedShop, **options) -> BulkRunner:
        options.setdefault("poll_interval", 5.0)
        return BulkRunner(make_client(shop), sleep=fake_time.sleep, clock=fake_time.clock, **options)

    return build


def test_a_bulk_query_is_started_polled_streamed_and_its_children_reassembled(runner_for, fake_time):
    shop = ScriptedShop(
        [
            started(),
            job("RUNNING"),
            job("COMPLETED", url=RESULT_URL, objectCount="5"),
            jsonl_file(
                {"id": "gid://shopify/Order/1", "name": "#1001"},
                {"id": "gid://shopify/LineItem/11", "sku": "A", "__parentId": "gid://shopify/Order/1"},
                {"id": "gid://shopify/LineItem/12", "sku": "B", "__parentId": "gid://shopify/Order/1"},
                {"id": "gid://shopify/Order/2", "name": "#1002"},
                {"id": "gid://shopify/LineItem/21", "sku": "C", "__parentId": "gid://shopify/Order/2"},
            ),
        ]
    )

    orders = list(runner_for(shop).run("OrdersBulk", {"query": "updated_at:>='2026-01-01T00:00:00Z'"}))

    assert [(o["name"], [li["sku"] for li in o["lineItems"]]) for o in orders] == [
        ("#1001", ["A", "B"]),
        ("#1002", ["C"]),
    ]
    assert all("__parentId" not in li for o in orders for li in o["lineItems"])
    assert shop.operations[:3] == ["BulkOperationRunQuery", "BulkOperation", "BulkOperation"]
    assert fake_time.sleeps == [5.0]  # one poll interval while RUNNING
    assert shop.urls[3] == RESULT_URL and "X-Shopify-Access-Token" not in shop.headers[3]


def test_bulk_variables_are_inlined_as_escaped_literals_not_spliced_text(runner_for):
    shop = ScriptedShop([started()])
    runner_for(shop).start("CustomersBulk", {"query": 'email:"a\\"b@x.cz"'})
    sent = shop.variables[0]["query"]
    assert "$query" not in sent and "query CustomersBulk {" in sent
    assert 'customers(query: "email:\\"a\\\\\\"b@x.cz\\"", sortKey: UPDATED_AT)' in " ".join(sent.split())


def test_inlining_refuses_missing_or_unknown_variables():
    document = catalog.get("OrdersBulk").document
    with pytest.raises(OperationError, match="missing"):
        inline_variables(document, {})
    with pytest.raises(OperationError, match="unknown"):
        inline_variables(document, {"query": "x", "first": 5})


def test_an_identical_running_job_is_adopted_instead_of_started_twice(runner_for):
    text = runner_for(ScriptedShop()).query_text("OrdersBulk", {"query": "status:open"})
    reformatted = " ".join(text.split())  # Shopify echoes the query; whitespace may differ
    shop = ScriptedShop(
        [busy(), running_list({"id": "gid://shopify/BulkOperation/9", "status": "RUNNING", "query": reformatted})]
    )

    adopted = runner_for(shop).start("OrdersBulk", {"query": "status:open"})

    assert adopted.id == "gid://shopify/BulkOperation/9"
    assert shop.operations == ["BulkOperationRunQuery", "BulkOperationsRunning"]


def test_another_apps_or_flows_job_is_waited_out_then_ours_starts(runner_for, fake_time):
    other = {
        "id": "gid://shopify/BulkOperation/9",
        "status": "RUNNING",
        "query": "{ products { edges { node { id } } } }",
    }
    shop = ScriptedShop([busy(), running_list(other), started("gid://shopify/BulkOperation/10")])

    started_job = runner_for(shop, slot_wait=30.0).start("OrdersBulk", {"query": "status:open"})

    assert started_job.id == "gid://shopify/BulkOperation/10" and fake_time.sleeps == [30.0]


def test_a_slot_that_never_frees_raises_in_progress_naming_the_running_job(runner_for):
    shop = ScriptedShop([busy(), running_list(), busy(), running_list()])
    with pytest.raises(BulkOperationInProgress) as caught:
        runner_for(shop, slot_attempts=2).start("OrdersBulk", {"query": "status:open"})
    assert caught.value.running_id == "gid://shopify/BulkOperation/9"


def test_an_invalid_bulk_query_is_a_fatal_query_error(runner_for):
    error = {"field": ["query"], "message": "Bulk queries cannot contain more than 5 connections.", "code": "INVALID"}
    shop = ScriptedShop([ok({"bulkOperationRunQuery": {"bulkOperation": None, "userErrors": [error]}})])
    with pytest.raises(QueryError, match="5 connections"):
        runner_for(shop).start("OrdersBulk", {"query": "x"})


@pytest.mark.parametrize(
    ("status", "code", "hint"),
    [
        ("FAILED", "ACCESS_DENIED", "scope"),
        ("FAILED", "TIMEOUT", "smaller"),
        ("CANCELED", None, "CANCELED"),
        ("EXPIRED", None, "EXPIRED"),
    ],
)
def test_a_failed_job_raises_a_clear_error_with_its_partial_data(runner_for, status, code, hint):
    shop = ScriptedShop([job(status, errorCode=code, partialDataUrl="https://storage.example/partial.jsonl")])
    with pytest.raises(BulkOperationFailed, match=hint) as caught:
        runner_for(shop).poll(JOB)
    assert caught.value.status == status and caught.value.partial_data_url.endswith("partial.jsonl")


def test_polling_gives_up_after_its_timeout_with_the_job_id_to_resume(runner_for, fake_time):
    shop = ScriptedShop([job("RUNNING")] * 3)
    with pytest.raises(BulkOperationInProgress) as caught:
        runner_for(shop, poll_interval=60.0, poll_timeout=120.0).poll(JOB)
    assert caught.value.running_id == JOB and fake_time.slept == 120.0


def test_a_completed_job_without_a_file_has_no_results(runner_for):
    shop = ScriptedShop([started(), job("COMPLETED", url=None)])
    assert list(runner_for(shop).run("ProductsBulk", {"query": "status:active"})) == []


MULTI = """
query Multi { orders { edges { node { id
  lineItems { edges { node { id } } }
  fulfillmentOrders { edges { node { id lineItems { edges { node { id } } } } } }
} } } }
"""


def test_children_of_several_connections_and_grandchildren_land_in_the_right_place():
    lines = [
        {"id": "gid://shopify/Order/1"},
        {"id": "gid://shopify/LineItem/2", "__parentId": "gid://shopify/Order/1"},
        {"id": "gid://shopify/FulfillmentOrder/3", "__parentId": "gid://shopify/Order/1"},
        {"id": "gid://shopify/FulfillmentOrderLineItem/4", "__parentId": "gid://shopify/FulfillmentOrder/3"},
    ]
    (order,) = jsonl.assemble(lines, jsonl.child_fields_of(MULTI))
    assert [li["id"][-1] for li in order["lineItems"]] == ["2"]
    assert order["fulfillmentOrders"][0]["lineItems"] == [{"id": "gid://shopify/FulfillmentOrderLineItem/4"}]


def _orders_jsonl(count: int) -> list[dict]:
    """``count`` orders, each with two line items and a fulfillment order with one line, grouped."""
    lines: list[dict] = []
    for n in range(1, count + 1):
        order = f"gid://shopify/Order/{n}"
        lines.append({"id": order, "name": f"#{n}"})
        lines += [{"id": f"gid://shopify/LineItem/{n}{k}", "__parentId": order} for k in (1, 2)]
        lines.append({"id": f"gid://shopify/FulfillmentOrder/{n}", "__parentId": order})
        lines.append(
            {"id": f"gid://shopify/FulfillmentOrderLineItem/{n}", "__parentId": f"gid://shopify/FulfillmentOrder/{n}"}
        )
    return lines


def _shape(orders: list[dict]) -> dict[str, tuple]:
    return {
        o["id"]: (
            [li["id"] for li in o["lineItems"]],  # by GID number, as the connection lists them
            [(fo["id"], [x["id"] for x in fo["lineItems"]]) for fo in o["fulfillmentOrders"]],
        )
        for o in orders
    }


@pytest.mark.parametrize("spill_after", [jsonl.SPILL_AFTER, 10], ids=["in-memory", "spilled-to-disk"])
@pytest.mark.parametrize("seed", range(3))
def test_lines_in_any_order_rebuild_every_order_with_its_children_and_grandchildren(seed, spill_after, monkeypatch):
    monkeypatch.setattr(jsonl, "SPILL_AFTER", spill_after)
    grouped = _orders_jsonl(30)
    expected = _shape(list(jsonl.assemble([dict(x) for x in grouped], jsonl.child_fields_of(MULTI))))
    shuffled = [dict(x) for x in grouped]
    random.Random(seed).shuffle(shuffled)  # children before parents, between other roots' children
    rebuilt = list(jsonl.assemble(shuffled, jsonl.child_fields_of(MULTI)))
    assert len(rebuilt) == 30 and _shape(rebuilt) == expected
    assert expected["gid://shopify/Order/7"] == (
        ["gid://shopify/LineItem/71", "gid://shopify/LineItem/72"],
        [("gid://shopify/FulfillmentOrder/7", ["gid://shopify/FulfillmentOrderLineItem/7"])],
    )


def test_assembling_a_big_result_holds_one_root_at_a_time_not_the_file(monkeypatch):
    import tracemalloc

    def lines(count: int):
        for n in range(count):  # a generator: the file is never a list in this test either
            yield {"id": f"gid://shopify/Order/{n}", "note": "x" * 200}
            yield {"id": f"gid://shopify/LineItem/{n}", "__parentId": f"gid://shopify/Order/{n}"}

    tree = jsonl.child_fields_of(MULTI)
    monkeypatch.setattr(jsonl, "SPILL_AFTER", 1_000)  # the in-memory head: 1 000 lines, ~0.3 MB
    tracemalloc.start()
    try:
        seen = sum(1 for _ in jsonl.assemble(lines(50_000), tree))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen == 50_000
    assert peak < 3_000_000, f"peak {peak} bytes for 100 000 lines of ~230 bytes (~30 MB as dicts): file held in memory"


@pytest.mark.parametrize("spill_after", [jsonl.SPILL_AFTER, 1], ids=["in-memory", "spilled-to-disk"])
def test_a_child_whose_parent_is_nowhere_in_the_result_is_an_error_naming_both(spill_after, monkeypatch):
    monkeypatch.setattr(jsonl, "SPILL_AFTER", spill_after)
    lines = [
        {"id": "gid://shopify/Order/1"},
        {"id": "gid://shopify/LineItem/2", "__parentId": "gid://shopify/Order/99"},
    ]
    with pytest.raises(QueryError, match="line 2: parent gid://shopify/Order/99 of gid://shopify/LineItem/2"):
        list(jsonl.assemble(lines, jsonl.child_fields_of(MULTI)))


def test_records_without_children_get_empty_lists():
    (product,) = jsonl.assemble(
        [{"id": "gid://shopify/Product/1"}], jsonl.child_fields_of(catalog.get("ProductsBulk").document)
    )
    assert product["variants"] == []


def test_an_expired_result_url_is_a_clear_error(make_client):
    shop = ScriptedShop([httpx.Response(403, text="AccessDenied: Request has expired")])
    client = make_client(shop)
    with pytest.raises(QueryError, match="expired"):
        list(jsonl.iter_jsonl(client.http, RESULT_URL))
    assert TOKEN not in str(shop.headers[0])
