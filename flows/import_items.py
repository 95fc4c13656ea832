"""import_items: shop products the ERP lacks become ERP items, then their images follow (BC's item sync "From
Shopify", POHODA's e-shop stock import followed by image import). Catalog category: it writes the
product mappings ``sync_products`` and ``sync_images`` write."""

from __future__ import annotations

from decimal import Decimal

from prefect import flow
from prefect.client.schemas.objects import State
from pydantic import Field

from domain.report import SyncReport
from flows.params import SyncParams
from flows.runtime import sync_run
from tasks.images import pull_images
from tasks.import_items import import_shop_products, shop_products_changed

ITEMS_PER_TASK = 50


class ImportItemsParams(SyncParams):
    vat_rate: Decimal = Field(
        default=Decimal("21"),
        ge=0,
        le=100,
        title="VAT rate of new items (%)",
        description="The shop does not say an item's VAT rate: new ERP items get this one.",
    )


@flow(name="import-items", log_prints=True)
def import_items(params: ImportItemsParams) -> SyncReport | State:
    """Create ERP items from shop products the ERP does not have, with prices, VAT and images."""
    with sync_run(params, "import_items", {"vat_rate": str(params.vat_rate)}) as run:
        ctx = run.ctx
        if ctx.nothing_due:
            return run.report
        nodes = shop_products_changed(ctx)
        written: list[str] = []
        for start in range(0, len(nodes), ITEMS_PER_TASK):
            report, keys = import_shop_products(ctx, nodes[start : start + ITEMS_PER_TASK], params.vat_rate)
            run.add(report)
            written += keys
        for start in range(0, len(written), ITEMS_PER_TASK):
            if not ctx.dry_run:
                run.add(pull_images(ctx, written[start : start + ITEMS_PER_TASK]))
    return run.final_state
