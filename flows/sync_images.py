"""sync_images: item images both ways, skipping unchanged content (BC report 30107 "Sync Item Images", Pohoda
"Import obrázků").

Every run walks the items that have a product in the shop, in chunks: ERP → shop sends the images whose
content hash changed since they were last synced, shop → ERP writes the product images the ERP lacks. Images
are compared by content hash, not by the item's change time, because an ERP does not always touch the item
when only its picture changes; reading hashes is cheap next to sending an image. See ``domain.images`` for how
an image is recognised on both sides and a lost answer adopted instead of uploading the same content twice.
"""

from __future__ import annotations

from enum import StrEnum

from prefect import flow
from prefect.client.schemas.objects import State
from pydantic import Field

from domain.report import SyncReport
from flows.params import SyncParams
from flows.runtime import sync_run
from tasks.images import mapped_item_keys, pull_images, push_images

ITEMS_PER_TASK = 50


class ImageDirection(StrEnum):
    BOTH = "both"
    TO_SHOP = "to_shop"
    TO_ERP = "to_erp"


class SyncImagesParams(SyncParams):
    direction: ImageDirection = Field(
        default=ImageDirection.BOTH,
        title="Direction",
        description="both; to_shop (ERP images → product media); to_erp (product media → ERP, Pohoda image import).",
    )


@flow(name="sync-images", log_prints=True)
def sync_images(params: SyncImagesParams) -> SyncReport | State:
    """Sync item images both ways, skipping every image whose content has not changed."""
    with sync_run(params, "sync_images", {"direction": params.direction.value}) as run:
        ctx = run.ctx
        if ctx.nothing_due:
            return run.report
        keys = mapped_item_keys(ctx)
        for start in range(0, len(keys), ITEMS_PER_TASK):
            chunk = keys[start : start + ITEMS_PER_TASK]
            if params.direction in (ImageDirection.BOTH, ImageDirection.TO_SHOP):
                run.add(push_images(ctx, chunk))
            if params.direction in (ImageDirection.BOTH, ImageDirection.TO_ERP):
                run.add(pull_images(ctx, chunk))
    return run.final_state
