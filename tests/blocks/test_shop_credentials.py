"""A shop is reached with a legacy app's access token or a Dev Dashboard app's client ID and secret, exactly
one of the two; a refusal names the fields to fill or empty and never repeats a secret."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from blocks import ShopifyShop
from connectors.shopify.auth import AccessTokenAuth, ClientCredentialsAuth, reset_credentials

TOKEN = "shpat_SECRET_TOKEN_77d0"
SECRET = "shpss_SECRET_CLIENT_2b4e"
BASE = {
    "shop_url": "acme-store.myshopify.com",
    "erp_block": "erp-database/main",
    "schedule": {"selectedFrequency": "Daily", "startDate": "2026-01-01"},
}


def test_a_dev_dashboard_app_is_configured_by_client_id_and_secret():
    shop = ShopifyShop(**BASE, client_id="app-1", client_secret=SECRET)
    assert shop.access_token is None and isinstance(shop.client_secret, SecretStr)
    assert SECRET not in repr(shop) and SECRET not in shop.model_dump_json()
    reset_credentials()
    with shop.client() as client:
        assert isinstance(client.auth, ClientCredentialsAuth) and client.auth.client_id == "app-1"


def test_a_legacy_token_still_works_and_an_emptied_app_field_means_not_set():
    shop = ShopifyShop(**BASE, access_token=TOKEN, client_id="", client_secret="  ")
    assert (shop.client_id, shop.client_secret) == (None, None)
    with shop.client() as client:
        assert isinstance(client.auth, AccessTokenAuth)


@pytest.mark.parametrize(
    ("credentials", "named"),
    [
        ({}, {"access_token"}),
        ({"access_token": " "}, {"access_token"}),
        ({"client_id": "app-1"}, {"client_secret"}),
        ({"client_secret": SECRET}, {"client_id"}),
        ({"access_token": TOKEN, "client_secret": SECRET}, {"access_token", "client_secret"}),
        (
            {"access_token": TOKEN, "client_id": "app-1", "client_secret": SECRET},
            {"access_token", "client_id", "client_secret"},
        ),
    ],
)
def test_not_exactly_one_way_to_authenticate_is_refused_naming_the_fields(credentials, named):
    with pytest.raises(ValidationError) as caught:
        ShopifyShop(**BASE, **credentials)
    assert {str(err["loc"][0]) for err in caught.value.errors()} == named
    assert TOKEN not in str(caught.value) and SECRET not in str(caught.value)


def test_every_credential_field_has_a_title_and_a_description():
    for name in ("access_token", "client_id", "client_secret"):
        field = ShopifyShop.model_fields[name]
        assert field.title and field.description, name
