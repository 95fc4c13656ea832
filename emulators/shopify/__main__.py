"""``python -m emulators.shopify --port 8080``: serve the emulator (what ``commerce-sync emulate shopify`` runs)."""

from __future__ import annotations

import argparse

from pydantic import SecretStr

from .config import EmulatorConfig
from .server import serve
from .webhooks import WebhookConfig


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m emulators.shopify", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", action="append", help="accepted access token (repeatable)")
    parser.add_argument(
        "--client",
        action="append",
        metavar="ID:SECRET",
        help="a Dev Dashboard app that may take expiring tokens by the client-credentials grant (repeatable)",
    )
    parser.add_argument("--shop", default=None, help="shop name (<shop>.myshopify.com)")
    parser.add_argument(
        "--bucket-size", type=int, default=None, help="throttleStatus.maximumAvailable (default 2000, Standard)"
    )
    parser.add_argument(
        "--restore-rate",
        type=float,
        default=None,
        help="throttleStatus.restoreRate in points/s (default 100, Standard)",
    )
    parser.add_argument(
        "--cost-model", choices=("calibrated", "pessimistic"), default=None, help="see cost.py (default calibrated)"
    )
    args = parser.parse_args(argv)
    overrides: dict = {}
    if args.cost_model:
        overrides["cost_model"] = args.cost_model
    if args.token:
        overrides["tokens"] = args.token
    if args.client:
        overrides["client_credentials"] = apps = dict(app.split(":", 1) for app in args.client)
        # Shopify signs an app's webhooks with that app's client secret
        # ("generated using your app's client secret", https://shopify.dev/docs/apps/build/webhooks/verify-deliveries)
        if len(apps) == 1:
            overrides["webhooks"] = WebhookConfig(secret=SecretStr(next(iter(apps.values()))))
    if args.shop:
        overrides["shop_name"] = args.shop
    if args.bucket_size is not None:
        overrides["bucket_size"] = args.bucket_size
    if args.restore_rate is not None:
        overrides["restore_rate"] = args.restore_rate
    serve(EmulatorConfig(**overrides), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
