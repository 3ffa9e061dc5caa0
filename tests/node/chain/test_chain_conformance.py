"""One conformance suite for the chain port: the fake adapter must answer as web3 on anvil does, and web3
must answer the same on a Clique proof-of-authority chain (real sealers, a block a second, 97-byte
extraData)."""

from __future__ import annotations

import os
import time
from itertools import count
from typing import Any

import pytest
from chain_worlds import World
from origo_node.chain import calls
from origo_node.chain.events import jsonable
from origo_node.chain.merkle import Leaf, MerkleTree
from origo_node.chain.port import Call, SignedTx, TxRefused
from origo_node.errors import ChainError, ChainRuleViolated
from origo_node.hashing import keccak256
from origo_node.membership_fields import Voted, membership_fields_of

FORM_D = keccak256(b"atiga-form-d/1")
CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
_ids = count(1)


def leaf(*quantities: int, issuer: str = "VN", importer: str = "SG") -> Leaf:
    n = f"{os.getpid()}-{next(_ids)}"
    return Leaf(
        document_id=keccak256(f"origo:{issuer}:REF-{n}".encode()),
        document_type=FORM_D,
        digest=keccak256(f"digest-{n}".encode()),
        issuer=issuer,
        importer=importer,
        issued_at=1_700_000_000,
        expires_at=0,
        quantities=quantities,
        payload_cid=keccak256(f"cid-{n}".encode()),
    )


def send(world: World, account: Any, call: Call, *, gas: int | None = None) -> SignedTx:
    chain = world.chain
    gas = gas if gas is not None else int(chain.simulate(account.address, call) * 1.25) + 10_000
    nonce = chain.nonce(account.address)
    signed = chain.sign(account, call, nonce=nonce, gas=gas, gas_price=chain.gas_price())
    chain.send_raw(signed.raw)
    # Anvil answers eth_sendRawTransaction before its automine has made the block readable;
    # on a loaded machine a read straight after can still see the state before.
    # Every test here reads what it sent, so wait for it.
    deadline = time.monotonic() + 30
    while chain.receipt(signed.tx_hash) is None:
        assert time.monotonic() < deadline, f"transaction {signed.tx_hash} not mined within 30 s"
        time.sleep(0.02)
    return signed


def anchor(world: World, leaves: list[Leaf]) -> MerkleTree:
    tree = MerkleTree(leaves)
    signed = send(world, world.issuer(leaves[0].issuer), calls.anchor_batch(tree.root, len(leaves), CID))
    receipt = world.chain.receipt(signed.tx_hash)
    assert receipt is not None and receipt.ok
    return tree


def rule_of(world: World, account: Any, call: Call) -> str:
    with pytest.raises(ChainRuleViolated) as info:
        world.chain.simulate(account.address, call)
    return str(info.value.details["rule"])


# ---------------------------------------------------------------- reads


def test_members_are_read_with_their_issuers(world: World) -> None:
    members = {m.code: m for m in world.chain.members()}
    assert set(members) == {"VN", "SG"}
    vn = members["VN"]
    assert (vn.status, vn.name, vn.endpoint) == (1, "Customs VN", "http://127.0.0.1:9000")
    assert vn.admin.lower() == world.admin("VN").address.lower()
    assert [a.lower() for a in vn.issuers] == [world.issuer("VN").address.lower()]
    assert vn.encryption_key == b"\x01" * 32


def test_blocks_have_stable_hashes_and_a_missing_block_is_an_error(world: World) -> None:
    head = world.chain.head()
    block = world.chain.block(head)
    assert block.number == head and block.hash.startswith("0x") and len(block.hash) == 66
    assert world.chain.block(head) == block
    with pytest.raises(ChainError):
        world.chain.block(head + 1000)


def test_unknown_transactions_have_no_receipt(world: World) -> None:
    unknown = "0x" + "ab" * 32
    assert world.chain.receipt(unknown) is None
    assert world.chain.transaction(unknown) is None


# ---------------------------------------------------------------- anchoring


def test_an_anchored_batch_is_readable_and_emits_its_event(world: World) -> None:
    leaves = [leaf(), leaf()]
    tree = MerkleTree(leaves)
    issuer = world.issuer("VN")
    assert world.chain.batch("VN", tree.root) is None
    assert world.chain.simulate(issuer.address, calls.anchor_batch(tree.root, 2, CID)) > 0
    signed = send(world, issuer, calls.anchor_batch(tree.root, 2, CID))
    receipt = world.chain.receipt(signed.tx_hash)
    assert receipt is not None and receipt.ok
    # A chain that seals every second may have sealed more blocks on top meanwhile.
    assert (
        receipt.block == world.chain.head() if world.kind != "clique" else receipt.block <= world.chain.head()
    )
    stored = world.chain.batch("VN", tree.root)
    assert stored is not None and (stored.issuer, stored.count, stored.block) == ("VN", 2, receipt.block)
    [event] = [e for e in world.chain.events(receipt.block, receipt.block) if e.name == "BatchAnchored"]
    assert event.contract == "registry" and event.tx_hash == signed.tx_hash
    assert event.args["root"] == tree.root and event.args["issuer"] == b"VN"
    assert (event.args["count"], event.args["manifestCid"]) == (2, CID)
    assert str(event.args["account"]).lower() == issuer.address.lower()
    assert [e.name for e in receipt.events] == ["BatchAnchored"]


