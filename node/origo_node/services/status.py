"""A document's public status, from the index alone (no chain round trip), and its trail of events."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import time
from typing import Any

from origo_api.states import DocumentState

from origo_node.documents import document_id as derive_document_id
from origo_node.errors import NotFound, ValidationFailed
from origo_node.members import MemberDirectory
from origo_node.store.db import Database

_ID = re.compile(r"^0x[0-9a-fA-F]{64}$")
_QUALIFIED = re.compile(r"^([A-Z]{2}):(.+)$")


def iso(ts: int | float | None) -> str | None:
    if ts is None or ts == 0:
        return None
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def thousandths(value: int) -> str:
    return f"{value // 1000}.{value % 1000:03d}"


class StatusService:
    def __init__(self, db: Database, directory: MemberDirectory) -> None:
        self._db = db
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
        conn = self._db.read()
        codes = {m.code for m in self._directory.all()} or set()
        for code in sorted(codes):
            candidate = "0x" + derive_document_id(code, key).hex()
            if _exists(conn, candidate):
                return candidate
        raise NotFound(f"no member issued a document with reference {key!r}")

    # ------------------------------------------------------------------ status

    def status(self, document_id: str) -> dict[str, Any]:
        """The public status; ``NotFound`` if neither anchored nor pending here."""
        conn = self._db.read()
        row = conn.execute("SELECT * FROM idx_documents WHERE document_id = ?", (document_id,)).fetchone()
        if row is None:
            return self._pending(conn, document_id)
        events = conn.execute(
            "SELECT * FROM idx_events WHERE document_id = ? ORDER BY block, log_index", (document_id,)
        ).fetchall()
        status = _derive(row, events, self._supersedes(conn, document_id))
        status["reference"] = self._known_reference(conn, document_id)
        return status

    def _known_reference(self, conn: sqlite3.Connection, document_id: str) -> str | None:
        """The reference, when this node knows it: it issued the document, or it could read the payload.

        The chain has only the id (a hash of issuer and reference), so other members' references stay private.
        """
        for query in (
            "SELECT reference FROM outbox WHERE document_id = ?",
            "SELECT reference FROM idx_payload_checks WHERE document_id = ? AND reference IS NOT NULL",
        ):
            row = conn.execute(query, (document_id,)).fetchone()
            if row is not None:
                return str(row[0])
        return None

    def _pending(self, conn: sqlite3.Connection, document_id: str) -> dict[str, Any]:
        row = conn.execute("SELECT * FROM outbox WHERE document_id = ?", (document_id,)).fetchone()
        if row is None:
            raise NotFound(f"document {document_id} is unknown to this node")
        leaf = json.loads(row["leaf"])
        return {
            "document_id": document_id,
            "reference": row["reference"],
            "type": row["doc_type"],
            "version": row["version"],
            "issuer": row["issuer"],
            "importer": row["importer"],
            "digest": leaf["digest"],
            "payload_cid": row["payload_cid"],
            "issued_at": iso(leaf["issuedAt"]),
            "expires_at": iso(leaf["expiresAt"]),
            "state": DocumentState.PENDING,
            "anchor": None,
            "batch_root": row["batch_root"],
            "quantity": _quantity(int(leaf["quantity"]), 0, leaf["meta"]["quantity_unit"]),
            "revocation": None,
            "superseded_by": None,
            "supersedes": row["supersedes"],
            "rejection": None,
            "verification": None,
            "utilisations": [],
        }

    def _supersedes(self, conn: sqlite3.Connection, document_id: str) -> str | None:
        row = conn.execute(
            "SELECT document_id FROM idx_events"
            " WHERE kind = 'superseded' AND json_extract(fields, '$.replacementId') = ?",
            (document_id,),
        ).fetchone()
        return None if row is None else str(row[0])

    # ------------------------------------------------------------------ work lists

    def worklist(self, member: str, role: str, state: str | None, limit: int, offset: int) -> dict[str, Any]:
        """An officer's queue: this member's documents as issuer or importer, newest first, by state.

        ``offset`` counts documents scanned, not returned; ``next_offset`` gives the next page.
        """
        column = "issuer" if role == "issuer" else "importer"
        conn = self._db.read()
        found: list[dict[str, Any]] = []
        scanned = offset
        while len(found) < limit:
            rows = conn.execute(
                f"SELECT document_id FROM idx_documents WHERE {column} = ?"
                " ORDER BY block DESC, document_id LIMIT 500 OFFSET ?",
                (member, scanned),
            ).fetchall()
            if not rows:
                return {"documents": found, "next_offset": None}
            for row in rows:
                scanned += 1
                status = self.status(row["document_id"])
                if state is None or status["state"] == state:
                    found.append(status)
                    if len(found) == limit:
                        break
        return {"documents": found, "next_offset": scanned}

    # ------------------------------------------------------------------ trail

    def trail(self, document_id: str) -> dict[str, Any]:
        status = self.status(document_id)
        conn = self._db.read()
        row = conn.execute("SELECT * FROM idx_documents WHERE document_id = ?", (document_id,)).fetchone()
        events: list[dict[str, Any]] = []
        if row is not None:
            batch = conn.execute(
                "SELECT account, log_index FROM idx_batches WHERE root = ?", (row["root"],)
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
            "SELECT * FROM idx_events WHERE document_id = ? ORDER BY block, log_index", (document_id,)
        ):
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
            "SELECT state, detail, checked_at FROM idx_payload_checks WHERE document_id = ?", (document_id,)
        ).fetchone()
        payload_check = (
            None
            if check is None
            else {"state": check["state"], "detail": check["detail"], "checked_at": iso(check["checked_at"])}
        )
        return {
            "document_id": document_id,
            "status": status,
            "events": events,
            "payload_check": payload_check,
        }


def _exists(conn: sqlite3.Connection, document_id: str) -> bool:
    for table in ("idx_documents", "outbox"):
        if conn.execute(f"SELECT 1 FROM {table} WHERE document_id = ?", (document_id,)).fetchone():
            return True
    return False


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
        fields = json.loads(event["fields"])
        where = {"block": event["block"], "tx": event["tx_hash"], "at": iso(event["timestamp"])}
        kind = event["kind"]
        if kind == "revoked":
            revocation = {"reason_code": fields["reasonCode"], "reason": fields["reason"], **where}
        elif kind == "superseded":
            superseded_by = fields["replacementId"]
        elif kind == "rejected":
            rejection = {"reason_code": fields["reasonCode"], "reason": fields["reason"], **where}
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
