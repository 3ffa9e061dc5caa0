"""Issue 9's attacks, tried on the contracts as a hostile member (MY) would, against VN's documents.

Each attack must change nothing of VN's documents or batches and, where MY reaches for VN's
records, end in a refusal naming the rule.
"""

from __future__ import annotations

from typing import Any

import pytest
from contracts_support import Consortium, claim, declaration, make_leaf
from origo_node.chain.merkle import Leaf, MerkleTree
from web3 import Web3

pytestmark = pytest.mark.integration

DECL = declaration("SG-IMP-0001")
CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"


def _copy(leaf: Leaf, **changes: Any) -> Leaf:
    values = {name: getattr(leaf, name) for name in Leaf.__dataclass_fields__}
    return Leaf(**{**values, **changes})


def _state(chain: Consortium, issuer: str, document_id: bytes) -> tuple[Any, ...]:
    return tuple(chain.registry.functions.documentState(issuer.encode(), document_id).call())


def test_squatting_an_issued_documents_id_leaves_the_document_alone(chain: Consortium) -> None:
    r = chain.registry.functions
    genuine = make_leaf(quantity=1_000)
    vn_tree = chain.anchor([genuine, make_leaf()])
    before = _state(chain, "VN", genuine.document_id)
    squat = _copy(genuine, issuer="MY", importer="MY", digest=b"\x01" * 32)
    my_tree = chain.anchor([squat], sender=chain.issuer("MY"))
    chain.send(r.revoke(*chain.args(my_tree, 0), 9, "squatted"), chain.issuer("MY"))
    # MY's revocation lives on MY's (issuer, id) record, never on VN's document.
    assert _state(chain, "VN", genuine.document_id) == before
    assert _state(chain, "MY", genuine.document_id)[2] is True  # revoked
    # VN can still revoke its own document later, and SG still accept it before that.
    chain.send(r.accept(*chain.args(vn_tree, 0), DECL, claim(400)), chain.issuer("SG"))
    chain.send(r.revoke(*chain.args(vn_tree, 0), 2, "issued in error"), chain.issuer("VN"))
    assert _state(chain, "VN", genuine.document_id)[1:3] == (False, True)  # not used up, revoked
    assert r.claimedOf(b"VN", genuine.document_id, 0).call() == 400


def test_pre_empting_an_id_before_its_issuer_issues_it_blocks_nothing(chain: Consortium) -> None:
    r = chain.registry.functions
    future_id = Web3.keccak(text="origo:VN:VN-2026-FUTURE")
    squat = make_leaf(issuer="MY", importer="SG", document_id=future_id)
    my_tree = chain.anchor([squat], sender=chain.issuer("MY"))
    chain.send(r.revoke(*chain.args(my_tree, 0), 9, "taken"), chain.issuer("MY"))
    genuine = make_leaf(document_id=future_id)
    vn_tree = chain.anchor([genuine])
    assert _state(chain, "VN", future_id)[0] == b"\0" * 16  # nothing happened to VN's document yet
    chain.send(r.accept(*chain.args(vn_tree, 0), DECL, claim(0)), chain.issuer("SG"))
    assert _state(chain, "VN", future_id)[1] is True  # fully utilised, VN's document alone


def test_a_leaf_carrying_the_victims_issuer_code_never_verifies_in_the_hostile_batch(
    chain: Consortium,
) -> None:
    r = chain.registry.functions
    forged = make_leaf(issuer="VN", importer="MY")
    my_tree = chain.anchor([forged], sender=chain.issuer("MY"))
    assert r.isAnchored(*chain.args(my_tree, 0)).call() is False
    for fn, sender in (
        (r.accept(*chain.args(my_tree, 0), DECL, claim(0)), chain.issuer("MY")),
        (r.reject(*chain.args(my_tree, 0), 1, ""), chain.issuer("MY")),
        (r.requestVerification(*chain.args(my_tree, 0), ""), chain.issuer("MY")),
    ):
        assert chain.error_of(fn, sender) == ("RegistryNotAnchored", (forged.document_id, my_tree.root))


def test_front_running_a_root_does_not_block_or_take_the_victims_batch(chain: Consortium) -> None:
    r = chain.registry.functions
    leaves = [make_leaf(), make_leaf()]
    tree = MerkleTree(leaves)
    # MY predicted VN's next root and anchors it first.
    chain.send(r.anchorBatch(tree.root, 2, "bafy-stolen"), chain.issuer("MY"))
    assert r.batch(b"MY", tree.root).call()[:2] == (b"MY", 2)
    assert r.isAnchored(*chain.args(tree, 0)).call() is False  # VN's leaves are not in MY's batch
    chain.send(r.anchorBatch(tree.root, 2, CID), chain.issuer("VN"))
    assert r.batch(b"VN", tree.root).call()[:2] == (b"VN", 2)
    assert r.isAnchored(*chain.args(tree, 1)).call() is True
    # MY cannot anchor the same root twice for itself either; VN's second try is refused as its own.
    assert chain.error_of(r.anchorBatch(tree.root, 2, CID), chain.issuer("VN", 1)) == (
        "RegistryBatchExists",
        (b"VN", tree.root),
    )
    chain.send(r.accept(*chain.args(tree, 0), DECL, claim(0)), chain.issuer("SG"))


def test_one_declaration_claims_a_certificate_once(chain: Consortium) -> None:
    r = chain.registry.functions
    leaf = make_leaf(quantity=10_000)
    tree = chain.anchor([leaf])
    sg = chain.issuer("SG")
    chain.send(r.accept(*chain.args(tree, 0), DECL, claim(2_500)), sg)
    refused = ("RegistryDeclarationUsed", (b"VN", leaf.document_id, DECL))
    # A retry after a timeout sends the same declaration and quantity again.
    assert chain.error_of(r.accept(*chain.args(tree, 0), DECL, claim(2_500)), sg) == refused
    assert chain.error_of(r.accept(*chain.args(tree, 0), DECL, claim(0)), chain.issuer("SG", 1)) == refused
    second = declaration("SG-IMP-0002")
    chain.send(r.accept(*chain.args(tree, 0), second, claim(2_500)), sg)
    refused_second = ("RegistryDeclarationUsed", (b"VN", leaf.document_id, second))
    assert chain.error_of(r.accept(*chain.args(tree, 0), second, claim(1)), sg) == refused_second
    assert chain.error_of(r.accept(*chain.args(tree, 0), DECL, claim(1)), sg) == refused
    assert r.claimedOf(b"VN", leaf.document_id, 0).call() == 5_000
    assert r.declarationUsed(b"VN", leaf.document_id, DECL).call() is True
    assert r.declarationUsed(b"VN", leaf.document_id, second).call() is True
    assert r.declarationUsed(b"VN", leaf.document_id, declaration("other")).call() is False
    assert r.declarationUsed(b"MY", leaf.document_id, DECL).call() is False
    # The same declaration may claim another certificate.
    other = make_leaf(quantity=10)
    other_tree = chain.anchor([other])
    chain.send(r.accept(*chain.args(other_tree, 0), DECL, claim(10)), sg)
