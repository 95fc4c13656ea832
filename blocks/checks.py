"""Field checks the blocks share: database URLs and HTTP base URLs.

Each check raises ``ValueError`` with a message meant for the person who typed the value; pydantic puts the
field name in front of it. A value that may hold a password (a database URL) is never echoed back.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from pydantic import SecretStr
from sqlalchemy.engine import make_url

DATABASES = ("sqlite", "postgresql")


def database_url(value: SecretStr) -> SecretStr:
    """A SQLAlchemy URL of a database the sync can keep state in: SQLite with a file, or PostgreSQL."""
    try:
        url = make_url(value.get_secret_value())
    except Exception:
        # the URL may hold a password: never echo it
        raise ValueError("not a database URL (expected e.g. postgresql+psycopg://host/db)") from None
    backend = url.get_backend_name()
    if backend not in DATABASES:
        raise ValueError(f"unsupported database {backend!r}: use sqlite or postgresql")
    if backend == "sqlite" and url.database in (None, "", ":memory:"):
        # an in-memory database is a new, empty one on every connection: the sync would lose its state
        raise ValueError("a SQLite URL needs a file path, e.g. sqlite:////var/lib/erp.db")
    return value


def empty_is_none(value: Any) -> Any:
    """The Prefect UI sends an emptied optional text field as ``""``: that means "not set"."""
    if isinstance(value, SecretStr):
        return None if not value.get_secret_value().strip() else value
    return None if isinstance(value, str) and not value.strip() else value


def http_base_url(value: str) -> str:
    """``http(s)://host[:port][/path]``, without the trailing slash; anything else is refused.

    Credentials typed into the URL are refused too (they belong in the password field) and never echoed.
    """
    shown = _without_credentials(value)
    if any(ch.isspace() for ch in value):
        raise ValueError(f"must not contain spaces: {shown!r}")
    try:
        parts = urlsplit(value)
        port = parts.port  # raises on a port that is not a number in 0-65535
    except ValueError:
        raise ValueError(f"not a URL with a valid host and port: {shown!r}") from None
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"must not hold a user or password (use the user and password fields): {shown!r}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"must be an http:// or https:// URL with a host, e.g. http://pohoda-host:444, got {shown!r}")
    if port == 0 or parts.query or parts.fragment:
        raise ValueError(f"must be a base URL (host, port, optional path; no query), got {shown!r}")
    return value.rstrip("/")


def _without_credentials(value: str) -> str:
    """``value`` with anything before an ``@`` in its authority replaced, so an error never shows a password."""
    scheme, sep, rest = value.partition("://")
    if not sep:
        scheme, rest = "", value
    authority, slash, path = rest.partition("/")
    if "@" in authority:
        authority = "***@" + authority.rsplit("@", 1)[1]
    return f"{scheme}{sep}{authority}{slash}{path}"
