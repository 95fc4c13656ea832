"""The error trees are what their docstrings draw: each class is the shared idea of ``connectors/errors.py`` it
stands for, so a retry policy, a report or a flow can decide per kind whichever connector raised it."""

from __future__ import annotations

import pytest

from connectors import errors as base
from connectors.erp import errors as erp
from connectors.erp.pohoda.errors import erp_errors
from connectors.pohoda import errors as pohoda
from connectors.shopify import errors as shopify
from connectors.state import errors as state
from engine.policy import is_retriable

TREES = [shopify, pohoda, erp, state]

KINDS = {
    shopify.Throttled: base.Retriable,
    shopify.ServerError: base.ServerError,
    shopify.RequestTimeout: base.RequestTimeout,
    shopify.ConnectionFailed: base.ConnectionFailed,
    shopify.BulkOperationInProgress: base.Retriable,
    shopify.AuthenticationError: base.AuthenticationError,
    shopify.AccessDenied: base.AuthenticationError,
    shopify.HttpError: base.Fatal,
    shopify.QueryError: base.Fatal,
    shopify.MaxCostExceeded: base.Fatal,
    shopify.NotFound: base.Fatal,
    shopify.UnknownOperation: base.Fatal,
    shopify.BulkOperationFailed: base.Fatal,
    shopify.RecordError: base.RecordError,
    pohoda.ServerBusy: base.Retriable,
    pohoda.ServerError: base.ServerError,
    pohoda.RequestTimeout: base.RequestTimeout,
    pohoda.ConnectionFailed: base.ConnectionFailed,
    pohoda.AuthenticationError: base.AuthenticationError,
    pohoda.WrongCompany: base.Fatal,
    pohoda.PackRejected: base.Fatal,
    pohoda.UnexpectedAnswer: base.Fatal,
    pohoda.TruncatedXml: base.Fatal,
    pohoda.UnsafeXml: base.Fatal,
    pohoda.RecordError: base.RecordError,
    pohoda.FieldTooLong: base.RecordError,
    erp.ErpUnavailable: base.Retriable,
    erp.ErpRefused: base.Fatal,
    erp.RecordError: base.RecordError,
    erp.UnknownSkuError: base.RecordError,
    state.CursorMovedBackwards: base.Fatal,
    state.RecordNotFound: base.Fatal,
    state.InvalidTransition: base.Fatal,
    state.UnsupportedDatabase: base.Fatal,
}
WHAT_TO_DO = (base.Retriable, base.Fatal, base.RecordError)


def _classes(tree) -> list[type[BaseException]]:
    return [getattr(tree, name) for name in tree.__all__ if isinstance(getattr(tree, name), type)]


