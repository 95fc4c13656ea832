"""The reconcile checks: one per kind of record, each reads its two sides, compares them, and repairs on request.

A check is a small class of declarations (its name, the bulk operations it reads, the kinds it repairs, what a
person does about the rest) and four steps: ``read_erp`` and ``read_shop`` pick its sides from the run's shared
``Reads``, ``compare`` is a pure function of ``domain.reconcile``, and ``repair`` (optional) re-sends through
``tasks.reconcile.repair``. ``run`` chains them into one ``CheckResult``. A new kind of record is a new class
here, a compare there and an entry in ``CHECKS`` (cancellations and refunds came so).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Generic, TypeVar

import pandas as pd

from domain import reconcile as pure
from domain.drift import DriftKind
from domain.reconcile import (
    CheckName,
    CheckResult,
    ErpCancellations,
    ErpCatalog,
    ErpOrders,
    ErpPayments,
    ErpRefunds,
    ShopOrders,
    Stock,
)
from tasks.reconcile.reads import Bulk, Reads
from tasks.reconcile.repair import repair_context, resend_items, resend_stock

ShopSide = TypeVar("ShopSide")
ErpSide = TypeVar("ErpSide")


class Check(ABC, Generic[ShopSide, ErpSide]):
    """One kind of record compared ERP ⇄ shop. Subclasses declare and pick their sides; ``run`` chains the steps."""

    name: ClassVar[CheckName]
    bulk: ClassVar[frozenset[Bulk]]
    cannot_run: ClassVar[str] = ""
    """Why this adapter cannot answer the check, when ``read_erp`` gives None."""
    repairs: ClassVar[frozenset[DriftKind]] = frozenset()
    by_hand: ClassVar[str] = ""
    """What puts right the kinds of difference ``repair`` leaves."""

    @abstractmethod
    def read_erp(self, reads: Reads) -> ErpSide | None: ...

    @abstractmethod
    def read_shop(self, reads: Reads) -> ShopSide: ...

    @abstractmethod
    def compare(self, shop: ShopSide, erp: ErpSide) -> CheckResult: ...

    def repair(self, reads: Reads, result: CheckResult) -> CheckResult:
        """Put right what a re-send fixes; by default nothing (``by_hand`` says what does)."""
        return result

    def run(self, reads: Reads, repair: bool) -> CheckResult:
        erp = self.read_erp(reads)  # the ERP first: Shopify builds the bulk files meanwhile
        if erp is None:
            return CheckResult(check=self.name, cannot_run=self.cannot_run)
        result = self.compare(self.read_shop(reads), erp)
        if not repair:
            return result
        return pure.left_to_a_person(self.repair(reads, result), self.repairs, self.by_hand)


class CatalogCheck(Check[pd.DataFrame, ErpCatalog]):
    """Variants by SKU and their prices; repair re-sends the items of drifted prices and missing variants."""

    name = CheckName.CATALOG
    bulk = frozenset({Bulk.CATALOG})
    repairs = frozenset({DriftKind.PRICE, DriftKind.VARIANT_MISSING_IN_SHOP})
    by_hand = "a repair never deletes from the shop: archive the variant there, or give the ERP its SKU"

    def read_erp(self, reads: Reads) -> ErpCatalog:
        return reads.erp_catalog

    def read_shop(self, reads: Reads) -> pd.DataFrame:
        return reads.shop_catalog

    def compare(self, shop: pd.DataFrame, erp: ErpCatalog) -> CheckResult:
        return pure.check_catalog(shop, erp)

    def repair(self, reads: Reads, result: CheckResult) -> CheckResult:
        resend = [d for d in result.differences if d.kind in self.repairs]
        if not resend:
            return result
        ctx = repair_context(reads.ctx)
        items = resend_items(ctx, resend, reads.erp_catalog, sorted(set(reads.shop_catalog.owner)))
        notes = items.notes
        if items.recreated:  # a variant created anew holds no stock yet: send the ERP's
            stock = [f"{sku}@{location}" for sku in items.recreated for location in reads.locations]
            notes = [*notes, *resend_stock(ctx, stock, reads.locations).notes]
        return result.model_copy(update={"repaired": items.repaired, "notes": [*result.notes, *notes]})


class InventoryCheck(Check[Stock, Stock]):
    """Stock per SKU and mapped location; repair sets the shop's ``on_hand`` to the ERP's."""

    name = CheckName.INVENTORY
    bulk = frozenset({Bulk.CATALOG, Bulk.STOCK})
    repairs = frozenset({DriftKind.INVENTORY})

    def read_erp(self, reads: Reads) -> Stock:
        return reads.erp_stock

    def read_shop(self, reads: Reads) -> Stock:
        return reads.shop_stock

    def compare(self, shop: Stock, erp: Stock) -> CheckResult:
        return pure.check_inventory(shop, erp)

    def repair(self, reads: Reads, result: CheckResult) -> CheckResult:
        if not result.differences:
            return result
        resent = resend_stock(repair_context(reads.ctx), [d.key for d in result.differences], reads.locations)
        sent = set(resent.sent)
        repaired = [d.ref for d in result.differences if d.key in sent]
        return result.model_copy(update={"repaired": repaired, "notes": [*result.notes, *resent.notes]})


class OrdersCheck(Check[ShopOrders, ErpOrders]):
    """The period's orders ⇄ ERP sales orders (or what staging says about them)."""

    name = CheckName.ORDERS
    bulk = frozenset({Bulk.ORDERS})
    by_hand = "fix the order's data, then run create_sales_orders; never staged: sync_orders with a period override"

    def read_erp(self, reads: Reads) -> ErpOrders:
        return reads.erp_orders

    def read_shop(self, reads: Reads) -> ShopOrders:
        return reads.shop_orders

    def compare(self, shop: ShopOrders, erp: ErpOrders) -> CheckResult:
        return pure.check_orders(shop, erp)


