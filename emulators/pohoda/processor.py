"""One ``POST /xml``: a ``dat:dataPack`` in, a ``rsp:responsePack`` out — the part of mServer that is POHODA.

Order of checks, as the real one: well-formed XML (else HTTP 400), root ``dat:dataPack``, XSD validity (when
schemas are configured; the pack is refused whole with a note naming line and problem), company IČO; then
each ``dat:dataPackItem`` on its own — an item that fails does not undo the others (POHODA imports item by
item). With ``STW-Check-Duplicity: true`` an import item whose (dataPack id, dataPackItem id) was already
imported answers ``rsp:recordDuplicity`` with the record it made, and nothing is applied twice.
Agendas the emulator does not know answer an item error saying so, never a silent ``ok``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from . import exports_docs, exports_stock, imports_invoices, imports_orders, imports_other, imports_stock
from .config import PohodaEmulatorConfig
from .context import ItemContext
from .responses import (
    Detail,
    Duplicity,
    ImportOutcome,
    RecordRefused,
    import_answer,
    pack_item,
    record_duplicity,
    response_pack,
)
from .state import PohodaState
from .xml import parse_bytes, prefixed, q, to_bytes
from .xsd import InvalidResponse, first_errors, load_schemas

ImportHandler = Callable[[ItemContext, etree._Element], ImportOutcome]
ListHandler = Callable[[ItemContext, etree._Element, etree._Element], None]

IMPORTS: dict[str, tuple[str, ImportHandler]] = {
    "stk:stock": ("stk:stockItemResponse", imports_stock.import_stock),
    "ord:order": ("ord:orderResponse", imports_orders.import_order),
    "adb:addressbook": ("adb:addressbookResponse", imports_other.import_addressbook),
    "bnk:bank": ("bnk:bankResponse", imports_other.import_bank),
    "vch:voucher": ("vch:voucherResponse", imports_other.import_voucher),
    "inv:invoice": ("inv:invoiceResponse", imports_invoices.import_invoice),
}
LISTS: dict[str, ListHandler] = {
    "lStk:listStockRequest": exports_stock.list_stock,
    "lst:listStoreRequest": exports_stock.list_store,
    "lst:listCategoryRequest": exports_stock.list_category,
    "lst:listIntParamRequest": exports_stock.list_int_param,
    "lst:listSupplierRequest": exports_stock.list_supplier,
    "lst:listOrderRequest": exports_docs.list_order,
    "lst:listVydejkaRequest": exports_docs.list_vydejka,
    "lAdb:listAddressBookRequest": exports_docs.list_address_book,
    "lst:listBankRequest": exports_docs.list_bank,
    "lst:listInvoiceRequest": exports_docs.list_invoice,
}


@dataclass
class Processed:
    status: int
    body: bytes
    applied: bool  # at least one import changed the state (for the drop_after_apply fault)


class Processor:
    def __init__(self, state: PohodaState, config: PohodaEmulatorConfig):
        self.state = state
        self.config = config
        self.after_import: Callable[[], None] = lambda: None
        """Called after each item that changed the state (the state file is written there)."""
        self.schemas = load_schemas(config.xsd_dir) if config.xsd_dir else None

    def process(self, body: bytes, check_duplicity: bool = False) -> Processed:
        try:
            root = parse_bytes(body)
        except etree.XMLSyntaxError as exc:
            return self._pack_error("", f"XML dokument není správně utvořen: {exc}", status=400)
        pack_id = root.get("id", "")
        if root.tag != q("dat:dataPack"):
            return self._pack_error(pack_id, f"Kořenový element musí být dat:dataPack, ne {prefixed(root)}.")
        if self.schemas is not None:
            errors = first_errors(self.schemas.data, root)
            if errors:
                return self._pack_error(pack_id, "XML dokument neodpovídá schématu (data.xsd): " + "; ".join(errors))
        ico = root.get("ico")
        if ico is not None and ico != self.config.company_ico:
            return self._pack_error(
                pack_id,
                f"IČO {ico} v dataPacku neodpovídá účetní jednotce "
                f"{self.config.company_ico} ({self.config.company_name}).",
            )
        pack = self._pack(pack_id, "ok")
        applied = False
        for item in root.iterfind(q("dat:dataPackItem")):
            if self._item(pack, pack_id, item, check_duplicity):
                applied = True
                self.after_import()
        return Processed(200, self._serialise(pack), applied)

    def _item(self, pack: etree._Element, pack_id: str, item: etree._Element, check_duplicity: bool) -> bool:
        item_id = item.get("id", "")
        agenda = item[0] if len(item) else None
        name = prefixed(agenda) if agenda is not None else ""
        ctx = ItemContext(self.state, self.config, pack_id, item_id)
        if name in LISTS:
            answer = pack_item(pack, item_id)
            try:
                LISTS[name](ctx, agenda, answer)
            except RecordRefused as refused:  # answered in place of the half-built list
                pack.replace(answer, pack_item(pack, item_id, "error", refused.detail.note))
            except ValueError as exc:  # e.g. a date lxml let through because no XSD check is configured
                pack.replace(answer, pack_item(pack, item_id, "error", f"{name}: {exc}"))
            return False
        if name not in IMPORTS:
            pack_item(pack, item_id, "error", f"Agenda {name or '(prázdná)'} není emulátorem podporována.")
            return False
        if check_duplicity and (earlier := self.state.imported_record(pack_id, item_id)) is not None:
            answer = pack_item(pack, item_id, "error", f"Duplicitní dataPackItem {pack_id}/{item_id}: již importováno.")
            record_duplicity(answer, earlier)
            return False
        response_name, handler = IMPORTS[name]
        try:
            outcome = handler(ctx, agenda)
        except Duplicity as duplicity:
            answer = pack_item(pack, item_id, "error", duplicity.note)
            record_duplicity(answer, duplicity.record)
            return False
        except RecordRefused as refused:
            answer = pack_item(pack, item_id, "error", refused.detail.note)
            import_answer(answer, response_name, ImportOutcome(details=[refused.detail]))
            return False
        except (ValueError, KeyError) as exc:  # data lxml accepted but the emulator cannot use (no XSD check)
            answer = pack_item(pack, item_id, "error", f"{name}: {exc}")
            import_answer(answer, response_name, ImportOutcome(details=[Detail("error", str(exc), errno=102)]))
            return False
        answer = pack_item(pack, item_id, outcome.state)
        import_answer(answer, response_name, outcome)
        if outcome.record is not None:
            self.state.remember_import(pack_id, item_id, outcome.record)
        return True

    def _pack(self, pack_id: str, state: str, note: str | None = None) -> etree._Element:
        return response_pack(
            pack_id, state, ico=self.config.company_ico, program_version=self.config.program_version, note=note
        )

    def _pack_error(self, pack_id: str, note: str, status: int = 200) -> Processed:
        return Processed(status, self._serialise(self._pack(pack_id, "error", note)), False)

    def _serialise(self, pack: etree._Element) -> bytes:
        if self.schemas is not None:
            errors = first_errors(self.schemas.response, pack)
            if errors:
                raise InvalidResponse("the emulator built an invalid responsePack: " + "; ".join(errors))
        return to_bytes(pack)
