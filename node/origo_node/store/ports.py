"""The store's ports: what the services, the batcher and the indexer need from persistence.

The SQLite repositories (``store/outbox.py``, ``index.py``, ``actions.py``, ``facts.py``, ``notify.py``)
implement them; a second backend (PostgreSQL) implements the same Protocols in a module of its own, chosen in
``runtime.Node``. Every method takes and returns the typed rows of ``store/rows.py`` (``webhook_rows.py`` for
the webhooks).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from origo_node.documents.action_failure import ActionFailure
from origo_node.documents.action_params import ActionParams
from origo_node.store.document_rows import DocumentRow
from origo_node.store.rows import (
    ActionRecord,
    DocumentEvent,
    IndexedBatch,
    IndexedDocument,
    MembershipEvent,
    OutboxEntry,
    OwnBatch,
    PayloadCheck,
)
from origo_node.store.webhook_rows import (
    ActiveSubscription,
    Delivery,
    DeliveryOutcome,
    DueDelivery,
    NotifyDocument,
    NotifyEvent,
    Subscription,
)


class OutboxStore(Protocol):
    def add(self, entries: Sequence[OutboxEntry], *, all_or_nothing: bool) -> set[str]:
        """Adds the entries whose id their issuer has not used already (in the outbox, or anchored); the ids
        that were. Another member's leaf carrying one of these ids (a squat) is another document and takes
        nothing. With ``all_or_nothing``, one taken id means nothing is added."""
        ...

    def get(self, document_id: str) -> OutboxEntry | None: ...

    def reference(self, document_id: str) -> str | None: ...

    def unbatched_count(self) -> int: ...

    def not_anchored_count(self) -> int:
        """Documents accepted and not anchored yet: not in a batch, or in one not counted as anchored (refused
        ones apart). Zero: every document is on chain."""
        ...

    def oldest_unbatched(self) -> tuple[int, float | None]:
        """How many documents wait for a batch, and when the oldest of them was accepted."""
        ...

    def unbatched(self, limit: int) -> list[OutboxEntry]:
        """The oldest documents not in a batch yet, in the order they were accepted."""
        ...

    def record_batch(
        self,
        root: str,
        manifest_cid: str,
        document_ids: Iterable[str],
        tx_hash: str | None,
        raw_tx: bytes | None,
    ) -> None:
        """The batch and its signed transaction (None: the chain refused to sign it, it stays built), and
        every document assigned to it: all or nothing."""
        ...

    def open_batches(self) -> list[OwnBatch]:
        """Batches built but not yet counted as anchored (refused ones included), oldest first."""
        ...

    def batch(self, root: str) -> OwnBatch | None: ...

    def replace_batch_tx(self, root: str, tx_hash: str, raw_tx: bytes) -> bool:
        """The batch's transaction, signed again (or for the first time, once the chain takes it); whether
        this lifted a refusal."""
        ...

    def record_refusal(self, root: str, rule: str, reason: str) -> str | None:
        """Records (or refreshes) why the chain refuses the batch; the reason recorded before, if any."""
        ...

    def refused_documents(self) -> tuple[int, str | None]:
        """How many documents sit in refused batches, and the latest refusal's reason."""
        ...

    def unanchored_ids(self, *, refused: bool, limit: int, offset: int) -> list[str]:
        """This member's documents not in the index yet, newest first: those in refused batches, or the
        others (still pending)."""
        ...

    def mark_anchored(self, root: str, block: int | None) -> int:
        """The batch counts as anchored; its documents' envelopes are in the payload store now, so the outbox
        forgets them. Returns the batch's size."""
        ...


class IndexStore(Protocol):
    def relax_durability(self) -> None:
        """Everything written here can be read from the chain again: commits need not wait for fsync."""
        ...

    def checkpoint(self) -> tuple[int, str] | None:
        """The last block fully indexed and its hash; None before the first chunk."""
        ...

    def drop(self) -> None:
        """Forget everything: the indexer replays the chain from the deployment block."""
        ...

    def store_chunk(
        self,
        batches: Sequence[IndexedBatch],
        events: Sequence[DocumentEvent],
        membership: Sequence[MembershipEvent],
        end: int,
        end_hash: str,
    ) -> None:
        """One chunk of blocks' events and the checkpoint after it, in one transaction (replays are
        harmless: the primary keys ignore what is there already)."""
        ...

    def manifests_due(self, limit: int) -> list[IndexedBatch]:
        """Batches whose manifest is still to be read, and may be tried now, in chain order."""
        ...

    def has_untried_manifest(self) -> bool: ...

    def manifest_failed(self, issuer: str, root: str, state: str, error: str, retry_base_s: float) -> None:
        """The manifest could not be had (``pending``: retried with a growing delay) or is ``invalid``."""
        ...

    def store_documents(self, batch: IndexedBatch, documents: Sequence[IndexedDocument]) -> None:
        """A batch's documents (the batch stored by ``store_chunk``; its root, block, transaction and time are
        theirs), and the batch marked indexed. First anchoring by the same issuer wins: a later batch of that
        issuer repeating an id cannot replace its facts (another member's leaf with the id is another
        document, with a row of its own)."""
        ...

    def store_rows(self, batches: Sequence[tuple[str, str, Sequence[DocumentRow]]]) -> None:
        """(issuer, root, rows) of several batches (``store.document_rows``), each stored as
        ``store_documents`` stores one, in the order given and in one transaction."""
        ...

    def document(self, issuer: str, document_id: str) -> IndexedDocument | None: ...

    def has_document(self, issuer: str, document_id: str) -> bool: ...

    def issuers_holding(self, documents: Sequence[tuple[str, str]]) -> set[str]:
        """Of (issuer, document id) pairs, the issuers whose document is indexed, in one query: a reference
        names a document id under every member's code, and issuing looks for all of them."""
        ...

    def issuers_of_id(self, document_id: str) -> set[str]:
        """Every member whose anchored leaf carries ``document_id``."""
        ...

    def batch(self, issuer: str, root: str) -> IndexedBatch | None: ...

    def events(self, issuer: str, document_id: str) -> list[DocumentEvent]: ...

    def predecessor_of(self, issuer: str, replacement_id: str) -> str | None:
        """The document of ``issuer`` that ``replacement_id`` superseded, if any."""
        ...

    def document_keys_of(self, member: str, role: str, offset: int, limit: int) -> list[tuple[str, str]]:
        """(issuer, id) of ``member``'s documents as issuer or importer, newest first."""
        ...

    def issuer_history(self, member: str, up_to_block: int) -> list[MembershipEvent]:
        """``member``'s IssuerAdded and IssuerRemoved events up to ``up_to_block``, in chain order."""
        ...

    def queue_payload_checks(self, keys: Sequence[tuple[str, str]]) -> None:
        """(issuer, id) of documents whose payload this node may read and should check."""
        ...

    def payload_checks_due(self, retry_unavailable_after_s: float, limit: int) -> list[tuple[str, str]]: ...

    def record_payload_checks(self, results: Sequence[tuple[str, str, PayloadCheck]]) -> None:
        """(issuer, id, what was found) for a round of checks, in one commit (each commit is an fsync)."""
        ...

    def payload_checks_waiting(self) -> int: ...

    def payload_check(self, issuer: str, document_id: str) -> PayloadCheck | None: ...

    def issuers_with_check(self, document_id: str, state: str) -> set[str]:
        """The members whose leaf carrying ``document_id`` had its payload check end in ``state``."""
        ...

    def readable_document_keys(self, excluding_type: str) -> list[tuple[str, str]]:
        """(issuer, id) of documents whose payload this node opened and found good, in chain order."""
        ...


