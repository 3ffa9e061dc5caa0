"""``--scale``: an index of N documents (ten years of the region at a million a year: 10,000,000 by default),
and what a new member, verification and the disk make of it.

The documents are synthetic but the batches are real: VN's issuer account anchors them on anvil with
``anchorBatch``, 4,096 leaves a batch, each leaf with its EIP-712 signature by that account, and each batch's
manifest stored in VN's embedded payload store, which VN's running node serves from its gateway. What is
left out is the payloads themselves (N encrypted payloads of ~6 KB would not fit this machine's disk): the
payload store's bytes per document are measured on the main run's network instead (``payload_bytes``).
Once VN's own node has indexed them, a new SG node catches up from nothing (as in ``catchup``), verification
by id is timed against the full index at 1 and 64 clients, and the index's bytes per document and the new
node's peak RSS are read.
"""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from itertools import repeat
from pathlib import Path
from typing import Any

import httpx
from origo_devnet.network import DEVNET_PASSPHRASE, create_network
from origo_node.anchoring import batch_manifest
from origo_node.anchoring.batch_manifest import ManifestEntry
from origo_node.chain import calls, eip712
from origo_node.chain.merkle import Leaf, MerkleTree
from origo_node.chain.sender import TxSender
from origo_node.chain.web3_chain import Web3Chain
from origo_node.crypto import load_signing_key
from origo_node.documents.canonical import type_id
from origo_node.hashing import keccak256
from origo_node.payload import LocalPayloadStore
from origo_node.payload.cid import RAW, Cid
from origo_node.settings import CONFIG_FILE, load_settings

from benchmarks import latency
from benchmarks.network import BLOCK_TIME_S, MEMBERS, cpu_s_by_role, peak_rss_mb, start_fresh_node

BATCH = 4096
DEFAULT_DOCUMENTS = 10_000_000
_FORM_D = type_id("atiga-form-d", "1")
_DAY = 86_400
#: Every synthetic document was issued yesterday and is valid for a year: verification answers "valid".
_ISSUED = int(time.time()) // _DAY * _DAY - _DAY


