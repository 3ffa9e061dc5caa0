"""What each kind of officer's action asks of the chain, typed: one frozen value per kind.

The actions store keeps them as JSON with the keys the node has always written (snake_case, in this order,
then the document's issuer): ``params_json`` gives exactly that, and ``params_of`` reads it back, rows
written before these types included, so an action recorded by an older node is sent and answered the same.
An accept is recorded with its claims already resolved to items (``services/claims.py``), so a resend after
a crash claims exactly the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, Self


@dataclass(frozen=True)
class ItemClaim:
    """One item's claim as the officer sees it: the item's number on the form (1-based), and thousandths of
    its unit, 0 for everything that remains on it."""

    item: int
    thousandths: int

    def on_chain(self) -> tuple[int, int]:
        return (self.item - 1, self.thousandths)

    def to_json(self) -> dict[str, Any]:
        quantity = f"{self.thousandths // 1000}.{self.thousandths % 1000:03d}" if self.thousandths else None
        return {"item": self.item, "quantity": quantity}

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> ItemClaim:
        return cls(int(stored["item"]), _thousandths(stored.get("quantity")))


@dataclass(frozen=True, kw_only=True)
class _CodedReason:
    """A code on the agreed list of its kind (``reasons``) and words: a revocation's or a rejection's."""

    reason_code: int
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"reason_code": self.reason_code, "reason": self.reason}

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> Self:
        return cls(reason_code=int(stored["reason_code"]), reason=str(stored.get("reason") or ""))


@dataclass(frozen=True, kw_only=True)
class Revoke(_CodedReason):
    """The issuing member withdraws the certificate."""

    KIND: ClassVar[str] = "revoke"


@dataclass(frozen=True, kw_only=True)
class Reject(_CodedReason):
    """The importing member refuses preferential treatment."""

    KIND: ClassVar[str] = "reject"


@dataclass(frozen=True, kw_only=True)
class Accept:
    """A claim at import under a declaration (its canonical form), resolved to items; none: the whole
    certificate."""

    KIND: ClassVar[str] = "accept"
    declaration: str
    claims: tuple[ItemClaim, ...] = ()

    def on_chain(self) -> list[tuple[int, int]]:
        return [claim.on_chain() for claim in self.claims]

    def to_json(self) -> dict[str, Any]:
        return {"declaration": self.declaration, "claims": [claim.to_json() for claim in self.claims]}

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> Accept:
        declaration = str(stored["declaration"])
        if "claims" in stored:
            claims = tuple(ItemClaim.from_json(claim) for claim in stored["claims"] or ())
            return cls(declaration=declaration, claims=claims)
        # Recorded before claims named items: a quantity alone was a claim on the certificate's one
        # quantity, the first item's (none: the whole certificate).
        quantity = _thousandths(stored.get("quantity"))
        return cls(declaration=declaration, claims=(ItemClaim(1, quantity),) if quantity else ())


@dataclass(frozen=True, kw_only=True)
class RequestVerification:
    """The importing member asks the issuing one to verify the origin, saying why."""

    KIND: ClassVar[str] = "verification_request"
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"reason": self.reason}

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> RequestVerification:
        return cls(reason=str(stored.get("reason") or ""))


@dataclass(frozen=True, kw_only=True)
class AnswerVerification:
    """The issuing member's answer to a verification request: origin confirmed or not, and why."""

    KIND: ClassVar[str] = "verification_answer"
    confirmed: bool
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"confirmed": self.confirmed, "reason": self.reason}

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> AnswerVerification:
        return cls(confirmed=bool(stored["confirmed"]), reason=str(stored.get("reason") or ""))


@dataclass(frozen=True, kw_only=True)
class Supersede:
    """The issuing member replaces the document by another of its own, sent once that one is anchored."""

    KIND: ClassVar[str] = "supersede"
    replacement_id: str

    def to_json(self) -> dict[str, Any]:
        return {"replacement_id": self.replacement_id}

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> Supersede:
        return cls(replacement_id=str(stored["replacement_id"]))


ActionParams = Revoke | Reject | Accept | RequestVerification | AnswerVerification | Supersede
_BY_KIND: dict[str, type[ActionParams]] = {
    kind.KIND: kind for kind in (Revoke, Reject, Accept, RequestVerification, AnswerVerification, Supersede)
}


def params_json(params: ActionParams, issuer: str | None) -> dict[str, Any]:
    """The parameters as the store keeps them and the API answers them: the kind's own, then the issuer of
    the document acted on (absent from actions recorded before documents were named by their issuer)."""
    stored = params.to_json()
    return stored if issuer is None else {**stored, "issuer": issuer}


def params_of(kind: str, stored: Mapping[str, Any]) -> tuple[ActionParams, str | None]:
    """The typed parameters of a stored action of ``kind``, and the issuer of its document (None if the
    row predates it: such an action can only be on this member's own document).

    Raises ``KeyError`` for a field the kind needs that is missing, ``ValueError`` for a kind unknown."""
    try:
        kind_type = _BY_KIND[kind]
    except KeyError:
        raise ValueError(f"no action of kind {kind!r}") from None
    issuer = stored.get("issuer")
    return kind_type.from_json(stored), None if issuer is None else str(issuer)


def _thousandths(text: object) -> int:
    """A recorded quantity ("250.125", checked when it was submitted) in thousandths; None is 0."""
    return 0 if text is None else int(Decimal(str(text)) * 1000)
