"""The Python Merkle tree against its two references: the contract and OpenZeppelin's npm merkle-tree."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from contracts_support import Consortium, make_leaf
from eth_abi.abi import encode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from origo_node.chain.merkle import (
    LEAF_ABI_TYPE,
    Leaf,
    MerkleTree,
    leaf_hash,
    merkle_root,
    process_proof,
    verify,
)

ROOT = Path(__file__).resolve().parents[2]
NPM = ROOT / "hardhat-config"

b32 = st.binary(min_size=32, max_size=32)
code = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2)
u64 = st.integers(min_value=0, max_value=2**64 - 1)
leaves = st.builds(
    Leaf,
    document_id=b32,
    document_type=b32,
    digest=b32,
    issuer=code,
    importer=code,
    issued_at=u64,
    expires_at=u64,
    quantities=st.lists(u64, max_size=6).map(tuple),
    payload_cid=b32,
)


@given(leaves)
def test_leaf_encoding_is_abi_encode_of_the_struct(leaf: Leaf) -> None:
    assert leaf.abi_encode() == encode([LEAF_ABI_TYPE], [leaf.to_abi_tuple()])
    assert Leaf.from_abi_tuple(leaf.to_abi_tuple()) == leaf


@pytest.mark.parametrize(
    "changes",
    [
        {"document_id": b"\0" * 31},
        {"issuer": "V"},
        {"importer": "sg1"},
        {"importer": "S1"},
        {"quantities": (-1,)},
        {"quantities": [1, 2]},
        {"quantities": (1,) * 257},
        {"expires_at": 2**64},
    ],
)
def test_leaf_refuses_malformed_fields(changes: dict[str, object]) -> None:
    fields = {name: getattr(make_leaf(), name) for name in Leaf.__dataclass_fields__}
    with pytest.raises(ValueError):
        Leaf(**{**fields, **changes})  # type: ignore[arg-type]


def test_a_batch_of_one_has_the_leaf_hash_as_root_and_an_empty_proof() -> None:
    leaf = make_leaf()
    tree = MerkleTree([leaf])
    assert tree.root == leaf_hash(leaf) == merkle_root([leaf])
    assert tree.proof(0) == []


def test_empty_batch_is_refused() -> None:
    with pytest.raises(ValueError):
        MerkleTree([])


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33, 100])
def test_every_proof_verifies_and_the_order_of_leaves_does_not_matter(n: int) -> None:
    batch = [make_leaf() for _ in range(n)]
    tree = MerkleTree(batch)
    assert MerkleTree(list(reversed(batch))).root == tree.root
    for i, leaf in enumerate(batch):
        assert verify(tree.proof(i), tree.root, leaf_hash(leaf))
        assert process_proof(tree.proof(i), leaf_hash(leaf)) == tree.root
    assert tree.proofs() == [tree.proof(i) for i in range(n)]
    assert not verify(tree.proof(0), tree.root, leaf_hash(make_leaf()))


def _oz_tree(values: list[list[object]]) -> dict[str, object]:
    script = """
const {StandardMerkleTree} = require("@openzeppelin/merkle-tree");
const {types, values} = JSON.parse(require("fs").readFileSync(0, "utf8"));
const tree = StandardMerkleTree.of(values, types);
const proofs = values.map((_, i) => tree.getProof(i));
process.stdout.write(JSON.stringify({root: tree.root, proofs}));
"""
    # The leaf is one struct with a dynamic member: abi.encode(leaf) is the encoding of one tuple.
    types = ["(bytes32,bytes32,bytes32,bytes2,bytes2,uint64,uint64,uint64[],bytes32)"]
    out = subprocess.run(
        ["node", "-e", script],
        input=json.dumps({"types": types, "values": values}),
        cwd=NPM,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result: dict[str, object] = json.loads(out.stdout)
    return result


@pytest.mark.skipif(
    shutil.which("node") is None or not (NPM / "node_modules" / "@openzeppelin" / "merkle-tree").is_dir(),
    reason="node or the npm package @openzeppelin/merkle-tree is missing (npm install in hardhat-config/)",
)
@pytest.mark.parametrize("n", [1, 2, 3, 6, 31, 257])
def test_same_root_and_proofs_as_openzeppelin_merkle_tree(n: int) -> None:
    batch = [make_leaf(quantities=tuple(range(i % 4)), expires_at=i) for i in range(n)]

    def as_json(leaf: Leaf) -> list[object]:
        def value(v: object) -> object:
            if isinstance(v, bytes):
                return "0x" + v.hex()
            if isinstance(v, list):
                return [str(q) for q in v]
            return str(v)  # uint64 as decimal strings

        return [[value(v) for v in leaf.to_abi_tuple()]]

    reference = _oz_tree([as_json(leaf) for leaf in batch])
    tree = MerkleTree(batch)
    assert reference["root"] == "0x" + tree.root.hex()
    assert reference["proofs"] == [["0x" + p.hex() for p in tree.proof(i)] for i in range(n)]


# ---------------------------------------------------------------- against the contract


@pytest.mark.integration
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(leaf=leaves)
def test_contract_leaf_hash_equals_python(chain: Consortium, leaf: Leaf) -> None:
    assert chain.registry.functions.leafHash(leaf.to_abi_tuple()).call() == leaf_hash(leaf)


@pytest.mark.integration
def test_contract_verifies_every_leaf_of_batches_of_many_sizes(chain: Consortium) -> None:
    r = chain.registry.functions
    for n in (1, 2, 3, 5, 8, 13, 64):
        tree = chain.anchor([make_leaf() for _ in range(n)])
        for i in range(n):
            assert r.isAnchored(*chain.args(tree, i)).call() is True


_FIELDS = list(Leaf.__dataclass_fields__)


@pytest.mark.integration
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    index=st.integers(min_value=0, max_value=6),
    field=st.sampled_from(_FIELDS),
    data=st.data(),
)
def test_a_leaf_outside_the_batch_never_verifies(
    anchored_batch: tuple[Consortium, MerkleTree], index: int, field: str, data: st.DataObject
) -> None:
    """Change any fact of an anchored leaf: neither its own proof nor any other proof of the batch
    makes it verify."""
    chain, tree = anchored_batch
    leaf = tree.leaves[index]
    values = {name: getattr(leaf, name) for name in _FIELDS}
    strategy = {
        "issuer": code,
        "importer": code,
        "issued_at": u64,
        "expires_at": u64,
        "quantities": st.lists(u64, max_size=3).map(tuple),
    }.get(field, b32)
    new_value = data.draw(strategy.filter(lambda v: v != values[field]))
    forged = Leaf(**{**values, field: new_value})
    r = chain.registry.functions
    for i in range(len(tree)):
        assert r.isAnchored(forged.to_abi_tuple(), tree.root, tree.proof(i)).call() is False
    assert r.isAnchored(forged.to_abi_tuple(), tree.root, [os.urandom(32)]).call() is False


@pytest.fixture
def anchored_batch(chain: Consortium) -> tuple[Consortium, MerkleTree]:
    return chain, chain.anchor([make_leaf(quantities=(i,) * (i % 3)) for i in range(7)])
