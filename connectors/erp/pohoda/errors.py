"""POHODA connector errors → the ERP port's error tree, at the adapter's edge.

The flows decide per error *kind* of :mod:`connectors.erp.errors` and never import the POHODA connector, so
every adapter method runs inside :func:`erp_errors`:

==============================================  =============================================================
``connectors.pohoda``                            ``connectors.erp``
==============================================  =============================================================
``Retriable`` (busy, 5xx, timeout, no answer)   ``ErpUnavailable`` — retry later (duplicity ids make it safe)
``RecordError`` / ``FieldTooLong``              ``RecordError`` with the same record and field
``ItemError`` (POHODA refused one record)       ``RecordError`` naming our record, field ``import``
``Fatal`` (auth, wrong company, refused pack)   ``ErpRefused`` — fix configuration; the message says what
==============================================  =============================================================

Messages come from the POHODA errors, which never carry the password or the authorization header.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from connectors.erp.errors import ErpError, ErpRefused, ErpUnavailable, RecordError
from connectors.pohoda import errors as pohoda

__all__ = ["erp_errors", "refused"]


def refused(error: pohoda.ItemError, record: str | None = None) -> RecordError:
    """A POHODA refusal of one record as the port's ``RecordError``."""
    code = f" [{error.code}]" if error.code is not None else ""
    return RecordError(
        record or error.record or f"item {error.item_id}",
        "import",
        f"POHODA refused it{code}: {error.note or 'no reason given'}",
    )


@contextmanager
def erp_errors(operation: str) -> Iterator[None]:
    """Run a block, re-raising POHODA connector errors as the port's errors (see the module table)."""
    try:
        yield
    except ErpError:
        raise
    except pohoda.RecordError as exc:
        raise RecordError(exc.record, exc.field, exc.reason) from None
    except pohoda.ItemError as exc:
        raise refused(exc) from None
    except pohoda.Retriable as exc:
        raise ErpUnavailable(f"POHODA mServer unavailable in {operation}: {exc}") from exc
    except pohoda.PohodaError as exc:
        raise ErpRefused(f"POHODA refused {operation}: {exc}") from exc