def measure(documents: int, root: Path, node_settings: dict[str, Any], say: Any) -> dict[str, Any]:
    network = create_network(
        root / "scale", MEMBERS, block_time=BLOCK_TIME_S, persist_chain=False, node_settings=node_settings
    )
    try:
        network.start_node("VN")  # its gateway serves the manifests; SG is the member that joins later
        vn = network.members["VN"]
        settings = load_settings(vn.data_dir / CONFIG_FILE)
        chain = Web3Chain(settings.chain_rpc, settings.membership_address, settings.registry_address)
        issuer = load_signing_key(settings.signing_keystore, DEVNET_PASSPHRASE)
        sender = TxSender(chain, issuer)
        domain = eip712.domain_separator(chain.chain_id, settings.registry_address)
        store = LocalPayloadStore(vn.data_dir / "payloads")
        batches = -(-documents // BATCH)
        say(f"scale: building {batches:,} batches of {BATCH:,} ({documents:,} documents)")
        started = time.monotonic()
        ids: list[str] = []
        sent = []
        sizes = [min(BATCH, documents - number * BATCH) for number in range(batches)]
        # The leaves, signatures, manifests and roots are made by two processes (what the build spends its
        # time on); this one stores each manifest and anchors its batch, in order.
        with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
            made = pool.map(
                _batch,
                range(batches),
                sizes,
                repeat(str(issuer.address)),
                repeat(bytes(issuer.key)),
                repeat(domain),
                chunksize=1,
            )
            for number, (root_hash, raw_manifest, last_id) in enumerate(made):
                cid = store.put(raw_manifest)
                signed = sender.prepare(calls.anchor_batch(root_hash, sizes[number], cid))
                sender.broadcast(signed.raw)
                sent.append(signed.tx_hash)
                ids.append(last_id)
                if number % 50 == 49:
                    say(f"scale: {number + 1:,} batches sent, {time.monotonic() - started:.0f} s")
        if sender.wait(sent[-1], timeout=600) is None:  # nonces are in order: the last mined, all are
            raise TimeoutError("the last batch was not mined in 10 minutes")
        built_s = time.monotonic() - started
        head = int(httpx.post(network.rpc_url, json=_rpc("eth_blockNumber"), timeout=10).json()["result"], 16)
        say(f"scale: built in {built_s:.0f} s; waiting for VN's own node to index its batches")
        issuer_indexed_s = _indexed(vn.url, head, ids, started) - started
        say(f"scale: VN indexed at {issuer_indexed_s:.0f} s; a new SG node catches up")
        result: dict[str, Any] = {
            "documents": documents,
            "batches": batches,
            "build_s": round(built_s, 1),
            "issuer_indexed_s": round(issuer_indexed_s, 1),
        }
        result.update(_catch_up_and_verify(network.members["SG"], root / "scale-new", head, ids, say))
        return result
    finally:
        network.stop()


def _batch(number: int, size: int, signer: str, key: bytes, domain: bytes) -> tuple[bytes, bytes, str]:
    """Batch ``number``: its root, its manifest's bytes and its last document's id."""
    entries = _entries(number, size, signer, key, domain)
    tree = MerkleTree([entry.leaf for entry in entries])
    return (
        tree.root,
        batch_manifest.encode("VN", tree.root, entries),
        "0x" + entries[-1].leaf.document_id.hex(),
    )


def _entries(number: int, size: int, signer: str, key: bytes, domain: bytes) -> list[ManifestEntry]:
    entries = []
    for index in range(size):
        serial = number * BATCH + index
        # The CID a payload of these bytes would have (one raw block); the payload itself is not kept.
        payload_cid = str(Cid.of_block(RAW, serial.to_bytes(8, "big")))
        leaf = Leaf(
            document_id=keccak256(b"VN" + serial.to_bytes(8, "big")),
            document_type=_FORM_D,
            digest=keccak256(b"digest" + serial.to_bytes(8, "big")),
            issuer="VN",
            importer="TH",
            issued_at=_ISSUED,
            expires_at=_ISSUED + 365 * _DAY,
            quantities=(1000,),
            payload_cid=keccak256(payload_cid.encode()),
        )
        entries.append(
            ManifestEntry(
                leaf=leaf,
                payload_cid=payload_cid,
                signature=eip712.sign(leaf, domain, key),
                signer=signer,
                type_name="atiga-form-d",
                type_version="1",
                quantity_units=("KGM",),
                recipients=("VN", "TH"),
            )
        )
    return entries


def _catch_up_and_verify(template: Any, root: Path, head: int, ids: list[str], say: Any) -> dict[str, Any]:
    started = time.monotonic()
    node = start_fresh_node(template, root)
    try:
        healthy = time.monotonic()
        done = _indexed(node.url, head, ids, started)
        cpu = cpu_s_by_role(node.process.pid)
        say(f"scale: caught up in {done - started:.0f} s; verification against the full index")
        probes: list[latency.Probe] = [("GET", f"/api/v1/verify/{doc_id}", None) for doc_id in ids[-200:]]
        verify = {
            "1": latency.verify_latencies(node.url, probes, 1, 1000),
            "64": latency.verify_latencies(node.url, probes, 64, 20),
        }
        rss = peak_rss_mb(node.process.pid)
    finally:
        node.stop()
    documents = _count(root)
    index_bytes = sum(f.stat().st_size for f in root.glob("node.db*"))
    payload_bytes = _tree_bytes(root / "payloads")
    return {
        "catch_up_s": round(done - started, 1),
        "catch_up_from_first_answer_s": round(done - healthy, 1),
        "catch_up_per_s": round(documents / (done - started), 1) if documents else None,
        "catch_up_cpu_s": cpu,
        "verify_by_id_ms": verify,
        "index_bytes": index_bytes,
        "manifest_store_bytes": payload_bytes,
        "peak_rss_mb": rss,
        "indexed_documents": documents,
    }


def _indexed(url: str, head: int, ids: list[str], started: float) -> float:
    """When the node at ``url`` had its index at ``head`` and every batch's documents in it (its last one
    answers). VN's own node is waited for before SG's starts: on one machine, a new member that catches up
    while the issuer's node still indexes the same batches shares the two cores with it, which a new
    member's own machine would not."""
    with httpx.Client(base_url=url, timeout=30) as http:
        waiting = list(ids)
        while waiting:
            indexed = http.get("/healthz").json()["indexed_block"]
            if indexed is not None and indexed >= head:
                while waiting and http.get(f"/api/v1/documents/{waiting[0]}").status_code == 200:
                    waiting.pop(0)
            if time.monotonic() - started > 3600:
                raise TimeoutError(f"the node at {url} did not index the batches in an hour")
            if waiting:
                time.sleep(0.2)
    return time.monotonic()


def _count(root: Path) -> int:
    import sqlite3

    with sqlite3.connect(f"file:{root / 'node.db'}?mode=ro", uri=True) as db:
        return int(db.execute("SELECT count(*) FROM idx_documents").fetchone()[0])


def _tree_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.exists() else 0


def payload_bytes(data_dir: Path, documents: int) -> float:
    """The embedded payload store's bytes per document issued (payloads and manifests), on disk."""
    return round(_tree_bytes(data_dir / "payloads") / max(documents, 1), 1)


def _rpc(method: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": 1, "method": method, "params": []}


def per_document(result: dict[str, Any]) -> dict[str, Any]:
    n = max(result.get("indexed_documents") or result["documents"], 1)
    return {
        "index_bytes_per_document": round(result["index_bytes"] / n, 1),
        "manifest_bytes_per_document": round(result["manifest_store_bytes"] / n, 1),
    }
