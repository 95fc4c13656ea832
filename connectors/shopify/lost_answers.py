"""Creates that are not retry-safe, when their answer is lost: find what they made before making it again.

``collectionCreate`` and attaching media have no ``@idempotent`` key, so the Shopify client does not repeat them
once the request may have reached Shopify; it raises, and the task decides. A 5xx or a dropped answer means
the write happened or not, *now*: one look settles it. A timeout or a broken connection means the request may
still be on its way — Shopify can apply it after the client stopped waiting — so a look right away can miss
it, and a second create then lands beside the late first one (the chaos bench caught exactly this: a
collection created twice, ``…-1``). So after those, the task keeps looking for as long as the client itself
waits for an answer before it gives up and lets the task retry.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from connectors.shopify import ShopifyClient
from connectors.shopify.errors import Retriable, TransportError

T = TypeVar("T")

POLL_SECONDS = 0.25
DEFAULT_WAIT = 60.0


def create_or_adopt(
    client: ShopifyClient,
    create: Callable[[], T],
    find: Callable[[], T | None],
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``create()``; when its answer is lost, what ``find()`` returns once the record shows (else the error).

    ``find`` returns None while the record is not there; it may raise (a lookup can fail too), which ends the
    wait with that error — the task's retry looks again before it creates.
    """
    try:
        return create()
    except Retriable as lost:
        deadline = time.monotonic() + (answer_wait(client) if isinstance(lost, TransportError) else 0.0)
        while True:
            found = find()
            if found is not None:
                return found
            if time.monotonic() >= deadline:
                raise
            sleep(POLL_SECONDS)


def answer_wait(client: ShopifyClient) -> float:
    """How long the client waits for an answer; a write that has not shown after waiting as long again is
    taken as never applied (the bound every retry after a lost answer needs, here as long as the client's)."""
    timeout = getattr(getattr(client, "http", None), "timeout", None)
    return float(getattr(timeout, "read", None) or DEFAULT_WAIT)
