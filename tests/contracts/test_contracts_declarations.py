"""DocumentRegistry.accept takes a declaration only in its canonical form, so `sg-d1` cannot claim twice.

The node writes every declaration in one form (``documents.references``); a hostile importer's node that skips
it must not get a second claim out of ` SG-D1` or `sg-d1` beside `SG-D1`: the contract refuses those with
``RegistryDeclarationNotCanonical(declaration, position)``. The fake chain's copy of the rule is held to
the contract's answer byte for byte (fuzzed).
"""

from __future__ import annotations

import pytest
from contracts_support import Consortium, declaration, make_leaf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from origo_node.chain.fake_contracts import declaration_fault
from origo_node.services.actions import declaration_bytes

pytestmark = pytest.mark.integration

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def raw(text: str) -> bytes:
    """A declaration exactly as a node that skips the canonical form would send it."""
    return text.encode("ascii").ljust(32, b"\0")


@pytest.mark.parametrize(
    ("sent", "position"),
    [
        ("sg-d1", 0),  # lower case
        ("SG-d1", 3),
        (" SG-D1", 0),  # a blank in front
        ("SG-D1 ", 5),  # a blank at the end
        ("SG - D1", 2),  # a blank beside a dash
        ("SG  D1", 3),  # two blanks
        ("SG\tD1", 2),  # not printable
    ],
)
def test_a_declaration_not_in_canonical_form_is_refused_with_where(
    chain: Consortium, sent: str, position: int
) -> None:
    tree = chain.anchor([make_leaf(quantity=10_000)])
    leaf = tree.leaves[0]
    accept = chain.registry.functions.accept(leaf.to_abi_tuple(), tree.root, tree.proof(0), raw(sent), [])
    assert chain.error_of(accept, chain.issuer("SG")) == (
        "RegistryDeclarationNotCanonical",
        (raw(sent), position),
    )


def test_zero_bytes_inside_or_an_empty_declaration_are_refused(chain: Consortium) -> None:
    tree = chain.anchor([make_leaf()])
    args = (tree.leaves[0].to_abi_tuple(), tree.root, tree.proof(0))
    r, sg = chain.registry.functions, chain.issuer("SG")
    assert chain.error_of(r.accept(*args, b"\0" * 32, []), sg) == (
        "RegistryDeclarationNotCanonical",
        (b"\0" * 32, 0),
    )
    gap = b"SG\0D1".ljust(32, b"\0")
    assert chain.error_of(r.accept(*args, gap, []), sg) == ("RegistryDeclarationNotCanonical", (gap, 3))


def test_one_declaration_however_typed_claims_a_certificate_once(chain: Consortium) -> None:
    tree = chain.anchor([make_leaf(quantity=10_000)])
    args = (tree.leaves[0].to_abi_tuple(), tree.root, tree.proof(0))
    r, sg = chain.registry.functions, chain.issuer("SG")
    chain.send(r.accept(*args, declaration_bytes(" sg-d1"), [(0, 1_000)]), sg)
    doc = tree.leaves[0].document_id
    for typed in ("SG-D1", "sg - d1 ", "Sg-D1"):
        assert chain.error_of(r.accept(*args, declaration_bytes(typed), [(0, 1_000)]), sg) == (
            "RegistryDeclarationUsed",
            (b"VN", doc, declaration("SG-D1")),
        )
    # ...and the hostile spelling the node would never send is refused too, not counted as a new one.
    assert (
        chain.error_of(r.accept(*args, raw("sg-d1"), [(0, 1_000)]), sg)[0]
        == "RegistryDeclarationNotCanonical"
    )


def test_the_contract_and_the_fake_chain_agree_on_every_declaration(chain: Consortium) -> None:
    tree = chain.anchor([make_leaf()])
    args = (tree.leaves[0].to_abi_tuple(), tree.root, tree.proof(0))
    accept, sg = chain.registry.functions.accept, chain.issuer("SG")
    printable = st.text(
        alphabet=st.characters(min_codepoint=0x1F, max_codepoint=0x7F), min_size=0, max_size=32
    )
    bytes32 = st.one_of(
        printable.map(lambda t: t.encode("ascii").ljust(32, b"\0")), st.binary(min_size=32, max_size=32)
    )

    @FUZZ
    @given(sent=bytes32)
    def agree(sent: bytes) -> None:
        fault = declaration_fault(sent)
        if fault is None:
            accept(*args, sent, []).call({"from": sg})  # the contract takes it
        else:
            assert chain.error_of(accept(*args, sent, []), sg) == (
                "RegistryDeclarationNotCanonical",
                (sent, fault),
            )

    agree()


