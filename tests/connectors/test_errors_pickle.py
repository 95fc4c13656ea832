"""Every exception class of the project survives pickling: Prefect and Dask ship exceptions between processes.

The classes are found by walking the project's packages, so a new one is checked the day it is written. Sample
arguments are kept per constructor (the class that defines ``__init__``): a class that inherits its parent's
constructor needs no entry, a class with a constructor of its own fails here until it gets one.
"""

from __future__ import annotations

import importlib
import inspect
import pickle
import pkgutil
from datetime import date
from types import ModuleType
from typing import Any

import pytest

from connectors.erp import errors as erp
from connectors.errors import RecordError
from connectors.pohoda import errors as pohoda
from connectors.shopify import errors as shopify
from domain.report import FailedRecord, SyncReport
from emulators.pohoda.responses import Detail
from emulators.pohoda.state import ImportedRecord

PACKAGES = ["domain", "connectors", "blocks", "engine", "tasks", "flows", "deployments", "emulators", "commerce_sync"]

MESSAGE = ("something went wrong",)
"""The arguments of a constructor that takes the message alone (``Exception``'s own and the like)."""

SAMPLES: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "connectors.errors.ServerError": (("shop: HTTP 502",), {"status": 502}),
    "connectors.errors.AuthenticationError": (("shop: HTTP 401",), {"status": 401}),
    "connectors.errors.RecordError": (("order 1", "lines[0].sku", "bad"), {}),
    "connectors.erp.errors.UnknownSkuError": (("#1001", "NOPE", 0), {}),
    "connectors.shopify.errors.Throttled": (("throttled",), {"retry_after": 1.5}),
    "connectors.shopify.errors.BulkOperationInProgress": (("busy",), {"running_id": "gid://shopify/BulkOperation/1"}),
    "connectors.shopify.errors.HttpError": (("HTTP 402",), {"status": 402}),
    "connectors.shopify.errors.QueryError": (
        ("bad query",),
        {"errors": [{"message": "x", "extensions": {"code": "BAD"}}], "data": {"a": 1}, "operation": "Op"},
    ),
    "connectors.shopify.errors.BulkOperationFailed": (
        ("bulk failed",),
        {"operation_id": "gid://shopify/BulkOperation/2", "status": "FAILED", "error_code": "TIMEOUT"},
    ),
    "connectors.shopify.errors.RecordError": (("SKU-1", "quantity", "negative", "INVALID", "InventorySet"), {}),
    "connectors.pohoda.errors.PackRejected": (("refused",), {"pack_id": "p1", "note": "557", "code": 557}),
    "connectors.pohoda.errors.UnexpectedAnswer": (("HTML, not XML",), {"status": 200}),
    "connectors.pohoda.errors.XmlError": (("not well-formed",), {"line": 3, "column": 7, "offset": 120}),
    "connectors.pohoda.errors.FieldTooLong": (("stock item 'A'", "name", 120, 90), {}),
    "connectors.pohoda.errors.ItemError": (("item-1", "order #1001", "error", "no stock", 204), {}),
    "connectors.pohoda.errors.DuplicateItem": (
        ("item-2", "order #1002", None),
        {"agenda": "prijate_objednavky", "existing_id": 7, "existing_number": "OP0007"},
    ),
    "connectors.pohoda.xml.values.FieldValueError": (("dat:quantity", "abc", "a number"), {}),
    "emulators.pohoda.responses.RecordRefused": ((Detail(state="error", note="no such item", errno=204),), {}),
    "emulators.pohoda.responses.Duplicity": (
        (ImportedRecord("prijate_objednavky", 7, "OP0007", date(2026, 12, 1)), "already imported"),
        {},
    ),
    "flows.runtime.PartialRun": (
        (
            "1 failed record",
            SyncReport(created=2, failed=1, failures=[FailedRecord(record="SKU-1", field="title", reason="empty")]),
        ),
        {},
    ),
}


def _modules(package: str) -> list[ModuleType]:
    root = importlib.import_module(package)
    return [root] + [importlib.import_module(info.name) for info in pkgutil.walk_packages(root.__path__, f"{package}.")]


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _ours(cls: type) -> bool:
    return cls.__module__.split(".")[0] in PACKAGES


def project_exceptions() -> list[type[BaseException]]:
    found = {
        obj
        for package in PACKAGES
        for module in _modules(package)
        for obj in vars(module).values()
        if inspect.isclass(obj) and issubclass(obj, BaseException) and _ours(obj)
    }
    return sorted(found, key=_name)


EXCEPTIONS = project_exceptions()


def _sample(cls: type[BaseException]) -> BaseException:
    constructor = next(klass for klass in cls.__mro__ if "__init__" in vars(klass))
    if not _ours(constructor):
        return cls(*MESSAGE)
    if _name(constructor) not in SAMPLES:
        pytest.fail(
            f"{_name(cls)} has its own constructor {constructor.__name__}{inspect.signature(constructor.__init__)}: "
            f"add sample arguments for {_name(constructor)!r} to SAMPLES in {__file__}"
        )
    args, kwargs = SAMPLES[_name(constructor)]
    return cls(*args, **kwargs)


def test_the_walk_finds_every_tree():
    names = {_name(cls) for cls in EXCEPTIONS}
    for expected in (
        "connectors.errors.RecordError",
        "connectors.shopify.errors.Throttled",
        "connectors.pohoda.errors.FieldTooLong",
        "connectors.erp.errors.UnknownSkuError",
        "connectors.state.errors.RecordNotFound",
        "emulators.pohoda.responses.Duplicity",
        "commerce_sync.chaos.kills.WorkerKilled",
    ):
        assert expected in names


def test_every_sample_belongs_to_a_constructor_that_still_exists():
    constructors = {_name(klass) for cls in EXCEPTIONS for klass in cls.__mro__ if "__init__" in vars(klass)}
    assert set(SAMPLES) <= constructors


@pytest.mark.parametrize("cls", EXCEPTIONS, ids=_name)
def test_an_exception_survives_pickling_with_its_type_message_and_attributes(cls):
    error = _sample(cls)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is cls
    assert str(copy) == str(error)
    assert copy.args == error.args
    assert vars(copy) == vars(error)


@pytest.mark.parametrize("cls", [RecordError, erp.RecordError, pohoda.RecordError, shopify.RecordError])
def test_a_record_error_keeps_record_field_and_reason_across_processes(cls):
    copy = pickle.loads(pickle.dumps(cls("order 1", "lines[0].sku", "bad")))
    assert (copy.record, copy.field, copy.reason) == ("order 1", "lines[0].sku", "bad")
    assert "order 1" in str(copy) and "lines[0].sku" in str(copy) and "bad" in str(copy)


def test_an_unknown_sku_keeps_the_order_and_the_sku_across_processes():
    copy = pickle.loads(pickle.dumps(erp.UnknownSkuError("#1001", "NOPE", 2)))
    assert (copy.order, copy.sku, copy.line_index) == ("#1001", "NOPE", 2)
    assert (copy.record, copy.field) == ("order #1001", "lines[2].sku")
    assert str(copy) == "order #1001: lines[2].sku: SKU 'NOPE' is not an ERP item"
