"""Regenerates ``schema.graphql``, the emulator's SDL, as a faithful subset of the real Admin schema.

Why a generator instead of a hand-copied file: every definition is then *copied* from the real schema (never
invented), and an API bump is one command. Output object and interface types are listed explicitly below (the
emulator must resolve every field it declares); input types, enums and scalars reached from a kept field or
argument are taken whole, so a client may send any input field the real API accepts.

    python -m emulators.shopify.sdl_subset ../shared/reference/shopify/admin-2026-04.graphql

Only this tool reads the real schema; the emulator loads the generated file from the package at runtime.
"""

from __future__ import annotations

import sys
from pathlib import Path

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    ast_from_value,
    build_schema,
    get_named_type,
    print_ast,
    specified_scalar_types,
    validate_schema,
)

OUTPUT = Path(__file__).with_name("schema.graphql")

_CONN = ["edges", "nodes", "pageInfo"]
_EDGE = ["cursor", "node"]
_ERR = ["field", "message"]
_ERR_CODE = ["field", "message", "code"]
_ADDRESS = [
    "id",
    "address1",
    "address2",
    "city",
    "company",
    "country",
    "countryCodeV2",
    "firstName",
    "lastName",
    "name",
    "phone",
    "province",
    "provinceCode",
    "zip",
]

