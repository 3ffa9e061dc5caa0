"""`origo network generate`: the genesis Besu documents for QBFT in validator-contract mode, and every
member's Besu, kubo and Origo configuration, written from member.json files made as real members make
them."""

from __future__ import annotations

import base64
import json
import stat
import tomllib
from pathlib import Path
from typing import Any

import pytest
from eth_keys import keys  # type: ignore[attr-defined]
from genesis_support import make_members, write_members
from origo_cli.main import main
from origo_network import NetworkSpecError, generate_network, load_members
from origo_network.kubo_files import base58
from origo_node.settings import load_settings
from web3 import Web3

pytestmark = [pytest.mark.integration]  # the contracts' state comes from a deployment on a throw-away anvil
CODES = ["VN", "SG", "TH"]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    root = tmp_path_factory.mktemp("netgen")
    _, specs = make_members(root, CODES, [8701, 8702, 8703])
    members = write_members(root / "members.json", specs)
    assert main(["network", "generate", "--members", str(members), "--out", str(root / "out")]) == 0
    return root / "out", specs


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_genesis_has_the_fields_besu_documents_for_qbft_with_a_validator_contract(
    generated: tuple[Path, list[dict[str, Any]]],
) -> None:
    out, _ = generated
    genesis = read_json(out / "genesis.json")
    summary = read_json(out / "network.json")
    membership = summary["contracts"]["membership"]
    # Besu's "Configure QBFT consensus", contract validator selection.
    qbft = genesis["config"]["qbft"]
    assert set(qbft) == {
        "blockperiodseconds",
        "epochlength",
        "requesttimeoutseconds",
        "validatorcontractaddress",
    }
    assert (qbft["blockperiodseconds"], qbft["requesttimeoutseconds"], qbft["epochlength"]) == (2, 4, 30000)
    assert qbft["validatorcontractaddress"] == membership.lower()
    assert genesis["config"]["chainId"] == summary["chain_id"] == 1983
    assert (
        genesis["config"]["berlinBlock"] == 0 and genesis["config"]["cancunTime"] == 0
    )  # solc targets cancun
    assert genesis["extraData"] == "0xe5a0" + "00" * 32 + "c0c080c0"
    assert genesis["mixHash"] == "0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365"
    assert genesis["difficulty"] == "0x1" and genesis["nonce"] == "0x0"
    assert int(genesis["gasLimit"], 16) == 30_000_000
    contract = genesis["alloc"][membership]
    assert len(contract["code"]) > 1000 and contract["storage"]
    for account in (membership, summary["contracts"]["registry"]):
        for key, value in genesis["alloc"][account]["storage"].items():
            assert len(key) == len(value) == 66 and key.startswith("0x") and value.startswith("0x")


def test_every_member_account_is_funded_and_every_validator_is_its_node_key(
    generated: tuple[Path, list[dict[str, Any]]],
) -> None:
    out, specs = generated
    genesis = read_json(out / "genesis.json")
    for spec in specs:
        for account in (spec["admin"], *spec["issuers"]):
            assert int(genesis["alloc"][account]["balance"], 16) > 10**18
    for member in read_json(out / "network.json")["members"]:
        besu = out / "members" / member["code"] / "besu"
        private = keys.PrivateKey(bytes.fromhex((besu / "key").read_text()[2:]))
        assert private.public_key.to_checksum_address() == member["validator"]
        assert (besu / "key.pub").read_text().strip() == "0x" + private.public_key.to_bytes().hex()
        port = 30303 + CODES.index(member["code"])
        assert member["enode"] == f"enode://{private.public_key.to_bytes().hex()}@127.0.0.1:{port}"
        assert stat.S_IMODE((besu / "key").stat().st_mode) == 0o600


def test_besu_configs_allow_only_the_members_and_point_at_their_files(
    generated: tuple[Path, list[dict[str, Any]]],
) -> None:
    out, _ = generated
    enodes = [m["enode"] for m in read_json(out / "network.json")["members"]]
    for code, enode in zip(CODES, enodes, strict=True):
        besu = out / "members" / code / "besu"
        config = tomllib.loads((besu / "config.toml").read_text())
        assert config["genesis-file"] == "/etc/besu/genesis.json"
        assert config["node-private-key-file"] == "/etc/besu/key"
        assert config["permissions-nodes-config-file-enabled"] is True
        assert config["permissions-nodes-config-file"] == "/etc/besu/permissions_config.toml"
        assert config["rpc-http-host"] == "127.0.0.1" and "ADMIN" not in config["rpc-http-api"]
        assert sorted(config["bootnodes"]) == sorted(e for e in enodes if e != enode)
        allow = tomllib.loads((besu / "permissions_config.toml").read_text())
        assert allow["nodes-allowlist"] == enodes
        assert read_json(besu / "static-nodes.json") == [e for e in enodes if e != enode]
        assert (besu / "genesis.json").read_bytes() == (out / "genesis.json").read_bytes()


