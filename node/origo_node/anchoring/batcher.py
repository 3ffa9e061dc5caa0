"""The batcher: anchors the outbox as Merkle batches, exactly once, whatever crashes or outages happen.

One round (``run_once``):
1. finish any batch already built (a crash or an outage may have left one): if the chain has its root, it is
   done; else rebroadcast the same signed bytes, or re-sign with a fresh nonce if they were dropped;
2. take the oldest unbatched documents, put their payloads and the batch manifest in the payload store,
sign the
   ``anchorBatch`` transaction, and in ONE database transaction record the batch (with the signed bytes) and
   assign the documents to it; only then broadcast.
A document belongs to exactly one batch (step 2's transaction), and the contract refuses a root twice for one
member (``RegistryBatchExists``), so no crash can anchor a document twice; and nothing leaves the outbox
unanchored, because step 1 runs before anything new.

Roots are per member on chain: another member anchoring the same root first blocks nothing, and a batch counts
as anchored only when the chain holds its root for this member, ``confirmations`` blocks deep.

When the chain refuses a batch (this member was suspended or removed, or its issuing account taken away, while
the batch was in flight), the batch is kept as built with the reason: its documents show as "refused", in the
officers' work list and in health. Every ``_REFUSAL_RETRY_S`` the batcher asks the chain again, and once it
would take the batch (the member reinstated) signs it again, unchanged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from origo_node.anchoring import batch_manifest
from origo_node.anchoring.batch_manifest import ManifestEntry
from origo_node.chain import calls
from origo_node.chain.merkle import MerkleTree
from origo_node.chain.port import Call, ChainPort, SignedTx
from origo_node.chain.sender import TxSender
from origo_node.errors import ChainRuleViolated, OrigoError
from origo_node.payload import PayloadStore
from origo_node.store.ports import OutboxStore

log = logging.getLogger(__name__)
# Batches signed and sent but not yet mined. More than one lets the next batch be built while one waits for
# its block; a few at most keep a dropped transaction's successors from piling up behind its nonce.
_MAX_OPEN_BATCHES = 3
# How often a refused batch is tried again (one simulated call): a reinstatement is noticed within this time.
_REFUSAL_RETRY_S = 5.0
_MEMBER_STATUS = {1: "active", 2: "suspended", 3: "removed"}


@dataclass(frozen=True)
class BatchPolicy:
    interval_s: float
    max_documents: int
    #: Blocks on top of a batch's before it counts as anchored; until then a reorganisation may drop it, and
    #: a batch that disappears is sent again.
    confirmations: int = 0
    #: A batch sent this long ago and still pending is sent again at a higher fee (its fee was too low).
    replace_after_s: float = 60.0


@dataclass(frozen=True, kw_only=True)
class AnchoringRefused:
    """Accepted documents the consortium refuses to anchor (this member suspended or removed while they were
    in flight): an officer must act. ``reason`` is the latest refusal's, in words."""

    documents: int
    reason: str | None

    def as_json(self) -> dict[str, object]:
        return {"documents": self.documents, "reason": self.reason}