# Output types: the fields the emulator resolves. "*" = every field whose type is kept.
SPEC: dict[str, list[str] | str] = {
    "QueryRoot": [
        "products",
        "product",
        "productsCount",
        "productVariants",
        "productVariant",
        "inventoryItems",
        "inventoryItem",
        "inventoryLevel",
        "locations",
        "location",
        "collections",
        "collection",
        "collectionByIdentifier",
        "customers",
        "customer",
        "customersCount",
        "orders",
        "order",
        "ordersCount",
        "fulfillmentOrders",
        "fulfillmentOrder",
        "bulkOperation",
        "bulkOperations",
        "currentBulkOperation",
        "node",
        "nodes",
        "shop",
        "publications",
        "publication",
        "webhookSubscription",
        "webhookSubscriptions",
        "job",
        "currentAppInstallation",
    ],
    "Mutation": [
        "productSet",
        "productCreate",
        "productUpdate",
        "productDelete",
        "productVariantsBulkCreate",
        "productVariantsBulkUpdate",
        "inventorySetQuantities",
        "inventoryAdjustQuantities",
        "inventoryActivate",
        "collectionCreate",
        "collectionUpdate",
        "collectionDelete",
        "collectionAddProducts",
        "metafieldsSet",
        "productCreateMedia",
        "fileCreate",
        "fileUpdate",
        "fileDelete",
        "stagedUploadsCreate",
        "customerCreate",
        "customerUpdate",
        "orderClose",
        "orderCancel",
        "orderMarkAsPaid",
        "tagsAdd",
        "tagsRemove",
        "fulfillmentCreate",
        "fulfillmentTrackingInfoUpdate",
        "refundCreate",
        "bulkOperationRunQuery",
        "bulkOperationCancel",
        "publishablePublish",
        "webhookSubscriptionCreate",
        "webhookSubscriptionDelete",
    ],
    "Node": ["id"],
    "HasMetafields": ["metafield", "metafields"],
    "Media": ["alt", "id", "mediaContentType", "preview", "status"],
    "File": ["alt", "createdAt", "fileStatus", "id", "preview", "updatedAt"],
    "DisplayableError": ["field", "message"],
    "PageInfo": ["endCursor", "hasNextPage", "hasPreviousPage", "startCursor"],
    "Count": ["count", "precision"],
    "MoneyV2": ["amount", "currencyCode"],
    "MoneyBag": ["presentmentMoney", "shopMoney"],
    "Shop": ["id", "name", "myshopifyDomain", "currencyCode", "ianaTimezone", "email", "url"],
    "Product": [
        "id",
        "legacyResourceId",
        "title",
        "handle",
        "description",
        "descriptionHtml",
        "vendor",
        "productType",
        "status",
        "tags",
        "createdAt",
        "updatedAt",
        "publishedAt",
        "totalInventory",
        "tracksInventory",
        "hasOnlyDefaultVariant",
        "variants",
        "variantsCount",
        "options",
        "collections",
        "media",
        "mediaCount",
        "featuredMedia",
        "metafield",
        "metafields",
        "templateSuffix",
        "publishedOnPublication",
        "resourcePublications",
    ],
    "ProductOption": ["id", "name", "position", "values", "optionValues"],
    "ProductOptionValue": ["id", "name", "hasVariants"],
    "SelectedOption": ["name", "value"],
    "ProductVariant": [
        "id",
        "legacyResourceId",
        "title",
        "displayName",
        "sku",
        "barcode",
        "price",
        "compareAtPrice",
        "position",
        "taxable",
        "inventoryPolicy",
        "inventoryQuantity",
        "availableForSale",
        "inventoryItem",
        "product",
        "selectedOptions",
        "createdAt",
        "updatedAt",
        "media",
        "metafield",
        "metafields",
    ],
    "InventoryItem": [
        "id",
        "legacyResourceId",
        "sku",
        "tracked",
        "requiresShipping",
        "createdAt",
        "updatedAt",
        "unitCost",
        "inventoryLevel",
        "inventoryLevels",
        "variant",
    ],
    "InventoryLevel": ["id", "item", "location", "quantities", "createdAt", "updatedAt", "isActive"],
    "InventoryQuantity": ["id", "name", "quantity", "updatedAt"],
    "InventoryAdjustmentGroup": ["id", "createdAt", "reason", "referenceDocumentUri", "changes"],
    "InventoryChange": ["delta", "item", "location", "name", "quantityAfterChange", "ledgerDocumentUri"],
    "Location": [
        "id",
        "legacyResourceId",
        "name",
        "isActive",
        "address",
        "createdAt",
        "updatedAt",
        "fulfillsOnlineOrders",
        "hasActiveInventory",
        "shipsInventory",
        "inventoryLevel",
        "inventoryLevels",
        "metafield",
        "metafields",
    ],
    "LocationAddress": [
        "address1",
        "address2",
        "city",
        "country",
        "countryCode",
        "phone",
        "province",
        "provinceCode",
        "zip",
        "formatted",
    ],
    "Collection": [
        "id",
        "legacyResourceId",
        "title",
        "handle",
        "description",
        "descriptionHtml",
        "updatedAt",
        "sortOrder",
        "products",
        "productsCount",
        "hasProduct",
        "metafield",
        "metafields",
        "templateSuffix",
        "publishedOnPublication",
        "resourcePublications",
    ],
    "Publishable": ["publishedOnPublication", "resourcePublications"],
    "Publication": ["id", "name", "autoPublish", "supportsFuturePublishing", "catalog"],
    "Catalog": ["id", "status", "title"],
    "AppCatalog": ["id", "status", "title"],
    "ResourcePublication": ["isPublished", "publication", "publishable", "publishDate"],
    "Metafield": [
        "id",
        "legacyResourceId",
        "namespace",
        "key",
        "value",
        "type",
        "jsonValue",
        "createdAt",
        "updatedAt",
        "ownerType",
        "owner",
        "compareDigest",
    ],
    "MediaImage": [
        "id",
        "alt",
        "image",
        "mediaContentType",
        "status",
        "preview",
        "createdAt",
        "updatedAt",
        "mimeType",
        "originalSource",
        "fileStatus",
    ],
    "MediaPreviewImage": ["image", "status"],
    "MediaImageOriginalSource": ["url", "fileSize"],
    "Image": ["id", "url", "altText", "width", "height"],
    "Customer": [
        "id",
        "legacyResourceId",
        "firstName",
        "lastName",
        "displayName",
        "email",
        "phone",
        "defaultEmailAddress",
        "defaultPhoneNumber",
        "defaultAddress",
        "addresses",
        "addressesV2",
        "tags",
        "note",
        "createdAt",
        "updatedAt",
        "numberOfOrders",
        "amountSpent",
        "state",
        "verifiedEmail",
        "taxExempt",
        "metafield",
        "metafields",
    ],
    "CustomerEmailAddress": ["emailAddress"],
    "CustomerPhoneNumber": ["phoneNumber"],
    "MailingAddress": _ADDRESS,
    "Order": [
        "id",
        "legacyResourceId",
        "name",
        "number",
        "email",
        "phone",
        "createdAt",
        "updatedAt",
        "processedAt",
        "closed",
        "closedAt",
        "cancelledAt",
        "cancelReason",
        "confirmed",
        "test",
        "currencyCode",
        "presentmentCurrencyCode",
        "displayFinancialStatus",
        "displayFulfillmentStatus",
        "fullyPaid",
        "unpaid",
        "canMarkAsPaid",
        "note",
        "tags",
        "customer",
        "billingAddress",
        "shippingAddress",
        "lineItems",
        "shippingLine",
        "taxLines",
        "taxesIncluded",
        "totalPriceSet",
        "subtotalPriceSet",
        "totalTaxSet",
        "totalShippingPriceSet",
        "totalDiscountsSet",
        "currentTotalPriceSet",
        "totalOutstandingSet",
        "totalReceivedSet",
        "totalRefundedSet",
        "transactions",
        "fulfillmentOrders",
        "fulfillments",
        "refunds",
        "sourceName",
        "paymentGatewayNames",
        "subtotalLineItemsQuantity",
        "requiresShipping",
        "metafield",
        "metafields",
    ],
    "LineItem": [
        "id",
        "title",
        "name",
        "sku",
        "quantity",
        "currentQuantity",
        "unfulfilledQuantity",
        "variant",
        "product",
        "variantTitle",
        "vendor",
        "originalUnitPriceSet",
        "discountedUnitPriceSet",
        "originalTotalSet",
        "discountedTotalSet",
        "totalDiscountSet",
        "taxLines",
        "taxable",
        "requiresShipping",
    ],
    "TaxLine": ["title", "rate", "ratePercentage", "priceSet"],
    "ShippingLine": ["id", "title", "code", "source", "originalPriceSet", "discountedPriceSet", "taxLines"],
    "OrderTransaction": [
        "id",
        "kind",
        "status",
        "gateway",
        "formattedGateway",
        "amountSet",
        "processedAt",
        "createdAt",
        "parentTransaction",
        "paymentId",
        "errorCode",
        "test",
        "order",
        "manualPaymentGateway",
        "authorizationExpiresAt",
    ],
    "FulfillmentOrder": [
        "id",
        "status",
        "requestStatus",
        "createdAt",
        "updatedAt",
        "orderId",
        "orderName",
        "order",
        "assignedLocation",
        "lineItems",
        "fulfillments",
        "fulfillAt",
        "supportedActions",
    ],
    "FulfillmentOrderSupportedAction": ["action"],
    "FulfillmentOrderAssignedLocation": [
        "location",
        "name",
        "address1",
        "address2",
        "city",
        "countryCode",
        "province",
        "zip",
        "phone",
    ],
    "FulfillmentOrderLineItem": [
        "id",
        "lineItem",
        "sku",
        "totalQuantity",
        "remainingQuantity",
        "inventoryItemId",
        "variant",
        "productTitle",
        "variantTitle",
        "requiresShipping",
    ],
    "Fulfillment": [
        "id",
        "legacyResourceId",
        "name",
        "status",
        "displayStatus",
        "createdAt",
        "updatedAt",
        "trackingInfo",
        "order",
        "location",
        "totalQuantity",
        "fulfillmentLineItems",
        "fulfillmentOrders",
    ],
    "FulfillmentLineItem": ["id", "lineItem", "quantity"],
    "FulfillmentTrackingInfo": ["company", "number", "url"],
    "Refund": [
        "id",
        "legacyResourceId",
        "createdAt",
        "processedAt",
        "updatedAt",
        "note",
        "order",
        "totalRefundedSet",
        "refundLineItems",
        "refundShippingLines",
        "orderAdjustments",
        "transactions",
    ],
    "RefundShippingLine": ["id", "subtotalAmountSet", "taxAmountSet"],
    "OrderAdjustment": ["id", "amountSet", "taxAmountSet", "reason"],
    "RefundLineItem": [
        "id",
        "lineItem",
        "quantity",
        "restockType",
        "restocked",
        "location",
        "priceSet",
        "subtotalSet",
        "totalTaxSet",
    ],
    "BulkOperation": [
        "id",
        "status",
        "errorCode",
        "createdAt",
        "completedAt",
        "objectCount",
        "rootObjectCount",
        "fileSize",
        "url",
        "partialDataUrl",
        "query",
        "type",
    ],
    "Job": ["id", "done", "query"],
    "AppInstallation": ["id", "accessScopes"],
    "AccessScope": ["handle", "description"],
    "ProductSetOperation": ["id", "product", "status", "userErrors"],
    # mutation payloads and their error types
    "ProductSetPayload": "*",
    "ProductCreatePayload": "*",
    "ProductUpdatePayload": "*",
    "ProductDeletePayload": ["deletedProductId", "shop", "userErrors"],
    "ProductVariantsBulkCreatePayload": "*",
    "ProductVariantsBulkUpdatePayload": "*",
    "InventorySetQuantitiesPayload": "*",
    "InventoryAdjustQuantitiesPayload": "*",
    "InventoryActivatePayload": "*",
    "CollectionCreatePayload": "*",
    "CollectionUpdatePayload": "*",
    "CollectionDeletePayload": "*",
    "CollectionAddProductsPayload": "*",
    "MetafieldsSetPayload": "*",
    "ProductCreateMediaPayload": "*",
    "FileCreatePayload": "*",
    "FileUpdatePayload": "*",
    "FileDeletePayload": "*",
    "StagedUploadsCreatePayload": "*",
    "StagedMediaUploadTarget": "*",
    "StagedUploadParameter": "*",
    "CustomerCreatePayload": "*",
    "CustomerUpdatePayload": "*",
    "OrderClosePayload": "*",
    "OrderCancelPayload": "*",
    "OrderMarkAsPaidPayload": "*",
    "TagsAddPayload": "*",
    "TagsRemovePayload": "*",
    "FulfillmentCreatePayload": "*",
    "RefundCreatePayload": "*",
    "FulfillmentTrackingInfoUpdatePayload": "*",
    "BulkOperationRunQueryPayload": "*",
    "BulkOperationCancelPayload": "*",
    "PublishablePublishPayload": "*",
    "WebhookSubscriptionCreatePayload": "*",
    "WebhookSubscriptionDeletePayload": "*",
    "WebhookSubscription": [
        "id",
        "legacyResourceId",
        "topic",
        "uri",
        "format",
        "filter",
        "includeFields",
        "name",
        "createdAt",
        "updatedAt",
    ],
    "UserError": _ERR,
    "ProductSetUserError": _ERR_CODE,
    "ProductVariantsBulkCreateUserError": _ERR_CODE,
    "ProductVariantsBulkUpdateUserError": _ERR_CODE,
    "InventorySetQuantitiesUserError": _ERR_CODE,
    "InventoryAdjustQuantitiesUserError": _ERR_CODE,
    "MetafieldsSetUserError": _ERR_CODE + ["elementIndex"],
    "MediaUserError": _ERR_CODE,
    "FilesUserError": _ERR_CODE,
    "OrderCancelUserError": _ERR_CODE,
    "BulkOperationUserError": _ERR_CODE,
}
# Connections and edges of the listed node types.
for _node in [
    "Product",
    "ProductVariant",
    "InventoryItem",
    "InventoryLevel",
    "Location",
    "Collection",
    "Metafield",
    "Media",
    "Customer",
    "MailingAddress",
    "Order",
    "LineItem",
    "FulfillmentOrder",
    "FulfillmentOrderLineItem",
    "Fulfillment",
    "FulfillmentLineItem",
    "BulkOperation",
    "OrderTransaction",
    "RefundLineItem",
    "RefundShippingLine",
    "OrderAdjustment",
    "Publication",
    "ResourcePublication",
    "WebhookSubscription",
]:
    SPEC[f"{_node}Connection"] = _CONN
    SPEC[f"{_node}Edge"] = _EDGE

