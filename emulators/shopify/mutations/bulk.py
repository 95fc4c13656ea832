"""``bulkOperationRunQuery``/``bulkOperationCancel`` and the bulk operation queries.

Lifecycle: the mutation answers CREATED and computes the result at once (a snapshot of the shop at that
moment). Polls through ``bulkOperation(id:)`` or ``currentBulkOperation`` see RUNNING for
``EmulatorConfig.bulk_running_polls`` polls, then the final state: COMPLETED with a ``url`` on this server, or
FAILED with ``errorCode`` when the ``bulk_fail`` fault picked it (partial data for INTERNAL_SERVER_ERROR and
TIMEOUT). Until polled to the end an operation counts against the concurrency limit (5 from 2026-01).
"""

from __future__ import annotations

from typing import Any

from .. import records as r
from ..bulk import BulkQueryError, check_bulk_query, run_bulk_query
from ..context import by_id, connection, ctx, time_key, user_error
from ..schema import executable_schema, resolver
from ..search import Field, dt, num, text

RUNNING = ("CREATED", "RUNNING")
BULK_FIELDS: dict[str, Field] = {
    "id": num(by_id),
    "status": text(lambda op: op.status),
    "created_at": dt(lambda op: op.created_at),
    "operation_type": text(lambda op: op.type),
}
BULK_SORTS = {
    "CREATED_AT": lambda op: time_key(op.created_at),
    "COMPLETED_AT": lambda op: time_key(op.completed_at),
    "STATUS": lambda op: op.status,
    "ID": by_id,
}


@resolver("Mutation", "bulkOperationRunQuery")
def bulk_run_query(_: Any, info: Any, query: str, groupObjects: bool = False) -> dict:
    context = ctx(info)
    state = context.state
    running = [op for op in state.bulk_operations.values() if op.status in RUNNING and op.type == "QUERY"]
    if len(running) >= context.config.bulk_concurrency:
        latest = max(running, key=lambda op: op.id)
        return {
            "bulkOperation": None,
            "userErrors": [
                user_error(
                    None,
                    f"A bulk query operation for this app and shop is already in progress: {latest.gid}.",
                    "OPERATION_IN_PROGRESS",
                )
            ],
        }
    schema = executable_schema()
    try:
        document = check_bulk_query(schema, query)
        bulk_context = type(context)(
            state=state, config=context.config, base_url=context.base_url, bulk=True, faults=context.faults
        )
        op_id = state.next_id("bulk_operations")
        result = run_bulk_query(schema, document, bulk_context, group_objects=groupObjects, seed=op_id)
    except BulkQueryError as exc:
        return {"bulkOperation": None, "userErrors": [user_error(["query"], str(exc), "INVALID")]}
    op = r.BulkOperation(
        id=op_id,
        query=query,
        created_at=state.now(),
        base_url=context.base_url,
        jsonl=result.jsonl(),
        object_count=len(result.lines),
        root_object_count=result.root_count,
    )
    failure = context.faults.bulk_fails() if context.faults else None
    if failure:
        op.outcome, op.error_code = "FAILED", failure
        if failure != "ACCESS_DENIED":
            keep = result.lines[: len(result.lines) // 2]
            op.partial_jsonl = type(result)(keep, 0).jsonl()
    state.bulk_operations[op.id] = op
    return {"bulkOperation": op, "userErrors": []}


@resolver("Mutation", "bulkOperationCancel")
def bulk_cancel(_: Any, info: Any, id: str) -> dict:
    state = ctx(info).state
    op = state.find(id, "BulkOperation")
    if op is None:
        return {"bulkOperation": None, "userErrors": [user_error(["id"], "Bulk operation does not exist")]}
    if op.status not in RUNNING:
        return {
            "bulkOperation": op,
            "userErrors": [user_error(["id"], f"A bulk operation cannot be canceled when it is {op.status.lower()}")],
        }
    op.status, op.completed_at = "CANCELED", state.now()
    state.bump()
    return {"bulkOperation": op, "userErrors": []}


def poll(state: Any, op: r.BulkOperation | None, running_polls: int) -> r.BulkOperation | None:
    """One client poll: RUNNING for the configured number of polls, then the operation's final state."""
    if op is None or op.status not in RUNNING:
        return op
    state.bump()
    op.polls += 1
    if op.polls <= running_polls:
        op.status = "RUNNING"
        return op
    op.status, op.completed_at = op.outcome, state.now()
    return op


@resolver("QueryRoot", "bulkOperation")
def resolve_bulk_operation(_: Any, info: Any, id: str) -> r.BulkOperation | None:
    context = ctx(info)
    return poll(context.state, context.state.find(id, "BulkOperation"), context.config.bulk_running_polls)


@resolver("QueryRoot", "currentBulkOperation")
def resolve_current_bulk_operation(_: Any, info: Any, type: str = "QUERY") -> r.BulkOperation | None:
    context = ctx(info)
    ops = [op for op in context.state.bulk_operations.values() if op.type == type]
    latest = max(ops, key=lambda op: op.id) if ops else None
    return poll(context.state, latest, context.config.bulk_running_polls)


@resolver("QueryRoot", "bulkOperations")
def resolve_bulk_operations(_: Any, info: Any, **args: Any) -> Any:
    return connection(info, ctx(info).state.bulk_operations.values(), args, sorts=BULK_SORTS, fields=BULK_FIELDS)


@resolver("BulkOperation", "url")
def resolve_url(op: r.BulkOperation, info: Any) -> str | None:
    if op.status != "COMPLETED" or op.object_count == 0:
        return None
    return f"{op.base_url}/_emulator/bulk/{op.id}.jsonl"


@resolver("BulkOperation", "partialDataUrl")
def resolve_partial_url(op: r.BulkOperation, info: Any) -> str | None:
    if op.status != "FAILED" or not op.partial_jsonl:
        return None
    return f"{op.base_url}/_emulator/bulk/{op.id}.jsonl?partial=1"


@resolver("BulkOperation", "objectCount")
def resolve_object_count(op: r.BulkOperation, info: Any) -> int:
    return op.object_count if op.status in ("COMPLETED", "FAILED") else 0


@resolver("BulkOperation", "rootObjectCount")
def resolve_root_count(op: r.BulkOperation, info: Any) -> int:
    return op.root_object_count if op.status in ("COMPLETED", "FAILED") else 0
