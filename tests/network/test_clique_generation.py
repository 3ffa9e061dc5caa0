"""`origo network generate --consensus clique`: the Clique genesis for geth and Besu, each member's geth
files; tests/e2e/test_clique_consortium.py runs them on real geth sealers (their own setup.sh and run.sh)
with an Origo node per member."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any

import pytest
from eth_keys import keys  # type: ignore[attr-defined]
from genesis_support import make_members, write_members
from origo_cli.main import main
from origo_network.anvil import free_port
from origo_network.clique_files import sealers_in
from origo_node.settings import load_settings

pytestmark = [pytest.mark.integration]  # the contracts' state comes from a deployment on a throw-away anvil
CODES = ["VN", "SG", "TH"]
REPO = Path(__file__).resolve().parents[2]


def geth_binary() -> Path:
    """The pinned geth of `make geth` (or $ORIGO_GETH)."""
    path = Path(os.environ.get("ORIGO_GETH") or REPO / ".tools" / "bin" / "geth")
    assert path.is_file(), f"geth not found at {path}: run `make geth`"
    return path


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    root = tmp_path_factory.mktemp("clique")
    _, specs = make_members(root, CODES, [free_port() for _ in CODES])
    for spec in specs:  # every port free now, so that the network below can run on this machine
        spec.update(
            p2p_port=free_port(), rpc_port=free_port(), kubo_swarm_port=free_port(), engine_port=free_port()
        )
    members = write_members(root / "members.json", specs)
    command = ["network", "generate", "--consensus", "clique", "--members", str(members)]
    assert main([*command, "--out", str(root / "out"), "--block-period", "1"]) == 0
    return root / "out", specs


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_genesis_lists_the_members_sealers_and_stops_at_london(
    generated: tuple[Path, list[dict[str, Any]]],
) -> None:
    out, _ = generated
    genesis = read_json(out / "genesis.json")
    summary = read_json(out / "network.json")
    sealers = [m["validator"] for m in summary["members"]]
    assert summary["consensus"] == "clique"
    assert genesis["config"]["clique"] == {"period": 1, "epoch": 30000}
    assert genesis["config"]["londonBlock"] == 0
    assert not {"shanghaiTime", "cancunTime", "qbft", "zeroBaseFee"} & set(genesis["config"])
    extra = bytes.fromhex(genesis["extraData"][2:])
    assert len(extra) == 32 + 20 * len(CODES) + 65
    assert extra[:32] == bytes(32) and extra[-65:] == bytes(65)
    assert sealers_in(genesis["extraData"]) == sorted(sealers, key=lambda a: int(a, 16))
    assert summary["clique"]["sealers"] == sealers_in(genesis["extraData"])
    assert genesis["difficulty"] == "0x1" and genesis["mixHash"] == "0x" + "00" * 32


def test_besus_genesis_is_the_same_block_with_besus_names(
    generated: tuple[Path, list[dict[str, Any]]],
) -> None:
    out, _ = generated
    geth, besu = read_json(out / "genesis.json"), read_json(out / "genesis.besu.json")
    assert besu["config"]["clique"] == {
        "blockperiodseconds": 1,
        "epochlength": 30000,
        "createemptyblocks": True,
    }
    assert {k: v for k, v in geth.items() if k != "config"} == {
        k: v for k, v in besu.items() if k != "config"
    }
    assert {k: v for k, v in geth["config"].items() if k != "clique"} == {
        k: v for k, v in besu["config"].items() if k != "clique"
    }
    for code in CODES:
        assert (out / "members" / code / "besu" / "genesis.json").read_bytes() == (
            out / "genesis.besu.json"
        ).read_bytes()
        config = tomllib.loads((out / "members" / code / "besu" / "config.toml").read_text())
        assert "CLIQUE" in config["rpc-http-api"] and "QBFT" not in config["rpc-http-api"]


def test_each_members_geth_files_peer_only_with_the_others_and_seal_with_its_node_key(
    generated: tuple[Path, list[dict[str, Any]]],
) -> None:
    out, specs = generated
    members = read_json(out / "network.json")["members"]
    enodes = [m["enode"] for m in members]
    for member, spec in zip(members, specs, strict=True):
        geth = out / "members" / member["code"] / "geth"
        private = keys.PrivateKey(bytes.fromhex((geth / "nodekey").read_text()))
        assert private.public_key.to_checksum_address() == member["validator"]
        assert (geth / "sealer.address").read_text().strip() == member["validator"]
        assert (
            member["enode"] == f"enode://{private.public_key.to_bytes().hex()}@127.0.0.1:{spec['p2p_port']}"
        )
        config = tomllib.loads((geth / "config.toml").read_text())
        p2p = config["Node"]["P2P"]
        assert p2p["NoDiscovery"] is True and p2p["ListenAddr"] == f":{spec['p2p_port']}"
        assert sorted(p2p["StaticNodes"]) == sorted(e for e in enodes if e != member["enode"])
        assert config["Node"]["HTTPHost"] == "127.0.0.1" and config["Node"]["HTTPPort"] == spec["rpc_port"]
        assert (
            "personal" not in config["Node"]["HTTPModules"] and "admin" not in config["Node"]["HTTPModules"]
        )
        assert config["Eth"]["NetworkId"] == 1983
        assert (geth / "genesis.json").read_bytes() == (out / "genesis.json").read_bytes()
        assert f"--unlock {member['validator']}" in (geth / "run.sh").read_text()
        node = load_settings(out / "members" / member["code"] / "origo" / "node.toml")
        assert node.confirmations == 2 and node.chain_rpc == f"http://127.0.0.1:{spec['rpc_port']}"


def test_a_block_period_of_zero_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, specs = make_members(tmp_path, ["VN"], [8701])
    members = write_members(tmp_path / "members.json", specs)
    command = ["network", "generate", "--consensus", "clique", "--members", str(members)]
    assert main([*command, "--out", str(tmp_path / "out"), "--block-period", "0"]) == 2
    assert "block period must be at least 1 second" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("start_at", "says"),
    [
        ("2020-01-01T00:00:00Z", "is in the past"),
        ("2099-01-01T08:00:00", "must be in UTC"),
        ("2099-01-01T08:00:00+07:00", "must be in UTC"),
        ("next tuesday", "is not a time"),
    ],
)
def test_a_launch_time_that_coordinates_nothing_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], start_at: str, says: str
) -> None:
    _, specs = make_members(tmp_path, ["VN"], [8701])
    members = write_members(tmp_path / "members.json", specs)
    command = ["network", "generate", "--consensus", "clique", "--members", str(members), "--out"]
    assert main([*command, str(tmp_path / "out"), "--start-at", start_at]) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_the_launch_time_dates_the_genesis_so_that_no_sealer_seals_before_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Sealers started with --mine on an old genesis seal block 1 at once, each before it is peered: the
    chain can split into halves of equal weight. A launch time every member starts ahead of prevents it."""
    _, specs = make_members(tmp_path, ["VN", "SG"], [8701, 8702])
    members = write_members(tmp_path / "members.json", specs)
    command = ["network", "generate", "--consensus", "clique", "--members", str(members), "--out"]
    assert main([*command, str(tmp_path / "out"), "--start-at", "2099-01-01T08:00:00Z"]) == 0
    assert "first block is sealed at 2099-01-01T08:00:00Z" in capsys.readouterr().out
    at = 4070937600  # 2099-01-01T08:00:00Z
    for path in [tmp_path / "out" / "genesis.json", *(tmp_path / "out").glob("members/*/geth/genesis.json")]:
        assert int(read_json(path)["timestamp"], 16) == at, path
    assert int(read_json(tmp_path / "out" / "genesis.besu.json")["timestamp"], 16) == at
    assert read_json(tmp_path / "out" / "network.json")["genesis_time"] == "2099-01-01T08:00:00Z"
