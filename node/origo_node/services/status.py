"""A document's public status, from the index alone (no chain round trip), and its trail of events."""

from __future__ import annotations

import re
import time
from typing import Any

from origo_node.documents import document_id as derive_document_id
from origo_node.errors import NotFound, ValidationFailed
from origo_node.members import MemberDirectory
from origo_node.services.lifecycle import derive_status, iso, quantity_of
from origo_node.store.index import IndexRepository
from origo_node.store.outbox import OutboxRepository
from origo_node.store.rows import IndexedDocument

_ID = re.compile(r"^0x[0-9a-fA-F]{64}$")
_QUALIFIED = re.compile(r"^([A-Z]{2}):(.+)$")


class StatusService:
    def __init__(self, index: IndexRepository, outbox: OutboxRepository, directory: MemberDirectory) -> None:
        self._index = index
        self._outbox = outbox
        self._directory = directory

    # ------------------------------------------------------------------ keys

    def resolve(self, key: str) -> str:
        """The document id a path key names: an id, ``ISSUER:REFERENCE``, or a bare reference."""
        key = key.strip()
        if _ID.match(key):
            return key.lower()
        if not key or len(key) > 200:
            raise ValidationFailed(
                "not a document key",
                errors=[{"pointer": "", "message": "give an id, ISSUER:REFERENCE or a reference"}],
            )
        qualified = _QUALIFIED.match(key)
        if qualified:
            return "0x" + derive_document_id(qualified.group(1), qualified.group(2)).hex()
        codes = {m.code for m in self._directory.all()} or set()
        for code in sorted(codes):
            candidate = "0x" + derive_document_id(code, key).hex()
            if self._index.has_document(candidate) or self._outbox.get(candidate) is not None:
                return candidate
        raise NotFound(f"no member issued a document with reference {key!r}")

    # ------------------------------------------------------------------ status

    def status(self, document_id: str) -> dict[str, Any]:
        """The public status; ``NotFound`` if neither anchored nor pending here."""
        return self.status_of(document_id, self._index.document(document_id))

    def status_of(self, document_id: str, row: IndexedDocument | None) -> dict[str, Any]:
        """The status of a document whose index row the caller has read already (None: not anchored)."""
        if row is None:
            return self._pending(document_id)
        events = self._index.events(document_id)
        status = derive_status(row, events, self._index.predecessor_of(document_id), time.time())
        status["reference"] = self._known_reference(document_id)
        return status

    def _known_reference(self, document_id: str) -> str | None:
        """The reference, when this node knows it: it issued the document, or it could read the payload.

        The chain has only the id (a hash of issuer and reference), so other members' references stay private.
        """
        reference = self._outbox.reference(document_id)
        if reference is None:
            check = self._index.payload_check(document_id)
            reference = None if check is None else check.reference
        return reference

    def _pending(self, document_id: str) -> dict[str, Any]:
        entry = self._outbox.get(document_id)
        if entry is None:
            raise NotFound(f"document {document_id} is unknown to this node")
        leaf = entry.leaf
        return {
            "document_id": document_id,
            "reference": entry.reference,
            "type": entry.doc_type,
            "version": entry.version,
            "issuer": entry.issuer,
            "importer": entry.importer,
            "digest": leaf["digest"],
            "payload_cid": entry.payload_cid,
            "issued_at": iso(leaf["issuedAt"]),
            "expires_at": iso(leaf["expiresAt"]),
            "state": "pending",
            "anchor": None,
            "batch_root": entry.batch_root,
            "quantity": quantity_of(int(leaf["quantity"]), 0, leaf["meta"]["quantity_unit"]),
            "revocation": None,
            "superseded_by": None,
            "supersedes": entry.supersedes,
            "rejection": None,
            "verification": None,
            "utilisations": [],
        }

    # ------------------------------------------------------------------ work lists

    def worklist(self, member: str, role: str, state: str | None, limit: int, offset: int) -> dict[str, Any]:
        """An officer's queue: this member's documents as issuer or importer, newest first, by state.

        ``offset`` counts documents scanned, not returned; ``next_offset`` gives the next page.
        """
        found: list[dict[str, Any]] = []
        scanned = offset
        while len(found) < limit:
            ids = self._index.document_ids_of(member, role, scanned, 500)
            if not ids:
                return {"documents": found, "next_offset": None}
            for document_id in ids:
                scanned += 1
                status = self.status(document_id)
                if state is None or status["state"] == state:
                    found.append(status)
                    if len(found) == limit:
                        break
        return {"documents": found, "next_offset": scanned}

    # ------------------------------------------------------------------ trail

    def trail(self, document_id: str) -> dict[str, Any]:
        row = self._index.document(document_id)
        status = self.status_of(document_id, row)
        events: list[dict[str, Any]] = []
        if row is not None:
            batch = self._index.batch(row.root)
            events.append(
                {
                    "kind": "anchored",
                    "member": row.issuer,
                    "account": batch.account if batch else None,
                    "block": row.block,
                    "tx": row.tx_hash,
                    "log_index": batch.log_index if batch else None,
                    "timestamp": iso(row.timestamp),
                    "fields": {"root": row.root, "digest": row.digest, "importer": row.importer},
                }
            )
        for event in self._index.events(document_id):
            events.append(
                {
                    "kind": event.kind,
                    "member": event.member,
                    "account": event.account,
                    "block": event.block,
                    "tx": event.tx_hash,
                    "log_index": event.log_index,
                    "timestamp": iso(event.timestamp),
                    "fields": event.fields,
                }
            )
        check = self._index.payload_check(document_id)
        payload_check = (
            None
            if check is None
            else {"state": check.state, "detail": check.detail, "checked_at": iso(check.checked_at)}
        )
        return {
            "document_id": document_id,
            "status": status,
            "events": events,
            "payload_check": payload_check,
        }
