"""`origo network add-member`: a member who joins after the genesis gets the same chain and swarm, its own
files, and every other member's peer lists gain its chain node (tests/e2e/test_clique_consortium.py runs it on
real geth sealers and votes it in)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from genesis_support import make_members, write_members
from origo_cli.main import main
from origo_network.anvil import free_port

pytestmark = [pytest.mark.integration]  # the generation deploys the contracts on a throw-away anvil
CODES = ["VN", "SG", "TH"]


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("join")
    _, specs = make_members(root, [*CODES, "BN"], [free_port() for _ in range(4)])
    first, newcomer = specs[:3], specs[3]
    members = write_members(root / "members.json", first)
    command = ["network", "generate", "--consensus", "clique", "--members", str(members)]
    assert main([*command, "--out", str(root / "out")]) == 0
    (root / "bn.json").write_text(json.dumps(newcomer), encoding="utf-8")
    return root, newcomer


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_new_member_gets_the_same_chain_and_swarm_and_the_others_learn_its_node(
    network: tuple[Path, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    root, newcomer = network
    out = root / "out"
    genesis_before = (out / "genesis.json").read_bytes()
    assert main(["network", "add-member", "--network", str(out), "--member", str(root / "bn.json")]) == 0
    said = capsys.readouterr().out
    summary = read_json(out / "network.json")
    bn = next(m for m in summary["members"] if m["code"] == "BN")
    assert bn["joined_after_genesis"] and bn["enode"].endswith(f"@127.0.0.1:{newcomer['p2p_port']}")
    assert f"its chain node's address is {bn['validator']}" in said
    assert "origo consortium propose add-member --member" in said and "section '4. Adding a member'" in said
    # The genesis is the one everyone runs: unchanged, and BN's copy is that file.
    assert (out / "genesis.json").read_bytes() == genesis_before
    assert (out / "members" / "BN" / "geth" / "genesis.json").read_bytes() == genesis_before
    assert (out / "members" / "BN" / "kubo" / "swarm.key").read_text() == (
        out / "members" / "VN" / "kubo" / "swarm.key"
    ).read_text()
    bn_geth = tomllib.loads((out / "members" / "BN" / "geth" / "config.toml").read_text())
    others = [m["enode"] for m in summary["members"] if m["code"] != "BN"]
    assert bn_geth["Node"]["P2P"]["StaticNodes"] == others
    for code in CODES:
        geth = tomllib.loads((out / "members" / code / "geth" / "config.toml").read_text())
        peers = geth["Node"]["P2P"]["StaticNodes"]
        assert peers[-1] == bn["enode"] and geth["Node"]["P2P"]["TrustedNodes"] == peers
        assert len(peers) == 3 and all(code not in p for p in peers)
        assert bn["enode"] in read_json(out / "members" / code / "besu" / "static-nodes.json")
        assert bn["enode"] in (out / "members" / code / "besu" / "permissions_config.toml").read_text()
    node_toml = tomllib.loads((out / "members" / "BN" / "origo" / "node.toml").read_text())
    assert node_toml["registry_address"] == summary["contracts"]["registry"]
    assert node_toml["chain_rpc"] == f"http://127.0.0.1:{newcomer['rpc_port']}"
    kubo = read_json(out / "members" / "BN" / "kubo" / "config-overrides.json")
    assert sorted(kubo["Bootstrap"]) == sorted(m["swarm_address"] for m in summary["members"][:3])
    proposal = read_json(out / "members" / "BN" / "proposal.json")
    assert proposal["validator"] == bn["validator"] and proposal["code"] == "BN"
    assert proposal["encryption_key"] == newcomer["encryption_key"]


def test_a_member_already_there_or_on_a_taken_port_is_refused_and_nothing_changes(
    network: tuple[Path, dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, newcomer = network
    out = root / "out"
    before = (out / "network.json").read_text()
    vn = read_json(out / "network.json")["members"][0]
    attempts = {
        "already": ({**newcomer, "code": "VN"}, "VN is already a member of the network"),
        "port": (
            {**newcomer, "code": "KH", "p2p_port": vn["p2p_port"]},
            f"members VN and KH would both listen on 127.0.0.1:{vn['p2p_port']}",
        ),
        # A hostile newcomer that gives another member's node key would make that member's sealer its own.
        "node key": (
            {
                **newcomer,
                **{name: free_port() for name in newcomer if name.endswith("_port")},
                "code": "KH",
                "node_public_key": vn["enode"].removeprefix("enode://").split("@")[0],
            },
            "KH's node key is already VN's",
        ),
    }
    for name, (spec, words) in attempts.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(spec), encoding="utf-8")
        code = main(["network", "add-member", "--network", str(out), "--member", str(path)])
        said = capsys.readouterr()
        assert code != 0 and words in said.out + said.err, said
        assert "Traceback" not in said.out + said.err
    assert (out / "network.json").read_text() == before
    assert not (out / "members" / "KH").exists()
    code = main(["network", "add-member", "--network", str(tmp_path), "--member", str(root / "bn.json")])
    said = capsys.readouterr()
    assert code != 0 and "holds no generated network" in said.out + said.err
