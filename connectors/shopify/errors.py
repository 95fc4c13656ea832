"""What can go wrong talking to Shopify, sorted by what the caller should do about it.

    ShopifyError                   also a ``connectors.errors.CommerceSyncError``; each class below is also the
    │                              idea of ``connectors.errors`` it stands for (in brackets when the name differs)
    ├── Retriable                  try again later; the client already retried within its budget
    │   ├── Throttled              HTTP 429, or HTTP 200 with errors[].extensions.code == "THROTTLED"
    │   ├── ServerError            HTTP 5xx, or a GraphQL INTERNAL_SERVER_ERROR
    │   ├── TransportError         the request did not complete
    │   │   ├── RequestTimeout
    │   │   └── ConnectionFailed
    │   └── BulkOperationInProgress   another bulk query holds the shop's bulk slot
    ├── Fatal                      retrying the same request cannot help; fix config, query or data
    │   ├── AuthenticationError    HTTP 401/403: bad or revoked token
    │   │   └── AccessDenied       GraphQL ACCESS_DENIED: the token lacks a scope
    │   ├── HttpError              any other unexpected HTTP status (402 frozen shop, 404 wrong URL, …)
    │   ├── QueryError             GraphQL errors in the response (the data, if any, is kept on the error)
    │   │   └── MaxCostExceeded    requested cost above Shopify's single-query cap (1000)
    │   ├── NotFound               the object a query is rooted at is null (``order(id:)`` of a deleted order)
    │   ├── OperationError         a missing or malformed .graphql file, wrong variables
    │   │   └── UnknownOperation
    │   └── BulkOperationFailed    a bulk job ended FAILED / CANCELED / EXPIRED
    └── RecordError                one record of a mutation was refused (userErrors); the others went on

Why the split (see ``connectors/errors.py``): a Prefect task maps ``Retriable`` to "retry the task", ``Fatal``
to "fail now with this message", and collects ``RecordError`` on the record's row (staging error column)
without failing the batch.

No message here ever contains the access token: errors carry the shop URL, the operation name and
Shopify's own messages, never request headers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from connectors import errors as base

__all__ = [
    "AccessDenied",
    "AuthenticationError",
    "BulkOperationFailed",
    "BulkOperationInProgress",
    "ConnectionFailed",
    "Fatal",
    "HttpError",
    "MaxCostExceeded",
    "NotFound",
    "OperationError",
    "QueryError",
    "RecordError",
    "RequestTimeout",
    "Retriable",
    "ServerError",
    "ShopifyError",
    "Throttled",
    "TransportError",
    "UnknownOperation",
    "UserError",
]


class ShopifyError(base.CommerceSyncError):
    """Base of every error the Shopify connector raises."""


class Retriable(ShopifyError, base.Retriable):
    """Transient: the same request may succeed later."""


class Fatal(ShopifyError, base.Fatal):
    """Permanent: the same request will fail again."""


class Throttled(Retriable):
    """The cost bucket (or the resource-based limit) refused the request and retries ran out."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServerError(Retriable, base.ServerError):
    """HTTP 5xx, or a GraphQL ``INTERNAL_SERVER_ERROR``."""


class TransportError(Retriable, base.TransportError):
    """The request did not complete (no HTTP response)."""


class RequestTimeout(TransportError, base.RequestTimeout):
    pass


class ConnectionFailed(TransportError, base.ConnectionFailed):
    pass


class BulkOperationInProgress(Retriable):
    """Shopify refused to start a bulk query because others are running (and none of them is ours to adopt)."""

    def __init__(self, message: str, *, running_id: str | None = None) -> None:
        super().__init__(message)
        self.running_id = running_id


class AuthenticationError(Fatal, base.AuthenticationError):
    """HTTP 401/403: the token is bad or revoked."""


class AccessDenied(AuthenticationError):
    pass


class HttpError(Fatal):
    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


class QueryError(Fatal):
    """GraphQL ``errors`` in a response. Partial ``data`` is kept here, never silently used."""

    def __init__(
        self,
        message: str,
        *,
        errors: Sequence[dict] = (),
        data: dict | None = None,
        operation: str | None = None,
    ) -> None:
        super().__init__(message)
        self.errors = list(errors)
        self.data = data
        self.operation = operation

    @property
    def codes(self) -> list[str]:
        return [str((e.get("extensions") or {}).get("code")) for e in self.errors if e.get("extensions")]


class MaxCostExceeded(QueryError):
    pass


class NotFound(Fatal):
    """The object a query is rooted at does not exist (or is not visible to this app)."""


class OperationError(Fatal):
    """A .graphql operation file is missing, malformed, or called with the wrong variables."""


class UnknownOperation(OperationError, KeyError):
    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class BulkOperationFailed(Fatal):
    def __init__(
        self,
        message: str,
        *,
        operation_id: str,
        status: str,
        error_code: str | None = None,
        partial_data_url: str | None = None,
    ) -> None:
        super().__init__(message)
        self.operation_id = operation_id
        self.status = status
        self.error_code = error_code
        self.partial_data_url = partial_data_url


@dataclass(frozen=True)
class UserError:
    """One entry of a mutation payload's ``userErrors`` as Shopify sent it."""

    message: str
    field: tuple[str, ...] = ()
    code: str | None = None
    element_index: int | None = None

    @classmethod
    def from_payload(cls, raw: dict) -> UserError:
        index = raw.get("elementIndex")
        return cls(
            message=str(raw.get("message") or ""),
            field=tuple(str(part) for part in (raw.get("field") or ())),
            code=raw.get("code"),
            element_index=int(index) if index is not None else None,
        )


class RecordError(ShopifyError, base.RecordError):
    """Shopify refused one record: which record (our key, e.g. a SKU or ERP document), which field, why.

    ``code`` is Shopify's userError code, ``operation`` the mutation that was refused.
    """

    def __init__(
        self, record: str, field: str | None, reason: str, code: str | None = None, operation: str | None = None
    ) -> None:
        self.code = code
        self.operation = operation
        super().__init__(record, field, reason)

    def describe(self) -> str:
        where = f" field {self.field!r}" if self.field else ""
        code = f" [{self.code}]" if self.code else ""
        op = f"{self.operation}: " if self.operation else ""
        return f"{op}record {self.record!r}{where}: {self.reason}{code}"
