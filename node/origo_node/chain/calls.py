"""The contract calls the node makes, built once: each returns a ``Call`` any chain adapter can send.

Arguments are in the contracts' ABI forms (bytes32 as bytes, member codes as two ASCII bytes, leaves as
``Leaf.to_abi_tuple()``); a change to a function's signature is made here and in the fake chain's model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from origo_node.chain.port import Call

LeafArgs = tuple[Any, ...]

#: Officers' actions on a document: the registry function each one calls.
DOCUMENT_ACTIONS = {
    "revoke": "revoke",
    "accept": "accept",
    "reject": "reject",
    "verification_request": "requestVerification",
    "verification_answer": "answerVerification",
}


def anchor_batch(root: bytes, count: int, manifest_cid: str) -> Call:
    return Call("registry", "anchorBatch", (root, count, manifest_cid))


def document_action(kind: str, leaf: LeafArgs, root: bytes, proof: Sequence[bytes], *extra: Any) -> Call:
    """``kind`` (see DOCUMENT_ACTIONS) on the document whose leaf, root and proof are given; ``extra`` are
    the function's own arguments after the proof (reason code and reason, ...). Accept has its own builder."""
    return Call("registry", DOCUMENT_ACTIONS[kind], (leaf, root, list(proof), *extra))


def accept(
    leaf: LeafArgs, root: bytes, proof: Sequence[bytes], declaration: bytes, claims: Sequence[tuple[int, int]]
) -> Call:
    """A claim at import: ``claims`` are (0-based item, thousandths of its unit; 0 = all that remains on it);
    none claims the whole certificate."""
    return Call("registry", "accept", (leaf, root, list(proof), declaration, [tuple(c) for c in claims]))


def supersede(
    old: LeafArgs,
    old_root: bytes,
    old_proof: Sequence[bytes],
    new: LeafArgs,
    new_root: bytes,
    new_proof: Sequence[bytes],
) -> Call:
    return Call("registry", "supersede", (old, old_root, list(old_proof), new, new_root, list(new_proof)))


def propose_add_member(member: tuple[Any, ...]) -> Call:
    return Call("membership", "proposeAddMember", (member,))


def propose_status_change(kind: int, target: bytes) -> Call:
    return Call("membership", "proposeStatusChange", (kind, target))


def propose_quorum(bps: int) -> Call:
    return Call("membership", "proposeQuorum", (bps,))


def vote(proposal_id: int) -> Call:
    return Call("membership", "vote", (proposal_id,))


def add_issuer(account: str) -> Call:
    return Call("membership", "addIssuer", (account,))


def remove_issuer(account: str) -> Call:
    return Call("membership", "removeIssuer", (account,))


def set_encryption_key(public_key: bytes) -> Call:
    return Call("membership", "setEncryptionKey", (public_key,))
