"""Sales-channel publications: the shop's publications by name, and publishing a product or collection to them.

Why this exists: an ``ACTIVE`` product is still invisible on a sales channel until it is published to that
channel's publication, and collections are unpublished by default
(https://shopify.dev/docs/apps/build/sales-channels/product-publishing; the Collection object's note at
https://shopify.dev/docs/api/admin-graphql/latest/objects/Collection). A shop's block names the channels by
their catalog title ("Online Store", "Point of Sale"); ``Publication.name`` is deprecated for
``Catalog.title``. Scopes: ``read_publications`` to list, ``write_publications`` to publish.

``publish`` sends one ``publishablePublish``, which "creates or updates" the resource's publications: publishing
again to the same ones changes nothing, so a repeat after a lost answer is harmless
(https://shopify.dev/docs/api/admin-graphql/latest/mutations/publishablePublish). When every answer was lost
(the client's retries spent), the resource's ``publishedOnPublication`` tells whether it took.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from connectors.shopify.errors import RecordError, Retriable
from connectors.shopify.mutations import record_errors

if TYPE_CHECKING:
    from connectors.shopify.client import ShopifyClient

__all__ = ["UNKNOWN_PUBLICATION", "publication_ids", "publish"]

UNKNOWN_PUBLICATION = "PUBLICATION_NOT_FOUND"


def publication_ids(client: ShopifyClient, names: Sequence[str]) -> dict[str, str]:
    """``{name: Publication GID}`` for each wanted name (matched to the catalog title, ignoring case).

    A name the shop has no publication for is a ``RecordError`` on the block field ``publications`` that lists
    the names the shop does have, so a typo is fixed from the message alone.
    """
    found: dict[str, tuple[str, str]] = {}
    for node in client.iter_nodes("Publications", {}, "publications"):
        title = (node.get("catalog") or {}).get("title")
        if title:
            found.setdefault(title.casefold(), (title, node["id"]))
    missing = [name for name in names if name.casefold() not in found]
    if missing:
        have = ", ".join(sorted(title for title, _ in found.values())) or "none"
        raise RecordError(
            "shop",
            "publications",
            f"the block field 'publications' names {', '.join(map(repr, missing))}, which the shop has no "
            f"publication (sales channel) for; it has: {have}",
            UNKNOWN_PUBLICATION,
            "Publications",
        )
    return {name: found[name.casefold()][1] for name in names}


def publish(
    client: ShopifyClient, resource_id: str, publication_gids: Sequence[str], *, record: str
) -> list[RecordError]:
    """Publish a product or collection to the publications; the refusals as ``RecordError``s on ``record``."""
    variables = {"id": resource_id, "input": [{"publicationId": gid} for gid in publication_gids]}
    try:
        _, user_errors = client.mutate("PublishablePublish", variables, "publishablePublish")
    except Retriable:  # applied or not, its answers were lost: the resource's state tells
        if not all(_published_on(client, resource_id, gid) for gid in publication_gids):
            raise
        return []
    return record_errors(record, user_errors, operation="PublishablePublish")


def _published_on(client: ShopifyClient, resource_id: str, publication_gid: str) -> bool:
    node = client.execute("PublishedOn", {"id": resource_id, "publicationId": publication_gid}).get("node")
    return bool(node and node.get("publishedOnPublication"))