# Input fields never worth the closure they drag in (nested types the emulator has no model for).
INPUT_EXCLUDE: set[tuple[str, str]] = set()


def _type_str(t) -> str:
    return str(t)


def _default(arg) -> str:
    from graphql.pyutils import Undefined

    if arg.default_value is Undefined:
        return ""
    node = ast_from_value(arg.default_value, arg.type)
    return f" = {print_ast(node)}" if node is not None else ""


def _deprecated(thing) -> str:
    reason = getattr(thing, "deprecation_reason", None)
    if not reason:
        return ""
    escaped = reason.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f' @deprecated(reason: "{escaped}")'


class _Builder:
    def __init__(self, real: GraphQLSchema):
        self.real = real
        self.kept: dict[str, object] = {}
        self.pending: list[str] = []

    def want(self, name: str) -> bool:
        """Whether a named type can appear in the subset (queues inputs/enums/scalars on first sight)."""
        if name in specified_scalar_types:
            return True
        if name in SPEC:
            return True
        t = self.real.type_map[name]
        if isinstance(t, (GraphQLInputObjectType, GraphQLEnumType, GraphQLScalarType)):
            if name not in self.kept and name not in self.pending:
                self.pending.append(name)
            return True
        return False

    def field_line(self, name: str, field: GraphQLField, strict: bool, owner: str) -> str | None:
        if not self.want(get_named_type(field.type).name):
            if strict:
                raise SystemExit(f"{owner}.{name}: type {field.type} is not in SPEC")
            return None
        args = []
        for arg_name, arg in field.args.items():
            arg: GraphQLArgument
            if not self.want(get_named_type(arg.type).name):
                raise SystemExit(f"{owner}.{name}({arg_name}:) needs {arg.type}")
            args.append(f"{arg_name}: {_type_str(arg.type)}{_default(arg)}")
        arg_text = f"({', '.join(args)})" if args else ""
        return f"  {name}{arg_text}: {_type_str(field.type)}{_deprecated(field)}"

    def output_type(self, name: str) -> str:
        t = self.real.type_map[name]
        if not isinstance(t, (GraphQLObjectType, GraphQLInterfaceType)):
            raise SystemExit(f"{name} in SPEC is not an object or interface type")
        wanted = SPEC[name]
        names = list(t.fields) if wanted == "*" else wanted
        lines = []
        for fname in names:
            if fname not in t.fields:
                raise SystemExit(f"{name}.{fname} does not exist in the real schema")
            line = self.field_line(fname, t.fields[fname], strict=wanted != "*", owner=name)
            if line:
                lines.append(line)
        kept = {line.split("(")[0].split(":")[0].strip() for line in lines}
        # declare an interface only where every field the subset gives it is kept here too
        interfaces = [i.name for i in t.interfaces if i.name in SPEC and set(SPEC[i.name]) <= kept]
        impl = f" implements {' & '.join(interfaces)}" if interfaces else ""
        kind = "interface" if isinstance(t, GraphQLInterfaceType) else "type"
        return f"{kind} {name}{impl} {{\n" + "\n".join(lines) + "\n}"

    def other_type(self, name: str) -> str:
        t = self.real.type_map[name]
        if isinstance(t, GraphQLEnumType):
            values = [f"  {v}{_deprecated(val)}" for v, val in t.values.items()]
            return f"enum {name} {{\n" + "\n".join(values) + "\n}"
        if isinstance(t, GraphQLScalarType):
            return f"scalar {name}"
        if isinstance(t, GraphQLInputObjectType):
            lines = []
            for fname, field in t.fields.items():
                if (name, fname) in INPUT_EXCLUDE:
                    continue
                self.want(get_named_type(field.type).name)
                lines.append(f"  {fname}: {_type_str(field.type)}{_default(field)}{_deprecated(field)}")
            one_of = " @oneOf" if t.ast_node and any(d.name.value == "oneOf" for d in t.ast_node.directives) else ""
            return f"input {name}{one_of} {{\n" + "\n".join(lines) + "\n}"
        if isinstance(t, GraphQLUnionType):
            raise SystemExit(f"union {name} is not supported by the subset tool")
        raise SystemExit(f"unexpected type {name}")


