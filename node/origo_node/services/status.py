"""A document's public status, from the index alone (no chain round trip), and its trail of events.

A document is named by its issuer and its id (``services.naming``), found from what a person typed by
``services.resolver``; the status itself is worked out by the pure function in ``services.lifecycle``.
"""

from __future__ import annotations

import time
from dataclasses import replace

from origo_api.states import AWAITING_CLAIM, DocumentState

from origo_node.chain.events import event_entitled
from origo_node.documents.event_fields import Anchored
from origo_node.documents.registry import find_type
from origo_node.errors import NotFound
from origo_node.members import MemberDirectory
from origo_node.services.document_status import BatchRefusal, DocumentStatus
from origo_node.services.lifecycle import derive_status, iso
from origo_node.services.naming import DocumentKey
from origo_node.services.resolver import Resolver, proven_reference
from origo_node.services.status_answers import ListedDocument, PayloadCheck, Trail, TrailEvent, WorkList
from origo_node.store.ports import IndexStore, OutboxStore
from origo_node.store.rows import IndexedDocument


class StatusService:
    def __init__(
        self, index: IndexStore, outbox: OutboxStore, directory: MemberDirectory, member: str = ""
    ) -> None:
        self._index = index
        self._outbox = outbox
        self._directory = directory
        self._member = member  # this node's member: its outbox holds that member's documents only
        #: Turns what a person typed into a document key: every service that takes a key uses this one.
        self.resolver = Resolver(index, outbox, directory, member)

    def _key(self, key: str) -> DocumentKey:
        return key if isinstance(key, DocumentKey) else self.resolver.resolve(key)

    # ------------------------------------------------------------------ status

    def status(self, key: str) -> DocumentStatus:
        """The public status; ``NotFound`` if neither anchored nor pending here."""
        key = self._key(key)
        return self.status_of(key, self._index.document(key.issuer, key))

    def status_of(self, key: DocumentKey, row: IndexedDocument | None) -> DocumentStatus:
        """The status of a document whose index row the caller has read already (None: not anchored)."""
        status = self.without_references(key, row)
        if row is None:
            return status
        reference = self._known_reference(key)
        shared = self.resolver.shared_reference(key.issuer, reference)
        return replace(status, reference=reference, shared_reference=shared)

    def without_references(self, key: DocumentKey, row: IndexedDocument | None) -> DocumentStatus:
        """As ``status_of``, without working out the reference this node knows (most of a status's cost):
        for a caller that names the reference itself, as a verification does from the file it was given."""
        if row is None:
            return self._pending(key)
        events = self._index.events(key.issuer, key)
        return derive_status(row, events, self._index.predecessor_of(key.issuer, key), time.time())

    def lifecycle(self, key: DocumentKey) -> DocumentStatus:
        """The status without the references (state, verification, dates): for callers that read the states
        of many documents and need no reference (working one out is most of a status's cost)."""
        return self.without_references(key, self._index.document(key.issuer, key))

    def known_reference(self, key: DocumentKey) -> str | None:
        return self._known_reference(key)

    def member_name(self, code: str) -> str:
        return self.resolver.member_name(code)

    def _known_reference(self, key: DocumentKey) -> str | None:
        """The reference, when this node knows it: it issued the document, or it could read the payload.

        The chain has only the id (a hash of issuer and reference), so other members' references stay private.
        """
        if key.issuer == self._member:
            reference = self._outbox.reference(key)
            if reference is not None:
                return reference
        check = self._index.payload_check(key.issuer, key)
        return check.reference if check is not None and check.state == "ok" else None

    def _pending(self, key: DocumentKey) -> DocumentStatus:
        """A document of this member not anchored yet: ``pending``, or ``refused`` with why.

        No leaf data is shown (digest, payload CID, dates, items' quantities, batch root): with them another
        member could work out the root this member is about to anchor."""
        entry = self._outbox.get(key) if key.issuer == self._member else None
        if entry is None:
            raise NotFound(key.unknown())
        batch = None if entry.batch_root is None else self._outbox.batch(entry.batch_root)
        refusal = None
        if batch is not None and batch.refusal is not None:
            refusal = BatchRefusal(
                rule=batch.refusal.rule, reason=batch.refusal.reason, at=iso(batch.refusal.refused_at)
            )
        return DocumentStatus(
            document_id=str(key),
            reference=entry.reference,
            shared_reference=self.resolver.shared_reference(entry.issuer, entry.reference),
            type=entry.doc_type,
            version=entry.version,
            issuer=entry.issuer,
            importer=entry.importer,
            state=DocumentState.PENDING if refusal is None else DocumentState.REFUSED,
            refusal=refusal,
            supersedes=entry.supersedes,
        )

    # ------------------------------------------------------------------ work lists

    def worklist(self, member: str, role: str, state: str | None, limit: int, offset: int) -> WorkList:
        """An officer's queue: this member's documents as issuer or importer, newest first, by state.

        ``offset`` counts documents scanned, not returned; ``next_offset`` gives the next page.
        """
        if role == "issuer" and state in (DocumentState.PENDING, DocumentState.REFUSED):
            return self._unanchored(state, limit, offset)
        found: list[ListedDocument] = []
        scanned = offset
        while len(found) < limit:
            keys = self._index.document_keys_of(member, role, scanned, 500)
            if not keys:
                return WorkList(documents=tuple(found), next_offset=None)
            for issuer, document_id in keys:
                scanned += 1
                key = DocumentKey(issuer, document_id)
                status = self.status(key)
                if _listed(status, state):
                    # What this member found in the payload: a certificate whose figures are not the chain's
                    # must stand out in the queue, not only when someone tries to claim it.
                    found.append(ListedDocument(status=status, payload_check=self.payload_check(key)))
                    if len(found) == limit:
                        break
        return WorkList(documents=tuple(found), next_offset=scanned)

    def _unanchored(self, state: str, limit: int, offset: int) -> WorkList:
        """This member's documents not anchored: still pending, or refused by the consortium."""
        ids = self._outbox.unanchored_ids(
            refused=state == DocumentState.REFUSED, limit=limit + 1, offset=offset
        )
        found = tuple(
            ListedDocument(status=self.status(DocumentKey(self._member, doc_id)), with_payload_check=False)
            for doc_id in ids[:limit]
        )
        return WorkList(documents=found, next_offset=offset + limit if len(ids) > limit else None)

    # ------------------------------------------------------------------ trail

    def trail(self, key: str) -> Trail:
        key = self._key(key)
        row = self._index.document(key.issuer, key)
        status = self.status_of(key, row)
        events: list[TrailEvent] = []
        if row is not None:
            batch = self._index.batch(row.issuer, row.root)
            events.append(
                TrailEvent(
                    kind="anchored",
                    member=row.issuer,
                    account=batch.account if batch else None,
                    block=row.block,
                    tx=row.tx_hash,
                    log_index=batch.log_index if batch else None,
                    timestamp=iso(row.timestamp),
                    fields=Anchored(root=row.root, digest=row.digest, importer=row.importer),
                )
            )
        for event in self._index.events(key.issuer, key):
            if row is not None and not event_entitled(event.kind, event.member, key.issuer, row.importer):
                continue
            events.append(
                TrailEvent(
                    kind=event.kind,
                    member=event.member,
                    account=event.account,
                    block=event.block,
                    tx=event.tx_hash,
                    log_index=event.log_index,
                    timestamp=iso(event.timestamp),
                    fields=event.fields,
                )
            )
        return Trail(
            document_id=str(key), status=status, events=tuple(events), payload_check=self.payload_check(key)
        )

    def payload_check(self, key: DocumentKey) -> PayloadCheck | None:
        """What this node found when it read the document's payload (None: not read, or not a recipient)."""
        check = self._index.payload_check(key.issuer, key)
        if check is None:
            return None
        return PayloadCheck(state=check.state, detail=check.detail, checked_at=iso(check.checked_at))


def reveal_reference(status: DocumentStatus, key: str, *, insider: bool) -> DocumentStatus:
    """The status as a caller may see it: the reference only if the key carried it, or the caller is this
    member's own staff (a valid API key of this node). Someone holding only an id learns what the chain shows
    (nor does the flag of a shared reference tell it)."""
    if insider:
        return status
    reference = proven_reference(key, DocumentKey(status.issuer, status.document_id))
    shared = status.shared_reference if reference is not None else None
    return replace(status, reference=reference, shared_reference=shared)


#: What an importing officer still has to claim: a document of a type claimed at import, still usable.
_CLAIMABLE = (DocumentState.VALID, DocumentState.PARTIALLY_ACCEPTED)


def _listed(status: DocumentStatus, state: str | None) -> bool:
    """Whether a work list filtered on ``state`` (a state, ``awaiting_claim``, None: all) shows ``status``."""
    if state is None:
        return True
    if state == AWAITING_CLAIM:
        doc_type = find_type(str(status.type), str(status.version))
        return status.state in _CLAIMABLE and getattr(doc_type, "claimed_at_import", True)
    return status.state == state
