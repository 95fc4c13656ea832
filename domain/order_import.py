"""Which shop orders become ERP sales orders: a shop's import conditions and the rule that applies them.

BC's connector has the same knobs ("Import test orders", "Import only paid orders", sales-channel filters):
a test order or one cancelled before anybody saw it must not reserve stock in the ERP. The conditions only
decide for orders that are *not yet* ERP sales orders; what happens to an imported order that is cancelled
or refunded later is the cancellation and refund handling's business, never a silent skip.

A skipped order is not forgotten: it is staged as ``skipped`` with the reason, and every later fetch (its
``updatedAt`` moves when it gets paid, tagged, un-tested) judges it again, so it is imported once it stops
matching a skip rule.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.models import FinancialStatus, Order

__all__ = ["DEFAULT_FINANCIAL_STATUSES", "OrderImportConditions", "skip_reason"]

DEFAULT_FINANCIAL_STATUSES = frozenset(FinancialStatus) - {FinancialStatus.VOIDED, FinancialStatus.EXPIRED}


class OrderImportConditions(BaseModel):
    """Per-shop conditions an order must meet before it becomes an ERP sales order."""

    model_config = ConfigDict(extra="forbid", title="Order import conditions")  # the block form's heading

    skip_test_orders: bool = Field(
        default=True,
        title="Skip test orders",
        description="On: orders placed with Shopify's test gateway (Order.test) never become ERP sales orders.",
    )
    skip_cancelled_orders: bool = Field(
        default=True,
        title="Skip orders cancelled before import",
        description="On: an order already cancelled when the sync first sees it is not imported. An order "
        "cancelled after it became an ERP sales order is cancelled in the ERP instead.",
    )
    financial_statuses: set[FinancialStatus] = Field(
        default_factory=lambda: set(DEFAULT_FINANCIAL_STATUSES),
        title="Import orders with these payment statuses",
        description="Shopify's displayFinancialStatus values to import, e.g. only PAID and PARTIALLY_PAID for "
        "'import only paid orders'. Default: all but VOIDED and EXPIRED. An order skipped for its status is "
        "imported once its status is in the set (e.g. when it gets paid).",
    )
    required_tags: list[str] = Field(
        default_factory=list,
        title="Import only orders with one of these tags",
        description="Empty: any tags. Otherwise an order needs at least one of these tags (case-insensitive).",
    )
    sales_channels: list[str] = Field(
        default_factory=list,
        title="Import only orders from these sales channels",
        description="Empty: every channel. Otherwise Shopify's Order.sourceName must be one of these, e.g. "
        "'web' (online store), 'pos', 'shopify_draft_order', or an app's source name (case-insensitive).",
    )

    @field_validator("financial_statuses")
    @classmethod
    def _some_status(cls, value: set[FinancialStatus]) -> set[FinancialStatus]:
        if not value:
            raise ValueError("at least one financial status must be imported, or no order would ever be")
        return value

    @field_validator("required_tags", "sales_channels")
    @classmethod
    def _no_blank(cls, value: list[str]) -> list[str]:
        cleaned = [v.strip() for v in value]
        if any(not v for v in cleaned):
            raise ValueError("entries must not be empty")
        return cleaned


def skip_reason(order: Order, conditions: OrderImportConditions) -> str | None:
    """Why ``order`` must not become an ERP sales order under ``conditions``; None when it may."""
    if conditions.skip_test_orders and order.test:
        return "test order"
    if conditions.skip_cancelled_orders and order.cancelled_at is not None:
        return "cancelled before import"
    status = order.financial_status
    if status is not None and status not in conditions.financial_statuses:
        return f"payment status {status.value} is not imported"
    if conditions.required_tags:
        wanted = {t.casefold() for t in conditions.required_tags}
        if not wanted & {t.casefold() for t in order.tags}:
            return f"has none of the tags {', '.join(conditions.required_tags)}"
    if conditions.sales_channels:
        channels = {c.casefold() for c in conditions.sales_channels}
        if (order.source_name or "").casefold() not in channels:
            return f"sales channel {order.source_name or 'unknown'} is not imported"
    return None
