"""Turns what the indexer wrote into events for this member's subscriptions, after the fact.

The indexer is left alone: the collector follows ``idx_documents`` and ``idx_events`` by rowid (a cursor that
also remembers the key of the row it stopped at, so that a dropped and rebuilt index is noticed and scanned
again). Every event is recorded once under a key the chain fixes, so rescanning sends nothing twice; a
subscription receives only events that happened on chain after it was created (a rebuilt index does not
send history to it).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from origo_node import reasons
from origo_node.documents.event_kinds import EventKind
from origo_node.notify.subscriptions import NotifyStore
from origo_node.services.lifecycle import thousandths
from origo_node.store.ports import WebhookWriter
from origo_node.store.webhook_rows import ActiveSubscription, NotifyDocument

#: Index event kinds and the event types subscribers see.
_KINDS: dict[str, str] = {
    EventKind.REVOKED: "document.revoked",
    EventKind.SUPERSEDED: "document.superseded",
    EventKind.ACCEPTED: "document.claimed",
    EventKind.REJECTED: "document.rejected",
    EventKind.VERIFICATION_REQUESTED: "verification.requested",
    EventKind.VERIFICATION_ANSWERED: "verification.answered",
}
EVENT_TYPES = ("document.anchored", *_KINDS.values())
_CHUNK = 500
#: Block timestamps may lag the node's clock: events this much older than a subscription still reach it.
_CLOCK_SLACK_S = 60.0


class Collector:
    def __init__(
        self,
        store: NotifyStore,
        member: str,
        describe: Callable[[str, dict[str, Any]], dict[str, Any]] | None = None,
    ) -> None:
        self._repository = store.repository
        self._member = member
        #: Adds plain-language facts to an event's fields; by default the reason's label.
        self._describe = describe or _with_label

    def run_once(self) -> int:
        subscriptions = self._repository.active()
        collected = self._collect_documents(subscriptions)
        collected += self._collect_events(subscriptions)
        return collected

    # ------------------------------------------------------------------ anchored documents

    def _collect_documents(self, subscriptions: list[ActiveSubscription]) -> int:
        if not subscriptions and self._repository.skip_unwatched_documents():
            return 0  # nobody to tell: no event is recorded for a document anchored before its subscription
        documents = self._repository.new_documents(_CHUNK)
        if not documents:
            return 0
        collected = 0
        with self._repository.collecting() as writer:
            for document in documents:
                if self._member in (document.issuer, document.importer) and subscriptions:
                    body = self._body(writer, document, "document.anchored", document.issuer, None)
                    body["anchor"] = {"root": document.root, "block": document.block, "tx": document.tx_hash}
                    key = f"anchored:{document.issuer}:{document.document_id}"
                    collected += self._record(writer, subscriptions, key, body, document.timestamp)
            last = documents[-1]
            writer.move("documents", last.rowid, f"{last.issuer}:{last.document_id}")
        return collected

    # ------------------------------------------------------------------ life-cycle events

    def _collect_events(self, subscriptions: list[ActiveSubscription]) -> int:
        new, last_rowid = self._repository.new_events(_CHUNK)
        waiting = self._repository.waiting_ready()
        if not new and not waiting:
            return 0
        collected = 0
        with self._repository.collecting() as writer:
            for event in [*waiting, *new]:
                writer.stop_waiting(event.key)
                document = writer.document(event.issuer, event.document_id)
                if document is None:  # its batch's manifest is not indexed yet: the document comes later
                    writer.wait(event)
                    continue
                if self._member not in (document.issuer, document.importer) or not subscriptions:
                    continue
                fields = self._describe(event.kind, json.loads(event.fields))
                if event.kind == EventKind.ACCEPTED:
                    fields = _claim_in_words(fields, document.quantity_units)
                body = self._body(writer, document, _KINDS[event.kind], event.member, fields)
                body["block"], body["tx"] = event.block, event.tx_hash
                collected += self._record(writer, subscriptions, event.key, body, event.timestamp)
            if new and last_rowid is not None:
                writer.move("events", last_rowid, new[-1].key)
        return collected

    # ------------------------------------------------------------------ recording

    def _body(
        self,
        writer: WebhookWriter,
        document: NotifyDocument,
        event_type: str,
        by: str,
        fields: dict[str, Any] | None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": event_type,
            "document_id": document.document_id,
            "reference": writer.reference(document.issuer, document.document_id),
            "document_type": document.type_name,
            "issuer": document.issuer,
            "importer": document.importer,
            "by": by,
            "role": "issuer" if document.issuer == self._member else "importer",
        }
        if fields is not None:
            body["details"] = fields
        return body

    def _record(
        self,
        writer: WebhookWriter,
        subscriptions: list[ActiveSubscription],
        key: str,
        body: dict[str, Any],
        chain_time: int,
    ) -> int:
        body = {
            "id": key,
            **body,
            "occurred_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(chain_time)),
        }
        encoded = json.dumps(body, separators=(",", ":"), sort_keys=True)
        now = time.time()
        seq = writer.record_event(key, body["type"], body["document_id"], encoded, now)
        if seq is None:
            return 0  # recorded before (a rebuilt index): its deliveries exist already
        for subscription in subscriptions:
            if body["type"] in subscription.events and chain_time >= subscription.created_at - _CLOCK_SLACK_S:
                writer.queue(subscription.id, seq, f"{body['issuer']}:{body['document_id']}", now)
        return 1


def _claim_in_words(fields: dict[str, Any], units: tuple[str | None, ...]) -> dict[str, Any]:
    """An accept event's claims as the API shows them: items numbered from 1 as on the form, decimal
    quantities in each item's unit (the chain counts items from 0, in thousandths)."""
    claims = [
        {
            "item": int(c["item"]) + 1,
            "quantity": thousandths(int(c["quantity"])),
            "unit": units[int(c["item"])] if int(c["item"]) < len(units) else None,
        }
        for c in fields.get("claims", [])
    ]
    return {**fields, "claims": claims, "whole_certificate": not claims}


#: What a verification event means for the certificate (ATIGA OCP), in the words and states the API uses.
_VERIFICATION_OUTCOMES = {
    EventKind.VERIFICATION_REQUESTED: {
        "verification": "open",
        "claimable": False,
        "meaning": "the preference is suspended until the issuing authority answers",
    },
    True: {
        "verification": "confirmed",
        "claimable": True,
        "meaning": "the issuing authority confirmed the origin",
    },
    False: {
        "verification": "not_confirmed",
        "claimable": False,
        "meaning": "the issuing authority did not confirm the origin: not usable for the preference",
    },
}


def _with_label(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    """A revocation's or rejection's fields with the label of its reason code; a verification's with what it
    means for the certificate (``outcome``: the verification's state as the status gives it, whether the
    certificate can be claimed, in words; a revocation or rejection still outranks it)."""
    if kind == EventKind.VERIFICATION_REQUESTED:
        return {**fields, "outcome": _VERIFICATION_OUTCOMES[kind]}
    if kind == EventKind.VERIFICATION_ANSWERED:
        return {**fields, "outcome": _VERIFICATION_OUTCOMES[bool(fields.get("confirmed"))]}
    if kind in (EventKind.REVOKED, EventKind.REJECTED) and "reasonCode" in fields:
        action = "revoke" if kind == EventKind.REVOKED else "reject"
        return {**fields, "label": reasons.label(action, fields["reasonCode"])}
    return fields
