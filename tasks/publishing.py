"""Publishing the products and collections the sync makes to the shop's sales channels (``ShopifyShop.publications``).

An ACTIVE product on no publication is invisible to buyers, and a new collection is unpublished
(``connectors.shopify.publications``). What is remembered, in the hash table: entity ``product_publication``
(by item key) or ``collection_publication`` (by category key) → the JSON list of channel names the record was
published to.

- A record is *marked* (``[]``) in the same transaction that maps it when the sync creates or adopts it; a crash
  before publishing leaves the mark, and the run that covers the same period again publishes it.
- Only marked records are published, and only to the configured names they lack: a second run sends nothing,
  a merchant who later unpublishes a product by hand is not overruled, and a name added to the block reaches
  the records the sync made as they are next visited.
- A configured name the shop has no publication for is one failure naming the block field; the marks stay, so
  the records are published once the name is fixed.
"""

from __future__ import annotations

import json
from typing import Any

from connectors.shopify.errors import RecordError
from connectors.shopify.publications import publication_ids, publish
from domain.report import SyncReport
from engine.resources import ShopResources

__all__ = ["COLLECTIONS", "PRODUCTS", "mark_new", "publish_marked"]

PRODUCTS = ("product_publication", "product", "item")
COLLECTIONS = ("collection_publication", "collection", "category")
"""(hash entity, mapping entity, what the report calls a record)."""


def mark_new(res: ShopResources, shop: str, kind: tuple[str, str, str], keys: list[str], conn: Any = None) -> None:
    """Remember that these newly mapped records wait to be published (inside the transaction that maps them)."""
    if keys and res.shop.publications:
        res.state.put_hashes(shop, kind[0], {key: "[]" for key in keys}, conn=conn)


def publish_marked(
    res: ShopResources, shop: str, kind: tuple[str, str, str], keys: list[str], *, dry_run: bool = False
) -> tuple[SyncReport, list[str]]:
    """Publish the marked records among ``keys`` to the configured channels they lack; returns the report and
    the keys that are still to publish (retry them)."""
    entity, mapping, label = kind
    wanted = res.shop.publications
    marks = {key: json.loads(value) for key, value in res.state.get_hashes(shop, entity, keys).items()}
    todo = {key: [n for n in wanted if n not in done] for key, done in marks.items()}
    todo = {key: names for key, names in todo.items() if names}
    report = SyncReport()
    if not todo:
        return report, []
    if dry_run:
        report.notes.append(f"dry run: would publish {len(todo)} {label}(s) to {', '.join(wanted)}")
        return report, []
    try:
        gids = publication_ids(res.shopify, wanted)
    except RecordError as exc:
        report.fail(f"shop {shop}", exc.reason, field=exc.field)
        return report, sorted(todo)
    shop_ids = res.state.shop_ids(shop, mapping, list(todo))
    retry, published = [], 0
    for key, names in sorted(todo.items()):
        if key not in shop_ids:  # unmapped since (its shop record was deleted): nothing to publish
            continue
        refused = publish(res.shopify, shop_ids[key], [gids[name] for name in names], record=key)
        if refused:
            report.fail(f"{label} {key}", "; ".join(e.reason for e in refused), field="publications")
            retry.append(key)
            continue
        res.state.put_hashes(shop, entity, {key: json.dumps(sorted({*marks[key], *names}))})
        published += 1
    if published:
        report.notes.append(f"published {published} new {label}(s) to {', '.join(wanted)}")
    return report, retry
