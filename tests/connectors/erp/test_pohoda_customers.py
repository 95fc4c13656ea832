"""The pohoda adapter's customers: the address book, matched through the local index and written from the shop."""

from __future__ import annotations

import pytest

from connectors.erp.errors import RecordError
from domain.models import Address, Customer


@pytest.fixture
def known(pohoda):
    return pohoda.state.seed(
        customers=[
            Customer(erp_key="K1", email="jana@example.cz", phone="+420 777 123 456", first_name="Jana"),
            Customer(erp_key="K2", email="petr@example.cz", first_name="Petr"),
        ]
    )


def test_updating_a_customer_by_key_rewrites_its_entry_and_its_match_keys(pohoda, known):
    key = pohoda.backend.upsert_customer(
        Customer(
            erp_key="K2",
            email="petr.new@example.cz",
            first_name="Petr",
            last_name="Dvořák",
            addresses=[Address(street="Vinohradská 12", city="Praha 2", zip="120 00", country_code="CZ")],
        )
    )
    assert key == "K2"
    assert pohoda.backend.find_customer("petr@example.cz", None) is None
    found = pohoda.backend.find_customer("PETR.NEW@example.cz", None)
    assert (found.erp_key, found.first_name, found.last_name) == ("K2", "Petr", "Dvořák")
    assert [(a.street, a.city, a.country_code) for a in found.addresses] == [("Vinohradská 12", "Praha 2", "CZ")]
    assert len(pohoda.state.addresses) == 2


def test_a_shop_customer_is_one_entry_however_often_it_is_written(pohoda, known):
    shop_customer = Customer(shop_id="gid://shopify/Customer/7", email="eva@example.cz", first_name="Eva")
    first = pohoda.backend.upsert_customer(shop_customer)
    second = pohoda.backend.upsert_customer(shop_customer.model_copy(update={"phone": "+420 603 000 111"}))
    assert first == second and len(pohoda.state.addresses) == 3
    found = pohoda.backend.find_customer(None, "603000111")
    assert (found.erp_key, found.shop_id) == (first, "gid://shopify/Customer/7")


def test_a_customer_without_name_or_company_gets_its_email_as_name(pohoda):
    key = pohoda.backend.upsert_customer(Customer(email="anon@example.cz"))
    assert pohoda.state.addresses[int(key)].address.name == "anon@example.cz"


def test_an_entry_deleted_in_pohoda_is_no_longer_found(pohoda, known):
    assert pohoda.backend.find_customer("jana@example.cz", None).erp_key == "K1"
    with pohoda.state.lock:
        del pohoda.state.addresses[known.customers["K1"]]
    assert pohoda.backend.find_customer("jana@example.cz", "777 123 456") is None


def test_a_customer_key_pohoda_does_not_know_is_refused(pohoda, known):
    with pytest.raises(RecordError, match="erp_key"):
        pohoda.backend.upsert_customer(Customer(erp_key="K9", email="nobody@example.cz"))
    assert len(pohoda.state.addresses) == 2
