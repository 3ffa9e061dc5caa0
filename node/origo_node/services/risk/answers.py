"""What the risk service answers, typed: the rules as this member applies them, one document's assessment, and
the ranked work list.

Frozen, built once by ``service``; ``answer`` gives the API's answer (``RiskRules``, ``RiskAssessment``,
``RiskWorkList`` in ``origo_api.desk_answers``) exactly as every node has sent it. The signals inside are the
rules' own (``catalogue.Signal``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from origo_api import desk_answers

from origo_node.services.risk.catalogue import Signal
from origo_node.services.risk.settings import RiskThresholds
from origo_node.services.risk.views import Kind

#: How an officer reads a score (``scoring.level``).
Level = Literal["high", "medium", "low", "none"]


@dataclass(frozen=True, kw_only=True)
class RulesInUse:
    """Every rule of the catalogue as this member applies it, and the thresholds the rules use."""

    member: str
    rules: tuple[desk_answers.RiskRule, ...]
    thresholds: RiskThresholds

    def answer(self) -> desk_answers.RiskRules:
        return desk_answers.RiskRules(
            member=self.member,
            rules=list(self.rules),
            thresholds=self.thresholds.model_dump(),
        )


@dataclass(frozen=True, kw_only=True)
class RiskLink:
    """A document tied to the assessed one (same issuing member), and what ties them."""

    document: str  # ISSUER:0x<id>
    kind: Kind
    reference: str
    by: tuple[str, ...]  # "certificate of origin reference", "transport document", "invoice"

    def answer(self) -> desk_answers.RiskLink:
        return desk_answers.RiskLink(
            document=self.document, kind=self.kind, reference=self.reference, by=list(self.by)
        )


@dataclass(frozen=True, kw_only=True)
class Assessment:
    """One document's signals and score, for this member's officers.

    ``links`` are given when one document is assessed (None in the work list); ``note`` says why a document
    has no signals yet (its payload not read and checked here)."""

    document_id: str
    issuer: str
    reference: str | None
    type: str | None
    kind: Kind | None
    state: str
    payload_check: str | None
    score: float
    level: Level
    signals: tuple[Signal, ...]
    links: tuple[RiskLink, ...] | None = None
    note: str | None = None

    def answer(self) -> desk_answers.RiskAssessment:
        return desk_answers.RiskAssessment(
            document_id=self.document_id,
            issuer=self.issuer,
            reference=self.reference,
            type=self.type,
            kind=self.kind,
            state=self.state,
            payload_check=self.payload_check,
            score=self.score,
            level=self.level,
            signals=[signal.answer() for signal in self.signals],
            links=None if self.links is None else [link.answer() for link in self.links],
            note=self.note,
        )


@dataclass(frozen=True, kw_only=True)
class RiskWorkList:
    """The documents that arrived for this member, highest score first, and how many were scored."""

    member: str
    scanned: int
    documents: tuple[Assessment, ...]

    def answer(self) -> desk_answers.RiskWorkList:
        return desk_answers.RiskWorkList(
            member=self.member,
            scanned=self.scanned,
            documents=[assessed.answer() for assessed in self.documents],
        )
