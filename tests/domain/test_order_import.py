"""The import conditions: which shop orders may become ERP sales orders, and the reason given for the rest."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from domain.models import FinancialStatus, Order
from domain.order_import import OrderImportConditions, skip_reason

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def order(**changes) -> Order:
    base = {
        "shop_id": "gid://shopify/Order/1",
        "name": "#1001",
        "created_at": T0,
        "updated_at": T0,
        "currency": "CZK",
        "total": Decimal("100"),
        "financial_status": FinancialStatus.PAID,
        "source_name": "web",
    }
    return Order(**{**base, **changes})


def test_by_default_an_ordinary_paid_order_is_imported():
    assert skip_reason(order(), OrderImportConditions()) is None


def test_by_default_test_orders_and_orders_already_cancelled_are_skipped():
    assert skip_reason(order(test=True), OrderImportConditions()) == "test order"
    assert skip_reason(order(cancelled_at=T0), OrderImportConditions()) == "cancelled before import"


def test_both_skips_can_be_turned_off():
    conditions = OrderImportConditions(skip_test_orders=False, skip_cancelled_orders=False)
    assert skip_reason(order(test=True, cancelled_at=T0), conditions) is None


@pytest.mark.parametrize("status", [FinancialStatus.VOIDED, FinancialStatus.EXPIRED])
def test_by_default_voided_and_expired_orders_are_skipped_naming_the_status(status):
    assert skip_reason(order(financial_status=status), OrderImportConditions()) == (
        f"payment status {status.value} is not imported"
    )


def test_only_paid_orders_when_the_shop_says_so():
    conditions = OrderImportConditions(financial_statuses={FinancialStatus.PAID})
    assert skip_reason(order(financial_status=FinancialStatus.PENDING), conditions) is not None
    assert skip_reason(order(financial_status=FinancialStatus.PAID), conditions) is None


def test_tag_and_channel_filters_match_without_regard_to_case():
    conditions = OrderImportConditions(required_tags=["B2B", "wholesale"], sales_channels=["POS"])
    assert skip_reason(order(tags=["b2b"], source_name="pos"), conditions) is None
    assert "tags" in (skip_reason(order(tags=["retail"], source_name="pos"), conditions) or "")
    assert skip_reason(order(tags=["b2b"], source_name="web"), conditions) == "sales channel web is not imported"


def test_an_empty_status_set_or_a_blank_tag_is_refused_naming_the_field():
    with pytest.raises(ValidationError, match="financial_statuses"):
        OrderImportConditions(financial_statuses=set())
    with pytest.raises(ValidationError, match="required_tags"):
        OrderImportConditions(required_tags=[" "])
