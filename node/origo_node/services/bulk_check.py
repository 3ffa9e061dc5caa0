"""What an officer's desk asks before acting: would these documents be accepted, and were they issued already?

Checking runs the same validation as issuing (schema, domain rules, members) but stores nothing, so a
directory can be checked before a bulk run, and a bulk run resumed after an interruption can tell a document
it already issued identically (same digest: skipped) from a different document reusing a reference (refused).
"""

from __future__ import annotations

from typing import Any

from origo_node.documents import document_id, validate_document
from origo_node.errors import OrigoError, ValidationFailed
from origo_node.services.issuing import IssuingService
from origo_node.store.ports import IndexStore, OutboxStore


class DeskService:
    def __init__(self, outbox: OutboxStore, index: IndexStore, issuing: IssuingService) -> None:
        self._outbox = outbox
        self._index = index
        self._issuing = issuing

    def check(self, docs: list[object]) -> list[dict[str, Any]]:
        ctx = self._issuing.context()
        results: list[dict[str, Any]] = []
        for index, doc in enumerate(docs):
            try:
                validated = validate_document(doc, ctx)
            except OrigoError as exc:
                problem: dict[str, Any] = {"status": exc.status, "detail": exc.message}
                if isinstance(exc, ValidationFailed):
                    problem["errors"] = exc.errors
                results.append({"index": index, "valid": False, "problem": problem})
                continue
            facts = validated.facts
            doc_id = "0x" + document_id(facts.issuer, facts.reference).hex()
            digest = "0x" + validated.digest.hex()
            issued = self.issued_digest(facts.issuer, doc_id)
            results.append(
                {
                    "index": index,
                    "valid": True,
                    "document_id": doc_id,
                    "reference": facts.reference,
                    "digest": digest,
                    "already_issued": None
                    if issued is None
                    else ("identical" if issued == digest else "different"),
                }
            )
        return results

    def issued_digest(self, issuer: str, doc_id: str) -> str | None:
        """The digest of what ``issuer`` issued under ``doc_id`` (accepted here, or anchored), if anything."""
        entry = self._outbox.get(doc_id)  # the outbox holds this node's own member's documents only
        if entry is not None and entry.issuer == issuer:
            return entry.leaf.digest
        row = self._index.document(issuer, doc_id)
        return None if row is None else row.digest
