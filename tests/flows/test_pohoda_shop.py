"""A POHODA shop end to end: the mServer emulator ⇄ the Shopify emulator, through the same flows as the SQL ERP.

One test per Pohoda task (export completion; category export; parameters & suppliers; image import; quantity
export with MServer orders and stock; order-status sync with delivery notes; maintenance folded into the
last). Every test runs its flows a second time over the same period and expects nothing to change on either
side. Every document sent to POHODA is validated against ``data.xsd`` (``pohoda_shop`` fails otherwise).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactCollectionFilter,
    ArtifactCollectionFilterKey,
    FlowRunFilter,
    FlowRunFilterParentFlowRunId,
)

from connectors.shopify.inputs import metafield_key
from domain.models import PartyKind
from flows.create_sales_orders import CreateSalesOrdersParams, create_sales_orders
from flows.maintenance import MaintenanceParams, maintenance
from flows.params import SyncParams
from flows.runtime import report_of
from flows.sync_categories import sync_categories
from flows.sync_customers import sync_customers
from flows.sync_images import SyncImagesParams, sync_images
from flows.sync_inventory import SyncInventoryParams, sync_inventory
from flows.sync_order_status import SyncOrderStatusParams, sync_order_status
from flows.sync_orders import sync_orders
from flows.sync_parameters import sync_parameters
from flows.sync_payments import sync_payments
from flows.sync_products import SyncProductsParams, sync_products
from flows.sync_shipments import SyncShipmentsParams, sync_shipments
from tasks.runs import artifact_key
from tests.flows.pohoda_conftest import PohodaShop, pohoda_shop  # noqa: F401 - the fixture
from tests.flows.test_images import upload_in_shop

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR shop photo"


def again(shop: PohodaShop, flow: Any, params_cls: type, sync_type: str, **extra: Any) -> Any:
    """The flow re-run over the period its last run covered (as an operator re-runs a window); its report, partial
    or not."""
    run = shop.state.list_runs(shop.name, sync_type, limit=10)[-1]
    params = params_cls(shop=shop.name, period_start=run.period_start, period_end=run.period_end, **extra)
    return report_of(flow(params, return_state=True))


def both_sides(shop: PohodaShop) -> tuple[dict[str, int], int]:
    """What a second run must leave alone: POHODA's record counts per agenda and the shop's write version."""
    return shop.pohoda.counts(), shop.emulator.state.version


def calls(shop: PohodaShop, operation: str) -> int:
    return shop.emulator.executor.ledger.as_json()["by_operation"].get(operation, {}).get("calls", 0)


def gid_of(shop: PohodaShop, name: str) -> str:
    return next(o.shop_id for o in shop.data.orders if o.name == name)


def shop_prices(shop: PohodaShop) -> dict[str, Decimal]:
    with shop.emulator.state.lock:
        return {v.sku: v.price for v in shop.emulator.state.variants.values()}


def mapped_products(shop: PohodaShop) -> dict[str, str]:
    """Item key → Product GID, as sync_products recorded them."""
    found = shop.state.all_mappings(shop.name, "product")
    return dict(zip(found.erp_key, found.shop_id, strict=False))


def shop_product(shop: PohodaShop, gid: str):
    return shop.emulator.state.products[int(gid.rsplit("/", 1)[1])]


def media_contents(shop: PohodaShop, gid: str) -> list[bytes]:
    state = shop.emulator.state
    product = shop_product(shop, gid)
    return [state.uploads[state.media[m].upload_key][0] for m in product.media_ids]


def put_products_in_shop(shop: PohodaShop) -> dict[str, str]:
    """The products as sync_products leaves them (its own test is the first one here): in the shop, mapped."""
    state = shop.emulator.state
    gids = state.seed_products(shop.data.products)
    shop.state.put_mappings(shop.name, "product", gids.items())
    shop.state.put_mappings(
        shop.name,
        "inventory_item",
        [(v.sku, state.inventory_items[v.inventory_item_id].gid) for v in state.variants.values()],
    )
    return gids


def progress(shop: PohodaShop) -> tuple[float, str]:
    """The export's progress artifact as the UI shows it last: percent done and what it counts."""
    with get_client(sync_client=True) as client:
        found = client.read_latest_artifacts(
            artifact_filter=ArtifactCollectionFilter(
                key=ArtifactCollectionFilterKey(any_=[artifact_key(shop.name, "sync_products", "progress")])
            )
        )
    return found[0].data, found[0].description


