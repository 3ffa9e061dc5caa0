"""A hostile issuer anchors payloads that fail each of the importer's checks, beside honest ones: the
importing member's checker records each with the same outcome and words whether it checks on its own thread
or in its worker processes (``services.check_pool``), and one bad payload never stops the round for the
others.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fakenode_support import Consortium, FakeNode, _encryption_key, form_d, issuer_account, new_consortium
from origo_node.chain import eip712
from origo_node.documents import ValidationContext
from origo_node.services import issuing
from origo_node.services.payload_checks import PayloadChecker
from origo_node.services.reading import PayloadReader
from origo_node.store.index import IndexRepository
from origo_node.store.rows import PayloadCheck

_serial = iter(range(1_000_000))


@pytest.fixture(scope="module", params=[0, 2], ids=["checker-thread", "worker-processes"])
def network(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Consortium]:
    """VN and SG on the fake chain; SG checks payloads with ``param`` worker processes (0: its own thread)."""
    consortium = new_consortium(tmp_path_factory.mktemp(f"checks-{request.param}"))
    sg = consortium.nodes["SG"]
    index = IndexRepository(sg.db)
    domain = eip712.domain_separator(consortium.chain.chain_id, consortium.chain.registry_address)
    reader = PayloadReader(index, sg.payloads, "SG", _encryption_key("SG"), domain)
    sg.checker.close()
    sg.checker = PayloadChecker(index, reader, workers=request.param)
    yield consortium
    sg.checker.close()
    for node in consortium.nodes.values():
        node.db.close()


def _issue_with(consortium: Consortium, monkeypatch: pytest.MonkeyPatch, **hostile: Any) -> tuple[str, str]:
    """One certificate issued by VN's node with ``hostile`` patched into its issuing, one honest one after it;
    both anchored and read by SG. Returns their ids."""
    vn = consortium.nodes["VN"]
    with monkeypatch.context() as patch:
        for name, replacement in hostile.items():
            patch.setattr(issuing if hasattr(issuing, name) else eip712, name, replacement)
        bad = vn.issuing.issue(form_d(f"VN-HOSTILE-CHECK-{next(_serial)}")).document_id
    honest = vn.issuing.issue(form_d(f"VN-HONEST-CHECK-{next(_serial)}")).document_id
    consortium.settle()
    return bad, honest


def _found(node: FakeNode, doc_id: str) -> PayloadCheck:
    key = node.status.resolver.resolve(doc_id)
    found = IndexRepository(node.db).payload_check(key.issuer, key)
    assert found is not None
    return found


def _assert_checked(consortium: Consortium, bad: str, honest: str, state: str, detail: str) -> None:
    sg = consortium.nodes["SG"]
    found = _found(sg, bad)
    assert (found.state, found.detail) == (state, detail)
    assert _found(sg, honest).state == "ok"  # the round went on past the bad one
    if sg.checker._pool is not None:  # the worker path, not a fallback to the checker's thread
        assert sg.checker.workers_running


def _sealing(change: Callable[[bytes, dict[str, bytes]], tuple[bytes, dict[str, bytes]]]) -> Any:
    honest = issuing.seal

    def sealed(plaintext: bytes, keys: dict[str, bytes], aad: bytes = b"") -> bytes:
        return honest(*change(plaintext, keys), aad=aad)

    return sealed


def _anchoring_bytes(make: Callable[[dict[str, Any]], bytes]) -> Any:
    """VN's node anchors the digest of (and seals) other bytes than the document's canonical form."""
    honest = issuing.validate_document

    def validated(doc: object, ctx: ValidationContext) -> Any:
        checked = honest(doc, ctx)
        return dataclasses.replace(checked, canonical=make(checked.doc))

    return validated


def test_a_payload_changed_after_its_digest_was_anchored(
    network: Consortium, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad, honest = _issue_with(network, monkeypatch, seal=_sealing(lambda text, keys: (text + b" ", keys)))
    detail = "the payload's digest is not the anchored digest"
    _assert_checked(network, bad, honest, "digest_mismatch", detail)


def test_a_payload_not_in_canonical_form(network: Consortium, monkeypatch: pytest.MonkeyPatch) -> None:
    validate = _anchoring_bytes(lambda doc: json.dumps(doc, indent=1).encode())
    bad, honest = _issue_with(network, monkeypatch, validate_document=validate)
    _assert_checked(network, bad, honest, "digest_mismatch", "the payload is not in canonical form")


def test_a_payload_that_is_not_json_at_all(network: Consortium, monkeypatch: pytest.MonkeyPatch) -> None:
    # Its digest is the anchored one: json.loads used to raise out of the round, which then recorded nothing.
    validate = _anchoring_bytes(lambda doc: b"\xff\x00 not a document")
    bad, honest = _issue_with(network, monkeypatch, validate_document=validate)
    _assert_checked(network, bad, honest, "digest_mismatch", "the payload is not in canonical form")


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        ([1, 2], "a JSON array"),
        ("a certificate", "a JSON string"),
        (7, "a JSON number"),
        (None, "the JSON value null"),
    ],
    ids=["array", "string", "number", "null"],
)
def test_a_payload_that_is_json_but_no_object(
    network: Consortium, monkeypatch: pytest.MonkeyPatch, payload: object, kind: str
) -> None:
    # Canonical, signed and anchored: it used to read "ok", as a document of a type this node does not know.
    validate = _anchoring_bytes(lambda doc: json.dumps(payload, separators=(",", ":")).encode())
    bad, honest = _issue_with(network, monkeypatch, validate_document=validate)
    detail = f"the payload is {kind}, not a document (a document is a JSON object)"
    _assert_checked(network, bad, honest, "facts_mismatch", detail)
    _assert_final(network, bad)


def _assert_final(consortium: Consortium, doc_id: str) -> None:
    """A verdict on what its issuer anchored: no later read can find otherwise, so it is not tried again."""
    sg = consortium.nodes["SG"]
    key = sg.status.resolver.resolve(doc_id)
    assert (key.issuer, doc_id) not in IndexRepository(sg.db).payload_checks_due(0.0, 10_000)


@pytest.mark.parametrize(
    "value",
    [float("nan"), 2**60, "\ud800"],
    ids=["NaN", "an integer beyond I-JSON", "a lone surrogate"],
)
def test_a_payload_that_is_json_but_not_i_json(
    network: Consortium, monkeypatch: pytest.MonkeyPatch, value: object
) -> None:
    # It used to be recorded as "unavailable" and fetched and opened again every few seconds, for ever.
    validate = _anchoring_bytes(lambda doc: json.dumps({**doc, "remarks": value}, sort_keys=True).encode())
    bad, honest = _issue_with(network, monkeypatch, validate_document=validate)
    detail = "the payload is not in canonical form: the document is not representable as I-JSON"
    _assert_checked(network, bad, honest, "digest_mismatch", detail)
    _assert_final(network, bad)


def test_a_payload_whose_anchored_signature_is_malformed(
    network: Consortium, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad, honest = _issue_with(network, monkeypatch, sign=lambda leaf, domain, key: bytes(65))
    detail = "the anchored signature is malformed: a signature is 65 bytes ending in v = 27 or 28"
    _assert_checked(network, bad, honest, "bad_signature", detail)
    _assert_final(network, bad)


def test_a_payload_signed_by_another_key(network: Consortium, monkeypatch: pytest.MonkeyPatch) -> None:
    honest_sign, other = eip712.sign, issuer_account("TH")
    bad, honest = _issue_with(
        network, monkeypatch, sign=lambda leaf, domain, key: honest_sign(leaf, domain, bytes(other.key))
    )
    signer = issuer_account("VN").address
    detail = f"the signature recovers to {other.address}, not {signer}"
    _assert_checked(network, bad, honest, "bad_signature", detail)


def test_a_payload_sealed_for_another_member(network: Consortium, monkeypatch: pytest.MonkeyPatch) -> None:
    others = _sealing(lambda text, keys: (text, {code: key for code, key in keys.items() if code != "SG"}))
    bad, honest = _issue_with(network, monkeypatch, seal=others)
    detail = "cannot open the payload: member is not among the envelope's recipients"
    _assert_checked(network, bad, honest, "not_a_recipient", detail)


def test_a_payload_whose_figures_are_not_the_anchored_ones(
    network: Consortium, monkeypatch: pytest.MonkeyPatch
) -> None:
    honest_validate = issuing.validate_document

    def inflated(doc: object, ctx: ValidationContext) -> Any:
        checked = honest_validate(doc, ctx)
        quantities = tuple(q * 100 for q in checked.facts.quantities)
        facts = dataclasses.replace(checked.facts, quantities=quantities)
        return dataclasses.replace(checked, facts=facts)

    bad, honest = _issue_with(network, monkeypatch, validate_document=inflated)
    detail = "the chain records 1,920,000.000 KGM for item 1; the document gives 19,200.000 KGM"
    _assert_checked(network, bad, honest, "facts_mismatch", detail)


def test_an_honest_payload_is_ok_with_its_reference(network: Consortium) -> None:
    vn, sg = network.nodes["VN"], network.nodes["SG"]
    reference = f"VN-HONEST-CHECK-{next(_serial)}"
    doc_id = vn.issuing.issue(form_d(reference)).document_id
    network.settle()
    found = _found(sg, doc_id)
    assert (found.state, found.detail, found.reference) == ("ok", None, reference)


def test_closing_the_checker_ends_its_workers_and_it_still_checks_on_its_own_thread(tmp_path: Path) -> None:
    consortium = new_consortium(tmp_path)
    vn, sg = consortium.nodes["VN"], consortium.nodes["SG"]
    index = IndexRepository(sg.db)
    domain = eip712.domain_separator(consortium.chain.chain_id, consortium.chain.registry_address)
    sg.checker = PayloadChecker(
        index, PayloadReader(index, sg.payloads, "SG", _encryption_key("SG"), domain), workers=1
    )
    first = vn.issuing.issue(form_d("VN-POOL-CLOSE-1")).document_id
    consortium.settle()
    assert sg.checker.workers_running and _found(sg, first).state == "ok"
    sg.checker.close()
    assert not sg.checker.workers_running
    second = vn.issuing.issue(form_d("VN-POOL-CLOSE-2")).document_id
    consortium.settle()
    assert _found(sg, second).state == "ok"
    for node in consortium.nodes.values():
        node.db.close()


def test_a_killed_worker_leaves_no_payload_unchecked_and_the_node_checks_them_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    consortium = new_consortium(tmp_path)
    vn, sg = consortium.nodes["VN"], consortium.nodes["SG"]
    index = IndexRepository(sg.db)
    domain = eip712.domain_separator(consortium.chain.chain_id, consortium.chain.registry_address)
    sg.checker = PayloadChecker(
        index, PayloadReader(index, sg.payloads, "SG", _encryption_key("SG"), domain), workers=1
    )
    vn.issuing.issue(form_d("VN-POOL-KILL-1"))
    consortium.settle()
    assert sg.checker.workers_running
    pool = sg.checker._pool
    assert pool is not None and pool._pool is not None
    for process in list(pool._pool._processes.values()):
        os.kill(process.pid, signal.SIGKILL)
        process.join(timeout=10)
    honest_sign, other = eip712.sign, issuer_account("TH")
    bad, honest = _issue_with(
        consortium, monkeypatch, sign=lambda leaf, domain, key: honest_sign(leaf, domain, bytes(other.key))
    )
    assert _found(sg, bad).state == "bad_signature" and _found(sg, honest).state == "ok"
    assert not sg.checker.workers_running  # and none started again at once: a minute's pause first
    sg.checker.close()
    for node in consortium.nodes.values():
        node.db.close()


_NODE_WITH_A_POOL = """
import sys
from origo_node.crypto import EncryptionPrivateKey
from origo_node.services.check_pool import CheckPool
from origo_node.services.reading import PayloadOpener

pool = CheckPool(2, lambda: PayloadOpener("SG", (EncryptionPrivateKey.generate(),), bytes(32)))
future = pool.submit_checks([])
assert future is not None and pool.result(future) == []
print(*pool._pool._processes, flush=True)
sys.stdin.read()
"""


def test_the_workers_of_a_killed_node_end_with_it() -> None:
    """A worker holds no lock or socket of the node's, but left behind it would wait for ever (and keep the
    fork server alive): killed with SIGKILL, the node leaves nothing running."""
    node = subprocess.Popen(
        [sys.executable, "-c", _NODE_WITH_A_POOL], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert node.stdout is not None
        workers = [int(pid) for pid in node.stdout.readline().split()]
        assert len(workers) == 2 and all(_running(pid) for pid in workers)
    finally:
        node.kill()
        node.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_running(pid) for pid in workers)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has ended; its new parent reaps it
