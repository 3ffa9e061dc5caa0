"""The export re-check's own hashing and signature recovery agree with the node's (and OpenZeppelin's) without
sharing code: leaf hash, sorted-pair Merkle proofs, and the EIP-712 message an issuer signs."""

from __future__ import annotations

import os

import pytest
from eth_account import Account
from hypothesis import given, settings
from hypothesis import strategies as st
from origo_cli.trail_export import parse_export
from origo_cli.trail_leaf import (
    ExportUnreadable,
    leaf_hash,
    process_proof,
    recover_signer,
    typed_data,
)
from origo_node.anchoring.batch_manifest import leaf_to_json
from origo_node.chain import eip712
from origo_node.chain.merkle import Leaf, MerkleTree
from origo_node.chain.merkle import leaf_hash as node_leaf_hash
from origo_sdk import LeafFacts

REGISTRY = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"

leaves = st.builds(
    Leaf,
    document_id=st.binary(min_size=32, max_size=32),
    document_type=st.binary(min_size=32, max_size=32),
    digest=st.binary(min_size=32, max_size=32),
    issuer=st.sampled_from(["VN", "SG", "TH", "MY"]),
    importer=st.sampled_from(["VN", "SG", "TH", "MY"]),
    issued_at=st.integers(0, 2**64 - 1),
    expires_at=st.integers(0, 2**64 - 1),
    quantities=st.lists(st.integers(0, 2**64 - 1), max_size=4).map(tuple),
    payload_cid=st.binary(min_size=32, max_size=32),
)


def facts(leaf: Leaf) -> LeafFacts:
    return LeafFacts.model_validate(leaf_to_json(leaf))


@settings(max_examples=50, deadline=None)
@given(st.lists(leaves, min_size=1, max_size=9), st.data())
def test_leaf_hash_and_proofs_match_the_node_tree(batch: list[Leaf], data: st.DataObject) -> None:
    tree = MerkleTree(batch)
    index = data.draw(st.integers(0, len(batch) - 1))
    mine = leaf_hash(facts(batch[index]))
    assert mine == node_leaf_hash(batch[index])
    assert process_proof(mine, tree.proof(index)) == tree.root


@settings(max_examples=10, deadline=None)
@given(leaves, st.integers(1, 2**32))
def test_typed_data_is_the_node_s_and_recovers_its_signer(leaf: Leaf, chain_id: int) -> None:
    key = os.urandom(32)
    signer = Account.from_key(key).address
    signature = eip712.sign(leaf, eip712.domain_separator(chain_id, REGISTRY), key)
    ours = typed_data(facts(leaf), chain_id, REGISTRY)
    assert ours == eip712.typed_data(leaf, chain_id, REGISTRY)
    assert recover_signer(ours, "0x" + signature.hex()) == signer


def test_an_export_must_say_what_it_is() -> None:
    with pytest.raises(ExportUnreadable, match="format"):
        parse_export({"format": "something-else/1"})
    with pytest.raises(ExportUnreadable, match="object"):
        parse_export([1, 2])
    with pytest.raises(ExportUnreadable, match="Field required"):
        parse_export({"format": "origo-trail/1", "document_id": "0x"})
