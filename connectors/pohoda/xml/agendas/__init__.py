"""The document catalogue: one module per POHODA agenda, holding what we send for it and how we read its answer.

| agenda | module | we send | we read |
|---|---|---|---|
| stock cards (``stk``) | ``stock``, ``stock_read`` | ``stock_card``, ``list_stock`` | ``read_stock_item`` |
| internet parameters (``ipm``) | ``int_params`` | ``list_int_params`` | ``read_int_params`` |
| stores (``sto``) | ``stores`` | ``list_stores`` | ``read_store`` |
| e-shop categories (``ctg``) | ``categories`` | ``list_categories`` | ``read_categories`` |
| received orders (``ord``) | ``orders`` | ``received_order``, ``delete_order``, ``list_orders`` | ``read_order`` |
| address book (``adb``) | ``addressbook`` | ``address_book_entry``, ``list_address_book`` | ``read_address_book`` |
| delivery notes (``vyd``) | ``delivery_notes`` | ``list_delivery_notes`` | ``read_delivery_note`` |
| payments (``bnk``, ``vch``) | ``payments`` | ``bank_receipt``, ``cash_receipt`` | ``read_bank`` |
| invoices (``inv``) | ``invoices`` | ``list_invoices`` | ``read_invoice`` |
| issued credit notes (``inv``) | ``credit_notes`` | ``issued_credit_note`` | ``read_invoice`` |

``addresses`` is the ``typ:address`` block several agendas share, ``summary`` the money summary of a document;
``_lists`` what every export request shares.
A new document kind goes into its agenda's module (and ``parse_response._LISTS`` when it is an export), and
into ``tests/connectors/pohoda/test_pohoda_builders.py``'s ``EVERY_ITEM``, which validates it against data.xsd.
"""
