"""What an officer's desk asks before acting: would these documents be accepted, and were they issued already?

Checking runs the same validation as issuing (schema, domain rules, members) but stores nothing, so a
directory can be checked before a bulk run, and a bulk run resumed after an interruption can tell a document
it already issued identically (same digest: skipped) from a different document reusing a reference (refused).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from origo_api import desk_answers
from origo_api.answers import MISSING

from origo_node.documents import document_id, validate_document
from origo_node.errors import OrigoError, ValidationFailed
from origo_node.services.issuing import IssuingService
from origo_node.store.ports import IndexStore, OutboxStore


@dataclass(frozen=True, kw_only=True)
class CheckProblem:
    """Why a document would be refused: the HTTP status issuing would answer, in words, and for a document
    that breaks its type's rules every broken rule with its JSON pointer."""

    status: int
    detail: str
    errors: tuple[Mapping[str, str], ...] | None = None

    def answer(self) -> desk_answers.CheckProblem:
        errors = MISSING if self.errors is None else [dict(error) for error in self.errors]
        return desk_answers.CheckProblem(status=self.status, detail=self.detail, errors=errors)


@dataclass(frozen=True, kw_only=True)
class CheckedDocument:
    """One document checked, by its place in the request: the id, reference and digest it would be issued
    with, and whether this member issued it already (``identical`` or ``different``), or the problem."""

    index: int
    problem: CheckProblem | None = None
    document_id: str | None = None
    reference: str | None = None
    digest: str | None = None
    already_issued: Literal["identical", "different"] | None = None

    @property
    def valid(self) -> bool:
        return self.problem is None

    def answer(self) -> desk_answers.CheckItem:
        if self.problem is not None:
            return desk_answers.CheckItem(index=self.index, valid=False, problem=self.problem.answer())
        return desk_answers.CheckItem(
            index=self.index,
            valid=True,
            document_id=self.document_id,
            reference=self.reference,
            digest=self.digest,
            already_issued=self.already_issued,
        )


@dataclass(frozen=True)
class CheckedDocuments:
    """Every document of a check, in the order given."""

    results: tuple[CheckedDocument, ...]

    def answer(self) -> desk_answers.CheckAnswer:
        return desk_answers.CheckAnswer(results=[result.answer() for result in self.results])


class DeskService:
    def __init__(self, outbox: OutboxStore, index: IndexStore, issuing: IssuingService) -> None:
        self._outbox = outbox
        self._index = index
        self._issuing = issuing

    def check(self, docs: list[object]) -> CheckedDocuments:
        ctx = self._issuing.context()
        results: list[CheckedDocument] = []
        for index, doc in enumerate(docs):
            try:
                validated = validate_document(doc, ctx)
            except OrigoError as exc:
                errors = tuple(exc.errors) if isinstance(exc, ValidationFailed) else None
                problem = CheckProblem(status=exc.status, detail=exc.message, errors=errors)
                results.append(CheckedDocument(index=index, problem=problem))
                continue
            facts = validated.facts
            doc_id = "0x" + document_id(facts.issuer, facts.reference).hex()
            digest = "0x" + validated.digest.hex()
            issued = self.issued_digest(facts.issuer, doc_id)
            results.append(
                CheckedDocument(
                    index=index,
                    document_id=doc_id,
                    reference=facts.reference,
                    digest=digest,
                    already_issued=None
                    if issued is None
                    else ("identical" if issued == digest else "different"),
                )
            )
        return CheckedDocuments(tuple(results))

    def issued_digest(self, issuer: str, doc_id: str) -> str | None:
        """The digest of what ``issuer`` issued under ``doc_id`` (accepted here, or anchored), if anything."""
        entry = self._outbox.get(doc_id)  # the outbox holds this node's own member's documents only
        if entry is not None and entry.issuer == issuer:
            return entry.leaf.digest
        row = self._index.document(issuer, doc_id)
        return None if row is None else row.digest
