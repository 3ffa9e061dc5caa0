"""What the risk service answers, typed: the rules as this member applies them, one document's assessment, and
the ranked work list.

Frozen, built once by ``service``; ``as_json`` gives the API's answer (``RiskRules``, ``RiskAssessment``,
``RiskWorkList`` in ``api/desk_models.py``) exactly as every node has sent it. The signals inside are the
rules' own (``catalogue.Signal``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from origo_node.services.risk.catalogue import RuleInUse, Signal
from origo_node.services.risk.settings import RiskThresholds
from origo_node.services.risk.views import Kind

#: How an officer reads a score (``scoring.level``).
Level = Literal["high", "medium", "low", "none"]


@dataclass(frozen=True, kw_only=True)
class RulesInUse:
    """Every rule of the catalogue as this member applies it, and the thresholds the rules use."""

    member: str
    rules: tuple[RuleInUse, ...]
    thresholds: RiskThresholds

    def as_json(self) -> dict[str, Any]:
        return {
            "member": self.member,
            "rules": [rule.as_json() for rule in self.rules],
            "thresholds": self.thresholds.model_dump(),
        }


@dataclass(frozen=True, kw_only=True)
class RiskLink:
    """A document tied to the assessed one (same issuing member), and what ties them."""

    document: str  # ISSUER:0x<id>
    kind: Kind
    reference: str
    by: tuple[str, ...]  # "certificate of origin reference", "transport document", "invoice"

    def as_json(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "kind": self.kind,
            "reference": self.reference,
            "by": list(self.by),
        }


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

    def as_json(self) -> dict[str, Any]:
        shown: dict[str, Any] = {
            "document_id": self.document_id,
            "issuer": self.issuer,
            "reference": self.reference,
            "type": self.type,
            "kind": self.kind,
            "state": self.state,
            "payload_check": self.payload_check,
        }
        if self.note is not None:
            shown["note"] = self.note
        shown.update(
            score=self.score, level=self.level, signals=[signal.as_json() for signal in self.signals]
        )
        if self.links is not None:
            shown["links"] = [link.as_json() for link in self.links]
        return shown


@dataclass(frozen=True, kw_only=True)
class RiskWorkList:
    """The documents that arrived for this member, highest score first, and how many were scored."""

    member: str
    scanned: int
    documents: tuple[Assessment, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "member": self.member,
            "scanned": self.scanned,
            "documents": [assessed.as_json() for assessed in self.documents],
        }
