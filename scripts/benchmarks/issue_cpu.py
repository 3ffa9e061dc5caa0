"""The CPU one issued document costs, step by step, measured on the node's own code in one process.

The real ``IssuingService`` (bulk requests of 250, as the throughput clients send) and the real ``Batcher``
(payload store, manifest, Merkle tree) run over an SQLite store and the embedded payload store in a temporary
directory, against the in-memory chain (``chain.fake``: what the chain costs is the anchoring transaction,
not measured here). The functions that do each step are wrapped where the node calls them, and the CPU time
(``time.process_time``) spent inside each is summed: a step's figure is its CPU per document, ``rest`` what
the service spends around them (request shape, rows, recipients), ``total`` all of it. A node's API
also parses each request's JSON and answers it (not counted here), so ``total`` is a lower bound of the
node's CPU per document.

    python scripts/benchmarks/issue_cpu.py [DOCUMENTS]
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eth_account import Account
from origo_network.anvil import TEST_MNEMONIC
from origo_node.anchoring.batcher import Batcher, BatchPolicy
from origo_node.chain import eip712
from origo_node.chain.fake import FakeChain
from origo_node.chain.port import MemberRecord
from origo_node.chain.sender import TxSender
from origo_node.crypto import EncryptionPrivateKey
from origo_node.documents import validation
from origo_node.members import MemberDirectory
from origo_node.payload import LocalPayloadStore
from origo_node.services import issuing
from origo_node.services.issuing import IssuingService, Signer
from origo_node.services.status import StatusService
from origo_node.store.db import Database
from origo_node.store.facts import NodeFacts
from origo_node.store.index import IndexRepository
from origo_node.store.outbox import OutboxRepository

from benchmarks.workload import form_ds

BULK = 250


class _Clock:
    """CPU seconds spent inside wrapped functions, by step; a call inside another step's is not counted
    twice (canonical form is done inside validation: it is taken out of validation's figure)."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}
        self._stack: list[str] = []

    def wrap(self, step: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            self._stack.append(step)
            try:
                return function(*args, **kwargs)
            finally:
                self._stack.pop()
                spent = time.process_time() - started
                self.spent[step] = self.spent.get(step, 0.0) + spent
                if self._stack:  # the caller's step did not spend this itself
                    self.spent[self._stack[-1]] = self.spent.get(self._stack[-1], 0.0) - spent

        return timed


def _instrument(clock: _Clock) -> None:
    # Replaced where the node looks them up (module globals and class attributes), on purpose.
    for owner, name, step in (
        (validation, "canonical_bytes", "canonical form (RFC 8785)"),
        (issuing, "validate_document", "validation (schema, domain rules, facts)"),
        (issuing, "seal", "HPKE sealing for the recipients"),
        (issuing, "file_cid", "payload CID"),
        (eip712, "sign", "EIP-712 signature"),
        (OutboxRepository, "add", "outbox insert"),
        (Batcher, "run_once", "batch (payload store, manifest, Merkle tree)"),
    ):
        setattr(owner, name, clock.wrap(step, getattr(owner, name)))


def _accounts(count: int) -> list[Any]:
    Account.enable_unaudited_hdwallet_features()
    return [Account.from_mnemonic(TEST_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}") for i in range(count)]


def measure(documents: int = 2_000) -> dict[str, Any]:
    codes = ("VN", "SG", "TH")
    accounts = _accounts(2 * len(codes) + 1)
    members = [
        MemberRecord(
            code=code,
            name=code,
            admin=accounts[2 * i + 1].address,
            validator=accounts[2 * i + 1].address,
            status=1,
            encryption_key=EncryptionPrivateKey.generate().public_key_bytes(),
            endpoint="",
            joined_at_block=0,
            issuers=(accounts[2 * i + 2].address,),
        )
        for i, code in enumerate(codes)
    ]
    chain = FakeChain(members)
    issuer = accounts[2]
    with tempfile.TemporaryDirectory(prefix="origo-issue-cpu-") as tmp:
        db = Database(Path(tmp) / "node.db")
        outbox = OutboxRepository(db)
        directory = MemberDirectory(chain, NodeFacts(db))
        directory.refresh()
        domain = eip712.domain_separator(chain.chain_id, chain.registry_address)
        service = IssuingService(
            outbox,
            directory,
            "VN",
            Signer(issuer.address, bytes(issuer.key), domain),
            max_document_bytes=256_000,
            resolver=StatusService(IndexRepository(db), outbox, directory, "VN").resolver,
        )
        batcher = Batcher(
            outbox, chain, TxSender(chain, issuer), LocalPayloadStore(Path(tmp) / "payloads"), "VN",
            BatchPolicy(0.0, 4096, confirmations=0),
        )  # fmt: skip
        bulks = [form_ds(f"P{i}", BULK, importer="TH") for i in range(max(1, documents // BULK))]
        service.issue_many([*form_ds("warm-up", 10, importer="TH")])  # first-call costs out of the way
        batcher.run_once(force=True)
        clock = _Clock()
        _instrument(clock)
        started = time.process_time()
        for bulk in bulks:
            documents_of_bulk: list[object] = list(bulk)
            service.issue_many(documents_of_bulk)
            batcher.run_once(force=True)
        while batcher.run_once(force=True):
            pass
        total = time.process_time() - started
        issued = BULK * len(bulks)
        db.close()
    steps = {step: round(1000 * spent / issued, 3) for step, spent in clock.spent.items()}
    steps["rest"] = round(1000 * total / issued - sum(steps.values()), 3)
    return {
        "documents": issued,
        "cpu_ms_per_document": steps,
        "total_cpu_ms_per_document": round(1000 * total / issued, 3),
    }


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 2_000), indent=2))
