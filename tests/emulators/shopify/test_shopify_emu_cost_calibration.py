"""The calibrated cost model reproduces every ``requestedQueryCost`` Shopify is published to have answered.

The measurements are Business Central's: its connector's queries were sent to Shopify (API 2025-07) and the
``# cost: N`` line of each ``.resources/graphql/**`` file set to the ``requestedQueryCost`` Shopify answered
(microsoft/BCApps PR #5926, https://github.com/microsoft/BCApps/pull/5926; PR #8545,
https://github.com/microsoft/BCApps/pull/8545 for ``lineItems(first: 3)`` → 23 and ``(first: 10)`` → 43).
Queries below are BC's, with its ``{{placeholders}}`` filled in; they are costed over the real 2026-04 schema
because several select fields outside the emulator's subset.
"""

from __future__ import annotations

import pytest
from graphql import parse, validate

from emulators.shopify import EmulatorConfig, requested_cost
from emulators.shopify.cost import scale


def _order_node(closed: str) -> str:
    """BC's order selection; GetOrdersToImport also asks ``closed``, GetNextOpenOrdersToImport does not."""
    return "legacyResourceId name createdAt updatedAt channel { name } test fullyPaid unpaid " + closed + _ORDER_REST


_ORDER_REST = (
    " displayFinancialStatus "
    "displayFulfillmentStatus subtotalLineItemsQuantity totalPriceSet{shopMoney{amount currencyCode}} "
    "customAttributes{key value} tags risk { assessments { riskLevel }} displayAddress { countryCodeV2 } "
    "shippingAddress { countryCodeV2 } billingAddress { countryCodeV2 } "
    "totalTaxSet { presentmentMoney { amount } shopMoney { amount } } taxLines { channelLiable } "
    "purchasingEntity { ... on PurchasingCompany { company { id }}}"
)
_MONEY = "{ presentmentMoney { amount } shopMoney { amount }}"
_LINE_ITEM = (
    "id name quantity currentQuantity nonFulfillableQuantity sku title variantTitle isGiftCard "
    "product { legacyResourceId } variant { legacyResourceId } customAttributes { key value } refundableQuantity "
    "requiresShipping restockable fulfillmentStatus duties { countryCodeOfOrigin price " + _MONEY + " taxLines { "
    "channelLiable priceSet " + _MONEY + " rate ratePercentage title }} taxable fulfillableQuantity "
    "fulfillmentService { location { legacyResourceId name } serviceName } discountAllocations { "
    "allocatedAmountSet " + _MONEY + "} discountedTotalSet " + _MONEY + " discountedUnitPriceSet " + _MONEY + " "
    "originalTotalSet " + _MONEY + " originalUnitPriceSet " + _MONEY + " totalDiscountSet " + _MONEY + " "
    "unfulfilledDiscountedTotalSet "
    + _MONEY
    + " taxLines { channelLiable rate ratePercentage title priceSet "
    + _MONEY
    + "}"
)
_IMAGE = "media(first:1) { edges { node { mediaContentType ... on MediaImage { id image { url } }}}}"

