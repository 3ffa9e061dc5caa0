"""What a member's reading of one payload found: every check of the payload checker, on bytes already fetched.

The payload is opened and checked (``PayloadOpener``: digest, canonical form, signature), then the document's
own identity is checked against its id and its own figures against the chain's record
(``services.agreement``). Nothing here touches a store or the index, so the same function runs on the
checker's thread and in its worker processes (``services.check_pool``), with the same outcome and words.
"""

from __future__ import annotations

import logging
import time

from origo_node.documents import DocumentFacts
from origo_node.documents import document_id as derive_document_id
from origo_node.documents.json_value import JsonObject
from origo_node.errors import Forbidden, NotFound, OrigoError
from origo_node.services.agreement import NotAValidDocument, checked_facts, disagreements
from origo_node.services.reading import PayloadMismatch, PayloadOpener, stated_facts
from origo_node.store.rows import IndexedDocument, PayloadCheck

log = logging.getLogger(__name__)


def failed(exc: OrigoError, now: float) -> PayloadCheck:
    """The check a read that raised ``exc`` records: a payload no one could serve is tried again later."""
    if isinstance(exc, NotFound):
        return PayloadCheck("unavailable", exc.message, None, now)
    if isinstance(exc, Forbidden):
        return PayloadCheck("not_a_recipient", exc.message, None, now)
    if isinstance(exc, PayloadMismatch):
        return PayloadCheck(exc.state, exc.message, None, now)
    return PayloadCheck("unavailable", exc.message, None, now)


def verdict(opener: PayloadOpener, envelope: bytes, row: IndexedDocument) -> PayloadCheck:
    """What reading ``envelope``, the payload of ``row``, finds."""
    now = time.time()
    try:
        document = opener.read(envelope, row)
    except OrigoError as exc:
        return failed(exc, now)
    # The document's facts are read once: its identity is checked from them, then its type's rules and the
    # chain's record (deriving them for each step cost as much as the signature check).
    stated = stated_facts(document)
    if stated is None:
        return PayloadCheck("ok", None, None, now)
    issuer, reference = stated.issuer, stated.reference
    # The id must be the hash of this issuer and the document's own reference: a leaf that carries another
    # member's id (squatting it) is told apart here, and never named by a bare id (services.naming).
    if issuer != row.issuer or "0x" + derive_document_id(issuer, reference).hex() != row.document_id:
        detail = (
            f"the payload is {issuer}'s reference {reference!r}, whose id is not {row.document_id}: this leaf"
            f" of {row.issuer} carries an id that is not its own"
        )
        return PayloadCheck("id_mismatch", detail, None, now)
    differing = _facts_disagreeing(row, document, stated)
    if differing:
        return PayloadCheck("facts_mismatch", "; ".join(differing), reference, now)
    return PayloadCheck("ok", None, reference, now)


def _facts_disagreeing(record: IndexedDocument, document: JsonObject, stated: DocumentFacts) -> list[str]:
    """What the chain records otherwise than the document says (``services.agreement``)."""
    try:
        facts = checked_facts(document, stated)
    except NotAValidDocument as exc:
        # Signed and anchored, yet not a valid document of its type: its issuer's node never checked it.
        return [f"the document breaks its type's rules ({exc}), so no anchored figures can be its own"]
    except Exception:
        # A payload no rule foresaw must not stop the round for every other document: flag it, log why.
        log.exception("could not derive the facts of %s's document %s", record.issuer, record.document_id)
        return ["the document could not be read as a document of its type"]
    return disagreements(facts, record)
