"""What can go wrong talking to POHODA's mServer, sorted by what the caller should do about it.

    PohodaError                   also a ``connectors.errors.CommerceSyncError``; each class below is also the
    │                             idea of ``connectors.errors`` it stands for (``ServerBusy`` is a ``Retriable``)
    ├── Retriable                 try again later; POHODA wrote nothing (or a retry is harmless: duplicity ids)
    │   ├── ServerBusy            mServer answered "busy" (HTTP 503, /status busy)
    │   ├── ServerError           HTTP 5xx, or the pack failed with 556 "Chyba průběhu zpracování"
    │   └── TransportError        the request did not complete
    │       ├── RequestTimeout
    │       └── ConnectionFailed
    ├── Fatal                     the same request fails again: fix configuration, data or code
    │   ├── AuthenticationError   HTTP 401/403, pack errors 554/555, an HTML login page instead of XML
    │   ├── WrongCompany          the mServer serves another IČO or fiscal year than configured
    │   ├── PackRejected          responsePack state="error": POHODA refused the whole dataPack
    │   ├── UnexpectedAnswer      not a responsePack, items missing, an HTTP status we do not map
    │   └── XmlError              a document we refuse to read
    │       ├── UnsafeXml         DOCTYPE / ENTITY declarations (XXE, entity expansion), external references
    │       ├── EncodingError     unsupported or wrong encoding declaration, invalid bytes
    │       └── MalformedXml      not well-formed, nested too deep
    │           └── TruncatedXml  the document ends before its root element closes
    ├── RecordError               one record cannot be written or read (record + field named); others go on
    │   └── FieldTooLong          a value exceeds the XSD's maxLength even after transliteration
    └── ItemError                 POHODA refused one dataPackItem (item id, our record, state, note, code)
        ├── PermissionDenied      errno 101: the user lacks the right for this agenda
        └── DuplicateItem         recordDuplicity: this item was imported before (the existing record is named)

Why the split (see ``connectors/errors.py``): a Prefect task maps ``Retriable`` to "retry the task", ``Fatal``
to "fail now with this message", and stores ``RecordError``/``ItemError`` on the record's row without failing
the batch.

No message here ever contains the password or the ``STW-Authorization`` value: errors carry the mServer URL,
the pack/item ids, our record keys and POHODA's own notes, never request headers.
"""

from __future__ import annotations

from connectors import errors as base

__all__ = [
    "AuthenticationError",
    "ConnectionFailed",
    "DuplicateItem",
    "EncodingError",
    "Fatal",
    "FieldTooLong",
    "ItemError",
    "MalformedXml",
    "PackRejected",
    "PermissionDenied",
    "PohodaError",
    "RecordError",
    "RequestTimeout",
    "Retriable",
    "ServerBusy",
    "ServerError",
    "TransportError",
    "TruncatedXml",
    "UnexpectedAnswer",
    "UnsafeXml",
    "WrongCompany",
    "XmlError",
]


class PohodaError(base.CommerceSyncError):
    """Base of every error the POHODA connector raises deliberately."""


class Retriable(PohodaError, base.Retriable):
    """Transient: the same request may succeed later."""


class Fatal(PohodaError, base.Fatal):
    """Permanent: the same request will fail again."""


class ServerBusy(Retriable):
    """mServer processes requests one at a time and said it is busy."""


class ServerError(Retriable, base.ServerError):
    """HTTP 5xx, or the pack failed with 556 "Chyba průběhu zpracování"."""


class TransportError(Retriable, base.TransportError):
    """No HTTP answer: the request may or may not have reached POHODA (duplicity ids make a retry safe)."""


class RequestTimeout(TransportError, base.RequestTimeout):
    pass


class ConnectionFailed(TransportError, base.ConnectionFailed):
    pass


class AuthenticationError(Fatal, base.AuthenticationError):
    """HTTP 401/403, pack errors 554/555, or an HTML login page instead of XML."""


class WrongCompany(Fatal):
    """The accounting unit behind the mServer is not the configured one; nothing was sent to it."""


class PackRejected(Fatal):
    """POHODA refused the whole dataPack (``responsePack/@state="error"``)."""

    def __init__(
        self, message: str, *, pack_id: str | None = None, note: str | None = None, code: int | None = None
    ) -> None:
        super().__init__(message)
        self.pack_id = pack_id
        self.note = note
        self.code = code


class UnexpectedAnswer(Fatal):
    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class XmlError(Fatal):
    """A document we refuse to read; ``line``/``column`` (1-based) and ``offset`` (bytes) when known."""

    def __init__(
        self, message: str, *, line: int | None = None, column: int | None = None, offset: int | None = None
    ) -> None:
        where = ", ".join(
            part
            for part in (
                f"line {line}" if line else "",
                f"column {column}" if column else "",
                f"byte {offset}" if offset is not None else "",
            )
            if part
        )
        super().__init__(f"{message} ({where})" if where else message)
        self.reason = message
        self.line = line
        self.column = column
        self.offset = offset


class UnsafeXml(XmlError):
    """DOCTYPE/ENTITY declarations are refused outright: POHODA never sends them, attackers do."""


class EncodingError(XmlError):
    pass


class MalformedXml(XmlError):
    pass


class TruncatedXml(MalformedXml):
    pass


class RecordError(PohodaError, base.RecordError):
    """A record cannot be written or read because of its data: ``record`` names it, ``field`` the culprit."""


class FieldTooLong(RecordError):
    def __init__(self, record: str, field: str, length: int, max_length: int) -> None:
        super().__init__(record, field, f"{length} characters, POHODA allows at most {max_length}")
        self.length = length
        self.max_length = max_length


class ItemError(PohodaError):
    """POHODA answered one ``dataPackItem`` with ``state="error"`` (or a detail with an error state)."""

    def __init__(self, item_id: str, record: str | None, state: str, note: str | None, code: int | None = None) -> None:
        label = record or f"item {item_id}"
        code_part = f" [{code}]" if code is not None else ""
        super().__init__(f"{label}: POHODA answered {state}{code_part}: {note or 'no note'}")
        self.item_id = item_id
        self.record = record
        self.state = state
        self.note = note
        self.code = code


class PermissionDenied(ItemError):
    """errno 101 "Uživatel nemá dostatečná práva": the mServer user may not write this agenda."""


class DuplicateItem(ItemError):
    """The item was imported before (POHODA's batch duplicity check); the existing record is named.

    A retried request ends here: callers that asked for idempotency treat it as success and read
    ``existing_id`` / ``existing_number``.
    """

    def __init__(
        self,
        item_id: str,
        record: str | None,
        note: str | None,
        *,
        agenda: str | None = None,
        existing_id: int | None = None,
        existing_number: str | None = None,
    ) -> None:
        existing = f"already imported as {agenda or 'record'} {existing_number or existing_id or ''}".rstrip()
        super().__init__(item_id, record, "duplicate", note or existing)
        self.agenda = agenda
        self.existing_id = existing_id
        self.existing_number = existing_number
