"""The EVM level every Origo chain runs, and a check that compiled code stays within it.

One level for every chain: anvil (started with the matching ``--hardfork``), geth's Clique sealers and the
generated Besu genesis run the same bytecode. Clique in geth v1.13.15 stops at London: peers reject blocks
after Shanghai and geth panics at Cancun, so the contracts are compiled for London (contracts/compiler.json)
and must contain no opcode that a later fork added. The level is read from the artifacts, so it changes in
one place, the compiler settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from origo_node.chain.artifacts import compiler_settings

#: Opcodes added after London, with the fork that added them: none of them may appear in our bytecode.
LATER_OPCODES: dict[int, tuple[str, str]] = {
    0x49: ("BLOBHASH", "cancun"),
    0x4A: ("BLOBBASEFEE", "cancun"),
    0x5C: ("TLOAD", "cancun"),
    0x5D: ("TSTORE", "cancun"),
    0x5E: ("MCOPY", "cancun"),
    0x5F: ("PUSH0", "shanghai"),
}

#: The genesis ``config`` forks (all at block 0) of a chain that runs the London EVM: geth and Besu names.
LONDON_FORK_BLOCKS = (
    "homesteadBlock",
    "eip150Block",
    "eip155Block",
    "eip158Block",
    "byzantiumBlock",
    "constantinopleBlock",
    "petersburgBlock",
    "istanbulBlock",
    "muirGlacierBlock",
    "berlinBlock",
    "londonBlock",
)

_PUSH1, _PUSH32 = 0x60, 0x7F


def evm_version() -> str:
    """The EVM level the committed contracts are compiled for (``london``): the hardfork every chain runs."""
    return str(compiler_settings()["evmVersion"])


@dataclass(frozen=True)
class Instruction:
    offset: int
    opcode: int


def instructions(code: bytes) -> list[Instruction]:
    """The instructions of ``code``, walked as the EVM walks them: a PUSHn's n data bytes are not opcodes."""
    found = []
    pc = 0
    while pc < len(code):
        op = code[pc]
        found.append(Instruction(pc, op))
        pc += 1 + (op - _PUSH1 + 1 if _PUSH1 <= op <= _PUSH32 else 0)
    return found


def strip_metadata(code: bytes) -> bytes:
    """``code`` without solc's CBOR metadata trailer (its last two bytes give its length): data, not code."""
    if len(code) < 2:
        return code
    length = int.from_bytes(code[-2:], "big")
    if length + 2 > len(code) or code[-2 - length] & 0xE0 != 0xA0:  # a CBOR map starts the trailer
        return code
    return code[: -2 - length]


def later_opcodes(code: bytes) -> list[tuple[int, str, str]]:
    """Each (offset, name, fork) in ``code`` (one contract's runtime code) that a fork after London added."""
    return [
        (i.offset, *LATER_OPCODES[i.opcode])
        for i in instructions(strip_metadata(code))
        if i.opcode in LATER_OPCODES
    ]
