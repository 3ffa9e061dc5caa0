"""DocumentRegistry: batch anchoring and every step of a document's life, with every error."""

from __future__ import annotations

import os
from typing import Any

import pytest
from contracts_support import ZERO32, Consortium, claim, declaration, make_leaf
from origo_node.chain.merkle import Leaf, MerkleTree, leaf_hash

pytestmark = pytest.mark.integration

SUSPEND = 1
DECL = declaration("declaration-1")
CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"  # CIDv1 base32, 59 characters


def state(chain: Consortium, leaf: Leaf) -> dict[str, Any]:
    names = [
        "leafTag",
        "fullyUtilised",
        "revoked",
        "rejected",
        "verificationOpen",
        "verificationAnswered",
        "verificationConfirmed",
        "reasonCode",
        "supersededBy",
    ]
    call = chain.registry.functions.documentState(leaf.issuer.encode(), leaf.document_id).call()
    return dict(zip(names, call, strict=True))


def taken(event: dict[str, Any]) -> list[tuple[int, int]]:
    """An accept event's claims as (item, quantity) pairs."""
    return [(c["item"], c["quantity"]) for c in event["claims"]]


@pytest.fixture
def batch(chain: Consortium) -> MerkleTree:
    """Five VN → SG documents: [0] full claim only, [1] 10 units, [2] expires in an hour, [3], [4] spare."""
    now = chain.now()
    return chain.anchor(
        [
            make_leaf(),
            make_leaf(quantity=10_000),
            make_leaf(quantity=5_000, expires_at=now + 3600),
            make_leaf(),
            make_leaf(quantity=1),
        ]
    )


# ---------------------------------------------------------------- anchoring


def test_anchor_batch_writes_the_batch_and_emits_everything_to_index_it(chain: Consortium) -> None:
    r = chain.registry.functions
    leaves = [make_leaf() for _ in range(3)]
    tree = MerkleTree(leaves)
    account = chain.issuer("VN", 1)
    receipt = chain.send(r.anchorBatch(tree.root, 3, CID), account)
    block = chain.w3.eth.get_block(receipt["blockNumber"])
    assert chain.events(chain.registry, receipt, "BatchAnchored") == [
        {"root": tree.root, "issuer": b"VN", "account": account, "count": 3, "manifestCid": CID}
    ]
    assert r.batch(b"VN", tree.root).call() == (b"VN", 3, receipt["blockNumber"], block["timestamp"])
    for i, leaf in enumerate(leaves):
        assert r.isAnchored(leaf.to_abi_tuple(), tree.root, tree.proof(i)).call() is True


def test_a_single_document_is_a_batch_of_one(chain: Consortium) -> None:
    leaf = make_leaf()
    tree = chain.anchor([leaf])
    assert tree.root == leaf_hash(leaf)
    assert chain.registry.functions.isAnchored(leaf.to_abi_tuple(), tree.root, []).call() is True


def test_anchor_errors(chain: Consortium) -> None:
    r = chain.registry.functions
    root = os.urandom(32)
    outsider, admin = chain.spare[0], chain.admin("VN")
    assert chain.error_of(r.anchorBatch(root, 1, CID), outsider) == ("RegistryNotIssuer", (outsider,))
    assert chain.error_of(r.anchorBatch(root, 1, CID), admin) == ("RegistryNotIssuer", (admin,))
    assert chain.error_of(r.anchorBatch(root, 0, CID), chain.issuer("VN")) == ("RegistryEmptyBatch", ())
    chain.send(r.anchorBatch(root, 1, CID), chain.issuer("VN"))
    assert chain.error_of(r.anchorBatch(root, 2, CID), chain.issuer("VN", 1)) == (
        "RegistryBatchExists",
        (b"VN", root),
    )


