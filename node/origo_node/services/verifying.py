"""Verify a certificate file: is it the anchored document, signed by an issuer of its member, and still good?

Everything comes from the index (no chain round trip on this path): the anchored digest, the issuer's
signature
and account, the member's issuer history, the life-cycle events. ``tampered`` wins over every other verdict.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, replace

from origo_api.states import Verdict

from origo_node import reasons
from origo_node.chain import eip712
from origo_node.documents import DocumentFacts, canonical_bytes, document_id
from origo_node.documents.json_value import JsonObject
from origo_node.errors import CryptoError, NotFound, ValidationFailed
from origo_node.membership_fields import IssuerChanged
from origo_node.services import resolver
from origo_node.services.agreement import NotAValidDocument, checked_facts, disagreements
from origo_node.services.document_status import DocumentStatus, Replacement, Verification
from origo_node.services.naming import DocumentKey
from origo_node.services.reading import leaf_of, stated_facts
from origo_node.services.status import StatusService
from origo_node.services.verdict import Checks, VerificationOutcome
from origo_node.store.ports import IndexStore, OutboxStore
from origo_node.store.rows import IndexedDocument

_MESSAGES: dict[str, str] = {
    Verdict.VALID: "The certificate is authentic and can be used.",
    Verdict.TAMPERED: "The file differs from the document the issuing authority anchored.",
    Verdict.REVOKED: "The issuing authority revoked this certificate.",
    Verdict.SUPERSEDED: "The issuing authority replaced this certificate; use the replacement.",
    Verdict.EXPIRED: "The certificate's validity has ended.",
    Verdict.PARTIALLY_ACCEPTED: (
        "The certificate is authentic; part of what it covers was already claimed at import."
    ),
    Verdict.ACCEPTED: "The certificate was fully used at import.",
    Verdict.REJECTED: "The importing authority refused preference for this certificate.",
    Verdict.UNDER_VERIFICATION: (
        "The importing authority asked the issuing authority to verify this certificate: until it answers,"
        " the preference is suspended (the goods may be released under a guarantee)."
    ),
    Verdict.NOT_CONFIRMED: (
        "Not confirmed by the issuing authority: the certificate cannot be used for the preference."
    ),
    Verdict.PENDING: "The certificate was accepted by its issuing authority and is not anchored yet.",
    Verdict.REFUSED: (
        "The consortium refused to anchor this certificate (its issuing member was not active): it is"
        " not valid unless it is anchored later."
    ),
    Verdict.UNKNOWN: "No member anchored a document with this identity.",
}
#: Why a check found nothing: the words a trader needs to know whether to retype or to ask.
_UNKNOWN = {
    "not_a_key": resolver.NOT_A_KEY[0].upper() + resolver.NOT_A_KEY[1:] + ".",
    "no_such_reference": "No member issued a certificate with this reference. Check it against the paper"
    " certificate (and the issuing country, as in VN:VN-HCM-2026-004512).",
    "no_such_id": "No member anchored a document with this id.",
}


class VerifyService:
    def __init__(self, index: IndexStore, outbox: OutboxStore, status: StatusService, domain: bytes) -> None:
        self._index = index
        self._outbox = outbox
        self._status = status
        self._domain = domain

    def verify_file(self, body: object) -> VerificationOutcome:
        document, claimed_id = _unwrap(body)
        canonical = canonical_bytes(document)
        digest = "0x" + hashlib.sha256(canonical).hexdigest()
        # Read once: the id, the reference and the figures held against the chain's all come from them.
        held = _HeldFile(document, stated_facts(document))
        identity = held.identity
        doc_id = claimed_id or ("" if identity is None else "0x" + document_id(*identity).hex())
        if identity is not None and doc_id:
            # The file names its issuer: the document is that issuer's id, whoever else's leaves carry it.
            return self._verdict(DocumentKey(identity[0], doc_id), digest, identity, held)
        return self._verdict(doc_id, digest, identity, held)

    def verify_id(self, key: str, digest: str | None = None) -> VerificationOutcome:
        """A check by id (a QR code's) or by reference (typed, perhaps in lower case or with spaces).

        The reference is shown only when the key carried it: someone holding only an id learns nothing
        more than the chain shows. A bare reference several members used is ambiguous (409, each issuer's
        full name listed), never one of them."""
        try:
            typed = resolver.parse(key)
        except (resolver.NotAKey, ValidationFailed):
            return _unknown(None, None, "not_a_key")
        try:
            doc_id = self._status.resolver.resolve(key, digest)
        except NotFound:
            return _unknown(None, None, "no_such_reference" if typed.reference else "no_such_id")
        reference = resolver.proven_reference(key, doc_id)
        identity = (doc_id.issuer, reference) if reference else None
        return self._verdict(doc_id, digest.lower() if digest else None, identity)

    def _verdict(
        self,
        doc_id: str,
        digest: str | None,
        identity: tuple[str, str] | None,
        held: _HeldFile | None = None,
    ) -> VerificationOutcome:
        """``held``: the file itself, whose figures are held against what the chain records of it."""
        try:
            key = doc_id if isinstance(doc_id, DocumentKey) else self._status.resolver.resolve(doc_id, digest)
        except NotFound:
            return _unknown(doc_id, identity)
        row = self._index.document(key.issuer, key)  # the one read of the document's anchored facts
        try:
            # The reference is the file's or the typed key's (below), never the one this node knows.
            status = self._status.without_references(key, row)
        except NotFound:
            return _unknown(doc_id, identity, "no_such_reference" if identity else "no_such_id")
        # Every member's node must give the same answer: the reference comes from the file the person holds,
        # never from what this node happens to know (the importing member knows it, a third member does not).
        reference = identity[1] if identity else None
        status = replace(
            status,
            reference=reference,
            shared_reference=self._status.resolver.shared_reference(key.issuer, reference),
        )
        if identity and status.superseded_by:
            # The holder of this certificate may learn its replacement's reference, where this node knows it.
            replacement = DocumentKey(status.issuer, status.superseded_by)
            status = replace(status, replacement=Replacement(self._status.known_reference(replacement)))
        if row is None:  # pending or refused
            # The digest of a document not anchored is not public, but the issuing node can still compare it.
            entry = self._outbox.get(key)
            pending_digest = None if entry is None else entry.leaf.digest
            integrity = digest is None or pending_digest is None or digest == pending_digest
            verdict = Verdict(status.state) if integrity else Verdict.TAMPERED
            checks = Checks(anchored=False, integrity=integrity)
            return _outcome(doc_id, status, verdict, checks, _MESSAGES[verdict])
        integrity = digest is None or digest == status.digest
        signature_ok, member_ok = self._signature(row)
        # The file is the anchored document: the chain's record of it must give its own figures. Only then
        # are its rules checked and its facts derived (any file may be posted here).
        facts = held.facts() if held is not None and digest is not None and integrity else None
        differing = None if facts is None else disagreements(facts, row)
        checks = Checks(
            anchored=True,
            integrity=integrity if digest is not None else None,
            signature=signature_ok,
            issuer_member_at_issue=member_ok,
            anchored_facts=None if differing is None else not differing,
        )
        sound = integrity and signature_ok and member_ok and not differing
        verdict = Verdict(status.state) if sound else Verdict.TAMPERED
        message = _disagreeing_message(differing) if differing else self._message(verdict, status)
        return _outcome(doc_id, status, verdict, checks, message)

    def _message(self, verdict: str, status: DocumentStatus) -> str:
        """The verdict's sentence, with who revoked and why, or the replacement's reference."""
        if verdict == "revoked" and status.revocation:
            revocation = status.revocation
            why = reasons.describe("revoke", revocation.reason_code, revocation.reason)
            when = f" on {day(revocation.at)}" if revocation.at else ""
            return f"Revoked by {self._status.member_name(status.issuer)}{when}: {why}."
        if verdict == "superseded" and status.superseded_by:
            known = status.replacement.reference if status.replacement else None
            replacement = known or status.superseded_by
            return f"The issuing authority replaced this certificate with {replacement}: use the replacement."
        if verdict == "rejected" and status.rejection:
            rejection = status.rejection
            why = reasons.describe("reject", rejection.reason_code, rejection.reason)
            return f"{self._status.member_name(status.importer)} refused preference at import: {why}."
        if verdict == "not_confirmed" and status.verification:
            return not_confirmed_sentence(self._status.member_name(status.issuer), status.verification)
        if verdict == "under_verification" and status.verification:
            return under_verification_sentence(status.verification)
        return _MESSAGES[verdict]

    def _signature(self, row: IndexedDocument) -> tuple[bool, bool]:
        try:
            signer = eip712.recover(leaf_of(row), self._domain, bytes.fromhex(row.signature[2:]))
        except CryptoError:
            return False, False
        if signer.lower() != row.signer.lower():
            return False, False
        # The batch's sender was an active issuer of the member at that block (the contract checked it); the
        # signer must have been one of the same member's issuers then too.
        batch = self._index.batch(row.issuer, row.root)
        if batch is not None and batch.account.lower() == signer.lower():
            return True, True
        return True, self._was_issuer(signer, row.issuer, row.block)

    def _was_issuer(self, account: str, member: str, block: int) -> bool:
        state = False
        for event in self._index.issuer_history(member, block):
            if isinstance(event.fields, IssuerChanged) and event.fields.account.lower() == account.lower():
                state = event.kind == "IssuerAdded"
        return state


def day(at: str | None) -> str:
    """'6 December 2026' from the index's '2026-12-06T10:00:00Z' (what a person reads on a verdict)."""
    if not at:
        return "an unknown date"
    parsed = dt.datetime.strptime(at, "%Y-%m-%dT%H:%M:%SZ")
    return f"{parsed.day} {parsed:%B %Y}"


def not_confirmed_sentence(issuer_name: str, verification: Verification) -> str:
    """'Not confirmed by the issuing authority (Viet Nam Customs) on 6 December 2026: no such producer. …'"""
    reason = verification.answer_reason or "no reason given"
    return (
        f"Not confirmed by the issuing authority ({issuer_name}) on {day(verification.at)}: {reason}."
        " The certificate cannot be used for the preference."
    )


def under_verification_sentence(verification: Verification) -> str:
    asked = verification.requested_at or verification.at
    reason = verification.request_reason
    why = f" ({reason})" if reason else ""
    return (
        f"The importing authority asked the issuing authority on {day(asked)} to verify this"
        f" certificate{why}: until it answers, the preference is suspended (the goods may be released under"
        " a guarantee)."
    )


@dataclass(frozen=True)
class _HeldFile:
    """A file someone holds, and what its own type reads from it (None: no known type can read it)."""

    document: JsonObject
    stated: DocumentFacts | None

    @property
    def identity(self) -> tuple[str, str] | None:
        """(issuing member, reference), as the file says."""
        return None if self.stated is None else (self.stated.issuer, self.stated.reference)

    def facts(self) -> DocumentFacts | None:
        """The file's facts, if it is a valid document of a known type (any file may be sent here)."""
        if self.stated is None:
            return None
        try:
            return checked_facts(self.document, self.stated)
        except NotAValidDocument:
            return None


def _disagreeing_message(differing: list[str]) -> str:
    return (
        "The chain's record of this certificate is not what the certificate says: "
        + "; ".join(differing)
        + ". Do not rely on it: ask the issuing authority."
    )


def _unwrap(body: object) -> tuple[JsonObject, str | None]:
    if not isinstance(body, dict):
        raise ValidationFailed(
            "a certificate file is a JSON object",
            errors=[{"pointer": "", "message": "must be a JSON object"}],
        )
    if isinstance(body.get("document"), dict) and isinstance(body.get("origo"), dict):
        claimed = body["origo"].get("document_id")
        return body["document"], claimed.lower() if isinstance(claimed, str) else None
    return body, None


def _outcome(
    doc_id: str, status: DocumentStatus, verdict: Verdict, checks: Checks, message: str
) -> VerificationOutcome:
    return VerificationOutcome(
        verdict=verdict,
        document_id=doc_id,
        reference=status.reference,
        issuer=status.issuer,
        importer=status.importer,
        checks=checks,
        status=status,
        message=message,
    )


def _unknown(
    doc_id: str | None, identity: tuple[str, str] | None, why: str = "no_such_id"
) -> VerificationOutcome:
    return VerificationOutcome(
        verdict=Verdict.UNKNOWN,
        unknown_reason=why,
        document_id=doc_id or None,
        reference=identity[1] if identity else None,
        issuer=identity[0] if identity else None,
        importer=None,
        checks=Checks(anchored=False),
        status=None,
        message=_UNKNOWN[why],
    )
