"""Issue: check a document, sign its facts, encrypt it for the members concerned, and put it in the outbox.

Nothing here talks to the chain or the payload store: a document is accepted (202) once its row is
committed to
the outbox, and the batcher does the rest. So issuing keeps working while the chain or the store is down.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from origo_api.answers import BulkItem, IssueReceipt

from origo_node.chain import eip712
from origo_node.chain.merkle import Leaf
from origo_node.crypto import seal
from origo_node.crypto.deferred import Lazy
from origo_node.documents import ValidationContext, document_id, validate_document
from origo_node.documents.dates import start_of_day_utc
from origo_node.documents.json_value import JsonObject
from origo_node.errors import Conflict, OrigoError, ValidationFailed
from origo_node.hashing import keccak256
from origo_node.members import MemberDirectory
from origo_node.payload import file_cid
from origo_node.services.issuer_standing import require_registered_issuer
from origo_node.services.resolver import Resolver
from origo_node.store.ports import OutboxStore
from origo_node.store.rows import OutboxEntry, OutboxLeaf


class Signer:
    """The member's issuer key, as raw bytes for fast signing, and the EIP-712 domain it signs under.

    The key may be given as a function that decrypts it (``crypto.deferred``): it is called at the first
    signature, so that a node process that never issues never pays the keystore's scrypt."""

    __slots__ = ("_key", "address", "domain")

    def __init__(self, address: str, private_key: bytes | Callable[[], bytes], domain: bytes) -> None:
        self.address = address
        self.domain = domain
        self._key = Lazy(private_key) if callable(private_key) else Lazy.of(private_key)

    @property
    def private_key(self) -> bytes:
        return self._key.get()


@dataclass(frozen=True)
class Accepted:
    document_id: str
    reference: str
    digest: str
    doc_type: str
    importer: str
    recipients: tuple[str, ...]

    @property
    def status_url(self) -> str:
        return f"/api/v1/documents/{self.document_id}"

    def receipt(self) -> IssueReceipt:
        """The API's ``IssueReceipt`` (202): accepted, pending until anchored."""
        return IssueReceipt(
            document_id=self.document_id,
            reference=self.reference,
            digest=self.digest,
            type=self.doc_type,
            importer=self.importer,
            recipients=list(self.recipients),
            state="pending",
            status_url=self.status_url,
        )

    def bulk_item(self, index: int) -> BulkItem:
        """The receipt as one result of a bulk request, by its place in the request (the members of
        ``receipt``, which ``BulkItem`` repeats)."""
        return BulkItem(index=index, accepted=True, **dict(self.receipt()))

    def as_dict(self) -> JsonObject:
        """The receipt as JSON (what ``origo-node issue --json`` prints)."""
        return self.receipt().model_dump(mode="json")


@dataclass(frozen=True)
class _Prepared:
    accepted: Accepted
    entry: OutboxEntry


