"""A document's public status, from the index alone (no chain round trip), and its trail of events."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import time
from typing import Any

from origo_api.states import DocumentState

from origo_node import reasons
from origo_node.documents import document_id as derive_document_id
from origo_node.errors import NotFound, ValidationFailed
from origo_node.indexer.events import event_entitled
from origo_node.members import MemberDirectory
from origo_node.services import lookup
from origo_node.services.naming import DocumentKey, parse_key, resolve_bare_id
from origo_node.store.db import Database

_ID = re.compile(r"^0x[0-9a-fA-F]{64}$")


def iso(ts: int | float | None) -> str | None:
    if ts is None or ts == 0:
        return None
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def thousandths(value: int) -> str:
    return f"{value // 1000}.{value % 1000:03d}"


class StatusService:
    def __init__(self, db: Database, directory: MemberDirectory, member: str = "") -> None:
        self._db = db
        self._directory = directory
        self._member = member  # this node's member: its outbox holds that member's documents only

    # ------------------------------------------------------------------ keys

    def resolve(self, key: str) -> DocumentKey:
        """The document a key names (``services.naming``); a loosely typed reference too (``lookup``)."""
        if not lookup.looks_like_reference(key):
            return self._resolve_exact(key)
        try:
            found: DocumentKey | None = self._resolve_exact(key)
        except NotFound:
            found = None
        conn = self._db.read()
        if found is not None and self._exists(conn, found):
            return found
        for spelling in lookup.spellings(key)[1:]:
            try:
                candidate = self._resolve_exact(spelling)
            except (NotFound, ValidationFailed):
                continue
            if self._exists(conn, candidate):
                return candidate
        if found is not None:
            return found  # ISSUER:REFERENCE names its document whether or not it exists
        raise NotFound(f"no member issued a document with reference {key.strip()!r}")

    def _resolve_exact(self, key: str) -> DocumentKey:
        parsed = parse_key(key)
        if isinstance(parsed, DocumentKey):
            return parsed
        conn = self._db.read()
        if _ID.match(parsed):
            return resolve_bare_id(conn, parsed, self._member)
        codes = {m.code for m in self._directory.all()} or set()
        for code in sorted(codes):
            candidate = DocumentKey(code, "0x" + derive_document_id(code, parsed).hex())
            if self._exists(conn, candidate):
                return candidate
        raise NotFound(f"no member issued a document with reference {parsed!r}")

    def _exists(self, conn: sqlite3.Connection, key: DocumentKey) -> bool:
        if (
            key.issuer == self._member
            and conn.execute("SELECT 1 FROM outbox WHERE document_id = ?", (key,)).fetchone()
        ):
            return True
        found = conn.execute(
            "SELECT 1 FROM idx_documents WHERE issuer = ? AND document_id = ?", (key.issuer, key)
        ).fetchone()
        return found is not None

    def _key(self, key: str) -> DocumentKey:
        return key if isinstance(key, DocumentKey) else self.resolve(key)

    # ------------------------------------------------------------------ status

    def status(self, key: str) -> dict[str, Any]:
        """The public status; ``NotFound`` if neither anchored nor pending here."""
        key = self._key(key)
        conn = self._db.read()
        row = conn.execute(
            "SELECT * FROM idx_documents WHERE issuer = ? AND document_id = ?", (key.issuer, key)
        ).fetchone()
        if row is None:
            return self._pending(conn, key)
        events = conn.execute(
            "SELECT * FROM idx_events WHERE issuer = ? AND document_id = ? ORDER BY block, log_index",
            (key.issuer, key),
        ).fetchall()
        status = _derive(row, events, self._supersedes(conn, key))
        status["reference"] = self._known_reference(conn, key)
        return status

    def known_reference(self, key: DocumentKey) -> str | None:
        return self._known_reference(self._db.read(), key)

    def member_name(self, code: str) -> str:
        """A member's name as the consortium registered it (the same on every node), else its code."""
        return getattr(self._directory.get(code), "name", None) or code

    def _known_reference(self, conn: sqlite3.Connection, key: DocumentKey) -> str | None:
        """The reference, when this node knows it: it issued the document, or it could read the payload.

        The chain has only the id (a hash of issuer and reference), so other members' references stay private.
        """
        row = None
        if key.issuer == self._member:
            row = conn.execute("SELECT reference FROM outbox WHERE document_id = ?", (key,)).fetchone()
        if row is None:
            row = conn.execute(
                "SELECT reference FROM idx_payload_checks WHERE issuer = ? AND document_id = ?"
                " AND state = 'ok' AND reference IS NOT NULL",
                (key.issuer, key),
            ).fetchone()
        return None if row is None else str(row[0])

    def _pending(self, conn: sqlite3.Connection, key: DocumentKey) -> dict[str, Any]:
        """A document of this member not anchored yet: ``pending``, or ``refused`` with why.

        No leaf data is shown (digest, payload CID, dates, quantity, batch root): with them another member
        could work out the root this member is about to anchor."""
        row = None
        if key.issuer == self._member:
            row = conn.execute("SELECT * FROM outbox WHERE document_id = ?", (key,)).fetchone()
        if row is None:
            raise NotFound(f"document {key.qualified} is unknown to this node")
        refusal = None
        if row["batch_root"] is not None:
            refused = conn.execute(
                "SELECT rule, reason, refused_at FROM batch_refusals WHERE root = ?", (row["batch_root"],)
            ).fetchone()
            if refused is not None:
                refusal = {
                    "rule": refused["rule"],
                    "reason": refused["reason"],
                    "at": iso(refused["refused_at"]),
                }
        return {
            "document_id": str(key),
            "reference": row["reference"],
            "type": row["doc_type"],
            "version": row["version"],
            "issuer": row["issuer"],
            "importer": row["importer"],
            "digest": None,
            "payload_cid": None,
            "issued_at": None,
            "expires_at": None,
            "state": DocumentState.PENDING if refusal is None else DocumentState.REFUSED,
            "refusal": refusal,
            "anchor": None,
            "quantity": None,
            "revocation": None,
            "superseded_by": None,
            "supersedes": row["supersedes"],
            "rejection": None,
            "verification": None,
            "utilisations": [],
        }

    def _supersedes(self, conn: sqlite3.Connection, key: DocumentKey) -> str | None:
        row = conn.execute(
            "SELECT document_id FROM idx_events WHERE issuer = ? AND kind = 'superseded'"
            " AND json_extract(fields, '$.replacementId') = ?",
            (key.issuer, key),
        ).fetchone()
        return None if row is None else str(row[0])

    # ------------------------------------------------------------------ work lists

    def worklist(self, member: str, role: str, state: str | None, limit: int, offset: int) -> dict[str, Any]:
        """An officer's queue: this member's documents as issuer or importer, newest first, by state.

        ``offset`` counts documents scanned, not returned; ``next_offset`` gives the next page.
        """
        if role == "issuer" and state in (DocumentState.PENDING, DocumentState.REFUSED):
            return self._unanchored(state, limit, offset)
        column = "issuer" if role == "issuer" else "importer"
        conn = self._db.read()
        found: list[dict[str, Any]] = []
        scanned = offset
        while len(found) < limit:
            rows = conn.execute(
                f"SELECT issuer, document_id FROM idx_documents WHERE {column} = ?"
                " ORDER BY block DESC, document_id LIMIT 500 OFFSET ?",
                (member, scanned),
            ).fetchall()
            if not rows:
                return {"documents": found, "next_offset": None}
            for row in rows:
                scanned += 1
                status = self.status(DocumentKey(row["issuer"], row["document_id"]))
                if state is None or status["state"] == state:
                    found.append(status)
                    if len(found) == limit:
                        break
        return {"documents": found, "next_offset": scanned}

    def _unanchored(self, state: str, limit: int, offset: int) -> dict[str, Any]:
        """This member's documents not anchored: still pending, or refused by the consortium."""
        refused = "IN" if state == DocumentState.REFUSED else "NOT IN"
        rows = (
            self._db.read()
            .execute(
                "SELECT o.document_id FROM outbox o"
                " WHERE NOT EXISTS (SELECT 1 FROM idx_documents d WHERE d.issuer = o.issuer"
                " AND d.document_id = o.document_id)"
                f" AND coalesce(o.batch_root, '') {refused} (SELECT root FROM batch_refusals)"
                " ORDER BY o.received_at DESC, o.document_id LIMIT ? OFFSET ?",
                (limit + 1, offset),
            )
            .fetchall()
        )
        found = [self.status(DocumentKey(self._member, row[0])) for row in rows[:limit]]
        return {"documents": found, "next_offset": offset + limit if len(rows) > limit else None}

    # ------------------------------------------------------------------ trail

    def trail(self, key: str) -> dict[str, Any]:
        key = self._key(key)
        status = self.status(key)
        conn = self._db.read()
        row = conn.execute(
            "SELECT * FROM idx_documents WHERE issuer = ? AND document_id = ?", (key.issuer, key)
        ).fetchone()
        events: list[dict[str, Any]] = []
        if row is not None:
            batch = conn.execute(
                "SELECT account, log_index FROM idx_batches WHERE issuer = ? AND root = ?",
                (row["issuer"], row["root"]),
            ).fetchone()
            events.append(
                {
                    "kind": "anchored",
                    "member": row["issuer"],
                    "account": batch["account"] if batch else None,
                    "block": row["block"],
                    "tx": row["tx_hash"],
                    "log_index": batch["log_index"] if batch else None,
                    "timestamp": iso(row["timestamp"]),
                    "fields": {"root": row["root"], "digest": row["digest"], "importer": row["importer"]},
                }
            )
        for event in conn.execute(
            "SELECT * FROM idx_events WHERE issuer = ? AND document_id = ? ORDER BY block, log_index",
            (key.issuer, key),
        ):
            if row is not None and not event_entitled(
                event["kind"], event["member"], key.issuer, row["importer"]
            ):
                continue
            events.append(
                {
                    "kind": event["kind"],
                    "member": event["member"],
                    "account": event["account"],
                    "block": event["block"],
                    "tx": event["tx_hash"],
                    "log_index": event["log_index"],
                    "timestamp": iso(event["timestamp"]),
                    "fields": json.loads(event["fields"]),
                }
            )
        check = conn.execute(
            "SELECT state, detail, checked_at FROM idx_payload_checks WHERE issuer = ? AND document_id = ?",
            (key.issuer, key),
        ).fetchone()
        payload_check = (
            None
            if check is None
            else {"state": check["state"], "detail": check["detail"], "checked_at": iso(check["checked_at"])}
        )
        return {
            "document_id": str(key),
            "status": status,
            "events": events,
            "payload_check": payload_check,
        }