def test_what_the_node_sends_is_always_canonical_on_chain(chain: Consortium) -> None:
    tree = chain.anchor([make_leaf()])
    args = (tree.leaves[0].to_abi_tuple(), tree.root, tree.proof(0))
    accept, sg = chain.registry.functions.accept, chain.issuer("SG")
    typed = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=32)

    @FUZZ
    @given(text=typed.filter(lambda t: t.strip()))
    def sent_as_canonical(text: str) -> None:
        encoded = declaration_bytes(text)
        assert declaration_fault(encoded) is None
        accept(*args, encoded, []).call({"from": sg})

    sent_as_canonical()


def _crafted_declarations() -> list[bytes]:
    """Declarations aimed at the word-at-a-time check's edges: every class boundary byte, blanks and
    separators at the first, last and 32nd places and next to each other, bytes after the padding."""
    crafted = [b"", b"A" * 32, b"A" * 31 + b" ", b" " + b"A" * 31, b"A" * 30 + b" B", b"A" * 31 + b"-"]
    for b in (0x00, 0x01, 0x1F, 0x20, 0x21, 0x2D, 0x2E, 0x2F, 0x40, 0x41, 0x5A, 0x5B, 0x60, 0x61, 0x7A, 0x7B):
        crafted += [
            bytes([b]) + b"SG",
            b"SG" + bytes([b]),
            b"S" + bytes([b]) + b"G",
            b"SG" * 15 + bytes([b, 0x41]),
        ]
    for b in (0x7E, 0x7F, 0x80, 0x81, 0xA0, 0xE1, 0xFF):
        crafted += [bytes([b]), b"SG" + bytes([b]) + b"1", b"A" * 31 + bytes([b])]
    for pair in ("  ", " -", "- ", " /", "/ ", " .", ". ", "--", "-.", "A B", "A  B", "A -B", "A- B"):
        crafted += [f"SG{pair}1".encode(), f"{pair}SG".encode(), f"SG{pair}".encode()]
    padded = [c.ljust(32, b"\0") if len(c) < 32 else c[:32] for c in crafted]
    # Something after the padding, at every distance from it.
    padded += [b"SG".ljust(k, b"\0") + b"\x01".ljust(32 - k, b"\0") for k in range(2, 32)]
    padded += [b"SG\0" + b"\0" * 28 + b"A", b"\0" + b"SG".ljust(31, b"\0")]
    return padded


def test_the_word_at_a_time_check_agrees_with_the_byte_walk_on_crafted_declarations(
    chain: Consortium,
) -> None:
    # The contract judges a declaration with 256-bit masks and walks it byte by byte only to say where
    # it fails: held here, byte for byte, to the node's copy of the rule (fake_contracts.declaration_fault).
    tree = chain.anchor([make_leaf()])
    args = (tree.leaves[0].to_abi_tuple(), tree.root, tree.proof(0))
    accept, sg = chain.registry.functions.accept, chain.issuer("SG")
    taken = 0
    for sent in _crafted_declarations():
        fault = declaration_fault(sent)
        if fault is None:
            accept(*args, sent, []).call({"from": sg})
            taken += 1
        else:
            assert chain.error_of(accept(*args, sent, []), sg) == (
                "RegistryDeclarationNotCanonical",
                (sent, fault),
            )
    assert taken >= 20  # the list holds canonical declarations too, not only refused ones


def test_the_word_at_a_time_check_agrees_on_declarations_near_the_rule(chain: Consortium) -> None:
    tree = chain.anchor([make_leaf()])
    args = (tree.leaves[0].to_abi_tuple(), tree.root, tree.proof(0))
    accept, sg = chain.registry.functions.accept, chain.issuer("SG")
    # Few letters, many blanks and separators, and the class boundaries: the cases a mask could get wrong.
    near = st.text(alphabet="AZ09 -./`a{~\x1f\x7f", min_size=1, max_size=32).map(
        lambda t: t.encode("ascii").ljust(32, b"\0")
    )

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(sent=near)
    def agree(sent: bytes) -> None:
        fault = declaration_fault(sent)
        if fault is None:
            accept(*args, sent, []).call({"from": sg})
        else:
            assert chain.error_of(accept(*args, sent, []), sg) == (
                "RegistryDeclarationNotCanonical",
                (sent, fault),
            )

    agree()
