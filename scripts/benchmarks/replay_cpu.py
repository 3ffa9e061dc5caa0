"""The CPU a new member's index spends per replayed document, step by step, on the node's own code.

Synthetic batches of 4,096 leaves (as ``--scale`` anchors them: each leaf signed, each manifest encoded as the
batcher does) are replayed in one process the way the indexer does it for each batch: the manifest's JSON, its
entries (every field of every leaf checked), the payload CIDs against their hashes, the Merkle tree against
the root, the index rows, and the SQLite insert; then a page of the importer's work list is read. What the
indexer spends besides (fetching the manifests from the issuer, the chain's events) is not in it; what the
rows take on disk is read back with SQLite's ``dbstat``.

    python scripts/benchmarks/replay_cpu.py [BATCHES]
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eth_account import Account
from origo_node.anchoring.batch_manifest import ManifestEntry
from origo_node.chain import eip712
from origo_node.chain.merkle import MerkleTree
from origo_node.hashing import keccak256
from origo_node.indexer.manifest_checks import document_row
from origo_node.store.db import Database
from origo_node.store.document_rows import JsonLists
from origo_node.store.index import IndexRepository
from origo_node.store.rows import IndexedBatch

from benchmarks import scale

STEPS = (
    "manifest JSON",
    "entries (leaf checks)",
    "payload CID hashes",
    "Merkle tree",
    "index rows",
    "SQLite",
)


def measure(batches: int = 6) -> dict[str, Any]:
    key = b"\x11" * 32
    signer = Account.from_key(key).address
    domain = eip712.domain_separator(1983, "0x" + "22" * 20)
    built = [scale._batch(n, scale.BATCH, signer, key, domain) for n in range(batches)]
    spent = dict.fromkeys(STEPS, 0.0)
    documents = batches * scale.BATCH
    with tempfile.TemporaryDirectory(prefix="origo-replay-cpu-") as tmp:
        path = Path(tmp) / "node.db"
        index = IndexRepository(Database(path))
        for number, (root, raw, _) in enumerate(built):
            batch = IndexedBatch(
                root="0x" + root.hex(),
                issuer="VN",
                account=signer,
                count=scale.BATCH,
                manifest_cid="",
                block=number + 1,
                tx_hash="0x" + "ab" * 32,
                log_index=0,
                timestamp=1_700_000_000,
            )
            clock = time.process_time()

            def lap(step: str) -> None:
                nonlocal clock
                now = time.process_time()
                spent[step] += now - clock
                clock = now

            body = json.loads(raw)
            lap("manifest JSON")
            entries = [ManifestEntry.from_json(item) for item in body["leaves"]]
            lap("entries (leaf checks)")
            assert all(keccak256(e.payload_cid.encode()) == e.leaf.payload_cid for e in entries)
            lap("payload CID hashes")
            assert MerkleTree([e.leaf for e in entries]).root == root
            lap("Merkle tree")
            as_json = JsonLists()
            rows = [document_row(batch, e, as_json) for e in entries]
            lap("index rows")
            index.store_rows([("VN", batch.root, rows)])
            lap("SQLite")
        pages = {}
        for offset in (0, documents // 2):
            started = time.perf_counter()
            index.document_keys_of("TH", "importer", offset, 500)
            pages[f"offset {offset:,}"] = round((time.perf_counter() - started) * 1000, 1)
        with sqlite3.connect(path) as db:
            sizes = dict(
                db.execute(
                    "SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE '%documents%' GROUP BY name"
                ).fetchall()
            )
    total = sum(spent.values())
    return {
        "documents": documents,
        "cpu_s": round(total, 3),
        "documents_per_cpu_s": round(documents / total),
        "us_per_document": {step: round(seconds / documents * 1e6, 1) for step, seconds in spent.items()},
        "index_bytes_per_document": {name: round(size / documents, 1) for name, size in sizes.items()},
        # An importing officer's work list, 500 documents a page, newest first (StatusService.worklist).
        "work_list_page_ms": pages,
    }


def main() -> None:
    batches = int(sys.argv[1]) if len(sys.argv) > 1 else 6
    print(json.dumps(measure(batches), indent=2))


if __name__ == "__main__":
    main()
