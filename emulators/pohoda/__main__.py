"""``python -m emulators.pohoda --port 8444``: serve an empty mServer emulator (``commerce-sync emulate pohoda
--seed-items N`` serves one filled with the project's sample catalogue; ``POST /_emulator/seed`` fills a
running one). With ``--state-file`` the company outlives the process (``persistence.py``)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from pydantic import SecretStr

from .app import create_app
from .config import PohodaEmulatorConfig
from .persistence import StateFile
from .server import serve


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m emulators.pohoda", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--user", default=None, help="POHODA user accepted in STW-Authorization")
    parser.add_argument("--ico", default=None, help="company IČO of the accounting unit")
    parser.add_argument("--year", type=int, default=None, help="fiscal year of the accounting unit")
    parser.add_argument(
        "--state-file", type=Path, default=None, help="keep the company in this file: a restarted emulator goes on"
    )
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
    config = PohodaEmulatorConfig(**overrides)
    state_file = StateFile(args.state_file) if args.state_file else None
    serve(app=create_app(config, state_file=state_file), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