class Batcher:
    def __init__(
        self,
        outbox: OutboxStore,
        chain: ChainPort,
        sender: TxSender,
        payloads: PayloadStore,
        member: str,
        policy: BatchPolicy,
    ) -> None:
        self._outbox = outbox
        self._chain = chain
        self._pending_since: dict[str, float] = {}
        self._sender = sender
        self._payloads = payloads
        self._member = member
        self._policy = policy

    # ------------------------------------------------------------------ rounds

    def run_once(self, *, force: bool = False) -> int:
        """Finishes open batches, then anchors one new batch if one is due; returns documents anchored."""
        anchored = self._finish_open_batches()
        in_flight = [b for b in self._outbox.open_batches() if b.refusal is None]
        if (force or self._due()) and len(in_flight) < _MAX_OPEN_BATCHES:
            anchored += self._anchor_new_batch()
        return anchored

    def pending_count(self) -> int:
        """Documents accepted and not anchored yet (refused ones are counted apart, by ``refused``)."""
        return self._outbox.not_anchored_count()

    def refusal(self) -> AnchoringRefused | None:
        """Documents the consortium refused to anchor, and the latest reason; None when there are none."""
        count, reason = self._outbox.refused_documents()
        return None if count == 0 else AnchoringRefused(documents=count, reason=reason)

    def _due(self) -> bool:
        count, oldest = self._outbox.oldest_unbatched()
        if count == 0 or oldest is None:
            return False
        return count >= self._policy.max_documents or time.time() - oldest >= self._policy.interval_s

    # ------------------------------------------------------------------ new batches

    def _anchor_new_batch(self) -> int:
        waiting = self._outbox.unbatched(self._policy.max_documents)
        if not waiting:
            return 0
        entries = []
        envelopes = []
        for item in waiting:
            if item.envelope is not None:
                envelopes.append(item.envelope)
            entries.append(
                ManifestEntry(
                    leaf=item.leaf.leaf,
                    payload_cid=item.payload_cid,
                    signature=bytes.fromhex(item.signature.removeprefix("0x")),
                    signer=item.signer,
                    type_name=item.leaf.type_name,
                    type_version=item.leaf.type_version,
                    quantity_units=item.leaf.quantity_units,
                    recipients=item.leaf.recipients,
                )
            )
        tree = MerkleTree([entry.leaf for entry in entries])
        root = tree.root
        # The payloads and the manifest reach the store (durably, one sync for all) before the root leaves
        # for the chain: nobody sees an anchored batch whose manifest or payloads are missing. A PayloadError
        # here leaves the documents pending; the next round tries again.
        stored = self._payloads.put_many([*envelopes, batch_manifest.encode(self._member, root, entries)])
        manifest_cid = stored[-1]
        self._payloads.pin(manifest_cid)
        call = calls.anchor_batch(root, len(entries), manifest_cid)
        root_hex = "0x" + root.hex()
        ids = [item.document_id for item in waiting]
        try:
            signed = self._sender.prepare(call)
        except ChainRuleViolated as exc:  # e.g. our member was suspended: the batch is kept, refused
            self._outbox.record_batch(root_hex, manifest_cid, ids, None, None)
            self._refuse(root_hex, exc)
            return 0
        with self._sender_released_on_failure(signed):
            self._outbox.record_batch(root_hex, manifest_cid, ids, signed.tx_hash, signed.raw)
        log.info("batch %s of %d documents signed as %s", root_hex, len(entries), signed.tx_hash)
        # Not waiting for the receipt: the next batch can be built and sent while this one is mined (the
        # next rounds collect the receipt).
        return self._drive(root_hex, signed)

    # ------------------------------------------------------------------ open batches

    def _finish_open_batches(self) -> int:
        anchored = 0
        for batch in self._outbox.open_batches():
            if batch.refusal is not None or batch.tx_hash is None or batch.raw_tx is None:
                if batch.refusal is None or time.time() - batch.refusal.tried_at >= _REFUSAL_RETRY_S:
                    self._resign(batch.root)
                continue
            signed = SignedTx(tx_hash=batch.tx_hash, raw=batch.raw_tx, nonce=-1)
            anchored += self._drive(batch.root, signed)
        return anchored

    def _drive(self, root_hex: str, signed: SignedTx) -> int:
        """Moves one recorded batch towards being anchored; its size once it is, 0 while it is not yet."""
        receipt = self._sender.receipt(signed.tx_hash)
        if receipt is None:
            if self._chain.batch(self._member, bytes.fromhex(root_hex[2:])) is not None:
                # Mined under another transaction (signed again after a drop, or at a higher fee).
                return self._confirm(root_hex, None)
            if not self._sender.resend(signed):
                self._resign(root_hex)
            elif self._stuck(root_hex):
                self._replace(root_hex, signed)
            return 0
        if receipt.ok or self._chain.batch(self._member, bytes.fromhex(root_hex[2:])) is not None:
            return self._confirm(root_hex, receipt.block)
        log.error("batch %s reverted in %s; signing it again", root_hex, signed.tx_hash)
        self._resign(root_hex)
        return 0

    def _confirm(self, root_hex: str, block: int | None) -> int:
        """The batch is in the chain; it counts as anchored once ``confirmations`` blocks are on top of it.
        Until then it stays open, so that a reorganisation that drops it finds it here and sends it again."""
        self._pending_since.pop(root_hex, None)
        if self._policy.confirmations > 0:
            if block is None:
                found = self._chain.batch(self._member, bytes.fromhex(root_hex[2:]))
                block = None if found is None else found.block
            if block is None or self._chain.head() - block < self._policy.confirmations:
                return 0
        return self._mark_mined(root_hex, block)

    def _stuck(self, root_hex: str) -> bool:
        since = self._pending_since.setdefault(root_hex, time.monotonic())
        return time.monotonic() - since >= self._policy.replace_after_s

    def _call_of(self, root_hex: str) -> Call:
        batch = self._outbox.batch(root_hex)
        assert batch is not None, root_hex  # only batches recorded here are driven
        return calls.anchor_batch(bytes.fromhex(root_hex[2:]), batch.count, batch.manifest_cid)

    def _replace(self, root_hex: str, signed: SignedTx) -> None:
        """Still pending after ``replace_after_s``: the same batch at the same nonce with a higher fee."""
        try:
            replacement = self._sender.replace(signed, self._call_of(root_hex))
        except ChainRuleViolated:
            return  # the original was mined meanwhile: the next round finds the root on the chain
        if replacement is None:
            return
        self._record_tx(root_hex, replacement)
        self._pending_since[root_hex] = time.monotonic()
        log.warning(
            "batch %s pending too long; sent again at a higher fee as %s", root_hex, replacement.tx_hash
        )
        self._sender.broadcast(replacement.raw)

    def _resign(self, root_hex: str) -> None:
        """The signed bytes can no longer be mined (dropped, nonce reused): sign the same batch again."""
        self._sender.resync()
        try:
            signed = self._sender.prepare(self._call_of(root_hex))
        except ChainRuleViolated as exc:
            if exc.details.get("rule") == "RegistryBatchExists":  # this member's root: ours, mined meanwhile
                self._confirm(root_hex, None)
            else:
                self._refuse(root_hex, exc)
            return
        with self._sender_released_on_failure(signed):
            lifted = self._outbox.replace_batch_tx(root_hex, signed.tx_hash, signed.raw)
        self._pending_since.pop(root_hex, None)
        if lifted:
            log.warning(
                "batch %s, refused before, is taken by the chain now: sent as %s", root_hex, signed.tx_hash
            )

    def _refuse(self, root_hex: str, exc: ChainRuleViolated) -> None:
        """Records (or refreshes) why the chain refuses this batch; its documents show it as "refused"."""
        reason = self._refusal_reason(exc)
        before = self._outbox.record_refusal(root_hex, str(exc.details.get("rule", "Revert")), reason)
        if before != reason:
            log.error("batch %s refused: %s", root_hex, reason)

    def _refusal_reason(self, exc: ChainRuleViolated) -> str:
        rule = str(exc.details.get("rule", "Revert"))
        if rule != "RegistryNotIssuer":
            return f"the chain refused to anchor the batch ({rule} {exc.details.get('args', [])})"
        try:
            own = next((m for m in self._chain.members() if m.code == self._member), None)
            status = "not a member" if own is None else _MEMBER_STATUS.get(own.status, "not a member")
        except OrigoError:
            status = "not active"
        account = self._sender.address
        if status == "suspended":
            return (
                f"the consortium refused to anchor it: {self._member} is suspended (the registry answered"
                f" {rule} for {account}); it is sent again by itself once {self._member} is reinstated"
            )
        if status == "removed":
            return (
                f"the consortium refused to anchor it: {self._member} was removed from the consortium (the"
                f" registry answered {rule} for {account}); it cannot be anchored any more"
            )
        return (
            f"the consortium refused to anchor it: {account} is not an issuing account of an active"
            f" {self._member} ({rule}, {self._member} is {status}); it is sent again by itself once the"
            f" account is an issuer of {self._member} again"
        )

    def _record_tx(self, root_hex: str, signed: SignedTx) -> None:
        self._outbox.replace_batch_tx(root_hex, signed.tx_hash, signed.raw)

    @contextmanager
    def _sender_released_on_failure(self, signed: SignedTx) -> Iterator[None]:
        """If the signed transaction cannot be recorded (disk full, I/O error), it is never sent: its nonce
        goes back to the sender, else every later transaction would wait behind a nonce nobody uses."""
        try:
            yield
        except BaseException:
            self._sender.release(signed)
            raise

    def _mark_mined(self, root_hex: str, block: int | None) -> int:
        return self._outbox.mark_anchored(root_hex, block)
