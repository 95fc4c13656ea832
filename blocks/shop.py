"""The ``ShopifyShop`` block: one shop's connection, schedule and sync options.

A data engineer creates one per shop in the Prefect UI (or ``ShopifyShop(...).save(name)``); every flow takes
the block's name as its ``shop`` parameter, and locks and cursors are keyed by that name.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Literal, cast

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from blocks.base import StrictBlock, known_fields
from blocks.checks import database_url, empty_is_none
from connectors.shopify.client import normalise_shop_url
from domain.order_import import OrderImportConditions
from domain.schedule import SyncSchedule

if TYPE_CHECKING:
    import httpx

    from blocks.erp import ErpDatabase, PohodaMServer
    from connectors.shopify.client import ShopifyClient

_GID_LOCATION = re.compile(r"^gid://shopify/Location/\d+$")
_CREDENTIALS = ("access_token", "client_id", "client_secret")
_DASK_ADDRESS = re.compile(r"^(tcp|tls)://(\[[0-9a-fA-F:]+\]|[\w.-]+):\d{1,5}$")


class ShopifyShop(StrictBlock):
    """A Shopify store synced with one ERP: credentials, API version, schedule and location mapping."""

    _block_type_name = "Shopify Shop"
    _block_type_slug = "shopify-shop"
    _description = "A Shopify store kept in sync with an ERP by commerce-sync."

    shop_url: str = Field(
        title="Shop",
        description="The shop's address, e.g. acme.myshopify.com; http://127.0.0.1:8081 for the local emulator.",
    )
    access_token: SecretStr | None = Field(
        default=None,
        title="Admin API access token",
        description="A legacy custom app's token (shpat_…), created in the shop's admin before 2026. "
        "Leave empty for a Dev Dashboard app: give its client ID and secret instead.",
    )
    client_id: str | None = Field(
        default=None,
        title="Client ID",
        description="A Dev Dashboard app's client ID (the app → Settings); with its secret, commerce-sync "
        "fetches a token by the client-credentials grant and renews it before it expires (about every 24 h).",
    )
    client_secret: SecretStr | None = Field(
        default=None,
        title="Client secret",
        description="The Dev Dashboard app's client secret, next to its client ID (the app → Settings).",
    )
    api_version: str = Field(
        default="2026-04",
        title="Admin API version",
        description="The Shopify API version every query is validated against; change only with an upgrade.",
        pattern=r"^\d{4}-(01|04|07|10)$",
    )
    allow_background_syncs: bool = Field(
        default=True,
        title="Allow background syncs",
        description="On: commerce-sync run queues a deployment run and returns. Off: it runs in its own process.",
    )
    item_master: Literal["erp", "shop"] = Field(
        default="erp",
        title="Item master",
        description="Who wins when an item is in both: erp (sync_products writes the ERP's item over the shop "
        "product; import_items only adds missing items) or shop (the shop's title, description and prices win: "
        "import_items writes them into the ERP and sync_products leaves them alone in the shop).",
    )
    auto_create_items: bool = Field(
        default=False,
        title="Create unknown items from orders",
        description="On: create_sales_orders creates the ERP item of an order line's unknown SKU (from its shop "
        "product, else the line's name, price and VAT) and then the order. Off: the order fails naming the SKU.",
    )
    schedule: SyncSchedule = Field(
        title="Sync schedule",
        description="When a sync period ends: Codat's daily or monthly hour, every N minutes or hours, or a cron.",
    )
    erp_block: str = Field(
        title="ERP block",
        description="The ERP this shop syncs with, as block type and name: erp-database/main or pohoda-mserver/main.",
        pattern=r"^(erp-database|pohoda-mserver)/[\w-]+$",
    )
    location_mapping: dict[str, str] = Field(
        default_factory=dict,
        title="Location mapping",
        description="ERP location key → Shopify location GID (gid://shopify/Location/N) or location name.",
    )
    restore_rate: float = Field(
        default=100.0,
        gt=0,
        allow_inf_nan=False,
        title="Plan restore rate (points/s)",
        description="The shop plan's API restore rate: Standard 100, Advanced 200, Plus 1000, Enterprise 2000.",
    )
    shared_rate_limit: bool = Field(
        default=False,
        title="Share the API budget across workers",
        description="Turn on when several workers sync this shop at once: every worker then takes its API cost "
        "from one Prefect rate limit (shopify-cost: and this block's name), so together they never overrun the "
        "shop's bucket. A Dev Dashboard app's token is shared too (kept in a Secret block, shopify-token- and this "
        "block's name), so the workers fetch one between them. "
        "Off (one worker): the worker's own cost governor paces it, without a Prefect write per request, which a "
        "SQLite-backed Prefect server cannot absorb (its runs stalled for 60 s on 'database is locked').",
    )
    dask_address: str | None = Field(
        default=None,
        title="Dask scheduler for product chunks",
        description="tcp://scheduler:8786: sync_products pushes its chunks on this Dask cluster's workers "
        "(needs the 'dask' extra there and here). Empty: threads of the flow run's process.",
    )
    publications: list[str] = Field(
        default_factory=lambda: ["Online Store"],
        title="Publish to sales channels",
        description="The shop's publications (sales channels, e.g. Online Store, Point of Sale) that products and "
        "collections the sync creates are published to; an ACTIVE product on no channel is invisible to buyers. "
        "Empty: publish nowhere (the merchant publishes by hand).",
    )
    order_import: OrderImportConditions = Field(
        default_factory=OrderImportConditions,
        title="Order import conditions",
        description="Which shop orders become ERP sales orders: test orders, orders cancelled before import, "
        "payment statuses, tags, sales channels. A skipped order is listed in the run's report with the reason "
        "and imported later if it stops matching (e.g. once paid).",
    )
    state_url: SecretStr | None = Field(
        default=None,
        title="Sync state database URL",
        description="Where cursors, staging and mappings live. Empty: the SQL ERP's database, or a local SQLite file.",
    )

    webhook_secret: SecretStr | None = Field(
        default=None,
        title="Webhook signing secret",
        description="The app's client secret (API secret key): Shopify signs every webhook with it, and "
        "`commerce-sync webhooks serve` refuses a webhook whose signature it does not match. Empty: no webhooks.",
    )

    @field_validator(
        "state_url", "dask_address", "webhook_secret", "access_token", "client_id", "client_secret", mode="before"
    )
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return empty_is_none(value)

    @field_validator("dask_address")
    @classmethod
    def _dask_address(cls, value: str | None) -> str | None:
        if value is not None and not _DASK_ADDRESS.match(value):
            raise ValueError(f"not a Dask scheduler address (expected tcp://host:8786), got {value!r}")
        return value

    @field_validator("state_url")
    @classmethod
    def _state_url(cls, value: SecretStr | None) -> SecretStr | None:
        return None if value is None else database_url(value)

    @field_validator("shop_url")
    @classmethod
    def _shop_url(cls, value: str) -> str:
        return normalise_shop_url(value)

    @field_validator("location_mapping")
    @classmethod
    def _locations(cls, value: dict[str, str]) -> dict[str, str]:
        for erp_key, target in value.items():
            if not erp_key.strip() or not target.strip():
                raise ValueError(f"location_mapping[{erp_key!r}]: ERP key and Shopify location must not be empty")
            if target.startswith("gid://") and not _GID_LOCATION.match(target):
                raise ValueError(f"location_mapping[{erp_key!r}]: {target!r} is not a Location GID")
        return value

    @field_validator("publications")
    @classmethod
    def _publications(cls, value: list[str]) -> list[str]:
        names = [name.strip() for name in value]
        if any(not name for name in names):
            raise ValueError("publications: a sales channel name must not be empty")
        return list(dict.fromkeys(names))

    @model_validator(mode="before")
    @classmethod
    def _one_way_to_authenticate(cls, data: Any) -> Any:
        """A legacy token, or a Dev Dashboard app's client ID and secret: exactly one of the two ways. The
        refusal is located at the fields to fill or empty, and never repeats their values."""
        data = known_fields(cls, data)  # a typo'd field is named first: this runs before StrictBlock's check
        if not isinstance(data, dict):
            return data
        given = {name for name in _CREDENTIALS if empty_is_none(data.get(name)) is not None}
        if given == {"access_token"} or given == {"client_id", "client_secret"}:
            return data
        if "access_token" in given:
            fields, why = sorted(given), "give access_token or client_id + client_secret, not both"
        elif given:
            fields = sorted({"client_id", "client_secret"} - given)
            why = "a Dev Dashboard app needs both client_id and client_secret"
        else:
            fields, why = ["access_token"], "give access_token, or a Dev Dashboard app's client_id and client_secret"
        error = PydanticCustomError("credentials", why)
        details = [InitErrorDetails(type=error, loc=(name,), input=None) for name in fields]
        raise ValidationError.from_exception_data(cls.__name__, details, hide_input=True)

    def graphql_url(self) -> str:
        return f"{self.shop_url}/admin/api/{self.api_version}/graphql.json"

    def erp(self) -> ErpDatabase | PohodaMServer:
        """Load the ERP block named by ``erp_block`` ('<type-slug>/<name>').

        Loaded by its own class, not ``Block.load``: the base class looks the type up among every installed
        Prefect collection first, which imports them all (prefect-dask brings Dask: 0.4 s of every flow run)."""
        from blocks.erp import ErpDatabase, PohodaMServer

        slug, name = self.erp_block.split("/", 1)
        kinds: dict[str, type[ErpDatabase] | type[PohodaMServer]] = {
            ErpDatabase.get_block_type_slug(): ErpDatabase,
            PohodaMServer.get_block_type_slug(): PohodaMServer,
        }
        return cast("ErpDatabase | PohodaMServer", kinds[slug].load(name))  # sync here: no running loop

    def client(self, http: httpx.Client | None = None, **options: Any) -> ShopifyClient:
        """The shop's GraphQL client; the cost governor is shared by every client of this shop in the process."""
        from connectors.shopify.client import ShopifyClient

        return ShopifyClient(
            shop_url=self.shop_url,
            access_token=self.access_token,
            client_id=self.client_id,
            client_secret=self.client_secret,
            api_version=self.api_version,
            http=http,
            **options,
        )
