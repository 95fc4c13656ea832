"""Bulk operations for back-fills and full reconciliation: start, poll, stream, re-assemble.

``bulkOperationRunQuery`` takes the query *text* and no variables, so a bulk document's variables are bound
here by rewriting its syntax tree — each ``$var`` replaced by a literal node that graphql-core prints with
correct escaping — never by pasting strings into GraphQL.

Concurrency: from 2026-01 an app may run five bulk queries per shop; older versions (and other apps' habits)
mean "already in progress" still happens. On that refusal ``start`` first looks for a running job with the
*same* query and adopts it (a re-run of a crashed task picks its job back up instead of queueing a twin),
otherwise waits for a free slot a bounded number of times, then raises ``BulkOperationInProgress``.

``start``, ``poll`` and ``results`` are separate so a flow can persist the job id between them and resume
polling after a crash (tap-shopify learned that the hard way); ``run`` chains them.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from graphql import (
    BooleanValueNode,
    FloatValueNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    ObjectFieldNode,
    ObjectValueNode,
    OperationDefinitionNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    Visitor,
    parse,
    print_ast,
    visit,
)
from graphql.language import NameNode

from connectors.shopify import jsonl
from connectors.shopify.errors import BulkOperationFailed, BulkOperationInProgress, OperationError, QueryError

if TYPE_CHECKING:
    from connectors.shopify.client import ShopifyClient

__all__ = ["BulkJob", "BulkRunner", "inline_variables"]

logger = logging.getLogger(__name__)

_RUNNING_ID = re.compile(r"gid://shopify/BulkOperation/\d+")
_BUSY_CODES = {"OPERATION_IN_PROGRESS", "LIMIT_REACHED"}
_FAILED = {"FAILED", "CANCELED", "EXPIRED"}
_GUIDANCE = {
    "ACCESS_DENIED": "the token lacks a scope this query reads",
    "TIMEOUT": "the job ran out of time; split the window into smaller ones",
    "INTERNAL_SERVER_ERROR": "Shopify failed internally; partial data may be at partialDataUrl",
}


@dataclass(frozen=True)
class BulkJob:
    id: str
    status: str
    query: str | None = None
    error_code: str | None = None
    url: str | None = None
    partial_data_url: str | None = None
    object_count: int | None = None

    @classmethod
    def from_node(cls, node: Mapping[str, Any]) -> BulkJob:
        count = node.get("objectCount")
        return cls(
            id=str(node["id"]),
            status=str(node.get("status")),
            query=node.get("query"),
            error_code=node.get("errorCode"),
            url=node.get("url"),
            partial_data_url=node.get("partialDataUrl"),
            object_count=int(count) if count is not None else None,
        )


def _literal(value: Any) -> ValueNode:
    if value is None:
        return NullValueNode()
    if isinstance(value, bool):
        return BooleanValueNode(value=value)
    if isinstance(value, int):
        return IntValueNode(value=str(value))
    if isinstance(value, (float, Decimal)):
        return FloatValueNode(value=str(value))
    if isinstance(value, str):
        return StringValueNode(value=value)
    if isinstance(value, (list, tuple)):
        return ListValueNode(values=tuple(_literal(v) for v in value))
    if isinstance(value, Mapping):
        return ObjectValueNode(
            fields=tuple(ObjectFieldNode(name=NameNode(value=str(k)), value=_literal(v)) for k, v in value.items())
        )
    raise TypeError(f"cannot inline a {type(value).__name__} into a bulk query")


def inline_variables(document: str, variables: Mapping[str, Any]) -> str:
    """The document with every ``$variable`` replaced by its value as a GraphQL literal (no declarations)."""
    tree = parse(document, no_location=True)
    definition = next(d for d in tree.definitions if isinstance(d, OperationDefinitionNode))
    declared = {v.variable.name.value for v in definition.variable_definitions or ()}
    unknown = sorted(set(variables) - declared)
    missing = sorted(declared - set(variables))
    if unknown or missing:
        raise OperationError(f"bulk query variables: unknown {unknown}, missing {missing}")

    class Bind(Visitor):
        def enter_variable_definition(self, *_args: Any) -> Any:
            return Visitor.REMOVE

        def enter_variable(self, node: VariableNode, *_args: Any) -> Any:
            return _literal(variables[node.name.value])

    bound = visit(tree, Bind())
    return print_ast(bound)


class BulkRunner:
    """Runs bulk queries for one client; ``sleep``/``clock`` are injectable so tests never wait."""

    def __init__(
        self,
        client: ShopifyClient,
        *,
        poll_interval: float = 10.0,
        poll_timeout: float | None = 6 * 3600.0,
        slot_wait: float = 30.0,
        slot_attempts: int = 20,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.poll_interval = poll_interval
        self.poll_timeout = poll_timeout
        self.slot_wait = slot_wait
        self.slot_attempts = slot_attempts
        self._sleep = sleep
        self._clock = clock

    def query_text(self, operation: str, variables: Mapping[str, Any] | None = None) -> str:
        op = self.client.operations.get(operation)
        if not op.is_bulk_query:
            raise OperationError(f"{operation} is not a bulk query (its cost line must say '# cost: bulk')")
        return inline_variables(op.document, variables or {})

    def start(self, operation: str, variables: Mapping[str, Any] | None = None, *, adopt: bool = True) -> BulkJob:
        """Start the bulk query (or adopt an identical running one); returns the job."""
        text = self.query_text(operation, variables)
        for attempt in range(1, self.slot_attempts + 1):
            payload, errors = self.client.mutate("BulkOperationRunQuery", {"query": text}, "bulkOperationRunQuery")
            if not errors and payload and payload.get("bulkOperation"):
                job = BulkJob.from_node(payload["bulkOperation"])
                logger.info("%s: started bulk %s as %s", self.client.shop_url, operation, job.id)
                return job
            busy = [e for e in errors if e.code in _BUSY_CODES or "in progress" in e.message.lower()]
            if not busy:
                detail = "; ".join(e.message for e in errors) or "no bulk operation returned"
                raise QueryError(f"{self.client.shop_url} bulk {operation} refused: {detail}", operation=operation)
            running_id = next((m.group(0) for e in busy if (m := _RUNNING_ID.search(e.message))), None)
            if adopt and (mine := self._find_running(text)) is not None:
                logger.info("%s: adopting running bulk %s for %s", self.client.shop_url, mine.id, operation)
                return mine
            if attempt < self.slot_attempts:
                logger.info("%s: bulk slot busy (%s), waiting %.0f s", self.client.shop_url, running_id, self.slot_wait)
                self._sleep(self.slot_wait)
        raise BulkOperationInProgress(
            f"{self.client.shop_url}: another bulk query is still running after {self.slot_attempts} tries "
            f"({running_id or 'id unknown'})",
            running_id=running_id,
        )

    def _find_running(self, text: str) -> BulkJob | None:
        wanted = _normalised(text)
        for node in self.client.iter_nodes("BulkOperationsRunning", {}, "bulkOperations"):
            if node.get("query") and _normalised(node["query"]) == wanted:
                return BulkJob.from_node(node)
        return None

    def get(self, job_id: str) -> BulkJob:
        node = self.client.execute("BulkOperation", {"id": job_id}).get("bulkOperation")
        if node is None:
            raise BulkOperationFailed(f"bulk operation {job_id} does not exist", operation_id=job_id, status="UNKNOWN")
        return BulkJob.from_node(node)

    def poll(self, job_id: str) -> BulkJob:
        """Wait until the job ends; the COMPLETED job, or ``BulkOperationFailed`` with guidance."""
        started = self._clock()
        while True:
            job = self.get(job_id)
            if job.status == "COMPLETED":
                return job
            if job.status in _FAILED:
                hint = _GUIDANCE.get(job.error_code or "", "")
                raise BulkOperationFailed(
                    f"bulk operation {job.id} ended {job.status}"
                    + (f" ({job.error_code}: {hint})" if job.error_code else ""),
                    operation_id=job.id,
                    status=job.status,
                    error_code=job.error_code,
                    partial_data_url=job.partial_data_url,
                )
            if self.poll_timeout is not None and self._clock() - started >= self.poll_timeout:
                raise BulkOperationInProgress(
                    f"bulk operation {job.id} still {job.status} after {self.poll_timeout:.0f} s; poll it again",
                    running_id=job.id,
                )
            self._sleep(self.poll_interval)

    def results(
        self, job: BulkJob, operation: str, *, overrides: Mapping[str, str] | None = None
    ) -> Iterator[dict[str, Any]]:
        """The job's root objects, children attached (``operation`` names the document the job ran)."""
        if job.url is None:  # a completed job that matched nothing has no file
            return iter(())
        tree = jsonl.child_fields_of(self.client.operations.get(operation).document)
        return jsonl.assemble(jsonl.iter_jsonl(self.client.http, job.url), tree, overrides)

    def run(
        self,
        operation: str,
        variables: Mapping[str, Any] | None = None,
        *,
        overrides: Mapping[str, str] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Start (or adopt), wait, and stream the assembled records."""
        job = self.poll(self.start(operation, variables).id)
        yield from self.results(job, operation, overrides=overrides)


def _normalised(text: str) -> str:
    try:
        return print_ast(parse(text, no_location=True))
    except Exception:  # a running job's query we cannot parse is simply not ours
        return " ".join(text.split())
