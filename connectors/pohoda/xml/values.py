"""Text ⇄ value for the XSD simple types POHODA uses, and POHODA's offset-less local time.

Why explicit functions instead of ``float(text)``/``str(value)``:
- Money stays ``Decimal`` end to end: ``typ:currencyType`` is ``xsd:double`` on the wire, but a price read as a
  float and written back would drift by a cent after a few round trips.
- POHODA writes and reads local wall-clock time *without* an offset (``2025-01-06T09:00:00`` in Prague). Inside
  commerce-sync every datetime is aware UTC, so conversion happens here, at the XML edge, with the company's
  zone (``Europe/Prague`` unless configured otherwise). A naive datetime handed to a builder is refused: it is
  the classic way to lose records at a DST boundary.
- Every reader raises :class:`FieldValueError` naming the field, so a record-level caller can say *which*
  field of *which* record was wrong and go on with the next record.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from connectors.errors import CommerceSyncError

__all__ = [
    "DEFAULT_TZ",
    "FieldValueError",
    "fmt_bool",
    "fmt_date",
    "fmt_decimal",
    "fmt_local_datetime",
    "read_bool",
    "read_date",
    "read_decimal",
    "read_int",
    "read_local_datetime",
    "same_ico",
]

DEFAULT_TZ = ZoneInfo("Europe/Prague")
"""The zone POHODA's local times are in unless the connector is told otherwise."""


class FieldValueError(CommerceSyncError, ValueError):
    """A value in a POHODA document does not fit its field's type."""

    def __init__(self, field: str, value: object, expected: str) -> None:
        super().__init__(f"{field}: {value!r} is not {expected}")
        self.field = field
        self.value = value
        self.expected = expected


def fmt_decimal(value: Decimal | int) -> str:
    """``Decimal("199.00")`` → ``"199"``, ``Decimal("0.35")`` → ``"0.35"``: plain notation, never exponents."""
    if isinstance(value, int):
        return str(value)
    if not value.is_finite():
        raise ValueError(f"{value} is not a finite number")
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def fmt_bool(value: bool) -> str:
    return "true" if value else "false"


def fmt_date(value: date) -> str:
    if isinstance(value, datetime):
        value = value.date()
    return value.isoformat()


def fmt_local_datetime(value: datetime, tz: ZoneInfo = DEFAULT_TZ) -> str:
    """An aware datetime as POHODA's local ``YYYY-MM-DDTHH:MM:SS`` (seconds precision, no offset)."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"naive datetime {value.isoformat()} is ambiguous; pass an aware (UTC) datetime")
    return value.astimezone(tz).replace(tzinfo=None, microsecond=0).isoformat()


def read_decimal(text: str | None, field: str) -> Decimal | None:
    if text is None:
        return None
    raw = text.strip()
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise FieldValueError(field, text, "a number") from None
    if not value.is_finite():
        raise FieldValueError(field, text, "a finite number")
    return value


def read_int(text: str | None, field: str) -> int | None:
    if text is None or not text.strip():
        return None
    try:
        return int(text.strip())
    except ValueError:
        raise FieldValueError(field, text, "an integer") from None


_TRUE = {"true", "1"}
_FALSE = {"false", "0"}


def read_bool(text: str | None, field: str) -> bool | None:
    if text is None or not text.strip():
        return None
    raw = text.strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise FieldValueError(field, text, "true or false")


def read_date(text: str | None, field: str) -> date | None:
    if text is None or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise FieldValueError(field, text, "a date (YYYY-MM-DD)") from None


def read_local_datetime(text: str | None, field: str, tz: ZoneInfo = DEFAULT_TZ) -> datetime | None:
    """POHODA's local time (or an ISO time with an offset, honoured as given) as aware UTC."""
    if text is None or not text.strip():
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise FieldValueError(field, text, "a date-time (YYYY-MM-DDTHH:MM:SS)") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC)


def same_ico(answered: str, configured: str) -> bool:
    """Whether an answer's ``@ico`` is the configured company's IČO (digits compared, leading zeros ignored:
    POHODA writes ``06131425`` where a user may configure ``6131425``)."""

    def digits(ico: str) -> str:
        return "".join(ch for ch in ico if ch.isdigit()).lstrip("0")

    return digits(answered) == digits(configured)