def test_a_suspended_members_issuers_cannot_write(chain: Consortium, batch: MerkleTree) -> None:
    m, r = chain.membership.functions, chain.registry.functions
    chain.send(m.proposeStatusChange(SUSPEND, b"VN"), chain.admin("SG"))
    for code in ("TH", "MY"):
        chain.send(m.vote(1), chain.admin(code))
    issuer = chain.issuer("VN")
    assert chain.error_of(r.anchorBatch(os.urandom(32), 1, CID), issuer) == ("RegistryNotIssuer", (issuer,))
    assert chain.error_of(r.revoke(*chain.args(batch, 0), 1, ""), issuer) == ("RegistryNotIssuer", (issuer,))
    # What VN issued while it was a member stays valid at import.
    chain.send(r.accept(*chain.args(batch, 0), DECL, claim(0)), chain.issuer("SG"))
    assert state(chain, batch.leaves[0])["fullyUtilised"] is True


def test_a_removed_issuer_account_cannot_write(chain: Consortium) -> None:
    issuer = chain.issuer("VN")
    chain.send(chain.membership.functions.removeIssuer(issuer), chain.admin("VN"))
    error = chain.error_of(chain.registry.functions.anchorBatch(os.urandom(32), 1, CID), issuer)
    assert error == ("RegistryNotIssuer", (issuer,))


# ---------------------------------------------------------------- proofs


def test_not_anchored(chain: Consortium, batch: MerkleTree) -> None:
    r = chain.registry.functions
    leaf, root, proof = chain.args(batch, 1)
    doc_id = batch.leaves[1].document_id
    importer = chain.issuer("SG")
    unknown_root = os.urandom(32)
    assert chain.error_of(r.accept(leaf, unknown_root, proof, DECL, claim(0)), importer) == (
        "RegistryNotAnchored",
        (doc_id, unknown_root),
    )
    assert chain.error_of(r.accept(leaf, root, batch.proof(0), DECL, claim(0)), importer) == (
        "RegistryNotAnchored",
        (doc_id, root),
    )
    tampered = Leaf(**_fields(batch.leaves[1], quantities=(99_000,)))
    assert chain.error_of(r.accept(tampered.to_abi_tuple(), root, proof, DECL, claim(0)), importer) == (
        "RegistryNotAnchored",
        (doc_id, root),
    )
    assert r.isAnchored(tampered.to_abi_tuple(), root, proof).call() is False
    assert r.isAnchored(leaf, unknown_root, proof).call() is False


def _fields(leaf: Leaf, **changes: Any) -> dict[str, Any]:
    values = {name: getattr(leaf, name) for name in Leaf.__dataclass_fields__}
    values.update(changes)
    return values


def test_a_leaf_must_be_in_a_batch_of_its_own_issuer(chain: Consortium) -> None:
    """SG cannot anchor a leaf that claims VN issued it: the batch's issuer must be the leaf's."""
    forged = make_leaf(issuer="VN", importer="SG")
    tree = chain.anchor([forged], sender=chain.issuer("SG"))
    r = chain.registry.functions
    assert r.isAnchored(*chain.args(tree, 0)).call() is False
    assert chain.error_of(r.accept(*chain.args(tree, 0), DECL, claim(0)), chain.issuer("SG")) == (
        "RegistryNotAnchored",
        (forged.document_id, tree.root),
    )


def test_two_leaves_with_one_document_id_never_share_a_state(chain: Consortium) -> None:
    r = chain.registry.functions
    first = make_leaf(quantity=1000)
    second = Leaf(**_fields(first, quantities=(9000,), digest=os.urandom(32)))
    t1, t2 = chain.anchor([first]), chain.anchor([second, make_leaf()])
    chain.send(r.accept(*chain.args(t1, 0), DECL, claim(1000)), chain.issuer("SG"))
    assert state(chain, first)["leafTag"] == leaf_hash(first)[:16]
    for fn, sender in (
        (r.accept(*chain.args(t2, 0), DECL, claim(1)), chain.issuer("SG")),
        (r.reject(*chain.args(t2, 0), 1, ""), chain.issuer("SG")),
        (r.requestVerification(*chain.args(t2, 0), ""), chain.issuer("SG")),
        (r.revoke(*chain.args(t2, 0), 1, ""), chain.issuer("VN")),
    ):
        assert chain.error_of(fn, sender) == ("RegistryLeafMismatch", (first.document_id,))


# ---------------------------------------------------------------- revoke and supersede


