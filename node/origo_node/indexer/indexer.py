"""The indexer: follows both contracts' events from the deployment block into the index, checkpointed.

Each round reads logs up to ``head - confirmations`` in chunks; every chunk's events and the checkpoint
move in
one database transaction, so a crash replays at most one chunk and the primary keys make replaying harmless.
Batch manifests are fetched (from this node's store or the other members' gateways) and checked against their
roots separately, so a member whose node is down delays only the indexing of its own batches' documents.
Dropping the ``idx_`` tables and running again rebuilds the same index from the chain alone.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from origo_node.anchoring import manifest
from origo_node.anchoring.manifest import ManifestInvalid
from origo_node.chain.client import ChainClient
from origo_node.errors import NotFound, OrigoError
from origo_node.indexer.events import (
    DOCUMENT_EVENTS,
    DecodedLog,
    EventDecoder,
    declaration_text,
    event_entitled,
    jsonable,
)
from origo_node.payload import PayloadStore
from origo_node.store.db import Database

log = logging.getLogger(__name__)

CHECKPOINT = "events"
_CHUNK_BLOCKS = 2000
_MANIFESTS_PER_ROUND = 64
# Manifests fetched ahead while the current one is checked and stored (fetching is mostly waiting on a peer).
_MANIFEST_PREFETCH = 4
_MANIFEST_RETRY_S = 2.0


class Indexer:
    def __init__(
        self,
        db: Database,
        client: ChainClient,
        payloads: PayloadStore,
        *,
        deployment_block: int,
        confirmations: int,
        on_membership_change: Callable[[], None],
        on_documents_indexed: Callable[[list[manifest.ManifestEntry], int], None] | None = None,
    ) -> None:
        self._db = db
        self._client = client
        self._payloads = payloads
        self._fetcher = ThreadPoolExecutor(_MANIFEST_PREFETCH, thread_name_prefix="manifest-fetch")
        self._deployment_block = deployment_block
        self._confirmations = confirmations
        self._on_membership_change = on_membership_change
        self._on_documents_indexed = on_documents_indexed
        self._decoder = EventDecoder(
            {
                "membership": (client.membership.address, client.membership.abi),
                "registry": (client.registry.address, client.registry.abi),
            }
        )
        self._timestamps: dict[int, int] = {}
        #: The chain head at the last successful poll, and when (unix time); health reports it without a call.
        self.last_head: int | None = None
        self.last_head_at: float | None = None

    # ------------------------------------------------------------------ position

    def checkpoint(self) -> int:
        """The last block fully indexed (the deployment block minus one before the first round)."""
        row = (
            self._db.read()
            .execute("SELECT block FROM idx_checkpoint WHERE name = ?", (CHECKPOINT,))
            .fetchone()
        )
        return self._deployment_block - 1 if row is None else int(row["block"])

    def catching_up(self) -> bool:
        """Whether the index is well behind the chain: blocks not yet followed, or batches whose manifest was
        never tried. (Batches whose manifest could not be had so far do not count: that can last.)"""
        if self.last_head is not None and self.last_head - self._confirmations - self.checkpoint() > 2:
            return True
        row = (
            self._db.read()
            .execute("SELECT 1 FROM idx_batches WHERE manifest_state = 'pending' AND attempts = 0 LIMIT 1")
            .fetchone()
        )
        return row is not None

    def run_once(self) -> int:
        """Indexes what is new on the chain; returns the number of events and documents indexed."""
        # Everything the indexer writes can be read from the chain again: its commits need not wait for fsync.
        self._db.relax_durability_for_this_thread()
        indexed = self._follow_events()
        indexed += self._index_pending_manifests()
        return indexed

    def _follow_events(self) -> int:
        self._check_reorg()
        head = self._client.block_number()
        self._remember_head(head)
        target = head - self._confirmations
        start = self.checkpoint() + 1
        indexed = 0
        while start <= target:
            end = min(target, start + _CHUNK_BLOCKS - 1)
            logs = self._get_logs(start, end)
            decoded = [d for d in (self._decoder.decode(entry) for entry in logs) if d is not None]
            end_hash = self._block_hash(end)
            membership_changed = self._store_chunk(decoded, end, end_hash)
            if membership_changed:
                self._on_membership_change()
            indexed += len(decoded)
            start = end + 1
        return indexed

    def _remember_head(self, head: int) -> None:
        now = time.time()
        stored_recently = self.last_head_at is not None and now - self.last_head_at < 2.0
        self.last_head, self.last_head_at = head, now
        if not stored_recently:  # other API processes of this node read it from the database
            with self._db.transaction() as conn:
                conn.execute(
                    "INSERT OR REPLACE INTO node_facts (name, value) VALUES ('chain_head', ?)",
                    (json.dumps([head, now]),),
                )

    def last_seen_head(self) -> tuple[int | None, float | None]:
        """The chain head at the last successful poll and when (unix time), from any process of this node."""
        if self.last_head is not None:
            return self.last_head, self.last_head_at
        row = self._db.read().execute("SELECT value FROM node_facts WHERE name = 'chain_head'").fetchone()
        if row is None:
            return None, None
        head, at = json.loads(row["value"])
        return int(head), float(at)

    def _get_logs(self, start: int, end: int) -> list[Any]:
        params: Any = {"address": self._decoder.addresses, "fromBlock": start, "toBlock": end}
        return list(self._client.call(lambda: self._client.w3.eth.get_logs(params)))

    def _check_reorg(self) -> None:
        row = (
            self._db.read()
            .execute("SELECT block, block_hash FROM idx_checkpoint WHERE name = ?", (CHECKPOINT,))
            .fetchone()
        )
        if row is None:
            return
        if self._block_hash(int(row["block"])) != row["block_hash"]:
            # The chain we indexed is not the chain any more (a reorganisation deeper than the confirmations,
            # or a devnet reset): the index is a cache, so start again from the deployment block.
            log.warning("block %s changed under the index; rebuilding it from the chain", row["block"])
            self._db.drop_index()

    def _block_hash(self, number: int) -> str:
        block = self._client.call(lambda: self._client.w3.eth.get_block(number))
        self._timestamps[number] = int(block["timestamp"])
        return "0x" + bytes(block["hash"]).hex()

    def _timestamp(self, number: int) -> int:
        if number not in self._timestamps:
            if len(self._timestamps) > 10_000:
                self._timestamps.clear()
            self._block_hash(number)
        return self._timestamps[number]

    # ------------------------------------------------------------------ events

    def _store_chunk(self, logs: list[DecodedLog], end: int, end_hash: str) -> bool:
        membership_changed = False
        batch_rows, event_rows, membership_rows = [], [], []
        for item in logs:
            ts = self._timestamp(item.block)
            args = item.args
            if item.contract == "membership":
                membership_changed = True
                code = args.get("code") or args.get("proposer") or args.get("voter")
                membership_rows.append(
                    (
                        item.block,
                        item.log_index,
                        item.tx_hash,
                        item.name,
                        None if code is None else jsonable(code),
                        ts,
                        json.dumps({k: jsonable(v) for k, v in args.items()}),
                    )
                )
            elif item.name == "BatchAnchored":
                batch_rows.append(
                    (
                        "0x" + bytes(args["root"]).hex(),
                        jsonable(args["issuer"]),
                        str(args["account"]),
                        int(args["count"]),
                        str(args["manifestCid"]),
                        item.block,
                        item.tx_hash,
                        item.log_index,
                        ts,
                    )
                )
            elif item.name in DOCUMENT_EVENTS:
                kind, member_field = DOCUMENT_EVENTS[item.name]
                fields = {
                    k: declaration_text(v) if k == "declaration" else jsonable(v)
                    for k, v in args.items()
                    if k not in ("documentId", "issuer", member_field, "account")
                }
                row = (
                    item.block,
                    item.log_index,
                    item.tx_hash,
                    "0x" + bytes(args["documentId"]).hex(),
                    jsonable(args["issuer"]),
                    kind,
                    jsonable(args[member_field]),
                    str(args["account"]),
                    ts,
                    json.dumps(fields),
                )
                if self._entitled(row):
                    event_rows.append(row)
        with self._db.transaction() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO idx_batches (root, issuer, account, count, manifest_cid, block,"
                " tx_hash,"
                " log_index, timestamp, manifest_state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')",
                batch_rows,
            )
            conn.executemany(
                "INSERT OR IGNORE INTO idx_events (block, log_index, tx_hash, document_id, issuer, kind,"
                " member, account, timestamp, fields) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                event_rows,
            )
            conn.executemany(
                "INSERT OR IGNORE INTO idx_membership_events (block, log_index, tx_hash, kind, member,"
                " timestamp,"
                " fields) VALUES (?, ?, ?, ?, ?, ?, ?)",
                membership_rows,
            )
            conn.execute(
                "INSERT INTO idx_checkpoint (name, block, block_hash) VALUES (?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET block = excluded.block, block_hash = excluded.block_hash",
                (CHECKPOINT, end, end_hash),
            )
        return membership_changed

    def _entitled(self, row: tuple[Any, ...]) -> bool:
        """Whether the member that caused a document event had the right to (the registry's rule, held here
        too so a faulty contract can never show another member's act as a document's state). An event on a
        document not indexed yet is kept: ``services.status`` applies the same rule when it reads it."""
        block, _, tx_hash, document_id, issuer, kind, member, account = row[:8]
        doc = (
            self._db.read()
            .execute(
                "SELECT importer FROM idx_documents WHERE issuer = ? AND document_id = ?",
                (issuer, document_id),
            )
            .fetchone()
        )
        if doc is None or event_entitled(kind, member, issuer, doc["importer"]):
            return True
        log.warning(
            "ignored %s event on %s:%s in block %s (tx %s): member %s (account %s) is not the one this"
            " document allows (issuer %s, importer %s)",
            kind,
            issuer,
            document_id,
            block,
            tx_hash,
            member,
            account,
            issuer,
            doc["importer"],
        )
        return False

    # ------------------------------------------------------------------ manifests

    def _index_pending_manifests(self) -> int:
        rows = (
            self._db.read()
            .execute(
                "SELECT root, issuer, count, manifest_cid, block, tx_hash, timestamp, attempts"
                " FROM idx_batches"
                " WHERE manifest_state = 'pending' AND retry_at <= ? ORDER BY block, log_index LIMIT ?",
                (time.time(), _MANIFESTS_PER_ROUND),
            )
            .fetchall()
        )
        indexed = 0
        for row, fetched in zip(rows, self._fetcher.map(self._fetch_manifest, rows), strict=True):
            try:
                if isinstance(fetched, OrigoError):
                    raise fetched
                raw = fetched
                entries = manifest.decode(
                    raw, issuer=row["issuer"], root=bytes.fromhex(row["root"][2:]), count=row["count"]
                )
            except ManifestInvalid as exc:
                log.error(
                    "batch %s of %s: invalid manifest %s: %s",
                    row["root"],
                    row["issuer"],
                    row["manifest_cid"],
                    exc,
                )
                self._set_manifest_state(row["issuer"], row["root"], "invalid", str(exc))
                continue
            except (NotFound, OrigoError) as exc:
                # Nobody reachable has it yet: later batches may still be indexed, this one is retried.
                self._set_manifest_state(row["issuer"], row["root"], "pending", str(exc))
                if row["attempts"] % 20 == 0:
                    log.warning(
                        "batch %s: manifest %s not available: %s", row["root"], row["manifest_cid"], exc
                    )
                continue
            self._payloads.pin(row["manifest_cid"])
            self._store_documents(row, entries)
            if self._on_documents_indexed is not None:
                self._on_documents_indexed(entries, int(row["block"]))
            indexed += len(entries)
        return indexed

    def _fetch_manifest(self, row: Any) -> bytes | OrigoError:
        try:
            return self._payloads.get(row["manifest_cid"])
        except OrigoError as exc:  # handed to the loop above, which records it against the batch
            return exc

    def _set_manifest_state(self, issuer: str, root: str, state: str, error: str | None) -> None:
        with self._db.transaction() as conn:
            attempts = conn.execute(
                "SELECT attempts FROM idx_batches WHERE issuer = ? AND root = ?", (issuer, root)
            ).fetchone()[0]
            retry_at = time.time() + min(30.0, _MANIFEST_RETRY_S * 2 ** min(int(attempts), 10) / 4)
            conn.execute(
                "UPDATE idx_batches SET manifest_state = ?, manifest_error = ?, attempts = attempts + 1,"
                " retry_at = ? WHERE issuer = ? AND root = ?",
                (state, error, retry_at, issuer, root),
            )

    def _store_documents(self, batch: Any, entries: list[manifest.ManifestEntry]) -> None:
        rows = []
        recipients_json: dict[tuple[str, ...], str] = {}  # a batch has few distinct recipient lists
        for entry in entries:
            if entry.recipients not in recipients_json:
                recipients_json[entry.recipients] = json.dumps(list(entry.recipients))
            leaf = entry.leaf
            rows.append(
                (
                    "0x" + leaf.document_id.hex(),
                    "0x" + leaf.document_type.hex(),
                    "0x" + leaf.digest.hex(),
                    leaf.issuer,
                    leaf.importer,
                    leaf.issued_at,
                    leaf.expires_at,
                    leaf.quantity,
                    entry.payload_cid,
                    "0x" + entry.signature.hex(),
                    entry.signer,
                    batch["root"],
                    batch["block"],
                    batch["tx_hash"],
                    batch["timestamp"],
                    entry.type_name,
                    entry.type_version,
                    entry.quantity_unit,
                    recipients_json[entry.recipients],
                )
            )
        with self._db.transaction() as conn:
            # First anchoring by the same issuer wins: a later batch of that issuer repeating a document id
            # cannot replace its facts (another member's leaf with the id is another document: its own row).
            conn.executemany(
                "INSERT OR IGNORE INTO idx_documents (document_id, document_type, digest, issuer, importer,"
                " issued_at, expires_at, quantity, payload_cid, signature, signer, root, block,"
                " tx_hash,"
                " timestamp, type_name, type_version, quantity_unit, recipients)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            conn.execute(
                "UPDATE idx_batches SET manifest_state = 'indexed', manifest_error = NULL"
                " WHERE issuer = ? AND root = ?",
                (batch["issuer"], batch["root"]),
            )
