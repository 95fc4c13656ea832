"""Customers: POHODA's address book ("Adresář"), matched by e-mail, then phone, and written from the shop.

- A customer's key is the entry's number ("Číslo", ``adb:number``) when it has one — what a POHODA user
  types as the customer number — else POHODA's id.
- POHODA's address-book filter has no e-mail or phone element, so matching goes through the address index of
  ``LocalState`` (casefolded e-mail, last 9 phone digits), refreshed with ``lastChanges``; every hit is read
  again from POHODA before it is returned (a deleted entry drops out of the index, a changed one is re-keyed).
- Writes: an update by id for a known key; for a new customer with a shop id, add-or-update by ``extId`` (the
  same request works again); without one, an add that POHODA's duplicity check makes safe to repeat.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from connectors.erp.errors import RecordError, validated
from connectors.erp.pohoda.errors import refused
from connectors.erp.pohoda.local_state import LocalState
from connectors.erp.pohoda.mserver import MServer
from connectors.pohoda.errors import DuplicateItem
from connectors.pohoda.mapping import address_book_from_customer
from connectors.pohoda.models.directory import AddressBookEntry
from connectors.pohoda.models.orders import PartyAddress
from connectors.pohoda.models.requests import AddressBookListRequest, Page
from connectors.pohoda.xml.agendas.addressbook import address_book_entry, list_address_book
from domain.models import Address, Customer, phone_digits

__all__ = ["Customers"]


def _domain(address: PartyAddress) -> Address:
    """An address as the shop knows it; POHODA's one ``name`` per address is "first last" (what we write)."""
    country = address.country if address.country and len(address.country) == 2 else None
    first, _, last = (address.name or "").strip().partition(" ")
    return Address(
        first_name=first or None,
        last_name=last.strip() or None,
        company=address.company,
        street=address.street,
        city=address.city,
        zip=address.zip,
        country_code=country.upper() if country else None,
        phone=address.phone,
    )