def test_revoke(chain: Consortium, batch: MerkleTree) -> None:
    r = chain.registry.functions
    leaf = batch.leaves[0]
    receipt = chain.send(r.revoke(*chain.args(batch, 0), 7, "fraudulent origin"), chain.issuer("VN", 1))
    assert chain.events(chain.registry, receipt, "DocumentRevoked") == [
        {
            "documentId": leaf.document_id,
            "issuer": b"VN",
            "account": chain.issuer("VN", 1),
            "reasonCode": 7,
            "reason": "fraudulent origin",
        }
    ]
    s = state(chain, leaf)
    assert s["revoked"] is True and s["reasonCode"] == 7 and s["leafTag"] == leaf_hash(leaf)[:16]
    assert chain.error_of(r.revoke(*chain.args(batch, 0), 8, ""), chain.issuer("VN")) == (
        "RegistryRevoked",
        (leaf.document_id, 7),
    )
    assert chain.error_of(r.accept(*chain.args(batch, 0), DECL, claim(0)), chain.issuer("SG")) == (
        "RegistryRevoked",
        (leaf.document_id, 7),
    )


def test_only_the_issuing_member_revokes(chain: Consortium, batch: MerkleTree) -> None:
    r = chain.registry.functions
    importer, outsider = chain.issuer("SG"), chain.spare[0]
    assert chain.error_of(r.revoke(*chain.args(batch, 0), 1, ""), importer) == (
        "RegistryWrongMember",
        (importer, b"SG", b"VN"),
    )
    assert chain.error_of(r.revoke(*chain.args(batch, 0), 1, ""), outsider) == (
        "RegistryNotIssuer",
        (outsider,),
    )


def test_supersede(chain: Consortium, batch: MerkleTree) -> None:
    r = chain.registry.functions
    old, new = batch.leaves[1], batch.leaves[3]
    receipt = chain.send(r.supersede(*chain.args(batch, 1), *chain.args(batch, 3)), chain.issuer("VN"))
    assert chain.events(chain.registry, receipt, "DocumentSuperseded") == [
        {
            "documentId": old.document_id,
            "replacementId": new.document_id,
            "issuer": b"VN",
            "account": chain.issuer("VN"),
        }
    ]
    assert state(chain, old)["supersededBy"] == new.document_id
    assert state(chain, new)["leafTag"] == b"\0" * 16  # the replacement's storage stays untouched
    superseded = ("RegistrySuperseded", (old.document_id, new.document_id))
    assert chain.error_of(r.accept(*chain.args(batch, 1), DECL, claim(0)), chain.issuer("SG")) == superseded
    assert chain.error_of(r.revoke(*chain.args(batch, 1), 1, ""), chain.issuer("VN")) == superseded
    assert (
        chain.error_of(r.supersede(*chain.args(batch, 1), *chain.args(batch, 4)), chain.issuer("VN"))
        == superseded
    )
    # No cycle: the superseded document cannot become anyone's replacement.
    assert (
        chain.error_of(r.supersede(*chain.args(batch, 3), *chain.args(batch, 1)), chain.issuer("VN"))
        == superseded
    )
    # The replacement itself lives on.
    chain.send(r.accept(*chain.args(batch, 3), DECL, claim(0)), chain.issuer("SG"))


def test_supersede_errors(chain: Consortium, batch: MerkleTree) -> None:
    r = chain.registry.functions
    vn = chain.issuer("VN")
    ids = [leaf.document_id for leaf in batch.leaves]
    assert chain.error_of(r.supersede(*chain.args(batch, 1), *chain.args(batch, 1)), vn) == (
        "RegistryInvalidReplacement",
        (ids[1], ids[1]),
    )
    sg_leaf = make_leaf(issuer="SG", importer="VN")
    sg_tree = chain.anchor([sg_leaf])
    assert chain.error_of(r.supersede(*chain.args(batch, 1), *chain.args(sg_tree, 0)), vn) == (
        "RegistryInvalidReplacement",
        (ids[1], sg_leaf.document_id),
    )
    assert chain.error_of(r.supersede(*chain.args(batch, 1), *chain.args(batch, 3)), chain.issuer("SG")) == (
        "RegistryWrongMember",
        (chain.issuer("SG"), b"SG", b"VN"),
    )
    unanchored = make_leaf()
    assert chain.error_of(
        r.supersede(*chain.args(batch, 1), unanchored.to_abi_tuple(), batch.root, []), vn
    ) == (
        "RegistryNotAnchored",
        (unanchored.document_id, batch.root),
    )
    chain.send(r.revoke(*chain.args(batch, 3), 2, ""), vn)
    assert chain.error_of(r.supersede(*chain.args(batch, 1), *chain.args(batch, 3)), vn) == (
        "RegistryRevoked",
        (ids[3], 2),
    )
    assert chain.error_of(r.supersede(*chain.args(batch, 3), *chain.args(batch, 1)), vn) == (
        "RegistryRevoked",
        (ids[3], 2),
    )


