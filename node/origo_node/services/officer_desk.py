"""The rules an officer's action must meet before it is sent, apart from the HTTP layer that receives it.

Only the member the rules name may act (the issuer revokes, supersedes and answers; the importer accepts,
rejects and asks for verification), and only on an anchored document: the contracts would refuse anything
else, and refusing here first answers in plain words without spending a transaction.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from origo_api.answers import Action, SupersedeReceipt
from origo_api.states import DocumentState

from origo_node import reasons
from origo_node.documents.action_params import (
    Accept,
    AnswerVerification,
    Reject,
    RequestVerification,
    Revoke,
    Supersede,
)
from origo_node.documents.references import canonical_declaration
from origo_node.errors import ChainRuleViolated, Conflict, WrongMember
from origo_node.services import claims
from origo_node.services.actions import ActionService, declaration_bytes
from origo_node.services.claims import ClaimRequest
from origo_node.services.document_status import ClaimedItem, DocumentStatus, ItemQuantity
from origo_node.services.issuing import Accepted, IssuingService
from origo_node.services.naming import DocumentKey
from origo_node.services.payload_checks import PayloadChecker
from origo_node.services.risk.service import FULLY_USED_RULES
from origo_node.services.status import StatusService

Role = Literal["issuer", "importer"]
#: Who may do what, as the registry contract says.
ROLE_OF: dict[str, Role] = {
    "revoke": "issuer",
    "supersede": "issuer",
    "verification_answer": "issuer",
    "accept": "importer",
    "reject": "importer",
    "verification_request": "importer",
}
#: What an officer may ask for at the desk (a supersession is asked with its replacement: ``supersede``).
ActionRequest = Revoke | Reject | ClaimRequest | RequestVerification | AnswerVerification
_FINAL = (DocumentState.REVOKED, DocumentState.SUPERSEDED)
#: How long a claim's answer waits for the indexer to replay the claim and say what it left on each item.
_INDEX_WAIT_S = 3.0
#: States in which the registry refuses a claim before it looks at verifications.
_ENDED = (*_FINAL, DocumentState.REJECTED)
#: What reading a payload can find that makes the certificate unfit to claim: its content is not what the
#: chain records (services.agreement), or not what its issuer signed and anchored.
_UNFIT = {
    "facts_mismatch": "what the chain records of it disagrees with the certificate itself",
    "digest_mismatch": "its content is not the content its issuer anchored",
    "bad_signature": "its issuer's signature does not match",
    "id_mismatch": "its id is not derived from its own reference (another member's id)",
}


@dataclass(frozen=True, kw_only=True)
class Supersession:
    """The answer to a supersession: the replacement as issuing accepted it, the document it replaces, and
    the supersede action (sent once both are anchored)."""

    replacement: Accepted
    supersedes: DocumentKey
    action: Action

    def answer(self) -> SupersedeReceipt:
        """The API's ``SupersedeReceipt``: the replacement's receipt, what it supersedes, the action."""
        receipt = self.replacement.receipt()
        return SupersedeReceipt(
            **dict(receipt),
            supersedes=str.__str__(self.supersedes),
            action=self.action,
        )


@dataclass(frozen=True)
class OfficerDesk:
    member: str
    status: StatusService
    issuing: IssuingService
    actions: ActionService
    payloads: PayloadChecker
    #: Told of a claim the chain refused because the certificate was used up (a risk signal's history).
    on_fully_used_claim: Callable[[DocumentKey, str], None] | None = None

    def own_anchored(self, key: str, role: Role) -> tuple[DocumentKey, DocumentStatus]:
        """The document's id and status, if this member is its ``role`` and it is anchored.

        The key names the issuer (``ISSUER:REFERENCE`` or ``ISSUER:0x<id>``): an action on a bare key could
        land on another member's look-alike, so it is refused with the full name to type."""
        doc_id = self.status.resolver.resolve_named(key)
        status = self.status.status(doc_id)
        member = status.issuer if role == "issuer" else status.importer
        if member != self.member:
            who = "issuing" if role == "issuer" else "importing"
            raise WrongMember(f"only the {who} member ({member}) can do this; this node is {self.member}")
        if status.state == DocumentState.PENDING:
            raise Conflict(f"document {doc_id.named} is not anchored yet; try again in a few seconds")
        return doc_id, status

    def act(self, key: str, request: ActionRequest, wait_s: float) -> Action:
        """Checks the request and who may act, then submits the action (see ``ActionService.submit``)."""
        if isinstance(request, Revoke | Reject):  # the code must be on its agreed list
            reasons.check(request.KIND, request.reason_code)
        if isinstance(request, ClaimRequest):  # refused here in plain words rather than by the contract
            declaration_bytes(request.declaration)
        doc_id, status = self.own_anchored(key, ROLE_OF[request.KIND])
        if isinstance(request, ClaimRequest):
            return self._accept(doc_id, status, request, wait_s)
        return self.actions.submit(doc_id, request, wait_s)

    def _accept(
        self, doc_id: DocumentKey, status: DocumentStatus, request: ClaimRequest, wait_s: float
    ) -> Action:
        """A claim: refused while the origin is in doubt or the certificate unfit, resolved to items, sent,
        and answered with what it took of each item once the index has replayed it."""
        require_origin_stands(doc_id, status)
        self.require_fit_to_claim(doc_id)
        accept = accept_params(request, status.items)
        try:
            action = self.actions.submit(doc_id, accept, wait_s)
        except ChainRuleViolated as exc:
            if exc.details.get("rule") in FULLY_USED_RULES and self.on_fully_used_claim:
                self.on_fully_used_claim(doc_id, accept.declaration)
            raise
        if action.state == "done":
            claimed = self.claimed_by(doc_id, action.tx, min(wait_s, _INDEX_WAIT_S))
            if claimed is not None:
                taken = [c.answer() for c in claimed]
                action = action.model_copy(update={"claimed": taken})
        return action

    def claimed_by(self, doc_id: DocumentKey, tx: str | None, wait_s: float) -> list[ClaimedItem] | None:
        """What a mined claim took of each item and what it left there, in the item's unit, as the index
        replays it from the chain's event (None if the indexer has not seen the block within ``wait_s``)."""
        deadline = time.monotonic() + wait_s
        while True:
            for use in self.status.status(doc_id).utilisations:
                if tx is not None and use.tx.lower() == tx.lower():
                    return list(use.claims)
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.1)

    def require_fit_to_claim(self, doc_id: DocumentKey) -> None:
        """Refuses a claim on a certificate whose decrypted content disagrees with the chain's record of it.

        The registry enforces the quantities and the validity the leaf carries; only a member that reads the
        document can tell that its issuer anchored other figures than the certificate gives. A rejection or a
        verification request stays possible: that is what the importing member does with such a certificate.
        """
        found = self.payloads.check_now(doc_id)
        why = _UNFIT.get(found.state)
        if why is not None:
            raise Conflict(
                f"This certificate cannot be claimed: {why} ({found.detail or 'no details'}). Ask its issuing"
                " authority (request a verification), or reject it.",
                rule="CertificateDisagreesWithChain",
            )

    def supersede(self, key: str, replacement: object, grants: Iterable[str]) -> Supersession:
        """Issues ``replacement`` for ``key``; the supersession is sent once both are anchored."""
        old_id, status = self.own_anchored(key, "issuer")
        if status.state in _FINAL:
            raise Conflict(
                f"document {old_id} is {status.state}; it cannot be superseded", rule="RegistryRevoked"
            )
        accepted: Accepted = self.issuing.issue(replacement, grants, old_id)
        replacing = Supersede(replacement_id=str.__str__(accepted.document_id))
        action = self.actions.submit(old_id, replacing, 0.0)
        return Supersession(replacement=accepted, supersedes=old_id, action=action)