def _quantity(total: int, claimed: int, unit: str | None) -> dict[str, Any] | None:
    if total == 0:
        return None
    return {
        "total": thousandths(total),
        "claimed": thousandths(claimed),
        "remaining": thousandths(max(total - claimed, 0)),
        "unit": unit,
    }


def _derive(row: Any, events: list[Any], supersedes: str | None) -> dict[str, Any]:
    revocation = rejection = verification = None
    superseded_by = None
    fully_utilised = False
    claimed = 0
    utilisations = []
    for event in events:
        # An event its member had no right to cause is never a state (the indexer drops those it can tell).
        if not event_entitled(event["kind"], event["member"], row["issuer"], row["importer"]):
            continue
        fields = json.loads(event["fields"])
        where = {"block": event["block"], "tx": event["tx_hash"], "at": iso(event["timestamp"])}
        kind = event["kind"]
        if kind == "revoked":
            revocation = {**reasons.recorded("revoke", fields), **where}
        elif kind == "superseded":
            superseded_by = fields["replacementId"]
        elif kind == "rejected":
            rejection = {**reasons.recorded("reject", fields), **where}
        elif kind == "accepted":
            claimed += int(fields["quantity"])
            fully_utilised = fully_utilised or bool(fields["fullyUtilised"])
            utilisations.append(
                {
                    "declaration": fields["declaration"],
                    "quantity": thousandths(int(fields["quantity"])),
                    "remaining": thousandths(int(fields["remaining"])),
                    "fully_utilised": bool(fields["fullyUtilised"]),
                    **where,
                }
            )
        elif kind == "verification_requested":
            verification = {
                "state": "open",
                "request_reason": fields["reason"],
                "answer_reason": None,
                **where,
            }
        elif kind == "verification_answered":
            base = verification or {"request_reason": None}
            verification = {
                **base,
                "state": "confirmed" if fields["confirmed"] else "not_confirmed",
                "answer_reason": fields["reason"],
                **where,
            }
    expires_at = int(row["expires_at"])
    expired = expires_at != 0 and time.time() >= expires_at
    if revocation:
        state = DocumentState.REVOKED
    elif superseded_by:
        state = DocumentState.SUPERSEDED
    elif rejection:
        state = DocumentState.REJECTED
    elif fully_utilised:
        state = DocumentState.ACCEPTED
    elif verification and verification["state"] == "open":
        state = DocumentState.UNDER_VERIFICATION
    elif expired:
        state = DocumentState.EXPIRED
    elif utilisations:
        state = DocumentState.PARTIALLY_ACCEPTED
    else:
        state = DocumentState.VALID
    return {
        "document_id": row["document_id"],
        "type": row["type_name"],
        "version": row["type_version"],
        "issuer": row["issuer"],
        "importer": row["importer"],
        "digest": row["digest"],
        "payload_cid": row["payload_cid"],
        "issued_at": iso(row["issued_at"]),
        "expires_at": iso(expires_at),
        "state": state,
        "anchor": {
            "root": row["root"],
            "block": row["block"],
            "tx": row["tx_hash"],
            "at": iso(row["timestamp"]),
        },
        "quantity": _quantity(int(row["quantity"]), claimed, row["quantity_unit"]),
        "revocation": revocation,
        "superseded_by": superseded_by,
        "supersedes": supersedes,
        "rejection": rejection,
        "verification": verification,
        "utilisations": utilisations,
    }
