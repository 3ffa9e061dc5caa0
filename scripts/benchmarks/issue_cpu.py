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

from origo_node.anchoring.batcher import Batcher
from origo_node.chain import eip712
from origo_node.crypto import EncryptionPrivateKey
from origo_node.documents import validation
from origo_node.services import issuing
from origo_node.store.outbox import OutboxRepository

from benchmarks.in_process import fake_chain, vn_issuer
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


def measure(documents: int = 2_000) -> dict[str, Any]:
    codes = ("VN", "SG", "TH")
    chain, account = fake_chain({code: EncryptionPrivateKey.generate() for code in codes})
    with tempfile.TemporaryDirectory(prefix="origo-issue-cpu-") as tmp:
        vn = vn_issuer(chain, account, Path(tmp) / "node.db", Path(tmp) / "payloads")
        service, batcher, db = vn.service, vn.batcher, vn.db
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
