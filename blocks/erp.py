"""ERP blocks: ``ErpDatabase`` (the ``sql`` adapter) and ``PohodaMServer`` (STORMWARE Pohoda via mServer)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, SecretStr, field_validator

from blocks.base import StrictBlock
from blocks.checks import database_url, empty_is_none, http_base_url
from connectors.erp.pohoda.settings import PohodaSettings

if TYPE_CHECKING:
    from connectors.erp.port import ErpBackend


def _default(name: str) -> Any:
    """The adapter's own default for a setting, so the block's form and ``PohodaSettings`` never disagree."""
    default = PohodaSettings.model_fields[name].default
    return sorted(default) if isinstance(default, frozenset) else default


class ErpDatabase(StrictBlock):
    """An ERP whose data sits in SQL tables or views (see docs/erp-sql-schema.md): SQLite or PostgreSQL."""

    _block_type_name = "ERP Database"
    _block_type_slug = "erp-database"
    _description = "An ERP in SQL tables (SQLite file or PostgreSQL), read and written by commerce-sync."

    url: SecretStr = Field(
        title="Database URL",
        description="SQLAlchemy URL, e.g. sqlite:////var/lib/erp.db or postgresql+psycopg://user:pw@host/erp.",
    )

    @field_validator("url")
    @classmethod
    def _url(cls, value: SecretStr) -> SecretStr:
        return database_url(value)

    def backend(self) -> ErpBackend:
        from connectors.erp.sql import SqlErpBackend

        return SqlErpBackend.from_url(self.url.get_secret_value())


class PohodaMServer(StrictBlock):
    """STORMWARE Pohoda reached through its mServer HTTP XML interface."""

    _block_type_name = "Pohoda mServer"
    _block_type_slug = "pohoda-mserver"
    _description = "A Pohoda accounting unit served by mServer (POST /xml, STW-Authorization)."

    url: str = Field(title="mServer URL", description="The mServer's address, e.g. http://pohoda-host:444.")
    user: str = Field(title="Pohoda user", min_length=1, description="A POHODA user allowed to use the XML import.")
    # may be empty: a POHODA user without a password is allowed by POHODA itself (and common on test units)
    password: SecretStr = Field(title="Pohoda password", description="That user's password; may be empty.")
    company_ico: str = Field(
        title="Company IČO", pattern=r"^\d{8}$", description="8 digits; checked against the unit before writing."
    )
    application: str = Field(
        default="commerce-sync",
        title="Application name",
        description="Sent as STW-Application: how POHODA's log names this client.",
        min_length=1,
        max_length=64,
    )
    state_url: SecretStr | None = Field(
        default=None,
        title="Sync state database URL",
        description="Cursors and mappings. Empty: a SQLite file in the commerce-sync data directory.",
    )
    fiscal_year: int | None = Field(
        default=None,
        ge=1990,
        le=2100,
        title="Fiscal year",
        description="The accounting year mServer must have open before anything is written. Empty: the current year.",
    )
    # ---- the POHODA settings (connectors.erp.pohoda.PohodaSettings), one field each, defaults from there
    bank_account: str = Field(
        default=_default("bank_account"),
        min_length=1,
        max_length=19,
        title="Bank account (payments)",
        description="Short name of the POHODA bank account that shop payments are booked to.",
    )
    cash_desk: str = Field(
        default=_default("cash_desk"),
        min_length=1,
        max_length=19,
        title="Cash desk (payments)",
        description="Short name of the POHODA cash desk for payments of the cash gateways.",
    )
    cash_gateways: list[str] = Field(
        default=_default("cash_gateways"),
        title="Cash gateways (payments)",
        description="Shopify payment gateways booked as cash receipts instead of bank receipts, e.g. Cash on Delivery.",
    )
    payment_type: str | None = Field(
        default=_default("payment_type"),
        title="Payment form (orders)",
        description="Short name of the POHODA payment form put on imported orders. Empty: none.",
    )
    reserve: bool = Field(
        default=_default("reserve"),
        title="Reserve stock (orders)",
        description="Imported orders reserve their items' stock in POHODA.",
    )
    prices_include_vat: bool = Field(
        default=_default("prices_include_vat"),
        title="Order prices include VAT (orders)",
        description="Order line prices are sent to POHODA VAT-inclusive, as the shop shows them.",
    )
    shipping_vat: Literal["high", "low", "third", "none"] = Field(
        default=_default("shipping_vat").value,
        title="Shipping VAT rate (orders)",
        description="POHODA's VAT rate of the shipping line: high, low, third or none.",
    )
    stock_basis: Literal["available", "count"] = Field(
        default=_default("stock_basis"),
        title="Stock basis (quantity export)",
        description="available: on hand minus reservations of open orders; count: on hand.",
    )
    price_level: str | None = Field(
        default=_default("price_level"),
        title="Price level (products)",
        description="POHODA price level of the shop price. Empty: the card's selling price.",
    )
    compare_at_level: str | None = Field(
        default=_default("compare_at_level"),
        title="Compare-at price level (products)",
        description="POHODA price level shown as the struck-through price. Empty: none.",
    )
    gross_prices: bool = Field(
        default=_default("gross_prices"),
        title="Shop prices include VAT (products)",
        description="Prices go to the shop VAT-inclusive.",
    )
    item_key_parameter: str = Field(
        default=_default("item_key_parameter"),
        min_length=1,
        title="Product key user field (products)",
        description="POHODA user field holding the product a stock card belongs to (cards without it: their own).",
    )
    tracking_number_parameter: str = Field(
        default=_default("tracking_number_parameter"),
        min_length=1,
        title="Tracking number user field (shipments)",
        description="POHODA user field of a delivery note holding the tracking number.",
    )
    tracking_url_parameter: str = Field(
        default=_default("tracking_url_parameter"),
        min_length=1,
        title="Tracking URL user field (shipments)",
        description="POHODA user field of a delivery note holding the tracking link.",
    )
    import_store: str | None = Field(
        default=_default("import_store"),
        title="Store of imported items (import items)",
        description="POHODA store (sklad) that new stock cards from the shop go to. Empty: the first store by name.",
    )
    ex_system_name: str = Field(
        default=_default("ex_system_name"),
        min_length=1,
        max_length=64,
        title="External system name",
        description="POHODA's name for this shop in the external ids of orders and payments.",
    )
    page_size: int = Field(
        default=_default("page_size"),
        ge=1,
        le=10_000,
        title="Records per export page",
        description="How many records one mServer export asks for (lower it for a slow mServer).",
    )
    pack_size: int = Field(
        default=_default("pack_size"),
        ge=1,
        le=255,
        title="Requests per data pack",
        description="How many export requests go to mServer in one data pack.",
    )

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return http_base_url(value)

    @field_validator("payment_type", "price_level", "compare_at_level", "import_store", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return empty_is_none(value)

    def pohoda_settings(self) -> PohodaSettings:
        """The adapter's settings from this block's fields (the VAT rates' percentages stay the Czech ones)."""
        return PohodaSettings(
            bank_account=self.bank_account,
            cash_desk=self.cash_desk,
            cash_gateways=frozenset(self.cash_gateways),
            payment_type=self.payment_type,
            reserve=self.reserve,
            prices_include_vat=self.prices_include_vat,
            shipping_vat=self.shipping_vat,
            stock_basis=self.stock_basis,
            price_level=self.price_level,
            compare_at_level=self.compare_at_level,
            gross_prices=self.gross_prices,
            item_key_parameter=self.item_key_parameter,
            tracking_number_parameter=self.tracking_number_parameter,
            tracking_url_parameter=self.tracking_url_parameter,
            import_store=self.import_store,
            ex_system_name=self.ex_system_name,
            page_size=self.page_size,
            pack_size=self.pack_size,
        )

    @field_validator("user")
    @classmethod
    def _user(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value

    @field_validator("state_url", mode="before")
    @classmethod
    def _no_state_url(cls, value: Any) -> Any:
        return empty_is_none(value)

    @field_validator("state_url")
    @classmethod
    def _state_url(cls, value: SecretStr | None) -> SecretStr | None:
        return None if value is None else database_url(value)

    def backend(
        self, *, documents: Any = None, settings: Any = None, fiscal_year: int | None = None, http: Any = None
    ) -> ErpBackend:
        """The ``pohoda`` adapter on this mServer.

        Its local state (card and address indexes, shipment outcomes, listing snapshots) goes to ``state_url``
        beside the sync state, else to ``pohoda-<IČO>.db`` in the commerce-sync data directory. Pictures are
        written through ``documents`` (a ``connectors.erp.pohoda.DocumentStore``), else the one
        ``$COMMERCE_SYNC_POHODA_DOCUMENTS`` names. ``settings`` and ``fiscal_year`` default to the block's own
        (``pohoda_settings()``; a fiscal year of None = the current year), checked before any write.
        """
        from connectors.erp.pohoda import PohodaErpBackend, documents_from_env
        from connectors.erp.sql import default_data_dir

        state_url = (
            self.state_url.get_secret_value()
            if self.state_url is not None
            else f"sqlite:///{default_data_dir() / f'pohoda-{self.company_ico}.db'}"
        )
        return PohodaErpBackend.from_config(
            url=self.url,
            user=self.user,
            password=self.password,
            company_ico=self.company_ico,
            application=self.application,
            state_url=state_url,
            fiscal_year=fiscal_year if fiscal_year is not None else self.fiscal_year,
            documents=documents if documents is not None else documents_from_env(self.url),
            settings=settings if settings is not None else self.pohoda_settings(),
            http=http,
        )
