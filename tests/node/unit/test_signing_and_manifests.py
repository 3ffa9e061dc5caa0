"""EIP-712 leaf signatures agree with eth_account; batch manifests are refused unless they match the event."""

from __future__ import annotations

import json

import pytest
from eth_abi.abi import encode as abi_encode
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak as eth_keccak
from hypothesis import given
from hypothesis import strategies as st
from origo_node.anchoring import batch_manifest
from origo_node.anchoring.batch_manifest import ManifestEntry, ManifestInvalid
from origo_node.chain import eip712
from origo_node.chain.merkle import LEAF_ABI_TYPE, Leaf, merkle_root
from origo_node.errors import CryptoError
from origo_node.hashing import keccak256

REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
ACCOUNT = Account.from_key(b"\x11" * 32)
DOMAIN = eip712.domain_separator(31337, REGISTRY)

words = st.binary(min_size=32, max_size=32)
codes = st.sampled_from(["VN", "SG", "TH", "MY"])
uint64 = st.integers(min_value=0, max_value=2**64 - 1)
leaves = st.builds(
    Leaf,
    document_id=words,
    document_type=words,
    digest=words,
    issuer=codes,
    importer=codes,
    issued_at=uint64,
    expires_at=uint64,
    quantities=st.lists(uint64, max_size=5).map(tuple),
    payload_cid=words,
)


@given(leaves)
def test_fast_signing_hash_equals_eth_accounts_typed_data_encoding(leaf: Leaf) -> None:
    message = encode_typed_data(full_message=eip712.typed_data(leaf, 31337, REGISTRY))
    signature = eip712.sign(leaf, DOMAIN, bytes(ACCOUNT.key))
    assert Account.recover_message(message, signature=signature) == ACCOUNT.address
    assert eip712.recover(leaf, DOMAIN, signature) == ACCOUNT.address


@given(leaves, st.integers(min_value=0, max_value=2**64 - 2))
def test_a_changed_fact_recovers_another_signer(leaf: Leaf, quantity: int) -> None:
    signature = eip712.sign(leaf, DOMAIN, bytes(ACCOUNT.key))
    changed = (*leaf.quantities[:-1], quantity)  # the last item's quantity changed, or one item added
    other = Leaf(
        document_id=leaf.document_id,
        document_type=leaf.document_type,
        digest=leaf.digest,
        issuer=leaf.issuer,
        importer=leaf.importer,
        issued_at=leaf.issued_at,
        expires_at=leaf.expires_at,
        quantities=changed if changed != leaf.quantities else (*leaf.quantities[:-1], quantity + 1),
        payload_cid=leaf.payload_cid,
    )
    assert eip712.recover(other, DOMAIN, signature) != ACCOUNT.address


def test_another_chain_or_registry_changes_the_domain() -> None:
    assert eip712.domain_separator(1, REGISTRY) != DOMAIN
    assert eip712.domain_separator(31337, "0x" + "00" * 19 + "01") != DOMAIN


def test_malformed_signatures_are_crypto_errors() -> None:
    leaf = _entry(0).leaf
    with pytest.raises(CryptoError):
        eip712.recover(leaf, DOMAIN, b"\x00" * 64)
    with pytest.raises(CryptoError):
        eip712.recover(leaf, DOMAIN, b"\x00" * 64 + b"\x05")


def _entry(
    i: int, issuer: str = "VN", items: tuple[tuple[int, str | None], ...] | None = None
) -> ManifestEntry:
    """Entry ``i``: one item of ``i`` kilograms unless ``items`` gives (thousandths, unit) per item."""
    items = items if items is not None else ((1000 * i, "KGM"),)
    cid = f"bafkreitest{i:04d}"
    leaf = Leaf(
        document_id=keccak256(f"doc{i}".encode()),
        document_type=keccak256(b"atiga-form-d/1"),
        digest=keccak256(f"digest{i}".encode()),
        issuer=issuer,
        importer="SG",
        issued_at=1_795_000_000,
        expires_at=1_826_000_000,
        quantities=tuple(q for q, _ in items),
        payload_cid=keccak256(cid.encode()),
    )
    return ManifestEntry(
        leaf=leaf,
        payload_cid=cid,
        signature=eip712.sign(leaf, DOMAIN, bytes(ACCOUNT.key)),
        signer=ACCOUNT.address,
        type_name="atiga-form-d",
        type_version="1",
        quantity_units=tuple(u for _, u in items),
        recipients=("VN", "SG"),
    )