class ActionStore(Protocol):
    def add(self, document_id: str, issuer: str, params: ActionParams) -> int:
        """A new action on the document ``(issuer, document_id)``, pending: the action sender signs and
        sends it."""
        ...

    def get(self, action_id: int) -> ActionRecord | None: ...

    def count(self) -> int: ...

    def open(self) -> list[ActionRecord]:
        """Actions pending or sent, oldest first."""
        ...

    def mark_sent(self, action_id: int, tx_hash: str, raw_tx: bytes) -> None: ...

    def mark_done(self, action_id: int, block: int) -> None: ...

    def mark_failed(self, action_id: int, failure: ActionFailure) -> None: ...

    def replace_tx(self, action_id: int, earlier: str, tx_hash: str, raw_tx: bytes) -> None:
        """The action's transaction sent again at a higher fee; ``earlier`` is kept among its earlier ones."""
        ...

    def earlier_txs(self, action_id: int) -> list[str]:
        """Hashes the action sent before its present transaction (any of them may be mined)."""
        ...

    def requeue(self, action_id: int) -> None:
        """Its signed bytes were dropped: back to pending, to be signed again."""
        ...


class FactStore(Protocol):
    def get(self, name: str) -> Any | None:
        """The fact's value (JSON), or None if it was never stored."""
        ...

    def put(self, name: str, value: Any) -> None: ...


class WebhookWriter(Protocol):
    """The webhook collector's writes, and the reads it makes between them, in one transaction."""

    def document(self, issuer: str, document_id: str) -> NotifyDocument | None: ...

    def reference(self, issuer: str, document_id: str) -> str | None:
        """The reference where this node knows it: it issued the document, or it decrypted the payload."""
        ...

    def stop_waiting(self, key: str) -> None: ...

    def wait(self, event: NotifyEvent) -> None:
        """Put aside until its document is indexed (its batch's manifest comes later)."""
        ...

    def record_event(self, key: str, event_type: str, document_id: str, body: str, now: float) -> int | None:
        """The event's sequence number; None if it was recorded before (a rebuilt index)."""
        ...

    def queue(self, subscription_id: int, event_seq: int, document_key: str, now: float) -> None: ...

    def move(self, name: str, rowid: int, key: str) -> None: ...


class WebhookStore(Protocol):
    """Webhook subscriptions, their delivery queue, and the index rows the collector follows."""

    def add_subscription(
        self, url: str, secret: str, events: Sequence[str], description: str, now: float
    ) -> int: ...

    def subscription(self, subscription_id: int) -> Subscription | None: ...

    def secret(self, subscription_id: int) -> str | None: ...

    def subscriptions(self) -> list[Subscription]: ...

    def active(self) -> list[ActiveSubscription]: ...

    def delete_subscription(self, subscription_id: int, now: float) -> None:
        """Deleted, and its pending deliveries cancelled, in one transaction."""
        ...

    def deliveries(self, subscription_id: int, *, state: str | None, limit: int) -> list[Delivery]: ...

    def due(self, now: float, limit: int) -> list[DueDelivery]:
        """Pending deliveries due, none of them behind a pending one of the same document and subscriber."""
        ...

    def record_outcomes(self, outcomes: Sequence[DeliveryOutcome]) -> None: ...

    def new_documents(self, limit: int) -> list[NotifyDocument]: ...

    def skip_unwatched_documents(self) -> bool:
        """With no subscription, the documents cursor moves past every document indexed so far (True, also
        when it is past them already); False, and nothing moved, when there is one."""
        ...

    def new_events(self, limit: int) -> tuple[list[NotifyEvent], int | None]: ...

    def waiting_ready(self) -> list[NotifyEvent]: ...

    def collecting(self) -> AbstractContextManager[WebhookWriter]: ...