# ---------------------------------------------------------------- accept


def test_full_claim_of_a_document_without_quantity(chain: Consortium, batch: MerkleTree) -> None:
    r = chain.registry.functions
    leaf = batch.leaves[0]
    importer = chain.issuer("SG", 1)
    assert chain.error_of(r.accept(*chain.args(batch, 0), DECL, claim(5)), importer) == (
        "RegistryNoSuchItem",
        (leaf.document_id, 0, 0),
    )
    receipt = chain.send(r.accept(*chain.args(batch, 0), DECL, claim(0)), importer)
    assert chain.events(chain.registry, receipt, "DocumentAccepted") == [
        {
            "documentId": leaf.document_id,
            "issuer": b"VN",
            "importer": b"SG",
            "account": importer,
            "declaration": DECL,
            "claims": [],
            "fullyUtilised": True,
        }
    ]
    assert state(chain, leaf)["fullyUtilised"] is True
    assert chain.error_of(r.accept(*chain.args(batch, 0), DECL, claim(0)), importer) == (
        "RegistryFullyUtilised",
        (leaf.document_id,),
    )


def test_partial_claims_until_used_up(chain: Consortium, batch: MerkleTree) -> None:
    r = chain.registry.functions
    leaf = batch.leaves[1]
    importer = chain.issuer("SG")
    receipt = chain.send(r.accept(*chain.args(batch, 1), DECL, claim(2_500)), importer)
    event = chain.events(chain.registry, receipt, "DocumentAccepted")[0]
    assert (taken(event), event["fullyUtilised"]) == ([(0, 2_500)], False)
    decl = [declaration(f"declaration-{n}") for n in (2, 3, 4)]
    assert chain.error_of(r.accept(*chain.args(batch, 1), decl[0], claim(7_501)), importer) == (
        "RegistryQuantityExceeded",
        (leaf.document_id, 0, 7_501, 7_500),
    )
    chain.send(r.accept(*chain.args(batch, 1), decl[0], claim(7_000)), importer)
    status = r.statusOf(*chain.args(batch, 1)).call()
    assert status[3] == [500]
    # Quantity 0 on an item is everything left on it; the event gives what it took.
    receipt = chain.send(r.accept(*chain.args(batch, 1), decl[1], [(0, 0)]), importer)
    event = chain.events(chain.registry, receipt, "DocumentAccepted")[0]
    assert (taken(event), event["fullyUtilised"]) == ([(0, 500)], True)
    assert state(chain, leaf)["fullyUtilised"] is True
    assert r.claimedOf(b"VN", leaf.document_id, 0).call() == 10_000
    assert r.statusOf(*chain.args(batch, 1)).call()[3] == [0]
    assert chain.error_of(r.accept(*chain.args(batch, 1), decl[2], claim(1)), importer) == (
        "RegistryFullyUtilised",
        (leaf.document_id,),
    )


def test_exact_claim_uses_the_document_up(chain: Consortium, batch: MerkleTree) -> None:
    receipt = chain.send(
        chain.registry.functions.accept(*chain.args(batch, 4), DECL, claim(1)), chain.issuer("SG")
    )
    assert chain.events(chain.registry, receipt, "DocumentAccepted")[0]["fullyUtilised"] is True


