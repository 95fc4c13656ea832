"""The emulator's SDL is a faithful subset of the real 2026-04 Admin schema, and real clients' documents run on it."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    build_schema,
    parse,
    validate,
    validate_schema,
)

from emulators.shopify import SDL_PATH
from emulators.shopify.sdl_subset import generate

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def subset() -> GraphQLSchema:
    return build_schema(SDL_PATH.read_text(encoding="utf-8"))


def _mismatches(subset: GraphQLSchema, real: GraphQLSchema) -> list[str]:
    problems: list[str] = []
    for name, ours in subset.type_map.items():
        if name.startswith("__"):
            continue
        theirs = real.type_map.get(name)
        if theirs is None:
            problems.append(f"type {name} does not exist")
            continue
        if type(ours) is not type(theirs):
            problems.append(f"type {name} is a {type(ours).__name__}, real one a {type(theirs).__name__}")
            continue
        if isinstance(ours, (GraphQLObjectType, GraphQLInterfaceType)):
            real_interfaces = {i.name for i in theirs.interfaces}
            problems += [
                f"{name} implements {i.name}, real one does not"
                for i in ours.interfaces
                if i.name not in real_interfaces
            ]
            for field_name, field in ours.fields.items():
                real_field = theirs.fields.get(field_name)
                if real_field is None:
                    problems.append(f"field {name}.{field_name} does not exist")
                    continue
                if str(field.type) != str(real_field.type):
                    problems.append(f"{name}.{field_name}: {field.type} vs real {real_field.type}")
                for arg_name, arg in field.args.items():
                    real_arg = real_field.args.get(arg_name)
                    if real_arg is None:
                        problems.append(f"argument {name}.{field_name}({arg_name}:) does not exist")
                    elif str(arg.type) != str(real_arg.type):
                        problems.append(f"{name}.{field_name}({arg_name}:) {arg.type} vs real {real_arg.type}")
                    elif arg.default_value != real_arg.default_value:
                        problems.append(
                            f"{name}.{field_name}({arg_name}:) default {arg.default_value!r} vs real "
                            f"{real_arg.default_value!r}"
                        )
        elif isinstance(ours, GraphQLInputObjectType):
            for field_name, field in ours.fields.items():
                real_field = theirs.fields.get(field_name)
                if real_field is None:
                    problems.append(f"input field {name}.{field_name} does not exist")
                elif str(field.type) != str(real_field.type):
                    problems.append(f"input {name}.{field_name}: {field.type} vs real {real_field.type}")
        elif isinstance(ours, GraphQLEnumType):
            problems += [
                f"enum value {name}.{value} does not exist" for value in ours.values if value not in theirs.values
            ]
        elif not isinstance(ours, GraphQLScalarType):
            problems.append(f"type {name}: unexpected kind {type(ours).__name__}")
    for directive in subset.directives:
        real_directive = real.get_directive(directive.name)
        if real_directive is None:
            problems.append(f"directive @{directive.name} does not exist")
            continue
        for arg_name, arg in directive.args.items():
            real_arg = real_directive.args.get(arg_name)
            if real_arg is None or str(arg.type) != str(real_arg.type):
                problems.append(f"directive @{directive.name}({arg_name}:) differs")
    return problems


def test_every_type_field_argument_and_enum_value_exists_in_the_real_schema_with_the_same_type(
    subset: GraphQLSchema, real_schema: GraphQLSchema
):
    assert _mismatches(subset, real_schema) == []


def test_the_subset_check_notices_an_invented_field(real_schema: GraphQLSchema):
    invented = build_schema(
        "type QueryRoot { shop: Shop! products(first: Int): ProductConnection! }"
        " type Shop { name: String! erpKey: String }"
        " type ProductConnection { nodes: [Product!]! }"
        " type Product { id: ID! title: Int }"
    )
    problems = _mismatches(invented, real_schema)
    assert "field Shop.erpKey does not exist" in problems
    assert "Product.title: Int vs real String!" in problems


def test_the_subset_is_a_valid_schema_on_its_own(subset: GraphQLSchema):
    assert validate_schema(subset) == []


def test_the_committed_sdl_is_what_the_generator_makes_from_the_real_schema(real_schema: GraphQLSchema):
    assert generate(real_schema) == SDL_PATH.read_text(encoding="utf-8"), (
        "schema.graphql is stale: run python -m emulators.shopify.sdl_subset <admin-2026-04.graphql>"
    )


def test_inventory_mutations_accept_the_idempotent_directive(subset: GraphQLSchema):
    document = parse(
        'mutation { inventorySetQuantities(input: {name: "available", reason: "correction", '
        'quantities: []}) @idempotent(key: "k") { userErrors { field } } }'
    )
    assert validate(subset, document) == []


def test_every_connector_operation_validates_against_the_emulator(subset: GraphQLSchema):
    operations = REPO / "connectors" / "shopify" / "operations"
    fragments = "\n".join(p.read_text(encoding="utf-8") for p in sorted((operations / "fragments").glob("*.graphql")))
    failures = {}
    for path in sorted(operations.rglob("*.graphql")):
        if path.parent.name == "fragments":
            continue
        text = path.read_text(encoding="utf-8")
        used = fragments if "..." in text else ""
        document = parse(text + "\n" + used)
        names_used = {d.name.value for d in document.definitions if d.kind == "fragment_definition"}
        errors = [
            e.message
            for e in validate(subset, document)
            if not (
                e.message.startswith("Fragment '")
                and "is never used" in e.message
                and any(f"'{n}'" in e.message for n in names_used)
            )
        ]
        if errors:
            failures[str(path.relative_to(operations))] = errors
    assert failures == {}
