"""Parameters end to end: ERP parameters, supplier and producer → product metafields (namespace ``erp``) and
vendor, against the emulator and the SQL ERP."""

from __future__ import annotations

import sqlalchemy as sa

from connectors.erp.sql import tables as t
from connectors.shopify.inputs import metafield_key
from domain.models import PartyKind
from flows.params import SyncParams
from flows.runtime import report_of
from flows.sync_parameters import sync_parameters


def put_products_in_shop(shop, keys=None) -> dict[str, str]:
    """The products as sync_products would leave them: created in the shop and mapped (item key → GID)."""
    products = [p for p in shop.data.products if keys is None or p.erp_key in keys]
    gids = shop.emulator.state.seed_products(products)
    shop.state.put_mappings(shop.name, "product", gids.items())
    return gids


def erp_metafields(shop, gid: str) -> dict[str, str]:
    found = shop.emulator.state.metafields_of("PRODUCT", int(gid.rsplit("/", 1)[1]))
    return {key: mf.value for (namespace, key), mf in found.items() if namespace == "erp"}


def vendor(shop, gid: str) -> str:
    return shop.emulator.state.products[int(gid.rsplit("/", 1)[1])].vendor


def expected_metafields(shop, product) -> dict[str, str]:
    names = {(p.kind, p.erp_key): p.name for p in shop.data.parties}
    wanted = {metafield_key(p.name): f"{p.value} {p.unit}" if p.unit else p.value for p in product.parameters}
    wanted["supplier"] = names[(PartyKind.SUPPLIER, product.supplier_key)]
    wanted["producer"] = names[(PartyKind.PRODUCER, product.producer_key)]
    return wanted


def last_period(shop):
    run = shop.state.list_runs(shop.name, "sync_parameters", limit=10)[-1]
    return SyncParams(shop=shop.name, period_start=run.period_start, period_end=run.period_end)


def test_parameters_and_producer_arrive_as_metafields_and_vendor_and_a_second_run_sends_nothing(flow_shop):
    gids = put_products_in_shop(flow_shop)
    producers = {p.erp_key: p.name for p in flow_shop.data.parties if p.kind is PartyKind.PRODUCER}

    first = sync_parameters(SyncParams(shop=flow_shop.name))

    assert first.failed == 0 and first.updated == len(flow_shop.data.products)
    for product in flow_shop.data.products:
        assert erp_metafields(flow_shop, gids[product.erp_key]) == expected_metafields(flow_shop, product)
        assert vendor(flow_shop, gids[product.erp_key]) == producers[product.producer_key]

    version = flow_shop.emulator.state.version
    again = sync_parameters(last_period(flow_shop))
    assert again.updated == 0 and again.failed == 0
    assert again.skipped == len(flow_shop.data.products)
    assert flow_shop.emulator.state.version == version  # nothing was written to the shop


def test_a_product_with_more_than_25_parameters_is_written_in_full_and_a_refused_or_unmapped_one_is_retried(
    sqlite_shop,
):
    many, refused, late, *_ = [p.erp_key for p in sqlite_shop.data.products]
    with sqlite_shop.erp.engine.begin() as conn:
        conn.execute(sa.delete(t.parameters).where(t.parameters.c.item_key.in_([many, refused])))
        conn.execute(
            sa.insert(t.parameters),
            [{"item_key": many, "position": i, "name": f"Vlastnost {i}", "value": f"hodnota {i}"} for i in range(40)]
            + [
                {"item_key": refused, "position": 0, "name": "Barva", "value": "modrá"},
                {"item_key": refused, "position": 1, "name": "Popis", "value": "two\nlines"},  # not single-line text
            ],
        )
    gids = put_products_in_shop(sqlite_shop, keys={p.erp_key for p in sqlite_shop.data.products} - {late})

    report = report_of(sync_parameters(SyncParams(shop=sqlite_shop.name), return_state=True))

    written = erp_metafields(sqlite_shop, gids[many])
    assert {f"vlastnost_{i}": f"hodnota {i}" for i in range(40)}.items() <= written.items()
    assert [(f.record, f.field) for f in report.failures] == [(f"item {refused}", "metafields.popis.value")]
    assert erp_metafields(sqlite_shop, gids[refused])["barva"] == "modrá"  # the rest of that product went on
    assert report.updated == len(sqlite_shop.data.products) - 2
    assert sqlite_shop.state.get_cursor(sqlite_shop.name, "sync_parameters").extra["retry"] == sorted([refused, late])

    gids.update(put_products_in_shop(sqlite_shop, keys={late}))  # sync_products created it meanwhile
    again = report_of(sync_parameters(last_period(sqlite_shop), return_state=True))
    assert again.updated == 1 and [f.record for f in again.failures] == [f"item {refused}"]
    late_product = next(p for p in sqlite_shop.data.products if p.erp_key == late)
    assert erp_metafields(sqlite_shop, gids[late]) == expected_metafields(sqlite_shop, late_product)


def test_a_dry_run_compares_and_writes_nothing(sqlite_shop):
    gids = put_products_in_shop(sqlite_shop)
    version = sqlite_shop.emulator.state.version

    report = sync_parameters(SyncParams(shop=sqlite_shop.name, dry_run=True))

    assert report.skipped == len(gids) and report.updated == 0
    assert any("would update the parameters of" in note for note in report.notes)
    assert sqlite_shop.emulator.state.version == version
    assert sqlite_shop.state.get_hashes(sqlite_shop.name, "parameters") == {}
