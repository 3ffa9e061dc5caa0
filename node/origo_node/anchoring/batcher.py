"""The batcher: anchors the outbox as Merkle batches, exactly once, whatever crashes or outages happen.

One round (``run_once``):
1. finish any batch already built (a crash or an outage may have left one): if the chain has its root, it is
   done; else rebroadcast the same signed bytes, or re-sign with a fresh nonce if they were dropped;
2. take the oldest unbatched documents, put their payloads and the batch manifest in the payload store,
sign the
   ``anchorBatch`` transaction, and in ONE database transaction record the batch (with the signed bytes) and
   assign the documents to it; only then broadcast.
A document belongs to exactly one batch (step 2's transaction), and the contract refuses a root twice
(``RegistryBatchExists``), so no crash can anchor a document twice; and nothing leaves the outbox unanchored,
because step 1 runs before anything new.
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
        row = self._db.read().execute("SELECT count(*) FROM batches WHERE state != 'mined'").fetchone()
        return int(row[0])

    def pending_count(self) -> int:
        row = self._db.read().execute("SELECT count(*) FROM outbox WHERE batch_root IS NULL").fetchone()
        return int(row[0])

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
        signed = self._sender.prepare(call)  # a refusal (e.g. our member was suspended) raises here
        root_hex = "0x" + root.hex()
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO batches (root, manifest_cid, count, state, tx_hash, raw_tx, created_at)"
                " VALUES (?, ?, ?, 'sent', ?, ?, ?)",
                (root_hex, manifest_cid, len(entries), signed.tx_hash, signed.raw, time.time()),
            )
            conn.executemany(
                "UPDATE outbox SET batch_root = ?, proof = ? WHERE document_id = ? AND batch_root IS NULL",
                [
                    (root_hex, json.dumps(["0x" + p.hex() for p in tree.proof(i)]), row["document_id"])
                    for i, row in enumerate(rows)
                ],
            )
        log.info("batch %s of %d documents signed as %s", root_hex, len(entries), signed.tx_hash)
        # Not waiting for the receipt: the next batch can be built and sent while this one is mined (the
        # next rounds collect the receipt).
        return self._drive(root_hex, signed)

    # ------------------------------------------------------------------ open batches

    def _finish_open_batches(self) -> int:
        rows = (
            self._db.read()
            .execute("SELECT root, tx_hash, raw_tx FROM batches WHERE state != 'mined' ORDER BY created_at")
            .fetchall()
        )
        anchored = 0
        for row in rows:
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
            if exc.details.get("rule") == "RegistryBatchExists":
                self._mark_mined(root_hex, None)
            else:
                log.error("batch %s refused by the chain: %s", root_hex, exc.message)
            return
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE batches SET tx_hash = ?, raw_tx = ? WHERE root = ?",
                (signed.tx_hash, signed.raw, root_hex),
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
