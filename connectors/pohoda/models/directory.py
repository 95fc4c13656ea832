"""Catalogue and directory records POHODA exports: e-shop categories, addresses, stores.

Each converts to the domain model the sync flows use (``Category``, ``Customer``; a store becomes
the ERP ``Location`` in the ERP adapter).
"""

from __future__ import annotations

from pydantic import Field

from connectors.pohoda.models.common import ExtId, PohodaModel
from connectors.pohoda.models.orders import PartyAddress
from domain.models import Address, Category, Customer, UtcDatetime

__all__ = ["AddressBookEntry", "CategoryNode", "Store"]


class CategoryNode(PohodaModel):
    """A node of the "Kategorie internetového obchodu" tree, with its sub-categories."""

    id: int = Field(ge=1)
    parent_id: int | None = None
    name: str = Field(min_length=1)
    description: str | None = None
    sequence: int = 0
    displayed: bool | None = None
    picture: str | None = None
    children: list[CategoryNode] = Field(default_factory=list)

    def flatten(self, parent_id: int | None = None) -> list[Category]:
        """This node and its descendants as domain categories (keys are POHODA ids, as stock cards use them)."""
        parent = self.parent_id if self.parent_id is not None else parent_id
        own = Category(
            erp_key=str(self.id), name=self.name, parent_key=str(parent) if parent else None, position=self.sequence
        )
        return [own, *(c for child in self.children for c in child.flatten(self.id))]


class AddressBookEntry(PohodaModel):
    """An address-book record ("Adresář"): the customer a received order links to."""

    id: int | None = None
    number: str | None = Field(default=None, description='"Číslo" (adb:number), export only: the customer key')
    ext_ids: list[ExtId] = Field(default_factory=list)
    address: PartyAddress = Field(default_factory=PartyAddress)
    ship_to: list[PartyAddress] = Field(default_factory=list)
    phone: str | None = None
    mobile: str | None = None
    email: str | None = None
    web: str | None = None
    note: str | None = None
    exported_at: UtcDatetime | None = None

    @property
    def record(self) -> str:
        key = self.ext_ids[0].ids if self.ext_ids else self.id
        return f"address {key or self.email or self.address.company or self.address.name}"

    def ext_id_for(self, system: str) -> str | None:
        return next((e.ids for e in self.ext_ids if e.system == system), None)

    def to_customer(self, *, ex_system_name: str | None = None) -> Customer:
        """As a domain customer; ``shop_id`` is the ext id of ``ex_system_name`` (the shop) when present."""
        first, _, last = (self.address.name or "").partition(" ")
        email = self.email or self.address.email

        def domain(a: PartyAddress) -> Address:
            return Address(
                company=a.company,
                street=a.street,
                city=a.city,
                zip=a.zip,
                country_code=a.country if a.country and len(a.country) == 2 else None,
                phone=a.phone,
            )

        return Customer(
            shop_id=self.ext_id_for(ex_system_name) if ex_system_name else None,
            erp_key=str(self.id) if self.id else None,
            email=email,
            phone=self.phone or self.mobile or self.address.phone,
            first_name=first or None,
            last_name=last or None,
            company=self.address.company,
            addresses=[domain(self.address), *(domain(s) for s in self.ship_to)],
            updated_at=self.exported_at,
        )


class Store(PohodaModel):
    """A store ("sklad"): ``name`` is its short code (≤10, what stock filters and storage paths use)."""

    id: int | None = None
    name: str = Field(min_length=1)
    text: str | None = None