def test_expired_document_is_refused(chain: Consortium, batch: MerkleTree) -> None:
    r = chain.registry.functions
    leaf = batch.leaves[2]
    chain.send(r.accept(*chain.args(batch, 2), DECL, claim(1_000)), chain.issuer("SG"))
    chain.travel(3600)
    later = declaration("declaration-later")
    assert chain.now() >= leaf.expires_at
    assert r.statusOf(*chain.args(batch, 2)).call()[2] is True
    assert chain.error_of(r.accept(*chain.args(batch, 2), later, claim(1_000)), chain.issuer("SG")) == (
        "RegistryExpired",
        (leaf.document_id, leaf.expires_at),
    )


def test_only_the_importing_member_accepts(chain: Consortium, batch: MerkleTree) -> None:
    r = chain.registry.functions
    for code in ("VN", "TH"):
        account = chain.issuer(code)
        assert chain.error_of(r.accept(*chain.args(batch, 0), DECL, claim(0)), account) == (
            "RegistryWrongMember",
            (account, code.encode(), b"SG"),
        )
    for account in (chain.spare[0], chain.admin("SG")):
        assert chain.error_of(r.accept(*chain.args(batch, 0), DECL, claim(0)), account) == (
            "RegistryNotIssuer",
            (account,),
        )


def test_acceptance_cost_stays_under_80k_gas_in_a_batch_of_4096(chain: Consortium) -> None:
    leaf = make_leaf(quantity=10_000, expires_at=chain.now() + 86_400)
    tree = MerkleTree.from_hashes([leaf_hash(leaf), *(os.urandom(32) for _ in range(4095))])
    chain.send(chain.registry.functions.anchorBatch(tree.root, 4096, CID), chain.issuer("VN"))
    proof = tree.proof(0)
    assert len(proof) == 12
    receipt = chain.send(
        chain.registry.functions.accept(leaf.to_abi_tuple(), tree.root, proof, DECL, claim(2_000)),
        chain.issuer("SG"),
    )
    assert receipt["gasUsed"] <= 80_000


# ---------------------------------------------------------------- claims item by item

GLOVES, COTS = 12_000_000, 9_000_000  # 12,000 pairs and 9,000 pieces, in thousandths


def test_a_two_unit_certificate_is_claimed_item_by_item(chain: Consortium) -> None:
    """Gloves in pairs and finger cots in pieces: each item keeps its own count in its own unit."""
    r = chain.registry.functions
    leaf = make_leaf(quantities=(GLOVES, COTS))
    tree = chain.anchor([leaf])
    sg = chain.issuer("SG")
    doc = leaf.document_id
    decl = [declaration(f"item-declaration-{n}") for n in range(6)]

    receipt = chain.send(r.accept(*chain.args(tree, 0), decl[0], [(1, 40_000)]), sg)
    assert taken(chain.events(chain.registry, receipt, "DocumentAccepted")[0]) == [(1, 40_000)]
    assert r.statusOf(*chain.args(tree, 0)).call()[3] == [GLOVES, COTS - 40_000]
    # Beyond what remains on the item, whatever remains on the other one.
    assert chain.error_of(r.accept(*chain.args(tree, 0), decl[1], [(1, COTS)]), sg) == (
        "RegistryQuantityExceeded",
        (doc, 1, COTS, COTS - 40_000),
    )
    assert chain.error_of(r.accept(*chain.args(tree, 0), decl[1], [(2, 1)]), sg) == (
        "RegistryNoSuchItem",
        (doc, 2, 2),
    )
    # One declaration may claim several items at once; a refused part refuses the whole claim.
    assert chain.error_of(r.accept(*chain.args(tree, 0), decl[1], [(0, 1_000), (1, COTS)]), sg)[0] == (
        "RegistryQuantityExceeded"
    )
    assert r.claimedOf(b"VN", doc, 0).call() == 0
    chain.send(r.accept(*chain.args(tree, 0), decl[1], [(0, 2_000_000), (1, 1_000)]), sg)
    assert [r.claimedOf(b"VN", doc, i).call() for i in (0, 1)] == [2_000_000, 41_000]
    receipt = chain.send(r.accept(*chain.args(tree, 0), decl[2], [(0, 0)]), sg)  # the rest of the gloves
    event = chain.events(chain.registry, receipt, "DocumentAccepted")[0]
    assert (taken(event), event["fullyUtilised"]) == ([(0, GLOVES - 2_000_000)], False)
    assert chain.error_of(r.accept(*chain.args(tree, 0), decl[3], [(0, 1)]), sg) == (
        "RegistryItemFullyUtilised",
        (doc, 0),
    )
    assert chain.error_of(r.accept(*chain.args(tree, 0), decl[2], [(1, 1)]), sg) == (
        "RegistryDeclarationUsed",
        (b"VN", doc, decl[2]),
    )
    receipt = chain.send(r.accept(*chain.args(tree, 0), decl[3], [(1, 0)]), sg)
    assert chain.events(chain.registry, receipt, "DocumentAccepted")[0]["fullyUtilised"] is True
    assert r.statusOf(*chain.args(tree, 0)).call()[3] == [0, 0]
    assert chain.error_of(r.accept(*chain.args(tree, 0), decl[4], []), sg) == (
        "RegistryFullyUtilised",
        (doc,),
    )


