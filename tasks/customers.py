"""Customer task: one page of shop customers → ERP customers, matched by email then phone (BC report 30100).

How a shop customer finds its ERP customer, in order:
1. the ``customer`` mapping (ERP key ⇄ Customer GID) written by an earlier run;
2. the ERP's own match (``ErpBackend.find_customer``): email case-insensitively, then the phone's digits.
A customer matched neither way is created. A matched one is updated only when the shop knows something the
ERP does not (a new email or phone, a name, an address not on file), so a second run writes nothing, and the
ERP's own spelling wins when both mean the same (``Jana@X.cz`` vs ``jana@x.cz``, ``+420 777…`` vs ``777…``).
The ERP's company and its other addresses are kept: the shop only ever knows a customer's default address.
(Exception: a mapped customer whose email *and* phone both changed in the shop cannot be read back from the
ERP — the port finds customers by contact only — so it is rewritten from the shop's data.)

Failures are data, never exceptions: a customer with neither email nor phone cannot be matched and is
reported (not retried: only an edit in the shop can fix it, and an edit brings it back in a later window);
a customer the ERP refuses is reported and its GID returned as a retry key for the next run.
"""

from __future__ import annotations

from prefect import task

from connectors.erp.errors import RecordError as ErpRecordError
from connectors.shopify.errors import RecordError as ShopRecordError
from connectors.shopify.mapping import customer_from_node
from domain.models import Address, Customer
from domain.report import SyncReport
from engine.context import SyncContext
from engine.outcomes import PageOutcome
from engine.policy import IO_TASK
from engine.resources import ShopResources, resources

ENTITY = "customer"
"""Mapping entity: ERP customer key ⇄ Shopify Customer GID."""


@task(**IO_TASK)
def sync_customers_page(
    ctx: SyncContext, query: str, exclude: list[str], cursor: str | None = None
) -> PageOutcome[str]:
    """Fetch one page of customers matching ``query`` and create or update their ERP customers.

    Retry keys are the GIDs of customers the ERP refused. Customers in ``exclude`` were handled earlier in
    this run (retry keys) and are passed over.
    """
    res = resources(ctx.shop)
    page = res.shopify.fetch_page("CustomersUpdatedSince", {"query": query}, "customers", after=cursor)
    report, retry = SyncReport(), []
    would: dict[str, int] = {}
    skip = set(exclude)
    mapped = res.state.erp_keys(ctx.shop, ENTITY, [str(n["id"]) for n in page.items if n.get("id")])
    for node in page.items:
        if node.get("id") in skip:
            continue
        label = _label(node)
        try:
            customer = customer_from_node(node)
        except ShopRecordError as exc:
            report.fail(label, exc.reason, field=exc.field)
            continue
        if not customer.email and not customer.phone_key:
            report.fail(label, "has neither email nor phone, so no ERP customer can be matched", field="email")
            continue
        try:
            outcome = _sync_one(res, ctx, customer, mapped.get(str(customer.shop_id)))
        except ErpRecordError as exc:
            report.fail(label, exc.reason, field=exc.field)
            retry.append(str(customer.shop_id))
            continue
        if ctx.dry_run:
            report.skipped += 1
            would[outcome] = would.get(outcome, 0) + 1
        elif outcome == "created":
            report.created += 1
        elif outcome == "updated":
            report.updated += 1
        else:
            report.skipped += 1
    if would:
        report.notes.append(
            f"dry run: would create {would.get('created', 0)} and update {would.get('updated', 0)} ERP "
            f"customer(s); {would.get('unchanged', 0)} already up to date"
        )
    return PageOutcome(report=report, next_cursor=page.next_cursor, retry_keys=retry)


def _sync_one(res: ShopResources, ctx: SyncContext, shop_customer: Customer, mapped: str | None) -> str:
    """Create or update the ERP customer of one shop customer (``mapped``: its ERP key from the mapping);
    returns created / updated / unchanged."""
    shop_id = str(shop_customer.shop_id)
    found = res.erp.find_customer(shop_customer.email, shop_customer.phone)
    if found is not None and (mapped is None or found.erp_key == mapped):
        base: Customer | None = found
    elif mapped is not None:
        # mapped earlier, but the shop's email/phone moved on: the pairing holds, the contact is updated
        base = Customer(erp_key=mapped)
    else:
        base = None
    target = merge_customer(base, shop_customer)
    if base is not None and same_customer(base, target):
        if mapped is None and not ctx.dry_run:
            res.state.put_mappings(ctx.shop, ENTITY, [(str(base.erp_key), shop_id)])
        return "unchanged"
    if ctx.dry_run:
        return "created" if base is None else "updated"
    # without a shared transaction, a crash between the two leaves an unmapped ERP customer that the next run
    # matches by email/phone
    with res.erp.unit_of_work(res.state) as work:
        erp_key = work.erp.upsert_customer(target)
        res.state.put_mappings(ctx.shop, ENTITY, [(erp_key, shop_id)], conn=work.conn)
    return "created" if base is None else "updated"


def merge_customer(erp: Customer | None, shop: Customer) -> Customer:
    """What the ERP should hold after this sync: the ERP customer with what only the shop knows added.

    Email and phone: the ERP's spelling stays when it means the same; otherwise the shop's (non-empty) value
    wins. Names: the shop's when it has one. Company and the ERP's addresses stay; the shop's default address
    is added when the ERP does not have it yet.
    """
    if erp is None:
        return shop.model_copy(update={"shop_id": None, "erp_key": None, "updated_at": None})
    email = erp.email if erp.email_key == shop.email_key or not shop.email else shop.email
    phone = erp.phone if erp.phone_key == shop.phone_key or not shop.phone_key else shop.phone
    addresses = list(erp.addresses)
    known = {_address_key(a) for a in addresses}
    for address in shop.addresses:
        if _address_key(address) not in known:
            addresses.append(address)
            known.add(_address_key(address))
    return erp.model_copy(
        update={
            "shop_id": None,
            "email": email,
            "phone": phone,
            "first_name": shop.first_name or erp.first_name,
            "last_name": shop.last_name or erp.last_name,
            "addresses": addresses,
            "updated_at": None,
        }
    )


def same_customer(a: Customer, b: Customer) -> bool:
    """Equal in everything the ERP stores (ids and change times aside)."""
    ignore = {"shop_id", "updated_at"}
    return a.model_dump(exclude=ignore) == b.model_dump(exclude=ignore)


def _address_key(address: Address) -> tuple[str, ...]:
    """The same place whatever the case or the phone's format (the phone is the customer's, not the place's)."""
    fields = ("first_name", "last_name", "company", "street", "street2", "city", "zip", "country_code")
    return tuple((getattr(address, f) or "").casefold().replace(" ", "") for f in fields)


def _label(node: dict) -> str:
    name = " ".join(p for p in (node.get("firstName"), node.get("lastName")) if p)
    return f"{name} ({node.get('id')})" if name else str(node.get("id"))
