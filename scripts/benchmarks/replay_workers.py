"""A new member's replay with and without manifest check workers, on the node's own indexer, side by side.

Synthetic batches of 4,096 leaves (as ``--scale`` builds them) are anchored on the in-memory chain
(``chain.fake``) with their manifests in an embedded payload store; then a new member's real ``Indexer``
replays them into an empty SQLite index, once with ``manifest_workers=0`` (every manifest checked on the
indexer's thread) and once with W workers, in turn, R times. Printed for each: the wall time, the documents
per second, and the CPU seconds of the indexer's process and of its worker processes. With a core per worker
the wall time falls towards the indexer's own CPU (storing the rows, in order); on a machine whose cores are
taken it cannot.

    python scripts/benchmarks/replay_workers.py [BATCHES] [--workers W] [--repeat R]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from origo_node.chain import calls, eip712
from origo_node.chain.fake import FakeChain
from origo_node.chain.sender import TxSender
from origo_node.crypto import EncryptionPrivateKey
from origo_node.indexer.indexer import Indexer
from origo_node.payload import LocalPayloadStore
from origo_node.store.db import Database
from origo_node.store.facts import NodeFacts
from origo_node.store.index import IndexRepository

from benchmarks import scale
from benchmarks.importer_cpu import _descendants_cpu_s
from benchmarks.in_process import fake_chain


def anchored(batches: int, payload_dir: Path) -> tuple[FakeChain, LocalPayloadStore]:
    chain, account = fake_chain({code: EncryptionPrivateKey.generate() for code in ("VN", "SG", "TH")})
    domain = eip712.domain_separator(chain.chain_id, chain.registry_address)
    payloads = LocalPayloadStore(payload_dir)
    sender = TxSender(chain, account)
    for number in range(batches):
        root, raw, _ = scale._batch(number, scale.BATCH, account.address, bytes(account.key), domain)
        cid = payloads.put_many([raw])[-1]
        sender.send_and_wait(calls.anchor_batch(root, scale.BATCH, cid), timeout=30)
    return chain, payloads


def replay(chain: FakeChain, payloads: LocalPayloadStore, db_file: Path, workers: int) -> dict[str, Any]:
    db = Database(db_file)
    index = IndexRepository(db)
    indexer = Indexer(
        index, NodeFacts(db), chain, payloads, deployment_block=0, confirmations=0,
        on_membership_change=lambda: None, manifest_workers=workers,
    )  # fmt: skip
    children_before = _descendants_cpu_s()
    wall, cpu = time.perf_counter(), time.process_time()
    documents = 0
    while moved := indexer.run_once():
        documents += moved
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    children = _descendants_cpu_s() - children_before  # before close: the workers' CPU while alive
    indexer.close()
    stored = db.read().execute("SELECT count(*) FROM idx_documents").fetchone()[0]
    db.close()
    return {
        "workers": workers,
        "documents": stored,
        "wall_s": round(wall, 2),
        "documents_per_s": round(stored / wall),
        "indexer_process_cpu_s": round(cpu, 2),
        "worker_processes_cpu_s": round(children, 2),
        "load_average": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("batches", nargs="?", type=int, default=12)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="origo-replay-workers-") as tmp:
        chain, payloads = anchored(args.batches, Path(tmp) / "payloads")
        runs: dict[int, list[dict[str, Any]]] = {0: [], args.workers: []}
        for repetition in range(args.repeat):
            for workers in runs:
                run = replay(chain, payloads, Path(tmp) / f"index-{workers}-{repetition}.db", workers)
                print(json.dumps(run), flush=True)
                runs[workers].append(run)
    for workers, done in runs.items():
        pace = statistics.median(run["documents_per_s"] for run in done)
        print(f"median with {workers} manifest worker(s): {pace:,.0f} documents/s")


if __name__ == "__main__":
    main()
