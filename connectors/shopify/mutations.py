"""From a mutation's ``userErrors`` to one ``RecordError`` per refused record, and batches that go on.

Shopify reports record-level refusals inside the payload (HTTP 200, no GraphQL error), with ``field`` as the
path of the offending input: ``["input", "quantities", "3", "quantity"]`` means the 4th quantity of the batch;
``metafieldsSet`` also gives ``elementIndex``. ``attribute`` maps those back to *our* record keys (a SKU, an
ERP document number) so the error lands on the right staging row and names the field.

``run_batch`` sends a batch and keeps the good records going:
- a partial mutation (e.g. ``productVariantsBulkUpdate`` with ``allowPartialUpdates``) applied the others;
- an atomic one (``inventorySetQuantities``, ``metafieldsSet``: one bad input refuses the call) is re-sent
  without the refused records — with variables (and so the idempotency key) rebuilt for the smaller batch;
- an error that names no record refuses the whole batch: every record gets it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from connectors.shopify.errors import RecordError, UserError

if TYPE_CHECKING:
    from connectors.shopify.client import ShopifyClient

__all__ = ["BatchResult", "attribute", "record_errors", "run_batch"]

R = TypeVar("R")


def _split(error: UserError, list_path: Sequence[str]) -> tuple[int | None, str | None]:
    """(index of the record in the batch, the field inside it) for one userError.

    ``list_path`` is found anywhere in the error's field path followed by an index, so ``("quantities",)``
    matches ``["input", "quantities", "3", "quantity"]`` whether or not the document wraps the list in an
    input object.
    """
    path = [str(p) for p in error.field]
    prefix = [str(p) for p in list_path]
    for start in range(len(path) - len(prefix)):
        end = start + len(prefix)
        if path[start:end] == prefix and path[end].isdigit():
            return int(path[end]), ".".join(path[end + 1 :]) or None
    if error.element_index is not None:
        return error.element_index, path[-1] if path and not path[-1].isdigit() else None
    return None, ".".join(path) or None


def attribute(
    user_errors: Sequence[UserError],
    record_keys: Sequence[str],
    list_path: Sequence[str],
    *,
    operation: str,
) -> tuple[dict[int, list[RecordError]], list[UserError]]:
    """Map each userError to the record it names: ``{batch index: [RecordError…]}`` plus the errors that name
    no record of the batch (they concern the whole call)."""
    by_index: dict[int, list[RecordError]] = {}
    general: list[UserError] = []
    for error in user_errors:
        index, field_name = _split(error, list_path)
        if index is None or not 0 <= index < len(record_keys):
            general.append(error)
            continue
        by_index.setdefault(index, []).append(
            RecordError(record_keys[index], field_name, error.message, error.code, operation)
        )
    return by_index, general


def record_errors(record: str, user_errors: Sequence[UserError], *, operation: str) -> list[RecordError]:
    """The userErrors of a single-record mutation (productUpdate, fulfillmentCreate…) as ``RecordError``s.

    The field drops the argument name: ``["product", "title"]`` → ``"title"``.
    """
    errors = []
    for error in user_errors:
        field_name = ".".join(error.field[1:]) or ".".join(error.field) or None
        errors.append(RecordError(record, field_name, error.message, error.code, operation))
    return errors


@dataclass
class BatchResult(Generic[R]):
    applied: list[R] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    payloads: list[dict[str, Any] | None] = field(default_factory=list)
    """One payload per call made (an atomic batch with refused records takes two)."""

    @property
    def failed_records(self) -> set[str]:
        return {e.record for e in self.errors}


def run_batch(
    client: ShopifyClient,
    operation: str,
    records: Sequence[R],
    *,
    variables: Callable[[Sequence[R]], Mapping[str, Any]],
    payload_path: str,
    list_path: Sequence[str],
    key: Callable[[R], str],
    atomic: bool,
    errors_field: str = "userErrors",
    max_rounds: int = 3,
) -> BatchResult[R]:
    """Send ``records`` in one call (``variables(records)`` builds it); refused records get a ``RecordError``
    naming their key and field, the rest are applied (re-sent without the refused ones when ``atomic``)."""
    result: BatchResult[R] = BatchResult()
    pending = list(records)
    for _ in range(max_rounds):
        if not pending:
            return result
        payload, user_errors = client.mutate(operation, variables(pending), payload_path, errors_field=errors_field)
        result.payloads.append(payload)
        keys = [key(r) for r in pending]
        by_index, general = attribute(user_errors, keys, list_path, operation=operation)
        if general:
            message = "; ".join(e.message for e in general)
            codes = {e.code for e in general if e.code}
            code = codes.pop() if len(codes) == 1 else None
            result.errors += [RecordError(k, None, f"batch refused: {message}", code, operation) for k in keys]
            return result
        for index in sorted(by_index):
            result.errors += by_index[index]
        accepted = [r for i, r in enumerate(pending) if i not in by_index]
        if not by_index or not atomic:
            result.applied += accepted
            return result
        pending = accepted  # an atomic call applied nothing: send the rest again
    result.errors += [
        RecordError(key(r), None, f"not applied: the batch was refused {max_rounds} times", None, operation)
        for r in pending
    ]
    return result