def test_a_root_is_anchored_once_and_only_by_an_issuer(world: World) -> None:
    tree = anchor(world, [leaf()])
    assert rule_of(world, world.issuer("VN"), calls.anchor_batch(tree.root, 1, CID)) == "RegistryBatchExists"
    other = MerkleTree([leaf()]).root
    assert rule_of(world, world.outsider, calls.anchor_batch(other, 1, CID)) == "RegistryNotIssuer"
    assert rule_of(world, world.issuer("VN"), calls.anchor_batch(other, 0, CID)) == "RegistryEmptyBatch"


def test_a_reverting_transaction_is_mined_as_failed(world: World) -> None:
    tree = anchor(world, [leaf()])
    signed = send(world, world.issuer("VN"), calls.anchor_batch(tree.root, 1, CID), gas=200_000)
    receipt = world.chain.receipt(signed.tx_hash)
    assert receipt is not None and not receipt.ok and receipt.events == ()


# ---------------------------------------------------------------- transactions


def test_a_mined_transaction_sent_again_changes_nothing_and_a_used_nonce_is_refused(world: World) -> None:
    issuer = world.issuer("VN")
    before = world.chain.nonce(issuer.address)
    signed = send(world, issuer, calls.anchor_batch(MerkleTree([leaf()]).root, 1, CID))
    with pytest.raises(TxRefused) as again:
        world.chain.send_raw(signed.raw)
    assert again.value.reason == "nonce-too-low"
    assert world.chain.nonce(issuer.address) == before + 1
    assert world.chain.nonce(issuer.address, pending=False) == before + 1
    info = world.chain.transaction(signed.tx_hash)
    assert info is not None and info.nonce == before and info.block is not None
    assert info.sender.lower() == issuer.address.lower()
    call = calls.anchor_batch(MerkleTree([leaf()]).root, 1, CID)
    stale = world.chain.sign(issuer, call, nonce=before, gas=200_000, gas_price=world.chain.gas_price())
    with pytest.raises(TxRefused) as refused:
        world.chain.send_raw(stale.raw)
    assert refused.value.reason == "nonce-too-low"


# ---------------------------------------------------------------- documents


def test_actions_follow_the_registry_rules(world: World) -> None:
    docs = [leaf(10_000), leaf()]
    tree = anchor(world, docs)
    args = (docs[0].to_abi_tuple(), tree.root, tree.proof(0))
    sg, vn = world.issuer("SG"), world.issuer("VN")
    too_much = calls.accept(*args, b"D-1".ljust(32, b"\0"), [(0, 20_000)])
    assert rule_of(world, sg, too_much) == "RegistryQuantityExceeded"
    assert rule_of(world, vn, calls.accept(*args, b"D".ljust(32, b"\0"), [(0, 1)])) == "RegistryWrongMember"
    signed = send(world, sg, calls.accept(*args, b"D-1".ljust(32, b"\0"), [(0, 4_000)]))
    receipt = world.chain.receipt(signed.tx_hash)
    assert receipt is not None and receipt.ok
    [accepted] = receipt.events
    assert accepted.name == "DocumentAccepted" and accepted.args["documentId"] == docs[0].document_id
    assert accepted.args["claims"] == [{"item": 0, "quantity": 4_000}]
    assert accepted.args["fullyUtilised"] is False
    send(world, vn, calls.document_action("revoke", *args, 3, "wrong origin"))
    assert rule_of(world, sg, too_much) == "RegistryRevoked"
    wrong_proof = (docs[1].to_abi_tuple(), tree.root, tree.proof(0))
    assert rule_of(world, vn, calls.document_action("revoke", *wrong_proof, 1, "")) == "RegistryNotAnchored"