def test_an_item_without_a_quantity_goes_only_with_the_whole_certificate(chain: Consortium) -> None:
    r = chain.registry.functions
    leaf = make_leaf(quantities=(5_000, 0))
    tree = chain.anchor([leaf])
    sg = chain.issuer("SG")
    decl = [declaration(f"untracked-{n}") for n in range(3)]
    assert chain.error_of(r.accept(*chain.args(tree, 0), decl[0], [(1, 1)]), sg) == (
        "RegistryQuantityNotTracked",
        (leaf.document_id, 1),
    )
    # All of item 1's quantity does not use the certificate up: item 2 was never claimed.
    receipt = chain.send(r.accept(*chain.args(tree, 0), decl[0], [(0, 0)]), sg)
    assert chain.events(chain.registry, receipt, "DocumentAccepted")[0]["fullyUtilised"] is False
    receipt = chain.send(r.accept(*chain.args(tree, 0), decl[1], []), sg)
    event = chain.events(chain.registry, receipt, "DocumentAccepted")[0]
    assert (taken(event), event["fullyUtilised"]) == ([], True)


def test_a_whole_claim_after_partial_ones_takes_every_remainder(chain: Consortium) -> None:
    r = chain.registry.functions
    leaf = make_leaf(quantities=(GLOVES, COTS))
    tree = chain.anchor([leaf])
    sg = chain.issuer("SG")
    chain.send(r.accept(*chain.args(tree, 0), declaration("w-1"), [(0, 500_000)]), sg)
    chain.send(r.accept(*chain.args(tree, 0), declaration("w-2"), []), sg)
    assert state(chain, leaf)["fullyUtilised"] is True
    assert r.statusOf(*chain.args(tree, 0)).call()[3] == [0, 0]


# ---------------------------------------------------------------- reject


def test_reject(chain: Consortium, batch: MerkleTree) -> None:
    r = chain.registry.functions
    leaf = batch.leaves[1]
    importer = chain.issuer("SG")
    chain.send(r.accept(*chain.args(batch, 1), DECL, claim(1_000)), importer)
    receipt = chain.send(r.reject(*chain.args(batch, 1), 3, "origin criterion not met"), importer)
    assert chain.events(chain.registry, receipt, "DocumentRejected") == [
        {
            "documentId": leaf.document_id,
            "issuer": b"VN",
            "importer": b"SG",
            "account": importer,
            "reasonCode": 3,
            "reason": "origin criterion not met",
        }
    ]
    s = state(chain, leaf)
    assert (s["rejected"], s["reasonCode"]) == (True, 3)
    assert r.claimedOf(b"VN", leaf.document_id, 0).call() == 1_000
    assert chain.error_of(r.reject(*chain.args(batch, 1), 3, ""), importer) == (
        "RegistryRejected",
        (leaf.document_id,),
    )
    assert chain.error_of(r.accept(*chain.args(batch, 1), DECL, claim(1)), importer) == (
        "RegistryRejected",
        (leaf.document_id,),
    )
    vn = chain.issuer("VN")
    assert chain.error_of(r.reject(*chain.args(batch, 0), 3, ""), vn) == (
        "RegistryWrongMember",
        (vn, b"VN", b"SG"),
    )