def child_runs(parent_state) -> list:
    with get_client(sync_client=True) as client:
        return client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[parent_state.state_details.flow_run_id])
            )
        )


def test_export_completion_streams_the_stock_export_in_chunk_subflows_and_a_second_run_sends_nothing(pohoda_shop):
    shop, pohoda = pohoda_shop, pohoda_shop.pohoda
    cards = pohoda.sorted_by_id(pohoda.cards.values())
    # a card whose code a POHODA user cleared: its SKU has another card, so the product stays whole
    bad = next(c for c in reversed(cards) if sum(o.code == c.code for o in cards) > 1)
    sku = bad.code
    pohoda.change_stock_card(bad.id, code="")
    chunks_of: dict[str, set[int]] = {}
    for position, card in enumerate(cards):
        chunks_of.setdefault(card.user_params["VPrItemKey"], set()).add(position // 16)
    assert any(len(chunks) > 1 for chunks in chunks_of.values())  # some product's cards lie in two chunks

    state = sync_products(SyncProductsParams(shop=shop.name, chunk_size=16, max_workers=2), return_state=True)

    first = report_of(state)
    assert (first.created, first.failed) == (len(shop.data.products), 1)
    assert f"position {cards.index(bad) + 1} of the stock export" in first.failures[0].reason
    assert calls(shop, "ProductSet") == len(shop.data.products)  # a product straddling chunks is sent once
    children = child_runs(state)
    assert len(children) == -(-len(cards) // 16) and {c.state_name for c in children} == {"Completed"}
    assert progress(shop) == (100.0, f"{len(cards)} stock card(s) in {len(children)} chunk(s)")
    assert shop_prices(shop) == {v.sku: v.price for p in shop.data.products for v in p.variants}
    gids = mapped_products(shop)
    assert sorted(gids) == sorted(p.erp_key for p in shop.data.products)
    for product in shop.data.products:
        assert shop_product(shop, gids[product.erp_key]).title == product.title

    before = both_sides(shop)
    rerun = again(shop, sync_products, SyncProductsParams, "sync_products")
    assert (rerun.created, rerun.updated, rerun.skipped, rerun.failed) == (0, 0, len(shop.data.products), 1)
    assert both_sides(shop) == before

    changed_since = datetime.now(UTC).replace(microsecond=0)
    other = next(c for c in cards if c.code != sku)
    new_price = other.selling_price + Decimal("100.00")
    pohoda.change_stock_card(pohoda.card_by_code(other.code).id, selling_price=new_price)
    window = SyncProductsParams(
        shop=shop.name, period_start=changed_since, period_end=changed_since + timedelta(hours=1)
    )
    incremental = sync_products(window)
    assert (incremental.created, incremental.updated, incremental.failed) == (0, 1, 0)
    assert shop_prices(shop)[other.code] == new_price


def test_category_export_and_parameters_with_suppliers_reach_the_shop_once(pohoda_shop):
    shop = pohoda_shop
    gids = put_products_in_shop(shop)
    names = {(p.kind, p.erp_key): p.name for p in shop.data.parties}
    categories = {c.erp_key: c.name for c in shop.data.categories}

    exported = sync_categories(SyncParams(shop=shop.name))
    parameters = sync_parameters(SyncParams(shop=shop.name))

    assert exported.failed == 0 and exported.created == len(categories)
    collections = list(shop.emulator.state.collections.values())
    assert sorted(c.title for c in collections) == sorted(categories.values())
    for product in shop.data.products:
        holding = {c.title for c in collections if int(gids[product.erp_key].rsplit("/", 1)[1]) in c.product_ids}
        assert holding == {categories[k] for k in product.category_keys}
    assert parameters.failed == 0 and parameters.updated == len(shop.data.products)
    for product in shop.data.products:
        found = shop.emulator.state.metafields_of("PRODUCT", int(gids[product.erp_key].rsplit("/", 1)[1]))
        wanted = {metafield_key(p.name): f"{p.value} {p.unit}" if p.unit else p.value for p in product.parameters}
        wanted["supplier"] = names[(PartyKind.SUPPLIER, product.supplier_key)]
        wanted["producer"] = names[(PartyKind.PRODUCER, product.producer_key)]
        assert {key: mf.value for (namespace, key), mf in found.items() if namespace == "erp"} == wanted
        assert shop_product(shop, gids[product.erp_key]).vendor == wanted["producer"]

    before = both_sides(shop)
    categories_again = again(shop, sync_categories, SyncParams, "sync_categories")
    parameters_again = again(shop, sync_parameters, SyncParams, "sync_parameters")
    assert (categories_again.created, categories_again.updated, categories_again.failed) == (0, 0, 0)
    assert (parameters_again.updated, parameters_again.failed) == (0, 0)
    assert both_sides(shop) == before


def test_images_go_from_pohoda_to_the_shop_and_from_the_shop_into_pohoda_once(pohoda_shop):
    shop, pohoda = pohoda_shop, pohoda_shop.pohoda
    gids = put_products_in_shop(shop)
    pictured = shop.data.images[0].item_key
    bare = next(p.erp_key for p in shop.data.products if p.erp_key not in {i.item_key for i in shop.data.images})
    upload_in_shop(shop, gids[bare], PNG, "foto.png")
    documents = set(pohoda.documents)

    first = sync_images(SyncImagesParams(shop=shop.name))

    assert first.failed == 0 and first.created == len(shop.data.images) + 1
    assert media_contents(shop, gids[pictured]) == [shop.data.images[0].content]
    (added,) = set(pohoda.documents) - documents  # the shop's picture, now a file in POHODA's documents
    assert pohoda.documents[added] == PNG
    bare_cards = pohoda.find_cards(lambda c: c.user_params.get("VPrItemKey") == bare)
    assert bare_cards and all([p.filepath for p in c.pictures] == [added.split("/", 1)[1]] for c in bare_cards)

    before = both_sides(shop)
    rerun = again(shop, sync_images, SyncImagesParams, "sync_images")
    assert (rerun.created, rerun.updated, rerun.failed) == (0, 0, 0)
    assert both_sides(shop) == before and set(pohoda.documents) == documents | {added}


def on_hand(shop: PohodaShop) -> dict[tuple[str, str], int]:
    state = shop.emulator.state
    with state.lock:
        return {
            (variant.sku, state.locations[location_id].key): level.quantity("on_hand")
            for variant in state.variants.values()
            for location_id, level in state.levels_of_item(variant.inventory_item_id).items()
        }


def available_in_pohoda(shop: PohodaShop) -> dict[tuple[str, str], int]:
    """What POHODA may still sell per SKU and store: on hand less what open received orders reserve."""
    pohoda = shop.pohoda
    with pohoda.lock:
        return {
            (c.code, pohoda.stores[c.store_id].name): max(0, int(c.count - pohoda.reserved_quantity(c.id)[1]))
            for c in pohoda.cards.values()
        }


def test_mserver_orders_become_received_orders_with_payments_and_the_quantity_export_follows_stock(pohoda_shop):
    shop, pohoda = pohoda_shop, pohoda_shop.pohoda
    put_products_in_shop(shop)
    stocked = sync_inventory(SyncInventoryParams(shop=shop.name))
    assert stocked.failed == 0
    levels = available_in_pohoda(shop)
    assert {key: on_hand(shop).get(key) for key in levels} == levels

    customers = sync_customers(SyncParams(shop=shop.name))
    staged = sync_orders(SyncParams(shop=shop.name))
    made = create_sales_orders(CreateSalesOrdersParams(shop=shop.name))
    paid = sync_payments(SyncParams(shop=shop.name))

    imported = [o for o in shop.data.orders if not o.test and o.cancelled_at is None]  # the import conditions
    assert customers.failed == 0 and staged.created == made.created == len(imported) and made.failed == 0
    for placed in imported:
        order = pohoda.order(placed.shop_id)  # found by its extId: the shop order's GID
        assert sorted(i.code for i in order.items if i.code) == sorted(ln.sku for ln in placed.lines if ln.sku)
        assert order.is_reserved
    assert paid.failed == 0 and paid.created == pohoda.counts()["payments"] > 0
    reserved = available_in_pohoda(shop)
    assert reserved != levels  # the orders hold stock back
    restocked = again(shop, sync_inventory, SyncInventoryParams, "sync_inventory")
    assert restocked.failed == 0 and restocked.updated == sum(reserved[k] != levels[k] for k in levels)
    assert {key: on_hand(shop).get(key) for key in reserved} == reserved

    before = both_sides(shop)
    for flow, params_cls, sync_type in (
        (sync_customers, SyncParams, "sync_customers"),
        (sync_orders, SyncParams, "sync_orders"),
        (create_sales_orders, CreateSalesOrdersParams, "create_sales_orders"),
        (sync_payments, SyncParams, "sync_payments"),
        (sync_inventory, SyncInventoryParams, "sync_inventory"),
    ):
        rerun = again(shop, flow, params_cls, sync_type)
        assert (rerun.created, rerun.updated, rerun.failed) == (0, 0, 0), sync_type
    assert both_sides(shop) == before


def shop_orders(shop: PohodaShop) -> dict[str, tuple]:
    """What a merchant sees per order: closed, cancelled, tags, fulfillments' tracking numbers."""
    state = shop.emulator.state
    with state.lock:
        return {
            o.name: (
                o.closed,
                o.cancelled_at is not None,
                tuple(o.tags),
                [t["number"] for f in o.fulfillment_ids for t in state.fulfillments[f].tracking],
            )
            for o in state.orders.values()
        }


def test_order_states_and_delivery_notes_reach_the_shop_as_close_tag_cancel_and_fulfillment(pohoda_shop):
    shop, pohoda = pohoda_shop, pohoda_shop.pohoda
    sync_orders(SyncParams(shop=shop.name))
    create_sales_orders(CreateSalesOrdersParams(shop=shop.name))
    pohoda.set_order_executed(gid_of(shop, "#1001"))
    pohoda.transfer_order(gid_of(shop, "#1002"))
    pohoda.cancel_order(gid_of(shop, "#1003"))
    pohoda.create_delivery_note(
        gid_of(shop, "#1004"),
        carrier="PPL",
        tracking_number="PPL0001",
        tracking_url="https://www.ppl.cz/vyhledat-zasilku?shipmentId=PPL0001",
    )
    before = shop_orders(shop)

    statuses = sync_order_status(SyncOrderStatusParams(shop=shop.name))
    shipped = sync_shipments(SyncShipmentsParams(shop=shop.name))

    assert (statuses.updated, statuses.failed) == (3, 0) and (shipped.created, shipped.failed) == (1, 0)
    after = shop_orders(shop)
    assert after["#1001"][:2] == (True, False)
    assert after["#1002"][:2] == (False, False) and "erp-transferred" in after["#1002"][2]
    assert after["#1003"][:2] == (True, True)
    assert after["#1004"][3] == ["PPL0001"]
    untouched = set(after) - {"#1001", "#1002", "#1003", "#1004"}
    assert {name: after[name] for name in untouched} == {name: before[name] for name in untouched}

    snapshot = both_sides(shop)
    rerun = again(shop, sync_order_status, SyncOrderStatusParams, "sync_order_status")
    shipped_again = again(shop, sync_shipments, SyncShipmentsParams, "sync_shipments")
    health = maintenance(MaintenanceParams(shop=shop.name))
    assert (rerun.updated, rerun.failed) == (0, 0) and (shipped_again.created, shipped_again.failed) == (0, 0)
    assert health.failed == 0 and any("ERP reachable" in note for note in health.notes)
    assert both_sides(shop) == snapshot and shop_orders(shop) == after