def test_a_manifest_round_trips_when_it_matches_its_event() -> None:
    entries = [_entry(i) for i in range(5)]
    root = merkle_root([e.leaf for e in entries])
    decoded = batch_manifest.decode(
        batch_manifest.encode("VN", root, entries), issuer="VN", root=root, count=5
    )
    assert decoded == entries


def test_each_items_unit_travels_with_the_leaf() -> None:
    entries = [
        _entry(0, items=((12_000_000, "PR"), (9_000_000, "PCE"), (0, None))),
        _entry(1, items=()),  # a manifest: claimed whole
        _entry(2, items=tuple((2**64 - 1, "C62") for _ in range(256))),
    ]
    root = merkle_root([e.leaf for e in entries])
    raw = batch_manifest.encode("VN", root, entries)
    assert batch_manifest.decode(raw, issuer="VN", root=root, count=3) == entries
    first = json.loads(raw)["leaves"][0]
    assert (first["quantities"], first["quantityUnits"]) == (
        ["12000000", "9000000", "0"],
        ["PR", "PCE", None],
    )


def _with_units(units: object) -> tuple[bytes, bytes]:
    """A one-leaf manifest of a two-item certificate whose entry says ``units`` (the root stays right: the
    units are not part of the leaf, so only this check can catch them)."""
    entry = _entry(0, items=((12_000_000, "PR"), (9_000_000, "PCE")))
    root = merkle_root([entry.leaf])
    body = json.loads(batch_manifest.encode("VN", root, [entry]))
    if units is _MISSING:
        del body["leaves"][0]["quantityUnits"]
    else:
        body["leaves"][0]["quantityUnits"] = units
    return json.dumps(body).encode(), root


_MISSING = object()


@pytest.mark.parametrize(
    ("units", "says"),
    [
        (["PR"], "lists 1 quantity unit(s) for its 2 item(s)"),
        (["PR", "PCE", "KGM"], "lists 3 quantity unit(s) for its 2 item(s)"),
        ([], "lists 0 quantity unit(s) for its 2 item(s)"),
        ("PR", "gives quantityUnits as str, not as a list"),  # a string would be read letter by letter
        (None, "gives quantityUnits as NoneType, not as a list"),
        (["PR", "pieces of cots"], "gives 'pieces of cots' as a unit, not a UN/ECE Rec. 20 code"),
        (["PR", 7], "gives '7' as a unit"),
        (_MISSING, "unreadable manifest"),
    ],
    ids=["too few", "too many", "none", "a string", "null", "free text", "a number", "missing"],
)
def test_a_manifest_whose_units_do_not_fit_its_leaf_is_invalid(units: object, says: str) -> None:
    raw, root = _with_units(units)
    with pytest.raises(ManifestInvalid) as invalid:
        batch_manifest.decode(raw, issuer="VN", root=root, count=1)
    assert says in str(invalid.value)
    assert ("0x" + keccak256(b"doc0").hex() in str(invalid.value)) or units is _MISSING


@pytest.mark.parametrize("fault", ["root", "count", "issuer", "cid", "format", "garbage"])
def test_a_manifest_that_does_not_match_its_event_is_refused(fault: str) -> None:
    entries = [_entry(i) for i in range(4)]
    root = merkle_root([e.leaf for e in entries])
    raw = batch_manifest.encode("VN", root, entries)
    issuer, count = "VN", 4
    if fault == "root":
        root = keccak256(b"another root")
    elif fault == "count":
        count = 5
    elif fault == "issuer":
        entries[1] = _entry(1, issuer="TH")
        raw = batch_manifest.encode("VN", merkle_root([e.leaf for e in entries]), entries)
        root = merkle_root([e.leaf for e in entries])
    elif fault == "cid":
        raw = raw.replace(b"bafkreitest0002", b"bafkreitest9999")
    elif fault == "format":
        raw = raw.replace(b"origo-batch/1", b"origo-batch/0")
    else:
        raw = b"\x00not json"
    with pytest.raises(ManifestInvalid):
        batch_manifest.decode(raw, issuer=issuer, root=root, count=count)


@given(leaves)
def test_direct_leaf_encoding_equals_eth_abi(leaf: Leaf) -> None:
    assert leaf.abi_encode() == abi_encode([LEAF_ABI_TYPE], [leaf.to_abi_tuple()])


@given(st.binary(max_size=600))
def test_keccak256_is_the_evm_keccak(data: bytes) -> None:
    assert keccak256(data) == eth_keccak(data)  # eth-hash's implementation, the one web3 uses
