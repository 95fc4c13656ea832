"""Customers end to end: shop customers → ERP customers, matched by email (any case), then by phone digits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

import flows.runtime
from connectors.erp.errors import RecordError
from connectors.state import RunStatus
from domain.models import Customer
from engine.opening import RunKind, RunStart
from flows.params import SyncParams
from flows.runtime import report_of
from flows.sync_customers import sync_customers


def scheduled(monkeypatch, days: int) -> None:
    """Runs fire as if the scheduler started them ``days`` from now (customers edited today are then due)."""
    at = datetime.now(UTC) + timedelta(days=days)
    start = RunStart(kind=RunKind.SCHEDULED, scheduled_at=at, started_at=at)
    monkeypatch.setattr(flows.runtime, "run_start", lambda: start)


def erp_customers(shop) -> list[tuple]:
    with shop.erp.engine.connect() as conn:
        rows = conn.execute(
            sa.text("select erp_key, email, phone, first_name, last_name from erp_customers order by erp_key")
        ).all()
        addresses = conn.execute(sa.text("select count(*) from erp_customer_addresses")).scalar_one()
    return [tuple(r) for r in rows] + [("addresses", addresses)]


def shop_customer_ids(shop) -> dict[str, Customer]:
    """Each order's customer as the shop knows it, by GID."""
    return {o.customer.shop_id: o.customer for o in shop.data.orders if o.customer}


def last_period(shop, sync_type: str):
    run = shop.state.list_runs(shop.name, sync_type, limit=10)[-1]
    return run.period_start, run.period_end


def test_shop_customers_arrive_in_the_erp_matched_by_email_or_phone_and_a_second_run_changes_nothing(
    flow_shop, monkeypatch
):
    erp = {c.erp_key: c for c in flow_shop.data.customers}
    by_email = {c.email_key: c.erp_key for c in erp.values()}
    by_phone = {c.phone_key: c.erp_key for c in erp.values() if c.phone_key}
    national = erp["CUST00001"].phone.replace("+420", "").replace(" ", "")  # 742751778: no prefix, no spaces
    phone_only = flow_shop.emulator.state.seed_customers(
        [Customer(first_name="Telefon", last_name="Jen", phone=national)]
    )[0]
    anonymous = flow_shop.emulator.state.seed_customers([Customer(first_name="Walk-in", last_name="Buyer")])[0]
    flow_shop.emulator.state.search_index.catch_up()  # created before the run: Shopify's search has them by now
    expected = {gid: by_email.get(c.email_key) for gid, c in shop_customer_ids(flow_shop).items()}
    new = [gid for gid, key in expected.items() if key is None]
    scheduled(monkeypatch, 1)

    report = report_of(sync_customers(SyncParams(shop=flow_shop.name), return_state=True))

    assert report.created == len(new) and new
    assert [f.record for f in report.failures] == [f"Walk-in Buyer ({anonymous})"]
    assert "neither email nor phone" in report.failures[0].reason
    mapped = flow_shop.state.erp_keys(flow_shop.name, "customer", [*expected, phone_only, anonymous])
    assert mapped[phone_only] == by_phone[erp["CUST00001"].phone_key]
    assert anonymous not in mapped
    assert {gid: mapped[gid] for gid, key in expected.items() if key} == {g: k for g, k in expected.items() if k}
    assert len({mapped[gid] for gid in new} - set(erp)) == len(new)  # each new shop customer got its own
    rows = erp_customers(flow_shop)
    assert len(rows) - 1 == len(erp) + len(new)
    # the shop spells John Taylor's address "John.Taylor@EXAMPLE.NET": the ERP keeps its own spelling
    assert ("CUST00004", "john.taylor@example.net") in {r[:2] for r in rows}

    again = report_of(
        sync_customers(
            SyncParams(
                shop=flow_shop.name,
                period_start=last_period(flow_shop, "sync_customers")[0],
                period_end=last_period(flow_shop, "sync_customers")[1],
            ),
            return_state=True,
        )
    )
    assert (again.created, again.updated) == (0, 0)
    assert erp_customers(flow_shop) == rows


def test_a_customer_the_erp_refuses_is_reported_and_synced_by_the_next_run(sqlite_shop, monkeypatch):
    refused = next(
        c
        for gid, c in shop_customer_ids(sqlite_shop).items()
        if c.email_key not in {e.email_key for e in sqlite_shop.data.customers}
    )
    real_upsert = sqlite_shop.erp.upsert_customer

    def upsert(customer, **kwargs):
        if customer.email_key == refused.email_key:
            raise RecordError(f"customer {customer.email}", "company", "the ERP refuses it today")
        return real_upsert(customer, **kwargs)

    monkeypatch.setattr(sqlite_shop.erp, "upsert_customer", upsert)
    scheduled(monkeypatch, 1)
    first = report_of(sync_customers(SyncParams(shop=sqlite_shop.name), return_state=True))
    assert [(f.field, f.reason) for f in first.failures] == [("company", "the ERP refuses it today")]
    assert sqlite_shop.state.list_runs(sqlite_shop.name, "sync_customers")[-1].status is RunStatus.PARTIAL
    assert refused.shop_id not in sqlite_shop.state.erp_keys(sqlite_shop.name, "customer", [refused.shop_id])

    monkeypatch.setattr(sqlite_shop.erp, "upsert_customer", real_upsert)
    scheduled(monkeypatch, 2)  # the next day's period holds no edited customer: only the retry brings it back
    second = report_of(sync_customers(SyncParams(shop=sqlite_shop.name), return_state=True))
    assert (second.created, second.failed) == (1, 0)
    erp_key = sqlite_shop.state.erp_keys(sqlite_shop.name, "customer", [refused.shop_id])[refused.shop_id]
    assert (erp_key, refused.email) in {r[:2] for r in erp_customers(sqlite_shop)}
    third = report_of(
        sync_customers(
            SyncParams(
                shop=sqlite_shop.name,
                period_start=last_period(sqlite_shop, "sync_customers")[0],
                period_end=last_period(sqlite_shop, "sync_customers")[1],
            ),
            return_state=True,
        )
    )
    assert (third.created, third.updated, third.failed) == (0, 0, 0)


def test_cursor_not_advanced_when_a_page_fails(sqlite_shop, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("ERP lookup crashed")

    monkeypatch.setattr(sqlite_shop.erp, "find_customer", broken)
    scheduled(monkeypatch, 1)
    before = erp_customers(sqlite_shop)
    with pytest.raises(RuntimeError, match="ERP lookup crashed"):
        sync_customers(SyncParams(shop=sqlite_shop.name))
    assert sqlite_shop.state.list_runs(sqlite_shop.name, "sync_customers")[-1].status is RunStatus.FAILED
    assert sqlite_shop.state.get_cursor(sqlite_shop.name, "sync_customers").position is None
    assert erp_customers(sqlite_shop) == before


def test_a_dry_run_writes_nothing(sqlite_shop, monkeypatch):
    scheduled(monkeypatch, 1)
    before = erp_customers(sqlite_shop)
    report = sync_customers(SyncParams(shop=sqlite_shop.name, dry_run=True))
    assert report.created == report.updated == 0 and report.skipped == len(shop_customer_ids(sqlite_shop))
    assert any("would create" in note for note in report.notes)
    assert erp_customers(sqlite_shop) == before
    assert sqlite_shop.state.all_mappings(sqlite_shop.name, "customer").empty
    assert sqlite_shop.state.get_cursor(sqlite_shop.name, "sync_customers").position is None
