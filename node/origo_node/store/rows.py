"""The rows the repositories hand out and take in: typed values, whatever backend stores them."""

from __future__ import annotations

from dataclasses import dataclass

from origo_node.documents.action_failure import ActionFailure
from origo_node.documents.action_params import ActionParams
from origo_node.documents.event_fields import EventFields
from origo_node.documents.leaf import Leaf
from origo_node.membership_fields import MembershipFields

# ---------------------------------------------------------------- what this node accepted and sends


@dataclass(frozen=True)
class OutboxLeaf:
    """What this node signed for an accepted document and anchors for it: the leaf, and what the batch's
    manifest carries beside it (``anchoring.batch_manifest.ManifestEntry``)."""

    leaf: Leaf
    type_name: str
    type_version: str
    # One per item of the leaf's quantities: the unit the item counts in, None where it gives no quantity.
    quantity_units: tuple[str | None, ...]
    recipients: tuple[str, ...]

    @property
    def digest(self) -> str:
        """The anchored digest, 0x-hex."""
        return "0x" + self.leaf.digest.hex()


@dataclass(frozen=True)
class OutboxEntry:
    """A document this node accepted (written before the API answers 202) and must anchor exactly once."""

    document_id: str  # 0x-hex
    reference: str
    doc_type: str
    version: str
    issuer: str
    importer: str
    leaf: OutboxLeaf
    payload_cid: str
    envelope: bytes | None  # the encrypted payload, until it is in the payload store
    signature: str
    signer: str
    supersedes: str | None
    received_at: float
    batch_root: str | None = None


@dataclass(frozen=True)
class BatchRefusal:
    """Why the consortium refuses one of this node's batches (its member suspended or removed in flight)."""

    rule: str  # the contract's error name, e.g. RegistryNotIssuer
    reason: str  # plain words with the facts
    refused_at: float
    tried_at: float  # the last time the batcher asked the chain again


@dataclass(frozen=True)
class OwnBatch:
    """A batch this node built, open until it counts as anchored (no transaction while the chain refuses
    it)."""

    root: str
    manifest_cid: str
    count: int
    tx_hash: str | None
    raw_tx: bytes | None
    refusal: BatchRefusal | None = None


@dataclass(frozen=True)
class ActionRecord:
    """An officer's action on a document, sent as one transaction exactly once. The document is named by
    its issuer and id; ``issuer`` is None for an action recorded before (only this member's own document)."""

    id: int
    document_id: str
    issuer: str | None
    params: ActionParams
    state: str  # pending, sent, done, failed
    tx_hash: str | None
    raw_tx: bytes | None
    block: int | None
    #: Why it failed (state failed only).
    error: ActionFailure | None

    @property
    def kind(self) -> str:
        return self.params.KIND


# ---------------------------------------------------------------- the index (derived from the chain)


@dataclass(frozen=True)
class IndexedBatch:
    root: str
    issuer: str
    account: str
    count: int
    manifest_cid: str
    block: int
    tx_hash: str
    log_index: int
    timestamp: int
    attempts: int = 0


@dataclass(frozen=True)
class IndexedDocument:
    """An anchored document as every member's index holds it (first anchoring wins)."""

    document_id: str
    document_type: str
    digest: str
    issuer: str
    importer: str
    issued_at: int
    expires_at: int
    # One per item in the document's order, in thousandths of that item's unit; 0: the item gives no quantity.
    quantities: tuple[int, ...]
    payload_cid: str
    signature: str
    signer: str
    root: str
    block: int
    tx_hash: str
    timestamp: int
    type_name: str | None
    type_version: str | None
    quantity_units: tuple[str | None, ...]  # each item's unit (None where it gives no quantity)
    recipients: tuple[str, ...]


@dataclass(frozen=True)
class DocumentEvent:
    """One life-cycle event of a document (revoked, accepted, ...), in chain order."""

    block: int
    log_index: int
    tx_hash: str
    document_id: str
    issuer: str  # the issuer of the document the event names (a document is named by issuer and id)
    kind: str
    member: str  # the member that acted
    account: str
    timestamp: int
    #: What the event carries besides, typed per kind (stored as the chain named it: ``as_json``).
    fields: EventFields


@dataclass(frozen=True)
class MembershipEvent:
    block: int
    log_index: int
    tx_hash: str
    kind: str
    member: str | None
    timestamp: int
    #: The event's arguments, typed per kind (stored as the chain adapter decoded them: ``as_json``).
    fields: MembershipFields


@dataclass(frozen=True)
class PayloadCheck:
    """What this node learnt by opening a payload it may read."""

    # pending, ok, digest_mismatch, bad_signature, id_mismatch, facts_mismatch, not_a_recipient, unavailable
    state: str
    detail: str | None
    reference: str | None
    checked_at: float | None


@dataclass(frozen=True)
class AnchoringBacklog:
    #: Accepted documents not in a mined batch yet (unbatched, or in a batch sent but not mined).
    pending: int
    #: When the oldest of them was accepted (unix time), None when nothing waits.
    oldest_at: float | None
    accepted_total: int
    anchored_total: int
