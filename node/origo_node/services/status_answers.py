"""The status service's other answers, typed: a document's trail, an officer's work list, a payload check.

Like ``DocumentStatus`` they are frozen, and ``answer`` gives the API's answer (``Trail``, ``WorkList``,
``PayloadCheckAnswer`` in origo_api) exactly as every node has sent it.
"""

from __future__ import annotations

from dataclasses import dataclass

from origo_api import answers
from origo_api.answers import MISSING

from origo_node.documents.event_fields import EventFields
from origo_node.services.document_status import DocumentStatus


@dataclass(frozen=True, kw_only=True)
class PayloadCheck:
    """What this node found when it read the document's payload: ``ok``, or what was wrong with it."""

    state: str
    detail: str | None
    checked_at: str | None

    def answer(self) -> answers.PayloadCheckAnswer:
        return answers.PayloadCheckAnswer(state=self.state, detail=self.detail, checked_at=self.checked_at)


@dataclass(frozen=True, kw_only=True)
class TrailEvent:
    """One event of a document's trail: the anchoring, then each life-cycle event, in chain order.

    ``fields`` are the event's own, typed per kind; the answer shows them as the chain named them."""

    kind: str
    member: str
    account: str | None
    block: int
    tx: str
    log_index: int | None
    timestamp: str | None
    fields: EventFields

    def answer(self) -> answers.TrailEvent:
        return answers.TrailEvent(
            kind=self.kind,
            member=self.member,
            account=self.account,
            block=self.block,
            tx=self.tx,
            log_index=self.log_index,
            timestamp=self.timestamp,
            fields=self.fields.as_json(),  # the chain's own names, as the index stores them
        )


@dataclass(frozen=True, kw_only=True)
class Trail:
    """A document's status with every event that led to it, and this node's check of its payload."""

    document_id: str
    status: DocumentStatus
    events: tuple[TrailEvent, ...]
    payload_check: PayloadCheck | None

    def answer(self) -> answers.Trail:
        return answers.Trail(
            document_id=self.document_id,
            status=self.status.answer(),
            events=[event.answer() for event in self.events],
            payload_check=None if self.payload_check is None else self.payload_check.answer(),
        )


@dataclass(frozen=True, kw_only=True)
class ListedDocument:
    """A document in a work list: its status, and what this member found in its payload (anchored ones
    only: a certificate whose figures are not the chain's must stand out in the queue)."""

    status: DocumentStatus
    payload_check: PayloadCheck | None = None
    #: False for this member's documents not anchored, which the list shows without a payload check.
    with_payload_check: bool = True

    def answer(self) -> answers.ListedDocument:
        if not self.with_payload_check:
            return self.status.listed(MISSING)
        return self.status.listed(None if self.payload_check is None else self.payload_check.answer())


@dataclass(frozen=True, kw_only=True)
class WorkList:
    """An officer's queue, newest first; ``next_offset`` is None at the end."""

    documents: tuple[ListedDocument, ...]
    next_offset: int | None

    def answer(self) -> answers.WorkList:
        return answers.WorkList(
            documents=[listed.answer() for listed in self.documents], next_offset=self.next_offset
        )
