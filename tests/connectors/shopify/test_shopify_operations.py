"""Every GraphQL document is a file that validates against the real 2026-04 schema and respects the cost cap."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import FieldNode, GraphQLSchema, NoDeprecatedCustomRule, Visitor, parse, validate, visit

from connectors.shopify.errors import OperationError, UnknownOperation
from connectors.shopify.operations import MAX_QUERY_COST, OPERATIONS_DIR, OperationCatalog, catalog
from emulators.shopify.cost import requested_cost

OPERATION_FILES = sorted(p for p in OPERATIONS_DIR.glob("*/*.graphql") if p.parent.name != "fragments")
OPERATIONS = [catalog.get(p.stem) for p in OPERATION_FILES]
IDS = [f"{op.area}/{op.name}" for op in OPERATIONS]

# Mutations 2026-04 accepts only with @idempotent(key:) (schema descriptions; research notes §5).
REQUIRES_IDEMPOTENT = {
    "inventorySetQuantities",
    "inventoryAdjustQuantities",
    "inventoryActivate",
    "inventoryMoveQuantities",
    "locationActivate",
    "locationDeactivate",
    "refundCreate",
}


@pytest.fixture
def schema(shopify_schema: GraphQLSchema) -> GraphQLSchema:
    return shopify_schema


def test_the_catalogue_holds_the_operations_the_flows_use():
    expected = {
        "OrdersUpdatedSince",
        "Order",
        "OrderLineItems",
        "OrderFulfillmentOrders",
        "CustomersUpdatedSince",
        "ProductsUpdatedSince",
        "ProductVariantsBySku",
        "ProductSet",
        "ProductUpdate",
        "ProductVariantsBulkUpdate",
        "Locations",
        "LocationInventoryLevels",
        "InventoryItemsBySku",
        "InventorySetQuantities",
        "FulfillmentCreate",
        "OrderClose",
        "OrderCancel",
        "TagsAdd",
        "CollectionCreate",
        "CollectionUpdate",
        "CollectionAddProducts",
        "MetafieldsSet",
        "ProductAttachMedia",
        "FileCreate",
        "BulkOperationRunQuery",
        "BulkOperation",
        "OrdersBulk",
        "ProductsBulk",
        "InventoryLevelsBulk",
    }
    assert expected <= set(catalog.names())


@pytest.mark.parametrize("operation", OPERATIONS, ids=IDS)
def test_operation_validates_against_the_real_schema(schema: GraphQLSchema, operation):
    errors = validate(schema, parse(operation.document))
    assert not errors, f"{operation.path}: {[e.message for e in errors]}"


@pytest.mark.parametrize("operation", OPERATIONS, ids=IDS)
def test_operation_uses_no_deprecated_field(schema: GraphQLSchema, operation):
    errors = validate(schema, parse(operation.document), [NoDeprecatedCustomRule])
    assert not errors, f"{operation.path}: {[e.message for e in errors]}"


@pytest.mark.parametrize("operation", OPERATIONS, ids=IDS)
def test_declared_cost_stays_under_shopifys_single_query_cap(operation):
    if operation.is_bulk_query:
        assert operation.kind == "query" and operation.max_first is None
        return
    assert operation.cost is not None and 0 < operation.cost <= MAX_QUERY_COST


@pytest.mark.parametrize("operation", OPERATIONS, ids=IDS)
def test_paged_queries_declare_the_page_size_their_cost_was_measured_at(operation):
    paged = {"first", "after"} <= set(operation.variables)
    assert paged == (operation.max_first is not None), operation.path
    if paged:
        assert 1 <= operation.max_first <= 250


@pytest.mark.parametrize("operation", OPERATIONS, ids=IDS)
def test_mutations_shopify_requires_idempotent_carry_the_directive(operation):
    fields: list[tuple[str, bool]] = []

    class Collect(Visitor):
        def enter_operation_definition(self, node, *_):
            for selection in node.selection_set.selections:
                if isinstance(selection, FieldNode):
                    has = any(d.name.value == "idempotent" for d in selection.directives or ())
                    fields.append((selection.name.value, has))

    visit(parse(operation.document), Collect())
    for name, has_directive in fields:
        if operation.kind == "mutation" and name in REQUIRES_IDEMPOTENT:
            assert has_directive and operation.idempotency_variable == "idempotencyKey", operation.path
            assert operation.retry_safe


def test_declared_cost_covers_the_emulators_computed_cost(schema: GraphQLSchema):
    too_low = []
    for operation in OPERATIONS:
        if operation.is_bulk_query:
            continue
        variables = {"first": operation.max_first} if operation.max_first else {}
        computed = requested_cost(schema, operation.document, variables, operation.name)
        if computed > operation.cost:
            too_low.append(f"{operation.name}: declared {operation.cost} < computed {computed}")
    assert not too_low


def test_an_unknown_operation_name_is_refused_with_suggestions():
    with pytest.raises(UnknownOperation, match="OrdersUpdatedSince"):
        catalog.get("OrdersUpdatedSinse")


def _catalogue(tmp_path: Path, name: str, text: str) -> OperationCatalog:
    (tmp_path / "area").mkdir()
    (tmp_path / "area" / f"{name}.graphql").write_text(text)
    return OperationCatalog(tmp_path)


def test_a_file_without_a_cost_line_is_refused_naming_the_file(tmp_path: Path):
    operations = _catalogue(tmp_path, "Shop", "query Shop { shop { id } }\n")
    with pytest.raises(OperationError, match=r"Shop\.graphql.*cost"):
        operations.get("Shop")


def test_an_operation_named_differently_from_its_file_is_refused(tmp_path: Path):
    operations = _catalogue(tmp_path, "Shop", "# cost: 1\nquery ShopName { shop { id } }\n")
    with pytest.raises(OperationError, match="named 'Shop'"):
        operations.get("Shop")


def test_an_idempotency_key_written_into_the_document_is_refused(tmp_path: Path):
    text = (
        "# cost: 10\nmutation Adjust($input: InventoryAdjustQuantitiesInput!) {\n"
        '  inventoryAdjustQuantities(input: $input) @idempotent(key: "fixed") { userErrors { message } }\n}\n'
    )
    with pytest.raises(OperationError, match="must take a variable"):
        _catalogue(tmp_path, "Adjust", text).get("Adjust")


def test_fragments_are_appended_so_the_document_sent_is_self_contained():
    document = catalog.get("OrdersUpdatedSince").document
    assert "fragment OrderFields on Order" in document
    assert "fragment LineItemFields on LineItem" in document  # spread inside OrderFields
    assert "# cost" not in document  # header comments are not sent
