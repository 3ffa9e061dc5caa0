"""Whether what the chain records of a document agrees with the document itself.

The issuing node derives the leaf (importer, issue date, validity, each item's quantity) and the units its
batch manifest gives from the document. Nothing on the chain can check that it did: the chain never sees the
document. A hostile issuer could anchor its own, correctly signed certificate with a longer validity, larger
quantities or another importer than the document shows, and the registry would then enforce the wrong limits.
Whoever holds the document can derive the facts again and compare: its recipients when they read the payload
(``payload_checks``, and before a claim), and a trader checking the file (``verifying``).
"""

from __future__ import annotations

import datetime as dt

from origo_node.documents import DocumentFacts, ValidationContext, find_type
from origo_node.documents.dates import start_of_day_utc
from origo_node.documents.json_value import JsonObject
from origo_node.services.lifecycle import amount
from origo_node.services.reading import stated_facts
from origo_node.store.rows import IndexedDocument


class NotAValidDocument(ValueError):
    """A document of a known type that its type's rules refuse: it has no facts to compare."""


def facts_of(document: JsonObject) -> DocumentFacts | None:
    """The facts a document gives; None for a document of no known type.

    Any file may reach here (a trader's upload, a payload a hostile issuer anchored), so the type's rules,
    which take any JSON, run first: a document they refuse raises ``NotAValidDocument`` with their first
    problem.
    """
    if find_type(str(document.get("type")), str(document.get("version"))) is None:
        return None
    stated = stated_facts(document)
    if stated is None:
        raise NotAValidDocument("its issuer and reference cannot be read")
    return checked_facts(document, stated)


def checked_facts(document: JsonObject, stated: DocumentFacts) -> DocumentFacts:
    """``stated`` (what ``reading.stated_facts`` read from ``document``) once the document's type's rules
    find no problem with it; raises ``NotAValidDocument`` with their first problem. The facts are derived
    once: whoever read the document's identity passes them on instead of deriving them again."""
    doc_type = find_type(stated.doc_type, stated.version)
    if doc_type is None:  # the facts came from a registered type: only a caller's mistake gets here
        raise NotAValidDocument(f"no document type {stated.doc_type!r} in version {stated.version!r}")
    # Checked as its issuer's node checked it when it accepted it: the rules name the issuing member, and
    # "today" is the UTC day (a server's local day may be behind the day the certificate was issued on).
    ctx = ValidationContext(own_member=stated.issuer, members=None, today=dt.datetime.now(dt.UTC).date())
    problems = doc_type.validate(document, ctx)
    if problems:
        first = problems[0]
        raise NotAValidDocument(f"{first.pointer or '/'}: {first.message}")
    return stated


def disagreements(facts: DocumentFacts, record: IndexedDocument) -> list[str]:
    """Each fact the chain records otherwise than the document gives it, in words; empty when they agree."""
    found = []
    if "0x" + facts.type_id.hex() != record.document_type.lower():
        found.append(f"the chain records another document type than the document's ({facts.doc_type})")
    if facts.importer != record.importer:
        found.append(f"the chain records importer {record.importer}; the document names {facts.importer}")
    if start_of_day_utc(facts.issued_on) != record.issued_at:
        found.append(
            f"the chain records issue on {_day(record.issued_at)};"
            f" the document was issued on {facts.issued_on}"
        )
    if facts.expires_at != record.expires_at:
        found.append(
            f"the chain records validity until {_until(record.expires_at)}; the document is valid until"
            f" {_until(facts.expires_at)}"
        )
    found += _item_disagreements(facts, record)
    return found


def _item_disagreements(facts: DocumentFacts, record: IndexedDocument) -> list[str]:
    if len(facts.quantities) != len(record.quantities):
        return [
            f"the chain records {len(record.quantities)} item(s) with quantities; the document lists"
            f" {len(facts.quantities)}"
        ]
    found = []
    units = list(record.quantity_units) + [None] * (len(record.quantities) - len(record.quantity_units))
    for number, (given, recorded, unit, recorded_unit) in enumerate(
        zip(facts.quantities, record.quantities, facts.quantity_units, units, strict=True), start=1
    ):
        if given != recorded or unit != recorded_unit:
            found.append(
                f"the chain records {_quantity(recorded, recorded_unit)} for item {number};"
                f" the document gives {_quantity(given, unit)}"
            )
    return found


def _quantity(thousandths: int, unit: str | None) -> str:
    return "no quantity" if thousandths == 0 else f"{amount(thousandths)}{f' {unit}' if unit else ''}"


def _day(timestamp: int) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).date().isoformat()


def _until(expires_at: int) -> str:
    """The last valid day (``expires_at`` is the first instant after it); 'no end' for 0."""
    return "no end" if expires_at == 0 else _day(expires_at - 1)
