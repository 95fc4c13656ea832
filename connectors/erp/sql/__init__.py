"""The ``sql`` ERP adapter: the ERP port over ``erp_*`` tables in SQLite (embedded default) or PostgreSQL."""

from connectors.erp.sql.backend import SqlErpBackend
from connectors.erp.sql.engine import default_data_dir, default_sqlite_url, make_engine
from connectors.erp.sql.tables import metadata

__all__ = ["SqlErpBackend", "default_data_dir", "default_sqlite_url", "make_engine", "metadata"]
