"""Matching a shop customer to an ERP customer (email, then phone) and creating or updating ERP customers."""

from __future__ import annotations

import pytest

from domain.models import Address, Customer


@pytest.fixture
def known(erp_harness):
    erp_harness.load(
        customers=[
            Customer(
                erp_key="K1",
                email="Jana.Novakova@Example.cz",
                phone="+420 777 123 456",
                first_name="Jana",
                last_name="Nováková",
            ),
            Customer(erp_key="K2", email="petr@example.cz", phone="602 000 111", first_name="Petr"),
            Customer(erp_key="K3", email=None, phone="(+420) 603-999-888", company="Žluťoučký kůň s.r.o."),
        ]
    )


def test_email_matches_whatever_its_case(erp, known):
    assert erp.find_customer("jana.novakova@example.CZ", None).erp_key == "K1"
    assert erp.find_customer("  PETR@EXAMPLE.CZ ", None).erp_key == "K2"


@pytest.mark.parametrize("phone", ["777123456", "+420777123456", "00420 777 123 456", "777-123-456"])
def test_phone_matches_in_any_format_when_the_email_is_unknown(erp, known, phone):
    assert erp.find_customer("someone.else@example.cz", phone).erp_key == "K1"


def test_a_customer_without_email_is_found_by_phone(erp, known):
    found = erp.find_customer(None, "603 999 888")
    assert found.erp_key == "K3" and found.company == "Žluťoučký kůň s.r.o."


def test_email_wins_over_a_phone_of_another_customer(erp, known):
    assert erp.find_customer("petr@example.cz", "+420 777 123 456").erp_key == "K2"


def test_no_match_is_none(erp, known):
    assert erp.find_customer("nobody@example.cz", "+420 111 222 333") is None
    assert erp.find_customer(None, None) is None


def test_a_new_customer_gets_a_fresh_key_and_can_then_be_found(erp):
    first = erp.upsert_customer(Customer(email="Eva@Example.cz", first_name="Eva", phone="+421 905 123 456"))
    second = erp.upsert_customer(Customer(email="adam@example.cz", first_name="Adam"))
    assert first and second and first != second
    assert erp.find_customer("eva@example.cz", None).erp_key == first
    assert erp.find_customer(None, "0905123456").erp_key == first


def test_upserting_with_a_key_updates_that_customer_and_replaces_its_addresses(erp, known):
    key = erp.upsert_customer(
        Customer(
            erp_key="K2",
            email="petr.new@example.cz",
            first_name="Petr",
            last_name="Dvořák",
            addresses=[Address(street="Vinohradská 12", city="Praha 2", zip="120 00", country_code="CZ")],
        )
    )
    assert key == "K2"
    assert erp.find_customer("petr@example.cz", None) is None
    updated = erp.find_customer("PETR.NEW@example.cz", None)
    assert updated.erp_key == "K2" and updated.last_name == "Dvořák"
    assert [(a.street, a.city) for a in updated.addresses] == [("Vinohradská 12", "Praha 2")]
    erp.upsert_customer(updated.model_copy(update={"addresses": []}))
    assert erp.find_customer("petr.new@example.cz", None).addresses == []
