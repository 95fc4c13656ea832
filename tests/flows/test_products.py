"""Products end to end: ERP items → Shopify products/variants, against the emulator and the SQL ERP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterParentFlowRunId

from blocks import ShopifyShop
from connectors.erp.sql import SqlErpBackend, loader
from connectors.erp.sql import tables as t
from emulators.shopify import catalog_ops
from engine import resources
from flows.runtime import report_of
from flows.sync_products import SyncProductsParams, sync_products
from tests.flows.pohoda_conftest import pohoda_shop  # noqa: F401 - the fixture

MUTATIONS = ("ProductSet", "ProductUpdate", "ProductVariantsBulkUpdate")


def calls(shop, operation: str) -> int:
    return shop.emulator.executor.ledger.as_json()["by_operation"].get(operation, {}).get("calls", 0)


def shop_prices(shop) -> dict[str, Decimal]:
    return {v.sku: v.price for v in shop.emulator.state.variants.values()}


def erp_prices(shop) -> dict[str, Decimal]:
    return {v.sku: v.price for p in shop.data.products for v in p.variants}


def last_period(shop) -> tuple[datetime, datetime]:
    run = shop.state.list_runs(shop.name, "sync_products", limit=10)[-1]
    return run.period_start, run.period_end


def change_in_erp(shop, product, at: datetime) -> None:
    with SqlErpBackend.from_url(shop.db_url).engine.begin() as conn:
        loader.upsert_products(conn, [product.model_copy(update={"updated_at": at})])


def test_items_become_products_with_their_skus_and_prices_and_a_second_run_sends_nothing(flow_shop):
    report = sync_products(SyncProductsParams(shop=flow_shop.name))

    assert report.created == len(flow_shop.data.products) and report.failed == 0
    assert shop_prices(flow_shop) == erp_prices(flow_shop)
    state = flow_shop.emulator.state
    products = flow_shop.state.all_mappings(flow_shop.name, "product")
    assert sorted(products.erp_key) == sorted(p.erp_key for p in flow_shop.data.products)
    for erp_key, gid in zip(products.erp_key, products.shop_id, strict=False):
        item = next(p for p in flow_shop.data.products if p.erp_key == erp_key)
        shop_product = state.find(gid, "Product")
        assert shop_product.title == item.title
        assert sorted(state.variants[v].sku for v in shop_product.variant_ids) == sorted(v.sku for v in item.variants)
    variants = flow_shop.state.all_mappings(flow_shop.name, "variant")
    items = flow_shop.state.all_mappings(flow_shop.name, "inventory_item")
    for sku, variant_gid, item_gid in zip(variants.erp_key, variants.shop_id, items.shop_id, strict=False):
        variant = state.find(variant_gid, "ProductVariant")
        assert variant.sku == sku and state.find(item_gid, "InventoryItem").id == variant.inventory_item_id

    requests = flow_shop.emulator.recorder.count
    again = sync_products(
        SyncProductsParams(
            shop=flow_shop.name, period_start=last_period(flow_shop)[0], period_end=last_period(flow_shop)[1]
        )
    )
    assert (again.created, again.updated, again.skipped) == (0, 0, len(flow_shop.data.products))
    assert flow_shop.emulator.recorder.count == requests  # not a single call to the shop
    assert len(state.products) == len(flow_shop.data.products)


def test_a_price_change_in_the_erp_updates_only_that_variant(sqlite_shop):
    sync_products(SyncProductsParams(shop=sqlite_shop.name))
    item = next(p for p in sqlite_shop.data.products if len(p.variants) > 1)
    changed, other = item.variants[0], item.variants[1]
    untouched_at = next(v for v in sqlite_shop.emulator.state.variants.values() if v.sku == other.sku).updated_at
    before = {op: calls(sqlite_shop, op) for op in MUTATIONS}
    at = datetime(2031, 5, 1, tzinfo=UTC)
    new_price = changed.price + Decimal("10.00")
    variants = [changed.model_copy(update={"price": new_price}), *item.variants[1:]]
    change_in_erp(sqlite_shop, item.model_copy(update={"variants": variants}), at)

    report = sync_products(
        SyncProductsParams(shop=sqlite_shop.name, period_start=at, period_end=at + timedelta(hours=1))
    )

    assert (report.updated, report.created, report.failed) == (1, 0, 0)
    assert shop_prices(sqlite_shop)[changed.sku] == new_price
    assert (
        next(v for v in sqlite_shop.emulator.state.variants.values() if v.sku == other.sku).updated_at == untouched_at
    )
    sent = {op: calls(sqlite_shop, op) - before[op] for op in MUTATIONS}
    assert sent == {"ProductSet": 0, "ProductUpdate": 0, "ProductVariantsBulkUpdate": 1}


def test_a_big_export_runs_as_child_flow_runs_per_chunk_and_their_reports_add_up(sqlite_shop):
    state = sync_products(SyncProductsParams(shop=sqlite_shop.name, chunk_size=5, max_workers=2), return_state=True)

    report = state.result()
    assert report.created == len(sqlite_shop.data.products)
    with get_client(sync_client=True) as client:
        children = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[state.state_details.flow_run_id])
            )
        )
    chunks = -(-len(sqlite_shop.data.products) // 5)
    assert len(children) == chunks and {c.state_name for c in children} == {"Completed"}
    assert len(sqlite_shop.emulator.state.products) == len(sqlite_shop.data.products)


def test_a_failing_chunk_costs_only_its_own_items_which_the_next_run_retries(sqlite_shop, monkeypatch):
    victim = sqlite_shop.data.products[7].erp_key
    original = SqlErpBackend.get_products

    def broken(self, keys):
        if victim in keys:
            raise RuntimeError("ERP view erp_items is being rebuilt")
        return original(self, keys)

    monkeypatch.setattr(SqlErpBackend, "get_products", broken)
    first = report_of(
        sync_products(SyncProductsParams(shop=sqlite_shop.name, chunk_size=4), return_state=True)
    )  # 12 items: 3 chunks of 4
    lost = {f.record for f in first.failures}
    assert victim in lost and len(lost) == 4 and first.failed == 4
    assert first.created == len(sqlite_shop.data.products) - 4
    assert "erp_items is being rebuilt" in first.failures[0].reason
    assert set(sqlite_shop.state.get_cursor(sqlite_shop.name, "sync_products").extra["retry"]) == lost

    monkeypatch.setattr(SqlErpBackend, "get_products", original)
    quiet = datetime(2032, 1, 1, tzinfo=UTC)  # a window in which nothing changed: only the retries
    second = report_of(
        sync_products(
            SyncProductsParams(shop=sqlite_shop.name, period_start=quiet, period_end=quiet + timedelta(days=1)),
            return_state=True,
        )
    )
    assert (second.created, second.failed) == (4, 0)
    assert len(sqlite_shop.emulator.state.products) == len(sqlite_shop.data.products)


def test_a_product_already_in_the_shop_is_adopted_by_sku_not_duplicated(sqlite_shop):
    existing = sqlite_shop.data.products[2]
    gid = sqlite_shop.emulator.state.seed_products([existing.model_copy(update={"title": "Made by hand"})])[
        existing.erp_key
    ]
    sqlite_shop.emulator.state.search_index.catch_up()  # made by hand long ago: the SKU search finds it

    report = sync_products(SyncProductsParams(shop=sqlite_shop.name))

    assert len(sqlite_shop.emulator.state.products) == len(sqlite_shop.data.products)
    assert sqlite_shop.state.shop_ids(sqlite_shop.name, "product", [existing.erp_key]) == {existing.erp_key: gid}
    assert sqlite_shop.emulator.state.find(gid, "Product").title == existing.title
    assert report.created == len(sqlite_shop.data.products) - 1 and any("adopted" in n for n in report.notes)


def test_a_create_whose_answer_was_lost_is_not_created_twice(sqlite_shop):
    # request 1 looks the SKUs up, request 2 is the first productSet: applied, its answer lost
    sqlite_shop.emulator.set_faults(script=[{"request": 2, "fault": "lost_answer"}])

    report = sync_products(SyncProductsParams(shop=sqlite_shop.name))

    assert calls(sqlite_shop, "ProductSet") == len(sqlite_shop.data.products) + 1  # one was sent twice
    assert report.created == len(sqlite_shop.data.products)
    assert len(sqlite_shop.emulator.state.products) == len(sqlite_shop.data.products)


def test_a_dry_run_compares_but_creates_nothing(sqlite_shop):
    report = sync_products(SyncProductsParams(shop=sqlite_shop.name, dry_run=True))

    assert report.created == 0 and report.skipped == len(sqlite_shop.data.products)
    assert any(f"would create {len(sqlite_shop.data.products)}" in n for n in report.notes)
    assert sqlite_shop.emulator.state.products == {}
    assert sqlite_shop.state.all_mappings(sqlite_shop.name, "product").empty
    assert sqlite_shop.state.get_cursor(sqlite_shop.name, "sync_products").position is None


def test_a_product_deleted_in_the_shop_is_created_again_when_its_item_is_synced_next(sqlite_shop):
    report_of(sync_products(SyncProductsParams(shop=sqlite_shop.name), return_state=True))
    item = sqlite_shop.data.products[0]
    gid = sqlite_shop.state.shop_ids(sqlite_shop.name, "product", [item.erp_key])[item.erp_key]
    catalog_ops.delete_product(sqlite_shop.emulator.state, sqlite_shop.emulator.state.find(gid, "Product"))
    at = datetime(2031, 6, 1, tzinfo=UTC)
    change_in_erp(sqlite_shop, item.model_copy(update={"title": f"{item.title} (new)"}), at)
    window = SyncProductsParams(shop=sqlite_shop.name, period_start=at, period_end=at + timedelta(hours=1))

    refused = report_of(sync_products(window, return_state=True))
    assert [f.record for f in refused.failures] == [item.erp_key] and "gone" in refused.failures[0].reason
    again = report_of(sync_products(window, return_state=True))

    assert (again.created, again.failed) == (1, 0)
    new_gid = sqlite_shop.state.shop_ids(sqlite_shop.name, "product", [item.erp_key])[item.erp_key]
    assert new_gid != gid and sqlite_shop.emulator.state.find(new_gid, "Product").title == f"{item.title} (new)"


def shop_statuses(shop, keys) -> dict[str, str]:
    gids = shop.state.shop_ids(shop.name, "product", keys)
    return {key: shop.emulator.state.find(gid, "Product").status for key, gid in gids.items()}


def remove_from_erp(shop, product) -> None:
    """A user deletes the item in the ERP: its row and everything that hangs off it."""
    with SqlErpBackend.from_url(shop.db_url).engine.begin() as conn:
        conn.execute(t.stock.delete().where(t.stock.c.sku.in_([v.sku for v in product.variants])))
        for table in (t.images, t.item_categories, t.parameters, t.variants):
            conn.execute(table.delete().where(table.c.item_key == product.erp_key))
        conn.execute(t.items.delete().where(t.items.c.erp_key == product.erp_key))


def test_items_deleted_or_deactivated_in_the_erp_are_archived_once_and_come_back_active(sqlite_shop):
    sync_products(SyncProductsParams(shop=sqlite_shop.name))
    deleted, deactivated = [p for p in sqlite_shop.data.products if p.active][:2]
    keys = [deleted.erp_key, deactivated.erp_key]
    gids = sqlite_shop.state.shop_ids(sqlite_shop.name, "product", keys)
    assert shop_statuses(sqlite_shop, keys) == {key: "ACTIVE" for key in keys}
    at = datetime(2031, 7, 1, tzinfo=UTC)
    remove_from_erp(sqlite_shop, deleted)
    change_in_erp(sqlite_shop, deactivated.model_copy(update={"active": False}), at)
    window = SyncProductsParams(shop=sqlite_shop.name, period_start=at, period_end=at + timedelta(hours=1))

    archived = sync_products(window)

    assert (archived.created, archived.updated, archived.failed) == (0, 2, 0)
    assert shop_statuses(sqlite_shop, keys) == {key: "ARCHIVED" for key in keys}
    assert len(sqlite_shop.emulator.state.products) == len(sqlite_shop.data.products)  # archived, never deleted
    version = sqlite_shop.emulator.state.version
    again = sync_products(window)
    assert (again.created, again.updated, again.failed) == (0, 0, 0)
    assert sqlite_shop.emulator.state.version == version  # nothing was sent

    back_at = at + timedelta(days=1)
    change_in_erp(sqlite_shop, deleted, back_at)
    change_in_erp(sqlite_shop, deactivated, back_at)
    back = sync_products(
        SyncProductsParams(shop=sqlite_shop.name, period_start=back_at, period_end=back_at + timedelta(hours=1))
    )
    assert (back.created, back.updated, back.failed) == (0, 2, 0)
    assert shop_statuses(sqlite_shop, keys) == {key: "ACTIVE" for key in keys}
    assert sqlite_shop.state.shop_ids(sqlite_shop.name, "product", keys) == gids  # the same products


def test_pohoda_items_whose_cards_are_deleted_or_taken_off_the_internet_are_archived_once(pohoda_shop):
    shop, pohoda = pohoda_shop, pohoda_shop.pohoda
    sync_products(SyncProductsParams(shop=shop.name))
    by_key: dict[str, list] = {}
    for card in pohoda.sorted_by_id(pohoda.cards.values()):
        by_key.setdefault(card.user_params["VPrItemKey"], []).append(card)
    deleted, hidden = [key for key, cards in by_key.items() if all(c.is_internet for c in cards)][:2]
    assert shop_statuses(shop, [deleted, hidden]) == {deleted: "ACTIVE", hidden: "ACTIVE"}
    changed_since = datetime.now(UTC).replace(microsecond=0)
    with pohoda.lock:
        for card in by_key[deleted]:
            del pohoda.cards[card.id]
    for card in by_key[hidden]:
        pohoda.change_stock_card(card.id, is_internet=False)
    window = SyncProductsParams(
        shop=shop.name, period_start=changed_since, period_end=changed_since + timedelta(hours=1)
    )

    archived = sync_products(window)

    assert (archived.created, archived.updated, archived.failed) == (0, 2, 0)
    assert shop_statuses(shop, [deleted, hidden]) == {deleted: "ARCHIVED", hidden: "ARCHIVED"}
    assert len(shop.emulator.state.products) == len(shop.data.products)
    version = shop.emulator.state.version
    again = sync_products(window)
    assert (again.created, again.updated, again.failed) == (0, 0, 0)
    assert shop.emulator.state.version == version

    back_since = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    for card in by_key[hidden]:
        pohoda.change_stock_card(card.id, is_internet=True)
    back = sync_products(
        SyncProductsParams(shop=shop.name, period_start=changed_since, period_end=back_since + timedelta(hours=1))
    )
    assert back.updated == 1 and shop_statuses(shop, [hidden]) == {hidden: "ACTIVE"}


def published_on(shop, name: str) -> set[str]:
    """GIDs of the products published to the emulated shop's publication ``name``."""
    state = shop.emulator.state
    publication = next(p for p in state.publications.values() if p.name == name)
    return {p.gid for p in state.products.values() if publication.id in p.publications}


