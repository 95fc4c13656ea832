"""The customers flow's merge, without Prefect: what the ERP holds after a shop customer is matched to it."""

from __future__ import annotations

from domain.models import Address, Customer
from tasks.customers import merge_customer, same_customer

HOME = Address(first_name="Jana", last_name="Nováková", street="Dlouhá 1", city="Praha", zip="11000", country_code="CZ")


def erp_jana(**changes) -> Customer:
    fields = {
        "erp_key": "C-7",
        "email": "Jana@Example.cz",
        "phone": "+420 777 123 456",
        "first_name": "Jana",
        "last_name": "Nováková",
        "company": "Nováková s.r.o.",
        "addresses": [HOME],
    }
    return Customer(**{**fields, **changes})


def shop_jana(**changes) -> Customer:
    fields = {
        "shop_id": "gid://shopify/Customer/5",
        "email": "jana@example.cz",
        "phone": "777123456",
        "first_name": "Jana",
        "last_name": "Nováková",
        "addresses": [HOME.model_copy(update={"street": "DLOUHÁ 1"})],
    }
    return Customer(**{**fields, **changes})


def test_a_new_customer_is_the_shops_without_its_shop_id():
    merged = merge_customer(None, shop_jana())
    assert merged.shop_id is None and merged.erp_key is None
    assert (merged.email, merged.phone) == ("jana@example.cz", "777123456")


def test_the_erps_spelling_company_and_addresses_stay_when_the_shop_means_the_same():
    erp = erp_jana()
    merged = merge_customer(erp, shop_jana())
    assert (merged.email, merged.phone, merged.company, merged.addresses) == (erp.email, erp.phone, erp.company, [HOME])
    assert same_customer(erp, merged)  # nothing to write: a second run is silent


def test_a_new_email_or_phone_from_the_shop_wins_and_a_missing_one_keeps_the_erps():
    merged = merge_customer(erp_jana(), shop_jana(email="jana@novy.cz", phone=None))
    assert (merged.email, merged.phone) == ("jana@novy.cz", "+420 777 123 456")


def test_a_default_address_the_erp_lacks_is_added_after_its_own():
    office = Address(
        first_name="Jana", last_name="Nováková", street="Krátká 2", city="Brno", zip="60200", country_code="CZ"
    )
    merged = merge_customer(erp_jana(), shop_jana(addresses=[office]))
    assert merged.addresses == [HOME, office]
    assert not same_customer(erp_jana(), merged)
    assert same_customer(merged, merge_customer(merged, shop_jana(addresses=[office])))


def test_the_shops_name_replaces_the_erps_and_an_empty_one_does_not():
    assert merge_customer(erp_jana(), shop_jana(last_name="Svobodová")).last_name == "Svobodová"
    assert merge_customer(erp_jana(), shop_jana(first_name=None)).first_name == "Jana"


def test_an_erp_spelling_of_the_same_email_and_phone_is_kept_and_a_new_address_added():
    erp = Customer(
        erp_key="C1",
        email="jana.novak@example.cz",
        phone="+420 777 123 456",
        first_name="Jana",
        last_name="Nováková",
        company="Nováková s.r.o.",
        addresses=[Address(street="Dlouhá 1", city="Praha", zip="11000", country_code="CZ")],
    )
    shop = Customer(
        shop_id="gid://shopify/Customer/1",
        email="Jana.Novak@EXAMPLE.cz",
        phone="777123456",
        first_name="Jana",
        last_name="Nováková",
        addresses=[
            Address(street="dlouhá 1", city="Praha", zip="110 00", country_code="CZ"),
            Address(street="Krátká 2", city="Brno", zip="60200", country_code="CZ"),
        ],
    )
    merged = merge_customer(erp, shop)
    assert (merged.email, merged.phone, merged.company) == (erp.email, erp.phone, erp.company)
    assert [a.street for a in merged.addresses] == ["Dlouhá 1", "Krátká 2"]
    assert not same_customer(erp, merged)
    assert same_customer(merged, merge_customer(merged, shop))