def test_a_revocation_reason_outranks_a_rejection_reason(chain: Consortium, batch: MerkleTree) -> None:
    r = chain.registry.functions
    chain.send(r.revoke(*chain.args(batch, 0), 9, ""), chain.issuer("VN"))
    chain.send(r.reject(*chain.args(batch, 0), 4, ""), chain.issuer("SG"))
    s = state(chain, batch.leaves[0])
    assert (s["revoked"], s["rejected"], s["reasonCode"]) == (True, True, 9)


# ---------------------------------------------------------------- verification


def test_verification_request_and_answers(chain: Consortium, batch: MerkleTree) -> None:
    r = chain.registry.functions
    leaf = batch.leaves[0]
    sg, vn = chain.issuer("SG"), chain.issuer("VN", 1)
    receipt = chain.send(r.requestVerification(*chain.args(batch, 0), "exporter unknown"), sg)
    assert chain.events(chain.registry, receipt, "VerificationRequested") == [
        {
            "documentId": leaf.document_id,
            "issuer": b"VN",
            "importer": b"SG",
            "account": sg,
            "reason": "exporter unknown",
        }
    ]
    assert state(chain, leaf)["verificationOpen"] is True
    assert chain.error_of(r.requestVerification(*chain.args(batch, 0), ""), sg) == (
        "RegistryVerificationOpen",
        (leaf.document_id,),
    )
    receipt = chain.send(r.answerVerification(*chain.args(batch, 0), False, "no such exporter"), vn)
    assert chain.events(chain.registry, receipt, "VerificationAnswered") == [
        {
            "documentId": leaf.document_id,
            "issuer": b"VN",
            "account": vn,
            "confirmed": False,
            "reason": "no such exporter",
        }
    ]
    s = state(chain, leaf)
    assert (s["verificationOpen"], s["verificationAnswered"], s["verificationConfirmed"]) == (
        False,
        True,
        False,
    )
    assert chain.error_of(r.answerVerification(*chain.args(batch, 0), True, ""), vn) == (
        "RegistryNoVerificationOpen",
        (leaf.document_id,),
    )
    # A second round: opening clears the old answer, a confirmation sets it again.
    chain.send(r.requestVerification(*chain.args(batch, 0), "again"), sg)
    s = state(chain, leaf)
    assert (s["verificationOpen"], s["verificationAnswered"], s["verificationConfirmed"]) == (
        True,
        False,
        False,
    )
    chain.send(r.answerVerification(*chain.args(batch, 0), True, ""), vn)
    s = state(chain, leaf)
    assert (s["verificationOpen"], s["verificationAnswered"], s["verificationConfirmed"]) == (
        False,
        True,
        True,
    )


def test_a_claim_waits_for_the_verification_and_is_refused_when_not_confirmed(
    chain: Consortium, batch: MerkleTree
) -> None:
    """ATIGA OCP: the preference is suspended while the request is open, and denied when not confirmed."""
    r = chain.registry.functions
    leaf = batch.leaves[1]
    sg, vn = chain.issuer("SG"), chain.issuer("VN", 1)
    chain.send(r.accept(*chain.args(batch, 1), DECL, claim(2_000)), sg)  # claimed before any doubt
    chain.send(r.requestVerification(*chain.args(batch, 1), "origin doubtful"), sg)
    second = declaration("declaration-2")
    assert chain.error_of(r.accept(*chain.args(batch, 1), second, claim(1_000)), sg) == (
        "RegistryUnderVerification",
        (b"VN", leaf.document_id),
    )
    chain.send(r.answerVerification(*chain.args(batch, 1), False, "no such producer"), vn)
    for claims in (claim(1_000), claim(0)):
        assert chain.error_of(r.accept(*chain.args(batch, 1), second, claims), sg) == (
            "RegistryNotConfirmed",
            (b"VN", leaf.document_id),
        )
    # Asked again and confirmed, the certificate can be claimed for what is left.
    chain.send(r.requestVerification(*chain.args(batch, 1), "new evidence"), sg)
    assert chain.error_of(r.accept(*chain.args(batch, 1), second, claim(1_000)), sg)[0] == (
        "RegistryUnderVerification"
    )
    chain.send(r.answerVerification(*chain.args(batch, 1), True, "producer found"), vn)
    chain.send(r.accept(*chain.args(batch, 1), second, claim(1_000)), sg)
    assert r.claimedOf(b"VN", leaf.document_id, 0).call() == 3_000


