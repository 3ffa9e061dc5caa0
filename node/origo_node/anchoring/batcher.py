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

Roots are per member on chain: another member anchoring the same root first blocks nothing, and a batch is
marked mined only when the chain holds its root for this member.

When the chain refuses a batch (this member was suspended or removed, or its issuing account taken away, while
the batch was in flight), the batch is kept as built and recorded in ``batch_refusals`` with the reason: its
documents show as "refused", in the officers' work list and in health. Every ``_REFUSAL_RETRY_S`` the batcher
asks the chain again, and once it would take the batch (the member reinstated) signs it again, unchanged.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from origo_node.anchoring import manifest
from origo_node.anchoring.manifest import ManifestEntry, leaf_from_json
from origo_node.chain.client import ChainClient, SignedTx, TxSender
from origo_node.chain.merkle import MerkleTree
from origo_node.errors import ChainRuleViolated, OrigoError
from origo_node.payload import PayloadStore
from origo_node.store.db import Database

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


class Batcher:
    def __init__(
        self,
        db: Database,
        client: ChainClient,
        sender: TxSender,
        payloads: PayloadStore,
        member: str,
        policy: BatchPolicy,
    ) -> None:
        self._db = db
        self._client = client
        self._sender = sender
        self._payloads = payloads
        self._member = member
        self._policy = policy

    # ------------------------------------------------------------------ rounds

    def run_once(self, *, force: bool = False) -> int:
        """Finishes open batches, then anchors one new batch if one is due; returns documents anchored."""
        anchored = self._finish_open_batches()
        if (force or self._due()) and self._open_batches() < _MAX_OPEN_BATCHES:
            anchored += self._anchor_new_batch()
        return anchored

    def _open_batches(self) -> int:
        row = (
            self._db.read()
            .execute(
                "SELECT count(*) FROM batches WHERE state != 'mined'"
                " AND root NOT IN (SELECT root FROM batch_refusals)"
            )
            .fetchone()
        )
        return int(row[0])

    def pending_count(self) -> int:
        row = self._db.read().execute("SELECT count(*) FROM outbox WHERE batch_root IS NULL").fetchone()
        return int(row[0])

    def refused(self) -> dict[str, object] | None:
        """Documents the consortium refused to anchor, and the latest reason; None when there are none."""
        conn = self._db.read()
        count = conn.execute(
            "SELECT count(*) FROM outbox WHERE batch_root IN (SELECT root FROM batch_refusals)"
        ).fetchone()[0]
        if not count:
            return None
        last = conn.execute("SELECT reason FROM batch_refusals ORDER BY refused_at DESC LIMIT 1").fetchone()
        return {"documents": int(count), "reason": str(last["reason"])}

    def _due(self) -> bool:
        row = (
            self._db.read()
            .execute("SELECT count(*), min(received_at) FROM outbox WHERE batch_root IS NULL")
            .fetchone()
        )
        count, oldest = int(row[0]), row[1]
        if count == 0:
            return False
        return count >= self._policy.max_documents or time.time() - float(oldest) >= self._policy.interval_s

    # ------------------------------------------------------------------ new batches

    def _anchor_new_batch(self) -> int:
        rows = (
            self._db.read()
            .execute(
                "SELECT document_id, leaf, payload_cid, envelope, signature, signer FROM outbox"
                " WHERE batch_root IS NULL ORDER BY received_at, document_id LIMIT ?",
                (self._policy.max_documents,),
            )
            .fetchall()
        )
        if not rows:
            return 0
        entries = []
        envelopes = []
        for row in rows:
            stored = json.loads(row["leaf"])
            meta = stored["meta"]
            if row["envelope"] is not None:
                envelopes.append(bytes(row["envelope"]))
            entries.append(
                ManifestEntry(
                    leaf=leaf_from_json(stored),
                    payload_cid=row["payload_cid"],
                    signature=bytes.fromhex(row["signature"].removeprefix("0x")),
                    signer=row["signer"],
                    type_name=meta["type"],
                    type_version=meta["version"],
                    quantity_unit=meta["quantity_unit"],
                    recipients=tuple(meta["recipients"]),
                )
            )
        tree = MerkleTree([entry.leaf for entry in entries])
        root = tree.root
        # The payloads and the manifest reach the store (durably, one sync for all) before the root leaves
        # for the chain: nobody sees an anchored batch whose manifest or payloads are missing. A PayloadError
        # here leaves the documents pending; the next round tries again.
        stored = self._payloads.put_many([*envelopes, manifest.encode(self._member, root, entries)])
        manifest_cid = stored[-1]
        self._payloads.pin(manifest_cid)
        call = self._client.registry.functions.anchorBatch(root, len(entries), manifest_cid)
        root_hex = "0x" + root.hex()
        refusal: ChainRuleViolated | None = None
        try:
            signed: SignedTx | None = self._sender.prepare(call)
        except ChainRuleViolated as exc:  # e.g. our member was suspended: the batch is kept, refused
            signed, refusal = None, exc
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO batches (root, manifest_cid, count, state, tx_hash, raw_tx, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    root_hex,
                    manifest_cid,
                    len(entries),
                    "built" if signed is None else "sent",
                    None if signed is None else signed.tx_hash,
                    None if signed is None else signed.raw,
                    time.time(),
                ),
            )
            conn.executemany(
                "UPDATE outbox SET batch_root = ?, proof = ? WHERE document_id = ? AND batch_root IS NULL",
                [
                    (root_hex, json.dumps(["0x" + p.hex() for p in tree.proof(i)]), row["document_id"])
                    for i, row in enumerate(rows)
                ],
            )
        if signed is None:
            assert refusal is not None
            self._refuse(root_hex, refusal)
            return 0
        log.info("batch %s of %d documents signed as %s", root_hex, len(entries), signed.tx_hash)
        # Not waiting for the receipt: the next batch can be built and sent while this one is mined (the
        # next rounds collect the receipt).
        return self._drive(root_hex, signed)

    # ------------------------------------------------------------------ open batches

    def _finish_open_batches(self) -> int:
        rows = (
            self._db.read()
            .execute(
                "SELECT b.root, b.tx_hash, b.raw_tx, r.tried_at FROM batches b"
                " LEFT JOIN batch_refusals r ON r.root = b.root"
                " WHERE b.state != 'mined' ORDER BY b.created_at"
            )
            .fetchall()
        )
        anchored = 0
        for row in rows:
            if row["tried_at"] is not None or row["raw_tx"] is None:
                if row["tried_at"] is None or time.time() - float(row["tried_at"]) >= _REFUSAL_RETRY_S:
                    self._resign(row["root"])
                continue
            signed = SignedTx(tx_hash=row["tx_hash"], raw=bytes(row["raw_tx"]), nonce=-1)
            anchored += self._drive(row["root"], signed)
        return anchored

    def _drive(self, root_hex: str, signed: SignedTx) -> int:
        """Moves one recorded batch towards being mined; its size once it is, 0 while it is not yet."""
        receipt = self._sender.receipt(signed.tx_hash)
        if receipt is None:
            if self._chain_has(root_hex):  # mined under another transaction (signed again after a drop)
                return self._mark_mined(root_hex, None)
            if not self._sender.resend(signed):
                self._resign(root_hex)
            return 0
        if receipt["status"] == 1 or self._chain_has(root_hex):
            return self._mark_mined(root_hex, int(receipt["blockNumber"]))
        log.error("batch %s reverted in %s; signing it again", root_hex, signed.tx_hash)
        self._resign(root_hex)
        return 0

    def _resign(self, root_hex: str) -> None:
        """The signed bytes can no longer be mined (dropped, nonce reused): sign the same batch again."""
        row = (
            self._db.read()
            .execute("SELECT manifest_cid, count FROM batches WHERE root = ?", (root_hex,))
            .fetchone()
        )
        call = self._client.registry.functions.anchorBatch(
            bytes.fromhex(root_hex[2:]), row["count"], row["manifest_cid"]
        )
        self._sender.resync()
        try:
            signed = self._sender.prepare(call)
        except ChainRuleViolated as exc:
            if exc.details.get("rule") == "RegistryBatchExists":  # this member's root: ours, mined meanwhile
                self._mark_mined(root_hex, None)
            else:
                self._refuse(root_hex, exc)
            return
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE batches SET state = 'sent', tx_hash = ?, raw_tx = ? WHERE root = ?",
                (signed.tx_hash, signed.raw, root_hex),
            )
            gone = conn.execute("DELETE FROM batch_refusals WHERE root = ?", (root_hex,)).rowcount
        if gone:
            log.warning(
                "batch %s, refused before, is taken by the chain now: sent as %s", root_hex, signed.tx_hash
            )

    def _refuse(self, root_hex: str, exc: ChainRuleViolated) -> None:
        """Records (or refreshes) why the chain refuses this batch; its documents show it as "refused"."""
        reason = self._refusal_reason(exc)
        now = time.time()
        with self._db.transaction() as conn:
            known = conn.execute("SELECT reason FROM batch_refusals WHERE root = ?", (root_hex,)).fetchone()
            conn.execute(
                "INSERT INTO batch_refusals (root, rule, reason, refused_at, tried_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (root) DO UPDATE SET rule = excluded.rule, reason = excluded.reason,"
                " tried_at = excluded.tried_at",
                (root_hex, str(exc.details.get("rule", "Revert")), reason, now, now),
            )
        if known is None or known["reason"] != reason:
            log.error("batch %s refused: %s", root_hex, reason)

    def _refusal_reason(self, exc: ChainRuleViolated) -> str:
        rule = str(exc.details.get("rule", "Revert"))
        if rule != "RegistryNotIssuer":
            return f"the chain refused to anchor the batch ({rule} {exc.details.get('args', [])})"
        try:
            info: Any = self._client.call(
                lambda: self._client.membership.functions.member(self._member.encode()).call()
            )
            status = _MEMBER_STATUS.get(int(info[4]), "not a member")
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

    def _chain_has(self, root_hex: str) -> bool:
        try:
            stored: Any = self._client.call(
                lambda: self._client.registry.functions.batch(
                    self._member.encode(), bytes.fromhex(root_hex[2:])
                ).call()
            )
        except OrigoError:
            return False
        return int(stored[1]) > 0

    def _mark_mined(self, root_hex: str, block: int | None) -> int:
        with self._db.transaction() as conn:
            conn.execute("UPDATE batches SET state = 'mined', block = ? WHERE root = ?", (block, root_hex))
            # The payload store holds the envelopes now; the outbox keeps the facts, the proof and the
            # signature.
            conn.execute("UPDATE outbox SET envelope = NULL WHERE batch_root = ?", (root_hex,))
            count = conn.execute("SELECT count FROM batches WHERE root = ?", (root_hex,)).fetchone()[0]
        return int(count)
