"""The CPU one read payload costs an importing member, step by step, measured on the node's own code.

In one process, VN's real ``IssuingService`` and ``Batcher`` seal N certificates for SG into VN's embedded
payload store (on the in-memory chain, ``chain.fake``), and SG's real ``Indexer`` indexes them; then SG's
real ``PayloadChecker`` reads and checks every one, fetching them from VN's real gateway router (``POST
/ipfs/car``, served in-process through Starlette's test client) into its own store. Only the checker's
rounds are measured. The functions that do each step are wrapped where the node calls them, and the CPU
time (``time.process_time``, every thread of the process) spent inside each is summed: a step's figure is
its CPU per payload, ``rest`` what the checker spends around them, ``total`` all of it. What VN's gateway
spends answering is taken out (it is the exporter's CPU, not the importer's) and shown apart.

With ``--workers W`` (W > 0) the payloads are opened and checked in W worker processes (the node's
``payload_check_workers`` setting): the steps done there are not seen by the wrappers, so the figures are
the parent's steps, the workers' CPU (from ``/proc``) and the wall time, which is the reader's pace when the
cores are free. A first round of 64 payloads, not measured, starts the workers (once per node).

    python scripts/benchmarks/importer_cpu.py [DOCUMENTS] [--workers W] [--repeat R]
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi import FastAPI
from fastapi.testclient import TestClient
from origo_node.chain import eip712
from origo_node.crypto import EncryptionPrivateKey
from origo_node.indexer.indexer import Indexer
from origo_node.payload import LocalPayloadStore, PeerFetcher, gateway
from origo_node.services import payload_checks, reading
from origo_node.services.payload_checks import PayloadChecker
from origo_node.services.reading import PayloadReader
from origo_node.store.db import Database
from origo_node.store.facts import NodeFacts
from origo_node.store.index import IndexRepository

from benchmarks.in_process import fake_chain, vn_issuer
from benchmarks.workload import form_ds

# The checker's verdicts have their own module since issue 22; the script measures the code before it too.
_verdicts: Any = (
    importlib.import_module("origo_node.services.payload_verdicts")
    if importlib.util.find_spec("origo_node.services.payload_verdicts")
    else payload_checks
)

BULK = 250
WARM_UP = 64
_GATEWAY = "VN's gateway answering (the exporter's CPU, not counted)"


class _Clock:
    """CPU seconds spent inside wrapped functions, by step; a call inside another step's is not counted
    twice (the facts check reads the document's identity: it is counted once, in the facts check). The
    checker reads on several threads at once: each step is timed on its own thread's CPU clock."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}
        self._lock = threading.Lock()
        self._local = threading.local()

    def _add(self, step: str, seconds: float) -> None:
        with self._lock:
            self.spent[step] = self.spent.get(step, 0.0) + seconds

    def wrap(self, step: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            stack: list[str] = self._local.__dict__.setdefault("stack", [])
            started = time.thread_time()
            stack.append(step)
            try:
                return function(*args, **kwargs)
            finally:
                stack.pop()
                spent = time.thread_time() - started
                self._add(step, spent)
                if stack:  # the caller's step did not spend this itself
                    self._add(stack[-1], -spent)

        return timed


class _Namespace:
    """A stand-in for a module the node calls one function of (``hashlib``, ``json``) by attribute."""

    def __init__(self, module: Any, **replaced: Callable[..., Any]) -> None:
        self._module = module
        self.__dict__.update(replaced)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)


def _instrument(clock: _Clock) -> Callable[[], None]:
    """Wraps the steps; returns what puts the node's functions back (for the next repetition)."""
    # Replaced where the node looks them up (module globals and class attributes), on purpose; a name the
    # node does not use (any more) is skipped, so the same script measures the code before and after.
    facts = "facts check (identity, type rules, anchored figures)"
    targets: list[tuple[Any, str, str]] = [
        (LocalPayloadStore, "prefetch", "fetch (one CAR request, parse, CID checks, block writes)"),
        (gateway, "_held_dags", _GATEWAY),
        (gateway, "write_car", _GATEWAY),
        (LocalPayloadStore, "pin", "payload store reads (pin, get)"),
        (LocalPayloadStore, "get", "payload store reads (pin, get)"),
        (reading, "open_envelope", "HPKE open (ML-KEM-768 + X25519, AES-GCM)"),
        (reading, "canonical_bytes", "canonical form (RFC 8785)"),
        (reading, "leaf_of", "EIP-712 signature recovery"),
        (eip712, "recover", "EIP-712 signature recovery"),
        (_verdicts, "identity_of", facts),
        (_verdicts, "facts_of", facts),
        (_verdicts, "stated_facts", facts),  # since the facts are derived once per payload
        (_verdicts, "checked_facts", facts),
        (_verdicts, "disagreements", facts),
        (IndexRepository, "document", "index reads"),
        (IndexRepository, "payload_checks_due", "index reads"),
        (IndexRepository, "record_payload_checks", "index write (one transaction a round)"),
    ]
    originals: list[tuple[Any, str, Any]] = []
    for owner, name, step in targets:
        if name in vars(owner):
            originals.append((owner, name, vars(owner)[name]))
            setattr(owner, name, clock.wrap(step, getattr(owner, name)))
    for module_name, attribute, function, step in (
        ("hashlib", "hashlib", "sha256", "digest (SHA-256)"),
        ("json", "json", "loads", "JSON parse"),
    ):
        module = getattr(reading, attribute, None)
        if module is not None and getattr(module, "__name__", "") == module_name:
            originals.append((reading, attribute, module))
            wrapped = clock.wrap(step, getattr(module, function))
            setattr(reading, attribute, _Namespace(module, **{function: wrapped}))

    def restore() -> None:
        for owner, name, original in reversed(originals):
            setattr(owner, name, original)

    return restore


class _InlinePool:
    """Runs the checker's reads on the calling thread, for a profile (cProfile sees only one thread)."""

    def map(self, function: Callable[..., Any], *iterables: Any) -> Any:
        return map(function, *iterables)


def _nothing() -> None:
    return None


def _descendants_cpu_s() -> float:
    """CPU seconds (user and system) of this process's live descendants: the fork server and its workers."""
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        pid = int(stat.parent.name)
        parents[pid], ticks[pid] = int(fields[1]), int(fields[11]) + int(fields[12])
    mine, grew = {os.getpid()}, True
    while grew:
        found = {pid for pid, parent in parents.items() if parent in mine} - mine
        grew, mine = bool(found), mine | found
    return sum(ticks[pid] for pid in mine - {os.getpid()}) / os.sysconf("SC_CLK_TCK")


def measure(documents: int = 2_000, workers: int = 0, profile: str | None = None) -> dict[str, Any]:
    keys = {code: EncryptionPrivateKey.generate() for code in ("VN", "SG", "TH")}
    chain, account = fake_chain(keys)
    domain = eip712.domain_separator(chain.chain_id, chain.registry_address)
    with tempfile.TemporaryDirectory(prefix="origo-importer-cpu-") as tmp:
        # VN: issues every document for SG, sealed to SG (and to VN itself), anchored in batches.
        vn = vn_issuer(chain, account, Path(tmp) / "vn.db", Path(tmp) / "vn-payloads")
        service, batcher, vn_payloads, vn_db = vn.service, vn.batcher, vn.payloads, vn.db

        def issue(bulks: list[list[dict[str, Any]]]) -> None:
            for bulk in bulks:
                service.issue_many(list[object](bulk))
            while batcher.run_once(force=True):
                pass

        issue([form_ds("warm-up", WARM_UP)])
        # SG: fetches from VN's gateway (the node's router), indexes, and reads.
        app = FastAPI()
        app.include_router(gateway.gateway_router(vn_payloads.blocks))
        fetcher = PeerFetcher(["http://testserver"], client=TestClient(app))
        sg_db = Database(Path(tmp) / "sg.db")
        sg_index = IndexRepository(sg_db)
        sg_payloads = LocalPayloadStore(Path(tmp) / "sg-payloads", peers=fetcher)
        reader = PayloadReader(sg_index, sg_payloads, "SG", keys["SG"], domain)
        # (no ``workers`` argument for 0: the script also measures the checker before it had one)
        checker = PayloadChecker(sg_index, reader, **({"workers": workers} if workers else {}))
        indexer = Indexer(
            sg_index, NodeFacts(sg_db), chain, sg_payloads, deployment_block=0, confirmations=0,
            on_membership_change=lambda: None, on_documents_indexed=checker.queue,
        )  # fmt: skip
        while indexer.run_once():
            pass
        # A first round out of the way: first-call costs, and the worker processes started (once per node).
        checker.run_once()
        issue([form_ds(f"I{i}", BULK) for i in range(max(1, documents // BULK))])
        while indexer.run_once():
            pass
        queued = sg_index.payload_checks_waiting()
        clock = _Clock()
        profiler = cProfile.Profile() if profile else None
        if profiler is not None:
            checker._threads = _InlinePool()  # type: ignore[assignment]
        restore = _instrument(clock) if profiler is None else _nothing
        children_before = _descendants_cpu_s()
        wall_started, started = time.perf_counter(), time.process_time()
        read = 0
        if profiler is not None:
            profiler.enable()
        while moved := checker.run_once():
            read += moved
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(str(profile))
        total, wall = time.process_time() - started, time.perf_counter() - wall_started
        restore()
        children = _descendants_cpu_s() - children_before
        getattr(checker, "close", _nothing)()
        states = sg_db.read().execute("SELECT state, count(*) FROM idx_payload_checks GROUP BY state")
        outcome = {str(state): int(count) for state, count in states.fetchall()}
        sg_db.close()
        vn_db.close()
    if read != queued or outcome != {"ok": queued + WARM_UP}:
        raise SystemExit(f"expected {queued} payloads read and found ok, got {read}: {outcome}")
    gateway_s = clock.spent.pop(_GATEWAY, 0.0)
    own = total - gateway_s
    steps = {step: round(1000 * spent / read, 3) for step, spent in clock.spent.items()}
    steps["rest"] = round(1000 * own / read - sum(steps.values()), 3)
    return {
        "payloads": read,
        "workers": workers,
        "cpu_ms_per_payload": steps,
        "total_cpu_ms_per_payload": round(1000 * own / read, 3),
        "worker_processes_cpu_ms_per_payload": round(1000 * children / read, 3),
        "wall_ms_per_payload": round(1000 * wall / read, 3),
        "payloads_per_s": round(read / wall, 1),
        "gateway_cpu_ms_per_payload": round(1000 * gateway_s / read, 3),
        "load_average": os.getloadavg()[0],
    }


def compare(documents: int) -> dict[str, Any]:
    """The steps on the checker's thread, and the same payloads with the node's default worker processes
    (two, on a single core too, so that the figure says what they cost)."""
    from origo_node.services.check_pool import default_workers  # here: the script also measures main's code

    return {"thread": measure(documents, 0), "workers": measure(documents, max(2, default_workers()))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("documents", nargs="?", type=int, default=2_000)
    parser.add_argument("--workers", type=int, default=0, help="worker processes (0: the checker's thread)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the rounds (no step figures)")
    args = parser.parse_args()
    runs = [measure(args.documents, args.workers, args.profile) for _ in range(args.repeat)]
    for run in runs:
        print(json.dumps(run))
    if len(runs) > 1:
        for figure in ("total_cpu_ms_per_payload", "worker_processes_cpu_ms_per_payload", "payloads_per_s"):
            print(f"median {figure}: {statistics.median(r[figure] for r in runs)}")


if __name__ == "__main__":
    main()
