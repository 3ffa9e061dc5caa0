"""A document as ``idx_documents`` keeps it: one row in ``DOCUMENT_COLUMNS``' order, made and read here only.

The id, type id, digest and signature are bytes (store layouts 7 and 8), the quantities, each item's unit and
the recipients JSON lists. The batch's root, transaction and time are in the batch's row (layout 8): a row
names its batch by the anchoring event's block and log index, and a document is read joined with it
(``DOCUMENT_READ`` from ``DOCUMENTS``). A member catching up has its manifest check workers make these rows
(``row``) and hand them over as they are: turning each document into an ``IndexedDocument`` and back into a
row on the indexer's thread was a third of its time (the storing of the rows, in the chain's order, is the
rest).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from origo_node.store.document_ids import spelled_id, stored_id
from origo_node.store.rows import IndexedBatch, IndexedDocument

DOCUMENT_COLUMNS = (
    "document_id, document_type, digest, issuer, importer, issued_at, expires_at, quantities, payload_cid,"
    " signature, signer, block, batch_log_index, type_name, type_version, quantity_units, recipients"
)
#: A document's row joined with its batch's (``d``, ``b``): every document read from the index is read so.
DOCUMENTS = (
    "idx_documents d JOIN idx_batches b"
    " ON b.issuer = d.issuer AND b.block = d.block AND b.log_index = d.batch_log_index"
)
#: The columns of an ``IndexedDocument``, from ``DOCUMENTS``.
DOCUMENT_READ = (
    "d.document_id, d.document_type, d.digest, d.issuer, d.importer, d.issued_at, d.expires_at, d.quantities,"
    " d.payload_cid, d.signature, d.signer, b.root, d.block, b.tx_hash, b.timestamp, d.type_name,"
    " d.type_version, d.quantity_units, d.recipients"
)
#: One document's row, in ``DOCUMENT_COLUMNS``' order (a plain tuple: it crosses from the workers by pickle).
DocumentRow = tuple[Any, ...]
#: (issuer, id, the members who can decrypt its payload) of a document just indexed.
IndexedReaders = tuple[str, str, tuple[str, ...]]

_ISSUER, _RECIPIENTS = 3, 16


def row(
    *,
    document_id: bytes,
    document_type: bytes,
    digest: bytes,
    issuer: str,
    importer: str,
    issued_at: int,
    expires_at: int,
    quantities: tuple[int, ...],
    payload_cid: str,
    signature: bytes,
    signer: str,
    batch: IndexedBatch,
    type_name: str | None,
    type_version: str | None,
    quantity_units: str,
    recipients: str,
) -> DocumentRow:
    """The row of a document of ``batch``; ``quantity_units`` and ``recipients`` as ``JsonLists`` writes
    them."""
    return (
        document_id,
        document_type,
        digest,
        issuer,
        importer,
        issued_at,
        expires_at,
        _quantities_json(quantities),
        payload_cid,
        signature,
        signer,
        batch.block,
        batch.log_index,
        type_name,
        type_version,
        quantity_units,
        recipients,
    )


def row_of(d: IndexedDocument, batch: IndexedBatch, as_json: JsonLists) -> DocumentRow:
    """The row of ``d``, a document of ``batch`` (whose root, block, transaction and time it takes)."""
    key = stored_id(d.document_id)
    if key is None:
        raise ValueError(f"{d.document_id!r} is no document id (0x and 64 hexadecimal digits)")
    return row(
        document_id=key,
        document_type=_bytes(d.document_type),
        digest=_bytes(d.digest),
        issuer=d.issuer,
        importer=d.importer,
        issued_at=d.issued_at,
        expires_at=d.expires_at,
        quantities=d.quantities,
        payload_cid=d.payload_cid,
        signature=_bytes(d.signature),
        signer=d.signer,
        batch=batch,
        type_name=d.type_name,
        type_version=d.type_version,
        quantity_units=as_json(d.quantity_units),
        recipients=as_json(d.recipients),
    )


def document_of(stored: Any) -> IndexedDocument:
    """The document of a row read back (``DOCUMENT_READ``, by column name)."""
    return IndexedDocument(
        **{
            **dict(stored),
            "document_id": spelled_id(stored["document_id"]),
            "document_type": _hex(stored["document_type"]),
            "digest": _hex(stored["digest"]),
            "signature": _hex(stored["signature"]),
            "quantities": tuple(map(int, json.loads(stored["quantities"]))),
            "quantity_units": _json_tuple(stored["quantity_units"]),
            "recipients": _json_tuple(stored["recipients"]),
        }
    )


def readers_of(rows: list[DocumentRow]) -> list[IndexedReaders]:
    """(issuer, id, recipients) of each row: what the payload checker needs of a document just indexed."""
    return [(r[_ISSUER], spelled_id(r[0]), _json_tuple(r[_RECIPIENTS])) for r in rows]


class JsonLists:
    """Tuples as JSON text, each distinct one written once: a batch repeats a few recipient and unit lists."""

    def __init__(self) -> None:
        self._seen: dict[tuple[Any, ...], str] = {}

    def __call__(self, values: tuple[Any, ...]) -> str:
        text = self._seen.get(values)
        if text is None:
            text = self._seen[values] = json.dumps(list(values))
        return text


def _hex(stored: bytes) -> str:
    """A column kept as bytes spelled as the rest of the node does: 0x, lower-case hex."""
    return "0x" + bytes(stored).hex()


def _bytes(spelled: str) -> bytes:
    return bytes.fromhex(spelled[2:] if spelled.startswith("0x") else spelled)


@lru_cache(maxsize=1024)
def _json_tuple(text: str) -> tuple[Any, ...]:
    """A JSON list as a tuple; documents repeat a few unit and recipient lists, each parsed once."""
    return tuple(json.loads(text))


def _quantities_json(quantities: tuple[int, ...]) -> str:
    """Decimal strings as in the leaf's JSON (a uint64 passes SQL's and JSON's integers), written directly:
    the indexer writes a list per document."""
    return "[" + ",".join(f'"{q}"' for q in quantities) + "]"
