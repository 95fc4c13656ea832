"""``commerce-sync`` command line: demo, sample data, schedules, emulators, webhooks.

Imports happen inside the commands so ``commerce-sync --help`` stays fast (Prefect alone takes ~1 s to import).
A mistake in what was asked (``user_errors``) is one line on stderr and exit code 2; ``--debug`` shows the
traceback instead.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar, cast

import typer
import typer.core

F = TypeVar("F", bound=Callable[..., Any])
USER_ERROR_EXIT = 2

app = typer.Typer(no_args_is_help=True, add_completion=False, help="ERP ⇄ Shopify sync pipelines on Prefect.")


_options = {"debug": False}
"""Options of the whole command line, set by ``main`` before any command runs."""


@app.callback()
def main(debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of an error.")] = False) -> None:
    _options["debug"] = debug


def user_errors(command: F) -> F:
    """One line on stderr and exit 2 for a mistake in what was asked; the traceback only with ``--debug``."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from commerce_sync.runner import UserError

        try:
            return command(*args, **kwargs)
        except (UserError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
            if _options["debug"]:
                raise
            typer.echo(f"error: {one_line(exc)}", err=True)
            raise typer.Exit(USER_ERROR_EXIT) from None

    return cast(F, wrapper)


def one_line(exc: BaseException) -> str:
    """An error as one line; a pydantic error as ``field: message`` per error, without its links."""
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        return "; ".join(_one_error(error) for error in exc.errors())
    return " ".join(str(exc).split())


def _one_error(error: Any) -> str:
    """``field: message (got value)``; a model's own rule (both period ends) already names its field."""
    message = str(error["msg"]).removeprefix("Value error, ")
    field = ".".join(str(part) for part in error["loc"])
    got = f" (got {error['input']!r})" if error["type"] not in ("missing", "value_error") else ""
    return f"{field}: {message}{got}" if field else message


class RunCommand(typer.core.TyperCommand):
    """``run --help`` lists the sync types and each one's parameters, built only when help is asked for (it
    imports every flow, which takes Prefect's import time)."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self.epilog = sync_types_help()
        super().format_help(ctx, formatter)


def sync_types_help() -> str:
    from commerce_sync.runner import flow_and_params
    from deployments.builder import available_sync_types
    from flows.params import SyncParams

    common = ", ".join(SyncParams.model_fields)
    lines = [f"Sync types and their parameters (--param key=value); every one takes {common}:"]
    for sync_type in available_sync_types():
        _, params_cls = flow_and_params(sync_type)
        own = [
            f"{name} ({field.title})" if field.title else name
            for name, field in params_cls.model_fields.items()
            if name not in SyncParams.model_fields
        ]
        lines.append(f"{sync_type}: {', '.join(own)}" if own else sync_type)
    return "\n\n".join(lines)


schedule_app = typer.Typer(no_args_is_help=True, help="Sync schedules: Codat's Daily/Monthly, every, cron.")
emulate_app = typer.Typer(no_args_is_help=True, help="Local emulators of the shop and ERP servers.")
app.add_typer(schedule_app, name="schedule")
app.add_typer(emulate_app, name="emulate")
deployments_app = typer.Typer(no_args_is_help=True, help="prefect.yaml from a shops file.")
app.add_typer(deployments_app, name="deployments")
webhooks_app = typer.Typer(
    no_args_is_help=True, help="Shopify webhooks: register them, receive them as Prefect events."
)
app.add_typer(webhooks_app, name="webhooks")


@deployments_app.command("render")
@user_errors
def deployments_render(
    shops_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)] = Path("shops.yaml"),
    output: Annotated[Path, typer.Option(help="Where to write; '-' prints.")] = Path("prefect.yaml"),
    check: Annotated[bool, typer.Option(help="Fail if the file differs from what would be rendered.")] = False,
) -> None:
    """Render one deployment per shop × sync type (schedule, queue category, tags) into prefect.yaml."""
    from deployments.builder import available_sync_types, load_shops, render_prefect_yaml

    text = render_prefect_yaml(load_shops(shops_file), available_sync_types())
    if check:
        if not output.exists() or output.read_text(encoding="utf-8") != text:
            typer.echo(f"{output} is out of date: run `commerce-sync deployments render {shops_file}`", err=True)
            raise typer.Exit(1)
        typer.echo(f"{output} matches {shops_file}")
    elif str(output) == "-":
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}")


@app.command("setup")
@user_errors
def setup_command(
    shops_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)] = Path("shops.yaml"),
) -> None:
    """Create (idempotently) the work pool, a queue per shop × category (limit 1), the concurrency limits, and
    register the block types on the Prefect API."""
    import asyncio

    from commerce_sync.runner import api_url
    from deployments.builder import load_shops
    from deployments.setup import setup

    shops = load_shops(shops_file)
    api_url()
    created = asyncio.run(setup(shops.work_pool, [s.name for s in shops.shops]))
    for kind, names in created.items():
        typer.echo(f"{kind}: {', '.join(names)}")


@app.command("run", cls=RunCommand)
@user_errors
def run_command(
    sync: Annotated[str, typer.Argument(help="Sync type, e.g. sync_orders (listed below).")],
    shop: Annotated[str, typer.Option(help="ShopifyShop block name.")],
    param: Annotated[list[str] | None, typer.Option("--param", help="key=value (JSON values allowed).")] = None,
    wait: Annotated[bool, typer.Option(help="Follow a background run to its end.")] = False,
) -> None:
    """Run a sync: queued on the shop's work queue when it allows background syncs, else in this process.

    Needs PREFECT_API_URL. Exit code 0: completed; 1: the run ended otherwise (--wait, or in the foreground);
    2: a mistake in what was asked."""
    from commerce_sync.runner import parse_params, run_sync

    outcome = run_sync(sync, shop, parse_params(param or []), wait=wait)
    if outcome.background:
        typer.echo(f"queued {sync} for {shop}: flow run {outcome.flow_run_id} ({outcome.state})")
        if outcome.url:
            typer.echo(outcome.url)
        if not wait:
            return
    else:
        typer.echo(f"ran {sync} for {shop} in the foreground")
    typer.echo(f"{outcome.state}: {outcome.message or ''}".rstrip(": "))
    typer.echo(f"summary: {outcome.summary}")
    if outcome.state != "Completed":
        raise typer.Exit(1)


@webhooks_app.command("serve")
def webhooks_serve(
    shop: Annotated[
        list[str] | None,
        typer.Option("--shop", help="ShopifyShop block to receive for (repeat it); default: every shop of the file."),
    ] = None,
    shops_file: Annotated[Path, typer.Option(help="The shops file naming the shops.")] = Path("shops.yaml"),
    host: Annotated[str, typer.Option(help="Interface to listen on (put an HTTPS proxy or tunnel in front).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option()] = 8090,
) -> None:
    """Receive Shopify webhooks on POST /webhooks/<shop>, verify them and emit Prefect events, until Ctrl-C."""
    from commerce_sync.webhooks.serve import MissingSecret, serve_webhooks
    from deployments.builder import load_shops

    names = shop or [entry.name for entry in load_shops(shops_file).shops]
    typer.echo(f"webhooks for {', '.join(names)} on http://{host}:{port}/webhooks/<shop>")
    try:
        serve_webhooks(names, host, port)
    except MissingSecret as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None


@webhooks_app.command("register")
def webhooks_register(
    shop: Annotated[str, typer.Option(help="ShopifyShop block name.")],
    address: Annotated[
        str, typer.Option(help="The receiver's public HTTPS base URL; Shopify posts to <address>/webhooks/<shop>.")
    ],
    topic: Annotated[
        list[str] | None, typer.Option("--topic", help="Only this topic (repeat it); default: all.")
    ] = None,
) -> None:
    """Subscribe the shop to the webhooks the receiver takes (webhookSubscriptionCreate); safe to repeat."""
    from blocks import ShopifyShop
    from commerce_sync.webhooks.register import RegistrationError, register_webhooks, subscription_uri
    from deployments.webhooks import WEBHOOK_TOPICS

    topics = topic or list(WEBHOOK_TOPICS)
    unknown = [t for t in topics if t not in WEBHOOK_TOPICS]
    if unknown:
        raise typer.BadParameter(
            f"{', '.join(unknown)}: the receiver takes {', '.join(WEBHOOK_TOPICS)}", param_hint="--topic"
        )
    if not address.startswith(("https://", "http://")):
        raise typer.BadParameter("expected a URL such as https://hooks.example.com", param_hint="--address")
    block = ShopifyShop.load(shop)
    with block.client() as client:
        try:
            subscriptions = register_webhooks(client, subscription_uri(address, shop), topics)
        except RegistrationError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from None
    for sub in subscriptions:
        typer.echo(f"{'subscribed' if sub.created else 'already subscribed'}: {sub.topic} -> {sub.uri}")
    if block.webhook_secret is None:
        typer.echo(
            f"note: set webhook_secret on the {shop} block (the app's client secret), or the receiver "
            "refuses these webhooks",
            err=True,
        )


@app.command("sample-erp")
def sample_erp(
    url: Annotated[str | None, typer.Option(help="ERP database URL; default: the embedded SQLite file.")] = None,
    items: Annotated[int, typer.Option(min=1)] = 200,
    customers: Annotated[int, typer.Option(min=0)] = 50,
    orders: Annotated[int, typer.Option(min=0)] = 100,
    seed: Annotated[int, typer.Option()] = 1,
) -> None:
    """Fill an ERP database with deterministic, realistic sample data (idempotent)."""
    from commerce_sync.samples.data import generate, write_sql_erp
    from connectors.erp.sql import default_sqlite_url

    target = url or default_sqlite_url()
    data = generate(items=items, customers=customers, orders=orders, seed=seed)
    write_sql_erp(data, target)
    typer.echo(
        f"sample ERP at {_redact(target)}: {len(data.products)} items, {len(data.customers)} customers, "
        f"{len(data.orders)} shop orders generated (seed {seed})"
    )


@schedule_app.command("show")
def schedule_show(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="JSON or YAML: Codat's fields, every or cron.")
    ],
    count: Annotated[int, typer.Option(min=1, max=100)] = 5,
    now: Annotated[datetime | None, typer.Option(help="Pretend it is this time (UTC if no offset).")] = None,
    last_success: Annotated[
        datetime | None,
        typer.Option(help="Due date of the last successful run (UTC if no offset); default: it never ran."),
    ] = None,
) -> None:
    """Print the next due dates and the period each run would sync (the first from startDate, or --last-success)."""
    from domain.schedule import describe, load_schedule

    schedule = load_schedule(file)
    moment = now or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    typer.echo(f"{schedule.summary}  cron '{schedule.cron()}'")
    if last_success is not None and last_success.tzinfo is None:
        last_success = last_success.replace(tzinfo=UTC)
    for row in describe(schedule, moment, count=count, last_success=last_success):
        typer.echo(json.dumps(row, default=str))


@emulate_app.command("shopify")
def emulate_shopify(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8081,
    token: Annotated[
        str, typer.Option(envvar="COMMERCE_SYNC_EMULATOR_TOKEN", help="Accepted access token.")
    ] = "demo-token",
    seed_items: Annotated[
        int, typer.Option(min=0, help="Seed N items of the sample catalogue, stocked (0 = empty shop).")
    ] = 0,
) -> None:
    """Serve the Shopify Admin GraphQL emulator until Ctrl-C."""
    from commerce_sync.samples.data import generate
    from emulators.shopify import EmulatorConfig, create_app, emulator_of, serve

    app = create_app(EmulatorConfig(tokens=[token]))
    if seed_items:
        data = generate(items=seed_items, customers=0, orders=0, seed=1)
        state = emulator_of(app).state
        state.seed_locations(data.locations)
        state.seed_products(data.products)
        state.seed_stock(data.stock)
        typer.echo(f"seeded {len(data.products)} products at {len(data.locations)} locations from the sample data")
    typer.echo(f"Shopify emulator on http://127.0.0.1:{port}/admin/api/2026-04/graphql.json")
    serve(host="127.0.0.1", port=port, app=app)


@emulate_app.command("pohoda")
def emulate_pohoda(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8082,
    user: Annotated[str, typer.Option(help="mServer user (STW-Authorization).")] = "admin",
    password: Annotated[str, typer.Option(envvar="POHODA_EMULATOR_PASSWORD", help="mServer password.")] = "",
    ico: Annotated[str, typer.Option(help="Company IČO the accounting unit reports.")] = "12345678",
    seed_items: Annotated[int, typer.Option(help="Seed N items of the sample catalogue (0 = empty company).")] = 0,
) -> None:
    """Serve the Pohoda mServer emulator (POST /xml, /status, /documents) until Ctrl-C."""
    from commerce_sync.samples.data import generate
    from emulators.pohoda import PohodaEmulatorConfig, create_app, emulator_of, serve

    config = PohodaEmulatorConfig(user=user, company_ico=ico, **({"password": password} if password else {}))
    app = create_app(config)
    if seed_items:
        emulator_of(app).state.seed_sample_data(generate(items=seed_items, customers=10, orders=0, seed=1))
    typer.echo(f"Pohoda mServer emulator on http://127.0.0.1:{port}/xml (IČO {config.company_ico})")
    serve(host="127.0.0.1", port=port, app=app)


@app.command("demo")
def demo(
    data_dir: Annotated[Path | None, typer.Option(help="Where the demo keeps its databases.")] = None,
    serve: Annotated[
        bool,
        typer.Option(
            "--serve",
            help="Start a real `prefect server` (UI), emulators, worker and deployments; run every deployment "
            "once, the catalogue first, then orders, then maintenance and reconcile; run until Ctrl-C.",
        ),
    ] = False,
    port: Annotated[int, typer.Option(help="With --serve: the Prefect server's port (a free one if taken).")] = 4200,
) -> None:
    """Run the main job end to end on the embedded default (SQLite ERP + local Shopify emulator)."""
    if serve:
        from commerce_sync.serve import run_serve

        run_serve(data_dir=data_dir, port=port)
        return
    from commerce_sync.demo import run_demo

    run_demo(data_dir=data_dir)


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    app()
