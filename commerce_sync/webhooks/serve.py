"""``commerce-sync webhooks serve``: the receiver for a set of shops, their secrets read from their blocks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from pydantic import SecretStr

from .receiver import create_receiver


class MissingSecret(ValueError):
    """A shop to receive for has no ``webhook_secret``: its webhooks could never be verified."""


def shop_secrets(shops: Sequence[str]) -> dict[str, SecretStr]:
    """ShopifyShop block name → its ``webhook_secret``, for each of ``shops``; refuses shops without one."""
    from blocks import ShopifyShop

    secrets: dict[str, SecretStr] = {}
    missing = []
    for name in shops:
        # Prefect's sync/async dispatch hides the loaded type from a type checker
        secret = cast(ShopifyShop, ShopifyShop.load(name)).webhook_secret
        if secret is None:
            missing.append(name)
        else:
            secrets[name] = secret
    if missing:
        raise MissingSecret(
            f"ShopifyShop block(s) {', '.join(missing)} have no webhook_secret: set it to the app's client secret"
        )
    return secrets


def serve_webhooks(shops: Sequence[str], host: str, port: int) -> None:
    """Serve ``POST /webhooks/<shop>`` until interrupted; events go to the Prefect API of this environment."""
    import uvicorn

    uvicorn.run(create_receiver(shop_secrets(shops)), host=host, port=port, log_level="info")