class Customers:
    def __init__(self, mserver: MServer, local: LocalState, *, ex_system: str, page_size: int = 1000) -> None:
        self.mserver = mserver
        self.local = local
        self.ex_system = ex_system
        self.page_size = page_size

    # ---- reading --------------------------------------------------------------------------------------------

    @staticmethod
    def key(entry: AddressBookEntry) -> str:
        return entry.number or str(entry.id)

    @staticmethod
    def _email(entry: AddressBookEntry) -> str | None:
        return entry.email or entry.address.email

    @staticmethod
    def _phone(entry: AddressBookEntry) -> str | None:
        return entry.phone or entry.mobile or entry.address.phone or entry.address.mobile

    def _index_row(self, entry: AddressBookEntry) -> tuple[int, str, str | None, str | None]:
        email = (self._email(entry) or "").strip().casefold() or None
        return entry.id or 0, self.key(entry), email, phone_digits(self._phone(entry)) or None

    def _read(self, request: AddressBookListRequest) -> tuple[list[AddressBookEntry], int, int | None, datetime | None]:
        """One page: its readable entries with an id, how many entries it held, the highest id, its stamp.

        An unreadable entry (``rejected``) cannot be matched, but it still counts towards the page size.
        """
        answer = self.mserver.read_one(list_address_book(request, tz=self.mserver.client.tz), "address book")
        entries = [entry for entry in answer.records if entry.id is not None]
        seen = len(answer.records) + len(answer.item.rejected)
        last = max((entry.id for entry in entries), default=None)
        return entries, seen, last, answer.item.exported_at

    def refresh_index(self) -> None:
        """Everything on first use, then the entries changed since the last refresh."""
        mark = self.local.mark("addresses")
        since = datetime.fromisoformat(mark) if mark else None
        rows, stamp, id_from = [], None, None
        while True:
            request = AddressBookListRequest(
                ext_system=self.ex_system, last_changes=since, page=Page(id_from=id_from, count=self.page_size)
            )
            entries, seen, last, exported_at = self._read(request)
            stamp = stamp or exported_at
            rows += [self._index_row(entry) for entry in entries]
            if seen < self.page_size or last is None:
                break
            id_from = last + 1
        self.local.put_addresses(rows, replace=since is None)
        if stamp is not None:
            self.local.set_mark("addresses", stamp.isoformat())

    def entries_by_id(self, ids: Iterable[int]) -> dict[int, AddressBookEntry]:
        items = [
            list_address_book(AddressBookListRequest(ext_system=self.ex_system, id=i), tz=self.mserver.client.tz)
            for i in sorted(set(ids))
        ]
        found: dict[int, AddressBookEntry] = {}
        for answer in self.mserver.read(items, "address book entries") if items else []:
            found.update({entry.id: entry for entry in answer.records if entry.id is not None})
        return found

    def to_customer(self, entry: AddressBookEntry) -> Customer:
        key = self.key(entry)
        first, _, last = (entry.address.name or "").strip().partition(" ")
        main = [_domain(entry.address)] if any((entry.address.street, entry.address.city, entry.address.zip)) else []
        return validated(
            f"customer {key}",
            Customer,
            erp_key=key,
            shop_id=entry.ext_id_for(self.ex_system),
            email=self._email(entry),
            phone=self._phone(entry),
            first_name=first or None,
            last_name=last or None,
            company=entry.address.company,
            addresses=[*main, *(_domain(s) for s in entry.ship_to)],
            updated_at=entry.exported_at,
        )

    def find(self, email: str | None, phone: str | None) -> Customer | None:
        email_key = email.strip().casefold() if email and email.strip() else None
        phone_key = phone_digits(phone) or None
        if not email_key and not phone_key:
            return None
        self.refresh_index()
        for field, value in (("email", email_key), ("phone", phone_key)):
            if not value:
                continue
            ids = self.local.address_candidates(**{f"{field}_key": value})
            entries = self.entries_by_id(ids) if ids else {}
            for address_id in ids:
                if address_id not in entries:
                    self.local.drop_address(address_id)  # deleted in POHODA since the index saw it
                    continue
                entry = entries[address_id]
                row = self._index_row(entry)
                self.local.put_addresses([row])
                if (row[2] if field == "email" else row[3]) == value:
                    return self.to_customer(entry)
        return None

    def address_id(self, key: str) -> int | None:
        """The address-book id of a customer key (its number, else an id without a number)."""
        self.refresh_index()
        ids = self.local.address_ids_of(key)
        if ids:
            return ids[0]
        if key.isdigit():
            found = self.entries_by_id([int(key)]).get(int(key))
            if found is not None and found.number in (None, key):
                return int(key)
        return None

    def key_of_address(self, address_id: int) -> str | None:
        known = self.local.address_key(address_id)
        if known is not None:
            return known
        found = self.entries_by_id([address_id]).get(address_id)
        return self.key(found) if found is not None else None

    # ---- writing --------------------------------------------------------------------------------------------

    def upsert(self, customer: Customer) -> str:
        self.mserver.ensure_company()
        label = f"customer {customer.erp_key or customer.email or customer.phone or customer.shop_id or '?'}"
        entry = address_book_from_customer(customer, ex_system_name=self.ex_system).model_copy(update={"id": None})
        if not (entry.address.company or entry.address.name):  # POHODA needs a company or a name
            fallback = customer.email or customer.phone
            if not fallback:
                raise RecordError(label, "name", "a customer needs a name, a company, an e-mail or a phone")
            entry = entry.model_copy(update={"address": entry.address.model_copy(update={"name": fallback})})
        if customer.erp_key:
            address_id = self.address_id(customer.erp_key)
            if address_id is None:
                raise RecordError(label, "erp_key", "no such POHODA address-book entry")
            item = address_book_entry(entry.model_copy(update={"id": address_id}), match="id")
            answer, duplicity = self.mserver.write(item, duplicity=False), False
        elif customer.shop_id:
            item = address_book_entry(entry, match="ext_id")
            answer, duplicity = self.mserver.write(item, duplicity=False), False
        else:
            item = address_book_entry(entry, match="none")
            answer, duplicity = self.mserver.write(item, duplicity=True), True
        error = answer.error()
        written: int | None
        if isinstance(error, DuplicateItem) and duplicity and error.existing_id is not None:
            written = error.existing_id
        elif error is not None:
            raise refused(error, label)
        else:
            written = int(answer.produced.id) if answer.produced and answer.produced.id else None
        if written is None:
            raise RecordError(label, "import", "POHODA did not say which address-book entry it wrote")
        found = self.entries_by_id([written]).get(written)
        if found is None:
            raise RecordError(label, "import", f"address-book entry {written} is not readable after the write")
        self.local.put_addresses([self._index_row(found)])
        return self.key(found)
