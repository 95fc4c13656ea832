"""The ERP side: the port every ERP adapter implements (``port``), its errors, and the ``sql`` adapter."""

from connectors.erp.errors import ErpError, ErpRefused, ErpUnavailable, RecordError, UnknownSkuError
from connectors.erp.port import ErpBackend, Location, SalesOrder

__all__ = [
    "ErpBackend",
    "ErpError",
    "ErpRefused",
    "ErpUnavailable",
    "Location",
    "RecordError",
    "SalesOrder",
    "UnknownSkuError",
]
