"""``python -m emulators.pohoda --port 8444``: serve the mServer emulator (what ``commerce-sync emulate pohoda``
runs). ``--seed-items N`` fills it with the project's sample catalogue first."""

from __future__ import annotations

import argparse
import os

from pydantic import SecretStr

from .app import create_app
from .config import PohodaEmulatorConfig
from .server import emulator_of, serve


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m emulators.pohoda", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--user", default=None, help="POHODA user accepted in STW-Authorization")
    parser.add_argument("--ico", default=None, help="company IČO of the accounting unit")
    parser.add_argument("--year", type=int, default=None, help="fiscal year of the accounting unit")
    parser.add_argument("--seed-items", type=int, default=0, help="seed N sample items (0 = empty company)")
    args = parser.parse_args(argv)
    overrides: dict = {}
    if args.user:
        overrides["user"] = args.user
    if os.environ.get("POHODA_EMULATOR_PASSWORD"):
        overrides["password"] = SecretStr(os.environ["POHODA_EMULATOR_PASSWORD"])
    if args.ico:
        overrides["company_ico"] = args.ico
    if args.year:
        overrides["fiscal_year"] = args.year
    app = create_app(PohodaEmulatorConfig(**overrides))
    if args.seed_items:
        from commerce_sync.sample_data import generate

        emulator_of(app).state.seed_sample_data(generate(items=args.seed_items, customers=10, orders=0, seed=1))
    serve(host=args.host, port=args.port, app=app)


if __name__ == "__main__":
    main()