@pytest.mark.parametrize("cls", list(KINDS), ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_each_error_is_the_shared_idea_its_tree_names(cls):
    assert issubclass(cls, KINDS[cls])


@pytest.mark.parametrize("tree", TREES, ids=lambda tree: tree.__name__)
def test_every_class_of_a_tree_is_a_project_error_and_at_most_one_of_retry_fail_or_record(tree):
    for cls in [c for c in _classes(tree) if issubclass(c, BaseException)]:
        assert issubclass(cls, base.CommerceSyncError), cls
        assert sum(issubclass(cls, kind) for kind in WHAT_TO_DO) <= 1, cls


def test_only_the_tree_roots_and_pohodas_item_answers_leave_the_caller_without_a_decision():
    undecided = {
        cls
        for tree in TREES
        for cls in _classes(tree)
        if issubclass(cls, BaseException) and not issubclass(cls, WHAT_TO_DO)
    }
    assert undecided == {
        shopify.ShopifyError,
        pohoda.PohodaError,
        erp.ErpError,
        pohoda.ItemError,  # POHODA's answer about one dataPackItem: the adapter turns it into a RecordError
        pohoda.PermissionDenied,
        pohoda.DuplicateItem,
    }


@pytest.mark.parametrize("tree", [shopify, pohoda], ids=lambda tree: tree.__name__)
def test_authentication_is_fatal_and_a_lost_connection_retriable_in_every_connector(tree):
    assert issubclass(tree.AuthenticationError, (tree.Fatal, base.Fatal))
    assert issubclass(tree.ConnectionFailed, (tree.Retriable, base.TransportError))
    assert tree.AuthenticationError("refused", status=401).status == 401


def test_a_connectors_retriable_is_its_own_and_the_shared_one_covers_every_connector():
    throttled, busy, locked = shopify.Throttled("throttled"), pohoda.ServerBusy("busy"), erp.ErpUnavailable("locked")
    assert not isinstance(throttled, pohoda.Retriable) and not isinstance(busy, shopify.Retriable)
    assert all(isinstance(error, base.Retriable) for error in (throttled, busy, locked))


@pytest.mark.parametrize(
    "error, retried",
    [
        (shopify.Throttled("throttled", retry_after=2.0), True),
        (shopify.RequestTimeout("timeout"), True),
        (pohoda.ServerBusy("busy"), True),
        (pohoda.ConnectionFailed("refused"), True),
        (erp.ErpUnavailable("locked"), True),
        (shopify.AuthenticationError("401", status=401), False),
        (pohoda.AuthenticationError("401", status=401), False),
        (erp.ErpRefused("tables missing"), False),
        (shopify.RecordError("SKU-1", "quantity", "negative"), False),
        (erp.RecordError("order 1", "lines[0].sku", "bad"), False),
        (state.CursorMovedBackwards("behind"), False),
    ],
    ids=repr,
)
def test_the_retry_policy_retries_every_connectors_transient_failures_and_nothing_else(error, retried):
    assert is_retriable(error) is retried


@pytest.mark.parametrize(
    "raised, expected",
    [
        (pohoda.ServerBusy("busy"), erp.ErpUnavailable),
        (pohoda.RequestTimeout("timeout"), erp.ErpUnavailable),
        (pohoda.AuthenticationError("HTTP 401", status=401), erp.ErpRefused),
        (pohoda.WrongCompany("another IČO"), erp.ErpRefused),
        (pohoda.FieldTooLong("stock item 'A'", "name", 120, 90), erp.RecordError),
        (pohoda.ItemError("item-1", "order #1001", "error", "no stock", 204), erp.RecordError),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else value.__name__,
)
def test_a_pohoda_error_keeps_its_kind_at_the_erp_port(raised, expected):
    with pytest.raises(erp.ErpError) as caught, erp_errors("list_locations"):
        raise raised
    assert type(caught.value) is expected


def test_a_pohoda_record_error_reaches_the_erp_port_with_the_same_record_field_and_reason():
    with pytest.raises(erp.RecordError) as caught, erp_errors("create_sales_order"):
        raise pohoda.FieldTooLong("order #1001", "partnerIdentity.address.name", 120, 96)
    assert (caught.value.record, caught.value.field) == ("order #1001", "partnerIdentity.address.name")
    assert caught.value.reason == "120 characters, POHODA allows at most 96"


def test_a_shopify_record_error_names_the_operation_and_code_and_compares_as_a_value():
    error = shopify.RecordError("SKU-1", "quantity", "must be positive", "INVALID", "InventorySetQuantities")
    assert str(error) == "InventorySetQuantities: record 'SKU-1' field 'quantity': must be positive [INVALID]"
    assert error == shopify.RecordError("SKU-1", "quantity", "must be positive", "INVALID", "InventorySetQuantities")
    assert error != shopify.RecordError("SKU-1", "quantity", "must be positive", "OTHER", "InventorySetQuantities")
    assert error != erp.RecordError("SKU-1", "quantity", "must be positive")
    assert len({error, error}) == 1


def test_a_record_error_whose_field_is_narrowed_later_says_so():
    error = shopify.RecordError("3", "value", "too long")
    error.field = "metafields.colour.value"
    assert "metafields.colour.value" in str(error)