def generate(real: GraphQLSchema) -> str:
    builder = _Builder(real)
    blocks = [builder.output_type(name) for name in SPEC]
    while builder.pending:
        name = builder.pending.pop(0)
        builder.kept[name] = True
        blocks.append(builder.other_type(name))
    header = [
        "# Subset of the Shopify Admin GraphQL schema, API 2026-04, generated by emulators/shopify/sdl_subset.py",
        "# from ../shared/reference/shopify/admin-2026-04.graphql. Do not edit by hand: change SPEC and regenerate.",
        "# Descriptions are stripped; every definition here exists in the real schema with the same type.",
        "",
        "schema {\n  query: QueryRoot\n  mutation: Mutation\n}",
        "directive @idempotent(key: String!) on FIELD",
        "directive @oneOf on INPUT_OBJECT",
    ]
    return "\n\n".join(header[:3]).replace("\n\n", "\n") + "\n\n" + "\n\n".join(header[4:] + blocks) + "\n"


def main(argv: list[str]) -> None:
    if len(argv) != 1:
        raise SystemExit("usage: python -m emulators.shopify.sdl_subset PATH/admin-2026-04.graphql")
    real = build_schema(Path(argv[0]).read_text(encoding="utf-8"), assume_valid=True)
    text = generate(real)
    errors = validate_schema(build_schema(text))  # the subset must be a valid schema on its own
    if errors:
        raise SystemExit("\n".join(str(e) for e in errors))
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT} ({text.count(chr(10))} lines)")


if __name__ == "__main__":
    main(sys.argv[1:])