def set_publications(shop, names: list[str]) -> None:
    block = ShopifyShop.load(shop.name)
    block.publications = names
    block.save(shop.name, overwrite=True)
    resources.forget(shop.name)


def test_new_products_are_published_to_the_configured_sales_channel_only(sqlite_shop):
    report = sync_products(SyncProductsParams(shop=sqlite_shop.name))

    mapped = set(sqlite_shop.state.all_mappings(sqlite_shop.name, "product").shop_id)
    assert report.failed == 0 and len(mapped) == len(sqlite_shop.data.products)
    assert published_on(sqlite_shop, "Online Store") == mapped  # the block's default
    assert published_on(sqlite_shop, "Point of Sale") == set()
    assert calls(sqlite_shop, "PublishablePublish") == len(mapped)


def test_products_created_by_a_run_that_died_before_publishing_are_published_by_the_retry(sqlite_shop, shop_wire):
    def crash_on_publishing(operation: str | None, variables: dict) -> None:
        if operation == "PublishablePublish":
            raise RuntimeError("worker lost")

    shop_wire.on_request = crash_on_publishing
    first = report_of(sync_products(SyncProductsParams(shop=sqlite_shop.name, chunk_size=4), return_state=True))
    assert first.failed == len(sqlite_shop.data.products)  # every chunk died after its products were made
    assert len(sqlite_shop.emulator.state.products) == len(sqlite_shop.data.products)
    assert published_on(sqlite_shop, "Online Store") == set()

    shop_wire.on_request = None
    quiet = datetime(2032, 1, 1, tzinfo=UTC)  # nothing changed since: only last run's retries
    second = sync_products(
        SyncProductsParams(shop=sqlite_shop.name, period_start=quiet, period_end=quiet + timedelta(days=1))
    )
    mapped = set(sqlite_shop.state.all_mappings(sqlite_shop.name, "product").shop_id)
    assert second.failed == 0 and len(mapped) == len(sqlite_shop.data.products)
    assert published_on(sqlite_shop, "Online Store") == mapped
    assert calls(sqlite_shop, "PublishablePublish") == len(mapped)  # each product published once