def test_a_certificate_not_confirmed_can_still_be_rejected_and_revoked(
    chain: Consortium, batch: MerkleTree
) -> None:
    r = chain.registry.functions
    leaf = batch.leaves[0]
    sg, vn = chain.issuer("SG"), chain.issuer("VN", 1)
    chain.send(r.requestVerification(*chain.args(batch, 0), "origin doubtful"), sg)
    chain.send(r.answerVerification(*chain.args(batch, 0), False, "no such producer"), vn)
    chain.send(r.reject(*chain.args(batch, 0), 8, "origin not confirmed"), sg)
    chain.send(r.revoke(*chain.args(batch, 0), 6, "verification"), vn)
    s = state(chain, leaf)
    assert (s["rejected"], s["revoked"], s["verificationAnswered"], s["verificationConfirmed"]) == (
        True,
        True,
        True,
        False,
    )
    assert chain.error_of(r.accept(*chain.args(batch, 0), DECL, claim(0)), sg) == (
        "RegistryRevoked",
        (leaf.document_id, 6),
    )


def test_another_members_verification_never_touches_the_document(chain: Consortium) -> None:
    """MY answers "not confirmed" on its own leaf carrying VN's id: VN's document can still be claimed."""
    r = chain.registry.functions
    real = make_leaf()
    tree = chain.anchor([real])
    squat = Leaf(**{**{n: getattr(real, n) for n in Leaf.__dataclass_fields__}, "issuer": "MY"})
    squat_tree = chain.anchor([squat], sender=chain.issuer("MY"))
    sg, my = chain.issuer("SG"), chain.issuer("MY")
    chain.send(r.requestVerification(squat.to_abi_tuple(), squat_tree.root, [], "squat"), sg)
    chain.send(r.answerVerification(squat.to_abi_tuple(), squat_tree.root, [], False, "squat"), my)
    chain.send(r.accept(*chain.args(tree, 0), DECL, claim(0)), sg)
    assert state(chain, real)["fullyUtilised"] is True


def test_verification_roles(chain: Consortium, batch: MerkleTree) -> None:
    r = chain.registry.functions
    sg, vn = chain.issuer("SG"), chain.issuer("VN")
    assert chain.error_of(r.requestVerification(*chain.args(batch, 0), ""), vn) == (
        "RegistryWrongMember",
        (vn, b"VN", b"SG"),
    )
    chain.send(r.requestVerification(*chain.args(batch, 0), ""), sg)
    assert chain.error_of(r.answerVerification(*chain.args(batch, 0), True, ""), sg) == (
        "RegistryWrongMember",
        (sg, b"SG", b"VN"),
    )
    outsider = chain.spare[1]
    assert chain.error_of(r.answerVerification(*chain.args(batch, 0), True, ""), outsider) == (
        "RegistryNotIssuer",
        (outsider,),
    )


# ---------------------------------------------------------------- views


def test_views(chain: Consortium, batch: MerkleTree) -> None:
    r = chain.registry.functions
    assert r.membership().call() == chain.membership.address
    assert r.batch(b"VN", os.urandom(32)).call() == (b"\0\0", 0, 0, 0)
    assert r.batch(b"SG", batch.root).call() == (b"\0\0", 0, 0, 0)  # VN's root, not SG's
    unknown = os.urandom(32)
    assert r.documentState(b"VN", unknown).call() == (
        b"\0" * 16,
        False,
        False,
        False,
        False,
        False,
        False,
        0,
        ZERO32,
    )
    for leaf in batch.leaves:
        assert r.leafHash(leaf.to_abi_tuple()).call() == leaf_hash(leaf)
    anchored, b, expired, remaining, st = r.statusOf(*chain.args(batch, 1)).call()
    assert (anchored, b[0], b[1], expired, remaining) == (True, b"VN", 5, False, [10_000])
    assert r.statusOf(*chain.args(batch, 0)).call()[3] == []  # no items
    assert st[0] == b"\0" * 16
    stranger = make_leaf(quantity=3)
    assert r.statusOf(stranger.to_abi_tuple(), batch.root, []).call()[0] is False