def test_kubo_shares_one_swarm_key_and_bootstraps_from_the_members_only(
    generated: tuple[Path, list[dict[str, Any]]],
) -> None:
    out, _ = generated
    members = read_json(out / "network.json")["members"]
    swarm_keys = {(out / "members" / c / "kubo" / "swarm.key").read_text() for c in CODES}
    assert len(swarm_keys) == 1
    lines = swarm_keys.pop().splitlines()
    assert lines[:2] == ["/key/swarm/psk/1.0.0/", "/base16/"] and len(bytes.fromhex(lines[2])) == 32
    for member in members:
        overrides = read_json(out / "members" / member["code"] / "kubo" / "config-overrides.json")
        others = {m["kubo_peer_id"] for m in members if m is not member}
        assert {a.rsplit("/p2p/", 1)[1] for a in overrides["Bootstrap"]} == others
        assert overrides["Identity"]["PeerID"] == member["kubo_peer_id"]
        # The peer id is the identity multihash of the protobuf public key inside the private key.
        private = base64.b64decode(overrides["Identity"]["PrivKey"])
        assert private[:4] == bytes([0x08, 0x01, 0x12, 64])
        public_proto = bytes([0x08, 0x01, 0x12, 32]) + private[36:68]
        assert base58(bytes([0x00, len(public_proto)]) + public_proto) == member["kubo_peer_id"]
        assert member["kubo_peer_id"].startswith("12D3KooW")


def test_each_member_gets_a_node_toml_the_node_accepts(generated: tuple[Path, list[dict[str, Any]]]) -> None:
    out, _ = generated
    summary = read_json(out / "network.json")
    for index, code in enumerate(CODES):
        settings = load_settings(out / "members" / code / "origo" / "node.toml")
        assert settings.member == code
        assert settings.chain_id == summary["chain_id"]
        assert settings.membership_address == summary["contracts"]["membership"]
        assert settings.registry_address == summary["contracts"]["registry"]
        assert settings.deployment_block == 0
        assert settings.payload_backend == "kubo" and settings.port == 8701 + index


def test_a_member_that_brings_its_own_keys_gets_none_made(tmp_path: Path) -> None:
    _, specs = make_members(tmp_path, ["VN"], [8701])
    own = keys.PrivateKey(b"\x07" * 32)
    specs[0]["node_public_key"] = "0x" + own.public_key.to_bytes().hex()
    specs[0]["kubo_peer_id"] = "12D3KooWG5vGJkmMci9D1nfuH9oWRYNaC9fCK3nDCknEtLppQ3cr"
    network = generate_network(load_members(write_members(tmp_path / "m.json", specs)), tmp_path / "out")
    assert network.validators["VN"] == own.public_key.to_checksum_address()
    assert not (tmp_path / "out" / "members" / "VN" / "besu" / "key").exists()
    assert "Identity" not in read_json(tmp_path / "out" / "members" / "VN" / "kubo" / "config-overrides.json")
    assert network.generated_keys == []


