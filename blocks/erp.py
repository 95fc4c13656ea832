"""ERP blocks: ``ErpDatabase`` (the ``sql`` adapter) and ``PohodaMServer`` (STORMWARE Pohoda via mServer)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field, SecretStr, field_validator

from blocks.base import StrictBlock
from blocks.checks import database_url, empty_is_none, http_base_url

if TYPE_CHECKING:
    from connectors.erp.port import ErpBackend


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

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return http_base_url(value)

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
        ``$COMMERCE_SYNC_POHODA_DOCUMENTS`` names. ``fiscal_year`` None = the current year, checked before writes.
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
            fiscal_year=fiscal_year,
            documents=documents if documents is not None else documents_from_env(self.url),
            settings=settings,
            http=http,
        )
