"""Keccak-256, the EVM's hash: document ids, type ids, Merkle leaves and nodes, EIP-712 digests.

safe-pysha3's C extension hashes a short input in 0.7 µs. pycryptodome (what eth-hash uses) takes 4-8 µs
through ctypes and lets go of the GIL on every call, so under the node's threads each hash also waits to take
it back: in a profile of a busy node that was a fifth of all the time spent issuing.
"""

from __future__ import annotations

import sha3  # type: ignore[import-not-found, unused-ignore]


def keccak256(data: bytes) -> bytes:
    digest: bytes = sha3.keccak_256(data).digest()
    return digest
