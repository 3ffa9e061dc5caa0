"""The one-transaction-per-document baseline, as a DocumentStore-style design anchors (one ``issue(hash)``
per document, as TradeTrust's DocumentStore does), on the same chain as the run.

To compare like with like it uses Origo's own registry, deployed a second time so that the nodes do not index
it, and anchors each document as a batch of one: the same leaf facts, the same contract code, 57.7k gas each.
Only the chain's side is timed (hashing, signing, sending, mining): validation, signatures over the document
and encryption, which a real DocumentStore issuer also does, are left out, which flatters the baseline.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from eth_account import Account
from hexbytes import HexBytes
from origo_devnet.deploy import GenesisMember, deploy
from origo_node.chain.merkle import Leaf, leaf_hash
from origo_node.documents import digest, document_id, type_id
from web3 import Web3
from web3.types import Nonce, TxParams, Wei

from benchmarks.network import Bench
from benchmarks.workload import form_ds

SENDERS = 4
_CID = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"


class Baseline:
    """A second registry on the bench's chain with one funded issuer account of its own."""

    def __init__(self, bench: Bench) -> None:
        self.w3 = Web3(Web3.HTTPProvider(bench.network.rpc_url, request_kwargs={"timeout": 60}))
        self.issuer = Account.create()
        admins = list(self.w3.eth.accounts)[1:3]
        self.w3.provider.make_request("anvil_setBalance", [self.issuer.address, hex(10**24)])  # type: ignore[arg-type]
        genesis = [
            GenesisMember(code, code, admin, admin, issuers, os.urandom(32), "http://127.0.0.1:1")
            for code, admin, issuers in (("VN", admins[0], (self.issuer.address,)), ("SG", admins[1], ()))
        ]
        deployment = deploy(self.w3, self.w3.eth.accounts[0], genesis)
        self.registry = self.w3.eth.contract(
            address=Web3.to_checksum_address(deployment.registry), abi=_registry_abi()
        )
        self.chain_id = int(self.w3.eth.chain_id)

    def run(self, count: int, tag: str) -> dict[str, Any]:
        documents = form_ds(tag, count)
        nonce = self.w3.eth.get_transaction_count(self.issuer.address)
        gas_price = int(self.w3.eth.gas_price) * 2
        head_before = self.w3.eth.block_number
        started = time.monotonic()
        raws = [self._signed(doc, nonce + i, gas_price) for i, doc in enumerate(documents)]
        with ThreadPoolExecutor(SENDERS) as pool:
            hashes = list(pool.map(self._send, raws))
        last = self.w3.eth.wait_for_transaction_receipt(hashes[-1], timeout=600, poll_latency=0.05)
        while self.w3.eth.get_transaction_count(self.issuer.address) < nonce + count:
            time.sleep(0.05)
        elapsed = time.monotonic() - started
        receipt = self.w3.eth.get_transaction_receipt(hashes[0])
        if receipt["status"] != 1 or last["status"] != 1:
            raise RuntimeError("a baseline anchoring transaction failed")
        return {
            "documents": count,
            "documents_per_s": round(count / elapsed, 1),
            "duration_s": round(elapsed, 2),
            "blocks": int(last["blockNumber"]) - head_before,
            "gas_per_document": int(receipt["gasUsed"]),
            "block_gas_limit": int(self.w3.eth.get_block("latest")["gasLimit"]),
            "senders": SENDERS,
        }

    def _signed(self, doc: dict[str, Any], nonce: int, gas_price: int) -> bytes:
        leaf = Leaf(
            document_id=document_id("VN", doc["referenceNumber"]),
            document_type=type_id(doc["type"], doc["version"]),
            digest=digest(doc),
            issuer="VN",
            importer="SG",
            issued_at=int(time.time()),
            expires_at=int(time.time()) + 365 * 86_400,
            quantities=(19_200_000,),
            payload_cid=Web3.keccak(text=doc["referenceNumber"]),
        )
        params: TxParams = {
            "from": self.issuer.address,
            "nonce": Nonce(nonce),
            "gas": 90_000,
            "gasPrice": Wei(gas_price),
            "chainId": self.chain_id,
        }
        tx = self.registry.functions.anchorBatch(leaf_hash(leaf), 1, _CID).build_transaction(params)
        return bytes(self.issuer.sign_transaction(tx).raw_transaction)

    def _send(self, raw: bytes) -> HexBytes:
        return self.w3.eth.send_raw_transaction(raw)


def _registry_abi() -> Any:
    from origo_node.chain.artifacts import load_abi

    return load_abi("DocumentRegistry")