class PaymentsCheck(Check[ShopOrders, ErpPayments]):
    """Money in on the period's sales orders ⇄ the payments booked against them."""

    name = CheckName.PAYMENTS
    bulk = frozenset({Bulk.ORDERS})
    cannot_run = "this ERP adapter cannot list booked payments"
    by_hand = "sync_payments with a period override books what is missing; the rest needs a person"

    def read_erp(self, reads: Reads) -> ErpPayments | None:
        return reads.erp_payments

    def read_shop(self, reads: Reads) -> ShopOrders:
        return reads.shop_orders

    def compare(self, shop: ShopOrders, erp: ErpPayments) -> CheckResult:
        return pure.check_payments(shop, erp)


class FulfillmentsCheck(Check[ShopOrders, pd.DataFrame]):
    """Shipments the ERP marked as sent ⇄ the fulfillments of their shop orders."""

    name = CheckName.FULFILLMENTS
    bulk = frozenset({Bulk.ORDERS})
    cannot_run = "this ERP adapter cannot list shipments by order"
    by_hand = (
        "sync_shipments sends what is pending; a shipment marked as sent or a fulfillment made by hand needs a person"
    )

    def read_erp(self, reads: Reads) -> pd.DataFrame | None:
        return reads.erp_shipments

    def read_shop(self, reads: Reads) -> ShopOrders:
        return reads.shop_orders

    def compare(self, shop: ShopOrders, erp: pd.DataFrame) -> CheckResult:
        return pure.check_fulfillments(shop, erp)


class CancellationsCheck(Check[ShopOrders, ErpCancellations]):
    """Sales orders cancelled on one side ⇄ the other: the shop's cancellations after import reach the ERP, the
    ERP's cancellations reach the shop."""

    name = CheckName.CANCELLATIONS
    bulk = frozenset({Bulk.ORDERS})
    by_hand = (
        "create_sales_orders cancels what is queued; an ERP order shipped or invoiced needs a person (a return, a "
        "credit note, or nothing); sync_order_status with a period override sends the ERP's cancellations"
    )

    def read_erp(self, reads: Reads) -> ErpCancellations:
        return reads.erp_cancellations

    def read_shop(self, reads: Reads) -> ShopOrders:
        return reads.shop_orders

    def compare(self, shop: ShopOrders, erp: ErpCancellations) -> CheckResult:
        return pure.check_cancellations(shop, erp)


class RefundsCheck(Check[ShopOrders, ErpRefunds]):
    """Refunds on the period's sales orders ⇄ the ERP's credit documents (money paid back where it keeps it)."""

    name = CheckName.REFUNDS
    bulk = frozenset({Bulk.ORDERS})
    cannot_run = "this ERP adapter cannot list booked refunds"
    by_hand = "sync_payments with a period override books missing refunds; an amount that differs needs a person"

    def read_erp(self, reads: Reads) -> ErpRefunds | None:
        return reads.erp_refunds

    def read_shop(self, reads: Reads) -> ShopOrders:
        return reads.shop_orders

    def compare(self, shop: ShopOrders, erp: ErpRefunds) -> CheckResult:
        return pure.check_refunds(shop, erp)


CHECKS: dict[CheckName, Check[Any, Any]] = {
    check.name: check
    for check in (
        CatalogCheck(),
        InventoryCheck(),
        OrdersCheck(),
        PaymentsCheck(),
        FulfillmentsCheck(),
        CancellationsCheck(),
        RefundsCheck(),
    )
}
"""Every check, in the order a run takes them (``CheckName``'s)."""