def test_an_output_directory_with_files_is_never_overwritten(
    generated: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    out, specs = generated
    before = (out / "members" / "VN" / "besu" / "key").read_text()
    members = write_members(tmp_path / "members.json", specs)
    assert main(["network", "generate", "--members", str(members), "--out", str(out)]) == 2
    assert (out / "members" / "VN" / "besu" / "key").read_text() == before


GOOD = {
    "code": "VN",
    "name": "Vietnam Customs",
    "admin": "0x" + "11" * 20,
    "issuers": ["0x" + "22" * 20],
    "encryption_key": "0x0102",
    "endpoint": "https://origo.customs.gov.vn",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"code": "vn"}, "two capital letters"),
        ({"admin": "0x1234"}, "admin must be a non-zero 0x address"),
        ({"admin": "0x" + "00" * 20}, "admin must be a non-zero 0x address"),
        ({"issuers": []}, "issuers must be a non-empty list"),
        ({"encryption_key": "abc"}, "encryption_key must be the 0x-hex"),
        ({"endpoint": "ftp://x"}, "endpoint must be the node.s http.s. URL"),
        ({"node_public_key": "0x12"}, "node_public_key must be 64 bytes"),
        ({"kubo_peer_id": "peer"}, "kubo_peer_id must be a libp2p peer id"),
        ({"p2p_port": 70000}, "p2p_port must be a port number"),
        ({"issuers": ["0x" + "11" * 20]}, "given by both VN and VN"),
        ({"p2p_port": 8545}, "member VN: p2p_port and rpc_port are both 8545"),
    ],
)
def test_a_bad_members_file_is_refused_in_plain_words(
    tmp_path: Path, change: dict[str, Any], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_members(tmp_path / "members.json", [{**GOOD, **change}])
    with pytest.raises(NetworkSpecError, match=message):
        load_members(path)
    assert main(["network", "generate", "--members", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "error:" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_two_members_with_one_code_or_bad_settings_are_refused(tmp_path: Path) -> None:
    twice = write_members(
        tmp_path / "twice.json", [GOOD, {**GOOD, "admin": "0x" + "33" * 20, "issuers": ["0x" + "44" * 20]}]
    )
    with pytest.raises(NetworkSpecError, match="VN appears twice"):
        load_members(twice)
    one = write_members(tmp_path / "one.json", [GOOD])
    assert (
        main(
            [
                "network",
                "generate",
                "--members",
                str(one),
                "--out",
                str(tmp_path / "o"),
                "--block-period",
                "5",
                "--request-timeout",
                "4",
            ]
        )
        == 2
    )
    (tmp_path / "broken.json").write_text("[{", encoding="utf-8")
    with pytest.raises(NetworkSpecError, match="is not JSON"):
        load_members(tmp_path / "broken.json")


def test_the_output_of_origo_node_init_is_taken_as_a_member(tmp_path: Path) -> None:
    init_output = {
        "code": "VN",
        "name": "Vietnam Customs",
        "endpoint": "https://origo.customs.gov.vn",
        "issuer_address": "0x" + "22" * 20,
        "admin_address": "0x" + "11" * 20,
        "encryption_public_key": "0x0102",
        "admin_api_key": "not used",
    }
    (member,) = load_members(write_members(tmp_path / "m.json", [init_output]))
    assert member.admin == Web3.to_checksum_address("0x" + "11" * 20)
    assert member.issuers == (Web3.to_checksum_address("0x" + "22" * 20),)
    assert member.encryption_key == b"\x01\x02" and member.host == "origo.customs.gov.vn"


def test_two_members_on_one_address_are_refused_with_both_names(tmp_path: Path) -> None:
    second = {**GOOD, "code": "SG", "admin": "0x" + "33" * 20, "issuers": ["0x" + "44" * 20]}
    # Same host (the case of the host name and a trailing dot do not make another machine), default ports.
    same = write_members(tmp_path / "same.json", [GOOD, {**second, "host": "ORIGO.customs.gov.vn."}])
    with pytest.raises(NetworkSpecError, match=r"VN and SG would both listen on .*:30303"):
        load_members(same)
    rpc = write_members(tmp_path / "rpc.json", [GOOD, {**second, "p2p_port": 30304, "kubo_swarm_port": 4002}])
    with pytest.raises(NetworkSpecError, match="rpc_port of VN, rpc_port of SG"):
        load_members(rpc)
    apart = write_members(
        tmp_path / "apart.json",
        [GOOD, {**second, "p2p_port": 30304, "rpc_port": 8546, "kubo_swarm_port": 4002, "engine_port": 8552}],
    )
    assert [m.p2p_port for m in load_members(apart)] == [30303, 30304]
    other_host = write_members(tmp_path / "host.json", [GOOD, {**second, "host": "10.0.0.2"}])
    assert [m.host for m in load_members(other_host)] == ["origo.customs.gov.vn", "10.0.0.2"]


def test_the_final_hint_names_a_runbook_section_that_exists() -> None:
    from origo_cli.network_commands import RUNBOOK_SECTIONS

    runbook = (Path(__file__).resolve().parents[2] / "docs" / "RUNBOOK.md").read_text(encoding="utf-8")
    headings = {line.removeprefix("## ").strip() for line in runbook.splitlines() if line.startswith("## ")}
    assert set(RUNBOOK_SECTIONS) == {"qbft", "clique", "add-member"}
    for section in RUNBOOK_SECTIONS.values():
        assert section in headings