class IssuingService:
    def __init__(
        self,
        outbox: OutboxStore,
        directory: MemberDirectory,
        member: str,
        signer: Signer,
        *,
        max_document_bytes: int,
        resolver: Resolver,
    ) -> None:
        self._resolver = resolver
        self._outbox = outbox
        self._directory = directory
        self._member = member
        self._signer = signer
        self._max_bytes = max_document_bytes

    def context(self) -> ValidationContext:
        return ValidationContext(
            own_member=self._member,
            members=self._directory.active_codes() or None,
            today=dt.datetime.now(dt.UTC).date(),
            max_bytes=self._max_bytes,
        )

    def issue(self, doc: object, grants: Iterable[str] = (), supersedes: str | None = None) -> Accepted:
        """Accepts one document (``ValidationFailed``/``Conflict`` otherwise); it is in the outbox on
        return."""
        self._require_active()
        prepared = self._prepare(doc, tuple(grants), self.context(), supersedes)
        self._store([prepared])
        return prepared.accepted

    def issue_many(self, docs: list[object], grants: Iterable[str] = ()) -> list[Accepted | OrigoError]:
        """Accepts each acceptable document of ``docs`` in one outbox transaction; the others get their
        error."""
        self._require_active()
        ctx = self.context()
        grant_codes = tuple(grants)
        results: list[Accepted | OrigoError] = []
        prepared: list[_Prepared] = []
        seen: set[str] = set()
        for doc in docs:
            try:
                item = self._prepare(doc, grant_codes, ctx, None)
                if item.accepted.document_id in seen:
                    raise Conflict(f"reference {item.accepted.reference} appears twice in this request")
                seen.add(item.accepted.document_id)
                prepared.append(item)
                results.append(item.accepted)
            except OrigoError as exc:
                results.append(exc)
        if prepared:
            duplicates = self._store(prepared, skip_duplicates=True)
            for index, result in enumerate(results):
                if isinstance(result, Accepted) and result.document_id in duplicates:
                    results[index] = _already_issued(result.reference)
        return results

    # ------------------------------------------------------------------ steps

    def _require_active(self) -> None:
        own = self._directory.get(self._member)
        if own is None or not own.active:
            state = "not a member" if own is None else own.status.name.lower()
            raise Conflict(
                f"member {self._member} is {state} on the chain; it cannot issue documents",
                rule="MembershipNotActive",
            )
        require_registered_issuer(self._directory, self._member, self._signer.address)

    def _prepare(
        self, doc: object, grants: tuple[str, ...], ctx: ValidationContext, supersedes: str | None
    ) -> _Prepared:
        validated = validate_document(doc, ctx)
        facts = validated.facts
        self._require_own_reference(facts.reference)
        doc_id = document_id(facts.issuer, facts.reference)
        recipients = self._recipients(facts.issuer, facts.importer, grants)
        keys = {}
        for code in recipients:
            member = self._directory.get(code)
            assert member is not None  # _recipients checked it
            keys[code] = member.encryption_key
        envelope = seal(validated.canonical, keys, aad=doc_id)
        cid = file_cid(envelope)
        leaf = Leaf(
            document_id=doc_id,
            document_type=facts.type_id,
            digest=validated.digest,
            issuer=facts.issuer,
            importer=facts.importer,
            issued_at=start_of_day_utc(facts.issued_on),
            expires_at=facts.expires_at,
            quantities=facts.quantities,
            payload_cid=keccak256(cid.encode()),
        )
        signature = eip712.sign(leaf, self._signer.domain, self._signer.private_key)
        doc_id_hex = "0x" + doc_id.hex()
        entry = OutboxEntry(
            document_id=doc_id_hex,
            reference=facts.reference,
            doc_type=facts.doc_type,
            version=facts.version,
            issuer=facts.issuer,
            importer=facts.importer,
            leaf=OutboxLeaf(
                leaf=leaf,
                type_name=facts.doc_type,
                type_version=facts.version,
                quantity_units=tuple(facts.quantity_units),
                recipients=tuple(recipients),
            ),
            payload_cid=cid,
            envelope=envelope,
            signature="0x" + signature.hex(),
            signer=self._signer.address,
            supersedes=supersedes,
            received_at=time.time(),
        )
        accepted = Accepted(
            document_id=doc_id_hex,
            reference=facts.reference,
            digest="0x" + validated.digest.hex(),
            doc_type=facts.doc_type,
            importer=facts.importer,
            recipients=recipients,
        )
        return _Prepared(accepted=accepted, entry=entry)

    def _require_own_reference(self, reference: str) -> None:
        """Refuses a reference another member anchored already: a bare reference would then name two
        certificates, and a trader's lookup could land on the other one. (A certificate's reference also
        begins with its issuer's code, ``form_d``; this holds for every type, manifests too.)"""
        others = [
            code
            for code in self._resolver.issuers_of_reference(reference)
            # A certificate another member anchored under a reference of this member's series breaks the
            # numbering rule: a look-alike, flagged everywhere, which must not block the real one.
            if code != self._member and self._resolver.fits_issuer(code, reference)
        ]
        if others:
            names = ", ".join(f"{self._resolver.member_name(code)} ({code}:{reference})" for code in others)
            raise Conflict(
                f"reference {reference} is already used by another member: {names}. A reference must name one"
                " document only: give this one another reference",
                rule="ReferenceUsedByAnotherMember",
                issuers=others,
            )

    def _recipients(self, issuer: str, importer: str, grants: tuple[str, ...]) -> tuple[str, ...]:
        wanted = [issuer, importer, *(code.strip().upper() for code in grants if code.strip())]
        problems = []
        for index, code in enumerate(wanted[2:]):
            member = self._directory.get(code)
            if member is None or not member.active:
                problems.append({"pointer": f"/grant/{index}", "message": f"{code} is not an active member"})
        importing = self._directory.get(importer)
        if importing is None or not importing.active:
            problems.append(
                {"pointer": "/importer", "message": f"{importer} is not an active member of the consortium"}
            )
        if problems:
            raise ValidationFailed("the document cannot be shared with these members", errors=problems)
        return tuple(dict.fromkeys(wanted))

    def _store(self, prepared: list[_Prepared], *, skip_duplicates: bool = False) -> set[str]:
        """Inserts the rows in one transaction; returns the ids refused as already issued."""
        taken = self._outbox.add([item.entry for item in prepared], all_or_nothing=not skip_duplicates)
        if taken and not skip_duplicates:
            raise _already_issued(prepared[0].accepted.reference)
        return taken


def _already_issued(reference: str) -> Conflict:
    return Conflict(f"reference {reference} was already issued by this member", rule="DuplicateReference")
