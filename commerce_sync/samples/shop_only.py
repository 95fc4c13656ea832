"""Products a merchant made in the shop that the ERP does not have yet: the work ``import_items`` finds.

The same for every seed, on purpose small: one product in three colours (``Barva``, an option every sample's
POHODA holds as a list-type internet parameter) and two single ones, with barcodes and one compare-at price,
last edited in the first days of the sample period (so a shop's first ``import_items`` run covers them and a
later run does not). Their SKUs and barcodes are outside the ranges ``samples.data`` draws from, so no ERP
item of any sample has them.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from commerce_sync.samples.data import BASE_DATE, ean13_check_digit
from domain.models import Product, Variant

__all__ = ["shop_only_products"]


def _ean(number: int) -> str:
    body = f"8599{number:08d}"  # a block of the Czech GS1 prefix no sample item uses
    return body + str(ean13_check_digit(body))


def shop_only_products() -> list[Product]:
    """Three products only the shop has (five variants)."""
    edited = BASE_DATE + timedelta(days=2)
    colours = (("CERNA", "černá"), ("BILA", "bílá"), ("MODRA", "modrá"))
    return [
        Product(
            erp_key="ESHOP-TRICKO",
            title="Tričko s logem obchodu",
            description="<p>Bavlněné tričko, navrženo pro e-shop.</p>",
            vendor="Vlastní výroba",
            updated_at=edited,
            variants=[
                Variant(
                    sku=f"ESHOP-TRICKO-{code}",
                    barcode=_ean(n),
                    title=colour,
                    options={"Barva": colour},
                    price=Decimal("349.00"),
                )
                for n, (code, colour) in enumerate(colours, start=1)
            ],
        ),
        Product(
            erp_key="ESHOP-HRNEK",
            title="Hrnek s logem obchodu",
            updated_at=edited + timedelta(hours=1),
            variants=[
                Variant(sku="ESHOP-HRNEK", barcode=_ean(4), price=Decimal("199.00"), compare_at_price=Decimal("249.00"))
            ],
        ),
        Product(
            erp_key="ESHOP-TASKA",
            title="Plátěná taška",
            updated_at=edited + timedelta(hours=2),
            variants=[Variant(sku="ESHOP-TASKA", barcode=_ean(5), price=Decimal("129.00"))],
        ),
    ]
