"""The smoke batch the SQLite-backed server runs: the SQL shop's syncs, two of each queue category.

The SQLite server gets a prefect.yaml of these deployments only, so ``prefect deploy`` (which imports every
entrypoint) and the worker do only what the smoke batch needs.
"""

from __future__ import annotations

from pathlib import Path

import yaml

SMOKE_SHOP = "demo-shop"
LATE_SYNC = "sync_products"  # its deployment's run in the batch is created as a run scheduled days ago
BACKGROUND_SYNC = "sync_orders"  # its run in the batch is queued by `commerce-sync run`
SMOKE_SYNCS = frozenset({LATE_SYNC, "sync_inventory", BACKGROUND_SYNC, "create_sales_orders"})


def smoke_prefect_file(
    source: Path, target: Path, syncs: frozenset[str] | None = SMOKE_SYNCS, *, triggers: bool = False
) -> Path:
    """``source`` for a test stack, written to ``target``: only the SQL shop's deployments of ``syncs`` (``None``:
    every deployment of every shop), every schedule inactive — a run the tests did not start would take queue
    slots and shop calls a test counts — and the webhook triggers only with ``triggers`` (they start runs only
    once a test has subscribed a receiver to the shop's webhooks)."""
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    if syncs is not None:
        document["deployments"] = [
            d for d in document["deployments"] if d["name"] == SMOKE_SHOP and d["entrypoint"].rsplit(":", 1)[1] in syncs
        ]
    for deployment in document["deployments"]:
        for schedule in deployment.get("schedules") or ():
            schedule["active"] = False
        if not triggers:
            deployment.pop("triggers", None)
    target.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return target
