"""Bad data at the edges: a bad record is reported with its key, field and reason — in the flow's report, the
run record and the failures artifact the Prefect UI shows — and every other record is synced.

Covered here: a shop order naming a SKU the ERP does not know (create_sales_orders), an ERP price that is no
number (sync_products). Covered where their flow is tested: a customer with neither email nor phone
(test_customers.py), bytes that are no image on either side (test_images.py), an unknown SKU in the stock
(test_inventory.py).
"""

from __future__ import annotations

import json
from decimal import Decimal

import sqlalchemy as sa
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactCollectionFilter, ArtifactCollectionFilterKey

from connectors.erp.sql import tables as t
from connectors.state import RunStatus
from flows.create_sales_orders import CreateSalesOrdersParams, create_sales_orders
from flows.params import SyncParams
from flows.runtime import report_of
from flows.sync_orders import sync_orders
from flows.sync_products import SyncProductsParams, sync_products
from tasks.runs import artifact_key

UNKNOWN_SKU = "NO-SUCH-SKU-404"


def failures_table(shop, sync_type: str) -> list[dict[str, str]]:
    """The last run's failures artifact, as the Prefect UI shows it."""
    with get_client(sync_client=True) as client:
        found = client.read_latest_artifacts(
            artifact_filter=ArtifactCollectionFilter(
                key=ArtifactCollectionFilterKey(any_=[artifact_key(shop.name, sync_type, "failures")])
            )
        )
    assert len(found) == 1, f"no failures artifact for {sync_type}"
    data = found[0].data
    return json.loads(data) if isinstance(data, str) else data


def last_run(shop, sync_type: str):
    return shop.state.list_runs(shop.name, sync_type, limit=1)[0]


def test_an_order_with_an_unknown_sku_fails_alone_naming_order_and_sku_and_the_other_orders_are_created(sqlite_shop):
    template = next(o for o in sqlite_shop.data.orders if not o.closed and o.cancelled_at is None and o.lines)
    lines = [template.lines[0].model_copy(update={"sku": UNKNOWN_SKU, "shop_id": None}), *template.lines[1:]]
    bad = template.model_copy(
        update={"shop_id": "gid://shopify/Order/990001", "name": "#9901", "lines": lines, "transactions": []}
    )
    bad_gid = sqlite_shop.emulator.state.seed_orders([bad])[0]
    open_orders = [o for o in sqlite_shop.data.orders if not o.closed and o.cancelled_at is None]

    staged = report_of(sync_orders(SyncParams(shop=sqlite_shop.name), return_state=True))
    assert staged.failed == 0 and staged.created == len(open_orders) + 1
    report = report_of(create_sales_orders(CreateSalesOrdersParams(shop=sqlite_shop.name), return_state=True))

    expected = {"record": "#9901", "field": "lines[0].sku", "reason": f"SKU '{UNKNOWN_SKU}' is not an ERP item"}
    assert [f.as_row() for f in report.failures] == [expected]
    assert report.created == len(open_orders)
    row = sqlite_shop.state.staged_order(sqlite_shop.name, bad_gid)
    assert row.status.value == "failed" and row.attempts == 1 and UNKNOWN_SKU in row.last_error
    with sqlite_shop.erp.engine.connect() as conn:
        documents = conn.execute(sa.select(sa.func.count()).select_from(t.sales_orders)).scalar_one()
        written = conn.execute(
            sa.select(sa.func.count()).select_from(t.sales_orders).where(t.sales_orders.c.shop_order_id == bad_gid)
        ).scalar_one()
    assert (documents, written) == (len(open_orders), 0)  # nothing of the bad order was written
    run = last_run(sqlite_shop, "create_sales_orders")
    assert run.status is RunStatus.PARTIAL and run.errors == [expected]
    assert failures_table(sqlite_shop, "create_sales_orders") == [expected]


def test_an_erp_price_that_is_no_number_is_reported_by_item_and_field_and_the_other_items_are_synced(sqlite_shop):
    item = sqlite_shop.data.products[1]
    sku = item.variants[0].sku
    with sqlite_shop.erp.engine.begin() as conn:  # SQLite keeps text in a NUMERIC column; a view may compute it
        conn.execute(sa.update(t.variants).where(t.variants.c.sku == sku).values(price=sa.literal("12,50 Kč")))

    report = report_of(sync_products(SyncProductsParams(shop=sqlite_shop.name), return_state=True))

    expected = {
        "record": f"item {item.erp_key}",
        "field": f"variants[{sku}].price",
        "reason": "Input should be a valid decimal",
    }
    assert [f.as_row() for f in report.failures] == [expected]
    assert report.created == len(sqlite_shop.data.products) - 1
    in_shop = {v.sku for v in sqlite_shop.emulator.state.variants.values()}
    assert sku not in in_shop
    assert {v.sku for p in sqlite_shop.data.products if p is not item for v in p.variants} <= in_shop
    run = last_run(sqlite_shop, "sync_products")
    assert run.status is RunStatus.PARTIAL and run.errors == [expected]
    assert failures_table(sqlite_shop, "sync_products") == [expected]

    # fixed in the ERP (which touches the item), it goes out with the next run
    with sqlite_shop.erp.engine.begin() as conn:
        conn.execute(sa.update(t.variants).where(t.variants.c.sku == sku).values(price=Decimal("12.50")))
        conn.execute(
            sa.update(t.items)
            .where(t.items.c.erp_key == item.erp_key)
            .values(updated_at=run.period_end - (run.period_end - run.period_start) / 2)
        )
    again = report_of(
        sync_products(
            SyncProductsParams(shop=sqlite_shop.name, period_start=run.period_start, period_end=run.period_end),
            return_state=True,
        )
    )
    assert (again.created, again.failed) == (1, 0)
    assert sku in {v.sku for v in sqlite_shop.emulator.state.variants.values()}


def test_an_answer_in_another_api_version_than_pinned_is_a_note_in_the_run_summary(sqlite_shop):
    sqlite_shop.emulator.config.supported_api_versions = ["2026-07"]  # 2026-04 retired: Shopify falls forward
    sync_orders(SyncParams(shop=sqlite_shop.name))
    with get_client(sync_client=True) as client:
        found = client.read_latest_artifacts(
            artifact_filter=ArtifactCollectionFilter(
                key=ArtifactCollectionFilterKey(any_=[artifact_key(sqlite_shop.name, "sync_orders", "summary")])
            )
        )
    assert len(found) == 1
    assert "API version 2026-07, not the pinned 2026-04" in str(found[0].data)
