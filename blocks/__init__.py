"""Prefect Block types: configuration and secrets, each building its connector.

``prefect block register -m blocks`` registers every block type defined here.
"""

from blocks.erp import ErpDatabase, PohodaMServer
from blocks.shop import ShopifyShop

__all__ = ["ErpDatabase", "PohodaMServer", "ShopifyShop"]