MEASURED = {
    "Inventory/GetInventoryEntries": (
        '{location(id:"gid://shopify/Location/1"){inventoryLevels(first:100){pageInfo{hasNextPage} edges{cursor '
        'node{id quantities(names: "available") {quantity} item{id variant{id product{id}}}}}}}}',
        48,
    ),
    "Orders/GetOrdersToImport": (
        '{orders(first:25, query: "updated_at:>2026-01-01"){pageInfo{hasNextPage} edges{cursor node{'
        + _order_node("closed")
        + "}}}}",
        68,
    ),
    "Orders/GetNextOpenOrdersToImport": (
        '{orders(first:150, after:"c", query: "status:open"){pageInfo{hasNextPage} edges{cursor node{'
        + _order_node("")
        + "}}}}",
        112,
    ),
    "Orders/GetOrderLines (first: 10, PR #8545)": (
        '{ order(id: "gid://shopify/Order/1") { legacyResourceId lineItems(first: 10) { pageInfo { hasNextPage '
        "endCursor } nodes { " + _LINE_ITEM + "}}}}",
        43,
    ),
    "Orders/GetOrderLines (first: 3, before PR #8545)": (
        '{ order(id: "gid://shopify/Order/1") { legacyResourceId lineItems(first: 3) { pageInfo { hasNextPage '
        "endCursor } nodes { " + _LINE_ITEM + "}}}}",
        23,
    ),
    "Products/GetProductIds": (
        '{products(first:200, query: "gift_card:false"){pageInfo{hasNextPage} edges{cursor node{id updatedAt}}}}',
        12,
    ),
    "Customers/GetCustomerIds": (
        '{customers(first:200, query: "updated_at:>2026-01-01"){pageInfo{hasNextPage} edges{cursor node{id '
        "updatedAt}}}}",
        12,
    ),
    "Products/GetProductVariantIds": (
        '{product(id: "gid://shopify/Product/1") {variants(first:200){pageInfo{hasNextPage} edges{cursor '
        "node{legacyResourceId updatedAt}}}}}",
        13,
    ),
    "Customers/FindCustomerIdByPhone": (
        '{customers(first: 1, query:"phone:1") {edges {node {id defaultPhoneNumber { phoneNumber }}}}}',
        3,
    ),
    "Products/GetProductImages": (
        "{products(first:100){pageInfo{hasNextPage},edges{cursor node{legacyResourceId " + _IMAGE + "}}}}",
        47,
    ),
    "Products/GetProductVariantImages": (
        "{productVariants(first:200){pageInfo{hasNextPage} edges{cursor node{legacyResourceId " + _IMAGE + "}}}}",
        52,
    ),
    "Catalogs/GetCatalogPrices": (
        'query { catalog(id: "gid://shopify/Catalog/1") { id priceList {id currency prices(first:100) {edges '
        "{cursor node {variant {id product {id}} price {amount} compareAtPrice {amount}}} pageInfo "
        "{hasNextPage}}}}}",
        31,
    ),
    "Catalogs/GetCatalogProducts": (
        '{catalog(id: "gid://shopify/Catalog/1"){ id priceList { currency } publication { id products(first: 250) '
        "{ edges { cursor node { id }} pageInfo { hasNextPage }}}}}",
        16,
    ),
    "Inventory/GetLocations": (
        "{ locations(first: 20, includeLegacy: true) { pageInfo { hasNextPage endCursor } nodes { legacyResourceId "
        "isActive isPrimary name fulfillmentService { id callbackUrl }}}}",
        12,
    ),
    "Products/GetProductById": (
        '{product(id: "gid://shopify/Product/1") {createdAt updatedAt hasOnlyDefaultVariant description(truncateAt:'
        " 100) descriptionHtml onlineStorePreviewUrl onlineStoreUrl productType status tags title vendor "
        "seo{description, title} metafields(first: 50) {edges {node {id namespace type legacyResourceId key "
        "value}}}}}",
        11,
    ),
    "Inventory/ModifyInventory (a mutation: 10)": (
        'mutation { inventorySetQuantities(input: {name: "on_hand", reason: "correction", quantities: []}) '
        '@idempotent(key: "k") { inventoryAdjustmentGroup { id } userErrors { field message code }}}',
        10,
    ),
    "Orders/MarkOrderAsPaid (a mutation: 10)": (
        'mutation { orderMarkAsPaid(input: { id: "gid://shopify/Order/1" }) { order {fullyPaid} userErrors '
        "{field, message}}}",
        10,
    ),
}


@pytest.mark.parametrize(("query", "measured"), MEASURED.values(), ids=MEASURED.keys())
def test_the_calibrated_model_reproduces_shopifys_measured_cost(real_schema, query, measured):
    assert not validate(real_schema, parse(query))
    assert requested_cost(real_schema, query) == measured


@pytest.mark.parametrize(("query", "measured"), MEASURED.values(), ids=MEASURED.keys())
def test_the_pessimistic_model_never_charges_less_than_shopify(real_schema, query, measured):
    assert requested_cost(real_schema, query, model="pessimistic") >= measured


def test_the_pessimistic_model_overcharges_paged_reads_five_to_twenty_fold(real_schema):
    for name in ("Inventory/GetInventoryEntries", "Products/GetProductIds", "Catalogs/GetCatalogPrices"):
        query, measured = MEASURED[name]
        assert 5 <= requested_cost(real_schema, query, model="pessimistic") / measured <= 20, name


def test_the_connection_scale_grows_with_the_page_but_far_slower_than_it():
    sizes = [1, 2, 3, 7, 10, 20, 25, 37, 50, 100, 150, 200, 250]
    scales = [scale(n) for n in sizes]
    assert scales == sorted(scales)
    per_node = [s / n for n, s in zip(sizes, scales, strict=True)]
    assert per_node == sorted(per_node, reverse=True)  # why a page size can be extrapolated from a smaller one
    assert scale(0) == 0 and scale(250) == 11


def test_the_emulator_charges_the_calibrated_cost_by_default(gql, seeded):
    body = gql("{ products(first: 250) { nodes { id variants(first: 10) { nodes { id } } } } }")
    assert EmulatorConfig().cost_model == "calibrated"
    assert body["extensions"]["cost"]["requestedQueryCost"] == 2 + 11 * (1 + 2 + 4)
    assert body["extensions"]["cost"]["actualQueryCost"] <= body["extensions"]["cost"]["requestedQueryCost"]
    assert "data" in body  # 3252 under the linear model: refused there (test_shopify_emu_cost.py)
