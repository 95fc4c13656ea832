"""The ``X-Shopify-Hmac-Sha256`` check: is this body, byte for byte, what Shopify signed with our client secret?

Shopify signs the raw request body with HMAC-SHA256 keyed by the app's client secret and sends the digest
base64-encoded in ``X-Shopify-Hmac-Sha256``; a receiver recomputes it over the raw body (never a re-serialised
parse of it) and refuses any delivery that differs
(https://shopify.dev/docs/apps/build/webhooks/verify-deliveries). The digests are compared with
``hmac.compare_digest``, whose time does not depend on where they differ, so the answer time leaks nothing
about the expected signature.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from pydantic import SecretStr


def _digest(body: bytes, secret: SecretStr) -> bytes:
    return hmac.new(secret.get_secret_value().encode("utf-8"), body, hashlib.sha256).digest()


def sign(body: bytes, secret: SecretStr) -> str:
    """The header value Shopify would send for ``body``."""
    return base64.b64encode(_digest(body, secret)).decode("ascii")


def verify(body: bytes, header: str | None, secret: SecretStr) -> bool:
    """Whether ``header`` is the signature of ``body`` under ``secret``; a missing or malformed header is not."""
    if not header:
        return False
    try:
        claimed = base64.b64decode(header.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    return hmac.compare_digest(claimed, _digest(body, secret))
