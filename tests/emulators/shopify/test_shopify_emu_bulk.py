"""Bulk query operations: JSONL with __parentId, lifecycle, concurrency limit, query checks, failures."""

from __future__ import annotations

import json

import pytest

RUN = """mutation($q: String!, $group: Boolean!) { bulkOperationRunQuery(query: $q, groupObjects: $group) {
  bulkOperation { id status } userErrors { field message code } } }"""
POLL = """query($id: ID!) { bulkOperation(id: $id) {
  id status errorCode url partialDataUrl objectCount rootObjectCount fileSize } }"""
PRODUCTS = "{ products(first: 1) { edges { node { id title variants { edges { node { id sku } } } } } } }"


def run(gql, query: str, group: bool = False) -> dict:
    return gql(RUN, {"q": query, "group": group})["data"]["bulkOperationRunQuery"]


def poll(gql, gid: str) -> dict:
    return gql(POLL, {"id": gid})["data"]["bulkOperation"]


def lines(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200
    return [json.loads(line) for line in response.text.splitlines()]


def test_a_grouped_bulk_export_writes_children_after_their_parent_with_parent_id(gql, client, seeded):
    started = run(gql, PRODUCTS, group=True)
    assert started["userErrors"] == [] and started["bulkOperation"]["status"] == "CREATED"
    done = poll(gql, started["bulkOperation"]["id"])
    assert done["status"] == "COMPLETED"
    assert (done["objectCount"], done["rootObjectCount"]) == ("8", "3")  # first: 1 is ignored
    rows = lines(client, done["url"])
    assert rows[:3] == [
        {"id": seeded.products["P1"], "title": "Product P1"},
        {"id": "gid://shopify/ProductVariant/1", "sku": "P1-S", "__parentId": seeded.products["P1"]},
        {"id": "gid://shopify/ProductVariant/2", "sku": "P1-M", "__parentId": seeded.products["P1"]},
    ]
    assert int(done["fileSize"]) == len(client.get(done["url"]).content)


def _grouped(rows: list[dict]) -> bool:
    """Every child line sits under its own root: after it, before the next root."""
    current_root = None
    for row in rows:
        if "__parentId" not in row:
            current_root = row["id"]
        elif row["__parentId"] != current_root:
            return False
    return True


def test_an_ungrouped_export_has_the_same_lines_in_an_order_that_does_not_keep_children_by_their_parent(
    gql, client, seeded
):
    grouped = lines(client, poll(gql, run(gql, PRODUCTS, group=True)["bulkOperation"]["id"])["url"])
    ungrouped = lines(client, poll(gql, run(gql, PRODUCTS)["bulkOperation"]["id"])["url"])
    as_text = sorted(json.dumps(row, sort_keys=True) for row in ungrouped)
    assert as_text == sorted(json.dumps(row, sort_keys=True) for row in grouped) and len(grouped) == 8
    assert _grouped(grouped) and not _grouped(ungrouped)


def test_plain_lists_stay_inside_their_parent_line(gql, client, seeded):
    query = '{ orders(query: "id:1002") { nodes { id name transactions { kind } lineItems { nodes { id sku } } } } }'
    op = poll(gql, run(gql, query, group=True)["bulkOperation"]["id"])
    rows = lines(client, op["url"])
    assert rows[0] == {"id": "gid://shopify/Order/1002", "name": "#1002", "transactions": [{"kind": "SALE"}]}
    assert [r["__parentId"] for r in rows[1:]] == ["gid://shopify/Order/1002"] * 2


def test_an_operation_reports_running_for_the_configured_polls_then_completes(gql, seeded, emulator):
    emulator.config.bulk_running_polls = 2
    gid = run(gql, PRODUCTS)["bulkOperation"]["id"]
    assert [poll(gql, gid)["status"] for _ in range(4)] == ["RUNNING", "RUNNING", "COMPLETED", "COMPLETED"]
    assert poll(gql, gid)["url"] is not None


def test_a_sixth_concurrent_bulk_query_is_refused_until_one_finishes(gql, seeded):
    started = [run(gql, PRODUCTS)["bulkOperation"]["id"] for _ in range(5)]
    refused = run(gql, PRODUCTS)
    assert refused["bulkOperation"] is None
    assert refused["userErrors"] == [
        {
            "field": None,
            "code": "OPERATION_IN_PROGRESS",
            "message": f"A bulk query operation for this app and shop is already in progress: {started[-1]}.",
        }
    ]
    for _ in range(3):
        poll(gql, started[0])
    assert run(gql, PRODUCTS)["userErrors"] == []


def test_a_running_operation_can_be_cancelled(gql, seeded):
    gid = run(gql, PRODUCTS)["bulkOperation"]["id"]
    body = gql(
        "mutation($id: ID!) { bulkOperationCancel(id: $id) { bulkOperation { status } userErrors { message } } }",
        {"id": gid},
    )
    assert body["data"]["bulkOperationCancel"] == {"bulkOperation": {"status": "CANCELED"}, "userErrors": []}
    listed = gql('{ bulkOperations(first: 5, query: "status:canceled") { nodes { id } } }')
    assert listed["data"]["bulkOperations"]["nodes"] == [{"id": gid}]
    again = gql('{ bulkOperations(first: 5, query: "status:canceled OR status:running") { nodes { id } } }')
    assert "errors" not in again and again["data"]["bulkOperations"]["nodes"] == [{"id": gid}]  # seen before: no error


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("{ shop { name } }", "Bulk queries must contain at least one connection."),
        ('{ node(id: "gid://shopify/Product/1") { id } }', "Bulk queries cannot contain top level `node` or `nodes`"),
        (
            "{ products { edges { node { title variants { edges { node { sku } } } } } } }",
            "The parent 'node' field for a nested connection must select the 'id' field.",
        ),
        ("{ products { nodes { id colour } } }", "Invalid bulk query: Field 'colour' doesn't exist on type 'Product'"),
        ("{ products { nodes { id ", "Invalid bulk query: syntax error, Expected Name, found <EOF>."),
    ],
)
def test_queries_bulk_operations_cannot_run_are_refused_with_a_reason(gql, seeded, query, message):
    result = run(gql, query)
    assert result["bulkOperation"] is None
    assert result["userErrors"][0]["field"] == ["query"]
    assert result["userErrors"][0]["message"].startswith(message)


def test_the_bulk_fail_fault_ends_an_operation_failed_with_partial_data(gql, client, seeded, emulator):
    emulator.set_faults(bulk_fail=1.0, bulk_error_code="TIMEOUT")
    gid = run(gql, PRODUCTS)["bulkOperation"]["id"]
    for _ in range(3):
        op = poll(gql, gid)
    assert (op["status"], op["errorCode"], op["url"]) == ("FAILED", "TIMEOUT", None)
    partial = lines(client, op["partialDataUrl"])
    assert 0 < len(partial) < 8


def test_bulk_operations_searched_by_status_answer_every_time(gql, seeded, clock):
    """The search index sees records without a change stamp (a bulk operation) as settled, on every search."""
    run(gql, "{ products { edges { node { id } } } }")
    query = '{ bulkOperations(first: 5, query: "status:RUNNING OR status:CREATED") { nodes { id } } }'
    answers = [gql(query)]
    clock.advance(1)  # a later search: not answered from the page kept for the first
    answers.append(gql(query))
    assert [a.get("errors") for a in answers] == [None, None]