def require_origin_stands(doc_id: DocumentKey, status: DocumentStatus) -> None:
    """Refuses a claim while a verification request is open or after the issuer did not confirm the origin.

    The registry refuses both itself (``RegistryUnderVerification``, ``RegistryNotConfirmed``); the node
    checks its index first so that the refusal reads the same on a chain whose registry predates the rule, and
    is worded (``api/refusals.py``) with when it happened and what the importing member can do.
    """
    if status.state in _ENDED or _expired(status):
        return  # the registry's own refusal comes first, as it checks in this order
    rule = {"open": "RegistryUnderVerification", "not_confirmed": "RegistryNotConfirmed"}.get(
        status.verification.state if status.verification else ""
    )
    if rule is not None:
        args = ["0x" + doc_id.issuer.encode("ascii").hex(), str.__str__(doc_id)]
        raise ChainRuleViolated(f"the chain's rules refuse this claim ({rule})", rule=rule, args=args)


def _expired(status: DocumentStatus) -> bool:
    expires = status.expires_at
    if not expires:
        return False
    ends = dt.datetime.strptime(expires, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    return ends <= dt.datetime.now(dt.UTC)


def accept_params(request: ClaimRequest, items: Sequence[ItemQuantity]) -> Accept:
    """The accept action's parameters: the declaration and the claims resolved to items from the document's
    per-item status (empty: the whole certificate). Recorded so, a retried action claims the same items."""
    resolved = claims.resolve(request, items)
    declaration = canonical_declaration(request.declaration)  # as the chain will record it
    return Accept(declaration=declaration, claims=tuple(resolved))