def test_claims_are_counted_item_by_item_in_each_items_unit(world: World) -> None:
    """Gloves in pairs and finger cots in pieces: both chains keep each item's count and name the item."""
    docs = [leaf(12_000_000, 9_000_000, 0)]
    tree = anchor(world, docs)
    args = (docs[0].to_abi_tuple(), tree.root, tree.proof(0))
    sg = world.issuer("SG")

    def declaration(n: int) -> bytes:
        return f"SG-ITEM-{n}".encode().ljust(32, b"\0")

    refused = {
        "RegistryNoSuchItem": [(3, 1)],
        "RegistryQuantityNotTracked": [(2, 1)],
        "RegistryQuantityExceeded": [(1, 9_000_001)],
    }
    for rule, claims in refused.items():
        assert rule_of(world, sg, calls.accept(*args, declaration(0), claims)) == rule
    signed = send(world, sg, calls.accept(*args, declaration(1), [(1, 40_000), (0, 0)]))
    receipt = world.chain.receipt(signed.tx_hash)
    assert receipt is not None and receipt.ok
    [accepted] = receipt.events
    taken = [{"item": 1, "quantity": 40_000}, {"item": 0, "quantity": 12_000_000}]
    assert (accepted.args["claims"], accepted.args["fullyUtilised"]) == (taken, False)
    assert rule_of(world, sg, calls.accept(*args, declaration(2), [(0, 1)])) == "RegistryItemFullyUtilised"
    # Item 3 gives no quantity: only the whole certificate uses it up.
    signed = send(world, sg, calls.accept(*args, declaration(3), [(1, 0)]))
    receipt = world.chain.receipt(signed.tx_hash)
    assert receipt is not None and receipt.events[0].args["fullyUtilised"] is False
    signed = send(world, sg, calls.accept(*args, declaration(4), []))
    receipt = world.chain.receipt(signed.tx_hash)
    assert receipt is not None and receipt.events[0].args["claims"] == []
    assert receipt.events[0].args["fullyUtilised"] is True
    assert rule_of(world, sg, calls.accept(*args, declaration(5), [])) == "RegistryFullyUtilised"


# ---------------------------------------------------------------- governance


def test_proposals_are_created_voted_and_read(world: World) -> None:
    before = world.chain.proposal_count()
    signed = send(world, world.admin("VN"), calls.propose_status_change(1, b"SG"))
    receipt = world.chain.receipt(signed.tx_hash)
    assert receipt is not None and receipt.ok
    created = [e for e in receipt.events if e.name == "ProposalCreated"]
    assert len(created) == 1 and int(created[0].args["id"]) == before + 1
    p = world.chain.proposal(before + 1)
    assert (p.kind, p.proposer, p.target, p.yes_votes, p.required_votes) == (1, "VN", "SG", 1, 2)
    assert not p.executed and not p.expired
    voted = world.chain.receipt(send(world, world.admin("SG"), calls.vote(before + 1)).tx_hash)
    assert voted is not None and world.chain.proposal(before + 1).executed
    names = [e.name for e in voted.events]
    assert names == ["Voted", "MemberStatusChanged", "ProposalExecuted"]
    # Every argument the contract emits, decoded by either adapter alike: the index stores them typed.
    for event in [*receipt.events, *voted.events]:
        raw = {name: jsonable(value) for name, value in event.args.items()}
        assert list(membership_fields_of(event.name, raw).as_json().items()) == list(raw.items())
    assert membership_fields_of("Voted", jsonable(voted.events[0].args)) == Voted(
        id=before + 1, voter="SG", yes_votes=2, required_votes=2
    )
    assert {m.code: m.status for m in world.chain.members()}["SG"] == 2
    assert rule_of(world, world.outsider, calls.vote(before + 1)) == rule_of(
        world, world.outsider, calls.propose_quorum(6000)
    )


def test_roots_are_per_member_so_a_front_runner_blocks_nothing(world: World) -> None:
    docs = [leaf()]
    tree = MerkleTree(docs)
    # SG anchors VN's root first (it saw it in the mempool): it gets a batch of its own, VN's is untouched.
    send(world, world.issuer("SG"), calls.anchor_batch(tree.root, 1, CID))
    assert world.chain.batch("VN", tree.root) is None
    sg_batch = world.chain.batch("SG", tree.root)
    assert sg_batch is not None and sg_batch.issuer == "SG"
    send(world, world.issuer("VN"), calls.anchor_batch(tree.root, 1, CID))
    assert world.chain.batch("VN", tree.root) is not None
    args = (docs[0].to_abi_tuple(), tree.root, tree.proof(0))
    signed = send(world, world.issuer("SG"), calls.accept(*args, b"D-9".ljust(32, b"\0"), []))
    receipt = world.chain.receipt(signed.tx_hash)
    assert receipt is not None and receipt.ok and receipt.events[0].args["issuer"] == b"VN"


def test_a_declaration_claims_a_document_once(world: World) -> None:
    docs = [leaf(10_000)]
    tree = anchor(world, docs)
    args = (docs[0].to_abi_tuple(), tree.root, tree.proof(0))
    declaration = b"SG-IMP-1".ljust(32, b"\0")
    send(world, world.issuer("SG"), calls.accept(*args, declaration, [(0, 1_000)]))
    again = calls.accept(*args, declaration, [(0, 1_000)])
    assert rule_of(world, world.issuer("SG"), again) == "RegistryDeclarationUsed"