def test_a_sales_channel_the_shop_lacks_is_one_error_naming_the_field_and_fixing_it_publishes(sqlite_shop):
    set_publications(sqlite_shop, ["Online Store", "Onlin Shop"])

    first = report_of(sync_products(SyncProductsParams(shop=sqlite_shop.name), return_state=True))

    assert first.created == len(sqlite_shop.data.products)
    assert [(f.record, f.field) for f in first.failures] == [(f"shop {sqlite_shop.name}", "publications")]
    assert "'Onlin Shop'" in first.failures[0].reason
    assert "it has: Online Store, Point of Sale" in first.failures[0].reason
    assert published_on(sqlite_shop, "Online Store") == set() and calls(sqlite_shop, "PublishablePublish") == 0

    set_publications(sqlite_shop, ["Online Store", "Point of Sale"])
    quiet = datetime(2032, 1, 1, tzinfo=UTC)
    second = sync_products(
        SyncProductsParams(shop=sqlite_shop.name, period_start=quiet, period_end=quiet + timedelta(days=1))
    )
    mapped = set(sqlite_shop.state.all_mappings(sqlite_shop.name, "product").shop_id)
    assert second.failed == 0
    assert published_on(sqlite_shop, "Online Store") == published_on(sqlite_shop, "Point of Sale") == mapped
