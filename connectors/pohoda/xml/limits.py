"""Maximum lengths of the text fields we write, taken from the POHODA XSDs, and the check that applies them.

Why a table and not truncation: POHODA refuses (or silently cuts) a value longer than its column, and a cut
product name or e-mail address is data loss nobody notices. We transliterate first (``encoding.py``: the
length POHODA sees is the cp1250 text) and then refuse an overlong value with :class:`FieldTooLong`, naming the
record and the field, so the flow fails *that* record and the others go on.

Keys are ``"<prefix>:<XSD complexType>/<element>"``: exactly where the limit is declared, so the test in
``tests/connectors/pohoda/test_pohoda_encoding.py`` re-reads every entry from the real XSDs and fails when a
schema update changes one.
"""

from __future__ import annotations

from connectors.pohoda.errors import FieldTooLong
from connectors.pohoda.xml.encoding import transliterate

__all__ = ["MAX_LENGTH", "fit"]

MAX_LENGTH: dict[str, int] = {
    # stock card (stock.xsd)
    "stk:stockHeaderType/code": 64,
    "stk:stockHeaderType/EAN": 20,
    "stk:stockHeaderType/name": 90,
    "stk:stockHeaderType/nameComplement": 90,
    "stk:stockHeaderType/unit": 10,
    "stk:stockHeaderType/producer": 90,
    "stk:stockHeaderType/availability": 64,
    "stk:intParameterType/intParameterName": 255,
    "stk:intParameterValueType/parameterValue": 255,
    # shared types (type.xsd)
    "typ:extIdType/ids": 64,
    "typ:extIdType/exSystemName": 64,
    "typ:refType/ids": 19,
    "typ:stockPriceType/ids": 19,
    "typ:stockRefType/ids": 64,
    "typ:stockRefType/EAN": 20,
    "typ:parameterDocType/name": 16,
    "typ:paymentType/ids": 32,
    "typ:addressType/company": 255,
    "typ:addressType/division": 32,
    "typ:addressType/name": 64,
    "typ:addressType/city": 45,
    "typ:addressType/street": 64,
    "typ:addressType/zip": 15,
    "typ:addressType/ico": 15,
    "typ:addressType/dic": 18,
    "typ:addressType/phone": 40,
    "typ:addressType/mobilPhone": 24,
    "typ:addressType/email": 98,
    "typ:shipToAddressType/company": 255,
    "typ:shipToAddressType/name": 64,
    "typ:shipToAddressType/city": 45,
    "typ:shipToAddressType/street": 64,
    "typ:shipToAddressType/zip": 15,
    "typ:shipToAddressType/phone": 40,
    "typ:shipToAddressType/email": 98,
    # received order (order.xsd)
    "ord:orderHeaderType/numberOrder": 32,
    "ord:orderHeaderType/text": 240,
    "ord:orderItemType/extId": 64,
    "ord:orderItemType/text": 90,
    "ord:orderItemType/unit": 10,
    "ord:orderItemType/code": 64,
    "ord:orderItemType/note": 90,
    # address book (addressbook.xsd)
    "adb:addressbookHeaderType/phone": 40,
    "adb:addressbookHeaderType/mobil": 24,
    "adb:addressbookHeaderType/email": 98,
    "adb:addressbookHeaderType/web": 96,
    # bank receipt (bank.xsd)
    "bnk:bankHeaderType/symVar": 20,
    "bnk:bankHeaderType/text": 96,
    # filters (filter.xsd)
    "ftr:filterStocksType/code": 64,
}


def fit(value: str, key: str | None, *, record: str, field: str) -> str:
    """``value`` transliterated to Windows-1250 and checked against ``MAX_LENGTH[key]`` (``None``: unlimited).

    Raises ``FieldTooLong(record, field, …)``; ``field`` is the model field the caller knows (``name``,
    ``lines[2].title``), which is what a user can fix.
    """
    text = transliterate(value)
    if key is not None:
        limit = MAX_LENGTH[key]
        if len(text) > limit:
            raise FieldTooLong(record, field, len(text), limit)
    return text
