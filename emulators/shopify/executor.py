"""One GraphQL request from body to answer, in Shopify's order of checks:

parse → validate → coerce variables → requested cost (over the single-query cap → ``MAX_COST_EXCEEDED``) →
reserve it in the token's bucket (short → ``THROTTLED``, nothing runs) → execute under the state lock →
actual cost, refund the difference → ``extensions.cost`` on every answer that got that far.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLSchema,
    OperationType,
    execute,
    get_operation_ast,
    parse,
    validate,
)
from graphql.execution.values import get_variable_values

from . import errors
from .bucket import BucketRegistry, LeakyBucket
from .config import EmulatorConfig
from .context import RequestContext
from .cost import actual_cost, requested_cost
from .faults import FaultInjector
from .state import ShopState

log = logging.getLogger(__name__)


class CostLedger:
    """What the shop charged, per operation name: calls answered with a cost, requested and actual points.

    Benchmarks divide what a sync spent by what it had to spend; a throttled request (nothing ran, nothing
    charged) is not counted.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_operation: dict[str, list[int]] = {}

    def charge(self, operation: str | None, requested: int, actual: int) -> None:
        with self._lock:
            entry = self._by_operation.setdefault(operation or "(anonymous)", [0, 0, 0])
            entry[0] += 1
            entry[1] += requested
            entry[2] += actual

    def reset(self) -> None:
        with self._lock:
            self._by_operation.clear()

    @property
    def actual(self) -> int:
        with self._lock:
            return sum(entry[2] for entry in self._by_operation.values())

    def as_json(self) -> dict:
        with self._lock:
            operations = {
                name: {"calls": c, "requested": r, "actual": a}
                for name, (c, r, a) in sorted(self._by_operation.items())
            }
        return {
            "actual": sum(o["actual"] for o in operations.values()),
            "requested": sum(o["requested"] for o in operations.values()),
            "by_operation": operations,
        }


@dataclass
class Outcome:
    body: dict
    is_mutation: bool = False
    executed: bool = False


class Executor:
    def __init__(
        self,
        schema: GraphQLSchema,
        state: ShopState,
        config: EmulatorConfig,
        buckets: BucketRegistry,
        faults: FaultInjector,
    ):
        self.schema = schema
        self.state = state
        self.config = config
        self.buckets = buckets
        self.faults = faults
        self._documents: dict[str, tuple[Any, list[dict]]] = {}
        self._documents_lock = threading.Lock()
        self.ledger = CostLedger()

    def _prepare(self, query: str) -> tuple[Any, list[dict]]:
        """Parse and validate once per distinct document: a paging client sends the same text every page."""
        with self._documents_lock:
            cached = self._documents.get(query)
        if cached is None:
            try:
                document = parse(query)
                cached = (document, [errors.validation_error(e) for e in validate(self.schema, document)])
            except GraphQLError as exc:
                cached = (None, [errors.syntax_error(exc)])
            with self._documents_lock:
                if len(self._documents) >= 256:
                    self._documents.pop(next(iter(self._documents)))
                self._documents[query] = cached
        return cached

    def cost_extension(self, bucket: LeakyBucket, requested: int | None, actual: int | None) -> dict:
        return {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": actual,
                "throttleStatus": bucket.status().as_json(),
            }
        }

    def throttled(self, token: str, requested: int | None) -> dict:
        bucket = self.buckets.for_token(token)
        return {"errors": [errors.throttled_error()], "extensions": self.cost_extension(bucket, requested, None)}

    def run(self, query: str, variables: dict | None, operation_name: str | None, token: str, base_url: str) -> Outcome:
        bucket = self.buckets.for_token(token)
        document, problems = self._prepare(query)
        if problems:
            return Outcome({"errors": problems})
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            message = f'No operation named "{operation_name}"' if operation_name else "An operation name is required"
            return Outcome({"errors": [{"message": message, "extensions": {"code": "BAD_REQUEST"}}]})
        coerced = get_variable_values(self.schema, operation.variable_definitions or [], variables or {})
        if isinstance(coerced, list):
            return Outcome({"errors": [errors.validation_error(e) for e in coerced]})
        is_mutation = operation.operation == OperationType.MUTATION
        requested = requested_cost(self.schema, document, coerced, operation_name, model=self.config.cost_model)
        if requested > self.config.max_query_cost:
            return Outcome(
                {
                    "errors": [errors.max_cost_error(requested, self.config.max_query_cost)],
                    "extensions": self.cost_extension(bucket, requested, None),
                },
                is_mutation,
            )
        if not bucket.try_reserve(requested):
            return Outcome(self.throttled(token, requested), is_mutation)
        context = RequestContext(state=self.state, config=self.config, base_url=base_url, faults=self.faults)
        with self.state.lock:
            self.state.jobs.run_due()  # a job finishes on the shop's clock, whether or not anyone polls it
            result = execute(
                self.schema,
                document,
                context_value=context,
                variable_values=variables or {},
                operation_name=operation_name,
            )
            if is_mutation:
                self.state.bump()  # belt and braces: no cached listing survives a write
        model = self.config.cost_model
        actual = min(actual_cost(self.schema, document, coerced, result.data, operation_name, model=model), requested)
        bucket.refund(requested - actual)
        self.ledger.charge(operation.name.value if operation.name else operation_name, requested, actual)
        body: dict[str, Any] = {}
        if result.errors:
            for error in result.errors:
                if error.original_error is not None and not isinstance(error.original_error, GraphQLError):
                    log.error("resolver failed at %s", error.path, exc_info=error.original_error)
            body["errors"] = [errors.execution_error(e) for e in result.errors]
        body["data"] = result.data
        body["extensions"] = self.cost_extension(bucket, requested, actual)
        if context.search_warnings:
            body["extensions"]["search"] = context.search_warnings
        return Outcome(body, is_mutation, executed=True)
