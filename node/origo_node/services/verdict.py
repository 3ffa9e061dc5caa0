"""What a verification concludes, typed: ``VerifyService``'s answer, turned into the API's JSON at the edge.

``answer`` gives the ``VerificationResult`` answer of origo_api (node/API.md) as every node has sent it; the
document's status inside it is the status service's, shown as the verification may show it (the reference
only when the file or the key carried it).
"""

from __future__ import annotations

from dataclasses import dataclass

from origo_api import answers
from origo_api.answers import MISSING
from origo_api.states import Verdict

from origo_node.services.document_status import DocumentStatus


@dataclass(frozen=True, kw_only=True)
class Checks:
    """Each check a verification made (None: not made, e.g. no file was given, or nothing is anchored)."""

    anchored: bool
    integrity: bool | None = None
    signature: bool | None = None
    issuer_member_at_issue: bool | None = None
    #: Whether what the chain records is what the file gives; only for an anchored document's file.
    anchored_facts: bool | None = None

    def answer(self) -> answers.VerificationChecks:
        return answers.VerificationChecks(
            anchored=self.anchored,
            integrity=self.integrity,
            signature=self.signature,
            issuer_member_at_issue=self.issuer_member_at_issue,
            anchored_facts=self.anchored_facts if self.anchored else None,
        )


@dataclass(frozen=True, kw_only=True)
class VerificationOutcome:
    """The verdict on a certificate, the checks behind it, its status and the sentence a person reads.

    ``unknown_reason`` says why nothing was found (``not_a_key``, ``no_such_reference``, ``no_such_id``);
    None whenever a document was found."""

    verdict: Verdict
    document_id: str | None
    reference: str | None
    issuer: str | None
    importer: str | None
    checks: Checks
    status: DocumentStatus | None
    message: str
    unknown_reason: str | None = None

    def answer(self) -> answers.VerificationResult:
        return answers.VerificationResult(
            verdict=self.verdict,
            document_id=self.document_id,
            reference=self.reference,
            issuer=self.issuer,
            importer=self.importer,
            checks=self.checks.answer(),
            status=None if self.status is None else self.status.answer(),
            message=self.message,
            unknown_reason=MISSING if self.unknown_reason is None else self.unknown_reason,
        )
