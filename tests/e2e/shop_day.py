"""What the shop-day tests do to the PostgreSQL stack: a buyer places an order, runs are counted by who made them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from commerce_sync.serve import LocalStack

SHOP = "demo-shop"
ORDERS_DEPLOYMENT = f"sync-orders/{SHOP}"


def place_order(stack: LocalStack, number: int, *, minutes_ago: float = 0) -> str:
    """A buyer's new order in the shop (the sample's first order, under new ids), placed ``minutes_ago``; the
    emulated shop raises ``orders/create`` for it like any other write. Returns the order's GID."""
    from commerce_sync.samples.data import generate

    template = generate(seed=1, **stack.sample).orders[0]
    gid = f"gid://shopify/Order/{number}"
    at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    order = template.model_copy(
        update={
            "shop_id": gid,
            "name": f"#{number}",
            "created_at": at,
            "updated_at": at,
            "lines": [
                line.model_copy(update={"shop_id": f"gid://shopify/LineItem/{number}{i:02}"})
                for i, line in enumerate(template.lines)
            ],
            "transactions": [
                t.model_copy(update={"shop_id": f"gid://shopify/OrderTransaction/{number}{i:02}", "order_shop_id": gid})
                for i, t in enumerate(template.transactions)
            ],
        }
    )
    answer = httpx.post(
        f"{stack.shop_urls[SHOP]}/_emulator/seed", json={"orders": [order.model_dump(mode="json")]}, timeout=60
    )
    answer.raise_for_status()
    (made,) = answer.json()["orders"]
    return str(made)


def runs_created_since(stack: LocalStack, deployment: str, since: datetime) -> list[Any]:
    """The flow runs of ``deployment`` created at or after ``since``, oldest first."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterDeploymentId

    with stack.api(), get_client(sync_client=True) as client:
        found = client.read_deployment_by_name(deployment)
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(deployment_id=FlowRunFilterDeploymentId(any_=[found.id]))
        )
    return sorted((r for r in runs if r.created and r.created >= since), key=lambda r: r.created)


def started_by_automation(run: Any) -> bool:
    """Prefect's mark on a run a deployment trigger (an automation) created."""
    return run.created_by is not None and run.created_by.type == "AUTOMATION"


def trigger_as_scheduled(stack: LocalStack, name: str, due: datetime, *, start_at: datetime | None = None) -> str:
    """A run of deployment ``name`` as Prefect's scheduler makes it for ``due``, released to the worker at
    ``start_at`` (default: ``due``; a past ``due`` is a run the worker starts late). Returns its flow run id.

    The API cannot make an ``auto_scheduled`` run (only the scheduler does, and only for due dates ahead), so the
    run is created paused — no worker takes it — then marked in the server's database the way the scheduler
    marks its own (Prefect keeps an ``expected_start_time`` once set), and released into Scheduled."""
    from prefect.client.orchestration import get_client
    from prefect.states import Paused, Scheduled

    with stack.api(), get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name(name)
        run_id = client.create_flow_run_from_deployment(deployment.id, state=Paused()).id
        _as_if_the_scheduler_made_it(stack, run_id, due)
        client.set_flow_run_state(run_id, Scheduled(scheduled_time=start_at or due), force=True)
        return str(run_id)


def _as_if_the_scheduler_made_it(stack: LocalStack, run_id: Any, scheduled_at: datetime) -> None:
    import sqlalchemy as sa
    from prefect.server.utilities.database import UUID, Timestamp

    url = stack.database_url or f"sqlite:///{stack.workdir / 'prefect-home' / 'prefect.db'}"
    engine = sa.create_engine(url.replace("+asyncpg", "+psycopg").replace("+aiosqlite", ""))
    statement = sa.text(
        "UPDATE flow_run SET auto_scheduled = :yes, expected_start_time = :at, next_scheduled_start_time = :at "
        "WHERE id = :id"
    ).bindparams(
        sa.bindparam("yes", type_=sa.Boolean()), sa.bindparam("at", type_=Timestamp()), sa.bindparam("id", type_=UUID())
    )
    try:
        with engine.begin() as conn:
            assert conn.execute(statement, {"yes": True, "at": scheduled_at, "id": run_id}).rowcount == 1
    finally:
        engine.dispose()
