"""A document's life cycle as a pure function: its anchored facts and its events in, its public status out.

Every member's node derives the same status from the same index rows; nothing here reads a clock, a store or
the chain (``now`` is given), so the rules are tested directly (tests/node/unit/test_lifecycle.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from origo_api.states import DocumentState

from origo_node import reasons
from origo_node.chain.events import event_entitled
from origo_node.store.rows import DocumentEvent, IndexedDocument


def iso(ts: int | float | None) -> str | None:
    if ts is None or ts == 0:
        return None
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def thousandths(value: int) -> str:
    return f"{value // 1000}.{value % 1000:03d}"


def quantity_of(total: int, claimed: int, unit: str | None) -> dict[str, Any] | None:
    if total == 0:
        return None
    return {
        "total": thousandths(total),
        "claimed": thousandths(claimed),
        "remaining": thousandths(max(total - claimed, 0)),
        "unit": unit,
    }


def derive_status(
    row: IndexedDocument, events: Sequence[DocumentEvent], supersedes: str | None, now: float
) -> dict[str, Any]:
    """The public status of an anchored document: its state and everything that led to it."""
    revocation = rejection = verification = None
    superseded_by = None
    fully_utilised = False
    claimed = 0
    utilisations = []
    for event in events:
        # An event its member had no right to cause is never a state (the indexer drops those it can tell).
        if not event_entitled(event.kind, event.member, row.issuer, row.importer):
            continue
        fields = event.fields
        where = {"block": event.block, "tx": event.tx_hash, "at": iso(event.timestamp)}
        kind = event.kind
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
    expires_at = row.expires_at
    expired = expires_at != 0 and now >= expires_at
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
        "document_id": row.document_id,
        "type": row.type_name,
        "version": row.type_version,
        "issuer": row.issuer,
        "importer": row.importer,
        "digest": row.digest,
        "payload_cid": row.payload_cid,
        "issued_at": iso(row.issued_at),
        "expires_at": iso(expires_at),
        "state": state,
        "anchor": {
            "root": row.root,
            "block": row.block,
            "tx": row.tx_hash,
            "at": iso(row.timestamp),
        },
        "quantity": quantity_of(row.quantity, claimed, row.quantity_unit),
        "revocation": revocation,
        "superseded_by": superseded_by,
        "supersedes": supersedes,
        "rejection": rejection,
        "verification": verification,
        "utilisations": utilisations,
    }
