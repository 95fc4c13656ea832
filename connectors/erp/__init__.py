"""The ERP side: the port every ERP adapter implements (``port``), its errors, and the ``sql`` adapter."""

from connectors.erp.errors import ErpError, ErpUnavailable, RecordError, UnknownSkuError
from connectors.erp.port import ErpBackend, Location, SalesOrder

__all__ = ["ErpBackend", "ErpError", "ErpUnavailable", "Location", "RecordError", "SalesOrder", "UnknownSkuError"]
