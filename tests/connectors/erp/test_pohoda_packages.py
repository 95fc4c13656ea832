"""Package and set cards ("komplet", "sada") on the ``pohoda`` adapter's inventory path.

POHODA keeps no quantity of a package: a real export (``soukupm2__acc-sync/…/zasoby_03_v2.0_response.xml``)
has no ``stk:count`` on it and lists its components instead. The adapter derives the package's stock from them
(how many whole packages the components make) on both ways through the stock, so a package is neither a failed
record on every inventory run nor silently left out.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from emulators.pohoda import records as r


def _package(pohoda: Any) -> None:
    state = pohoda.state
    store = state.default_store()

    def card(code: str, name: str, count: int) -> r.StockCard:
        made = r.StockCard(state.next_id("stock"), store.id, code, name, state.now(), store.name, count=Decimal(count))
        return state.add_card(made)

    chair, armchair = card("Z100", "Židle Z100", 8), card("K1320", "Křeslo 1320", 5)
    state.add_card(
        r.StockCard(
            state.next_id("stock"),
            store.id,
            "FK",
            "Firemní kancelářská souprava",
            state.now(),
            store.name,
            stock_type="package",
            components=[r.Component(chair.id, Decimal(1)), r.Component(armchair.id, Decimal(2))],
        )
    )


@pytest.mark.parametrize("skus", [None, ["FK", "K1320", "Z100"]], ids=["sweep", "by-sku"])
def test_a_package_has_the_stock_its_components_make_and_is_no_failed_record(
    pohoda: Any, skus: list[str] | None
) -> None:
    _package(pohoda)
    page = pohoda.backend.list_stock(skus=skus)
    levels = {level.sku: level.quantity for level in page.items}
    assert levels == {"FK": Decimal(2), "K1320": Decimal(5), "Z100": Decimal(8)}
    assert page.rejected == []
