"""Settings come from node.toml and the environment; API keys are kept only as hashes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from origo_node.operator_tasks import write_config
from origo_node.settings import load_settings
from origo_node.store import Database
from origo_node.store.apikeys import create_key, find_key, revoke_key
from pydantic import ValidationError

BASE = {
    "member": "VN",
    "data_dir": "/tmp/x",
    "chain_rpc": "http://127.0.0.1:8545",
    "membership_address": "0x" + "11" * 20,
    "registry_address": "0x" + "22" * 20,
}


def test_file_then_environment_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "node.toml"
    write_config(config, {**BASE, "port": 8800, "peers": ["http://a", "http://b"]})
    settings = load_settings(config)
    assert (settings.member, settings.port, settings.peers) == ("VN", 8800, ["http://a", "http://b"])
    monkeypatch.setenv("ORIGO_PORT", "8900")
    assert load_settings(config).port == 8900


def test_no_default_passphrase_and_bad_values_are_refused(tmp_path: Path) -> None:
    config = tmp_path / "node.toml"
    write_config(config, BASE)
    with pytest.raises(ValueError, match="no passphrase"):
        load_settings(config).read_passphrase()
    write_config(config, {**BASE, "member": "vietnam"})
    with pytest.raises(ValidationError):
        load_settings(config)
    write_config(config, {**BASE, "unknown_setting": 1})
    with pytest.raises(ValidationError):
        load_settings(config)


@pytest.mark.parametrize(("consensus", "confirmations"), [("anvil", 0), ("clique", 2), ("qbft", 0)])
def test_confirmations_default_from_the_consensus(tmp_path: Path, consensus: str, confirmations: int) -> None:
    config = tmp_path / "node.toml"
    write_config(config, {**BASE, "consensus": consensus})
    assert load_settings(config).confirmations == confirmations
    write_config(config, {**BASE, "consensus": consensus, "confirmations": 5})
    assert load_settings(config).confirmations == 5


def test_confirmations_zero_set_on_clique_stay_zero(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "node.toml"
    write_config(config, {**BASE, "consensus": "clique"})
    monkeypatch.setenv("ORIGO_CONFIRMATIONS", "0")
    assert load_settings(config).confirmations == 0


def test_chain_settings_out_of_range_are_refused(tmp_path: Path) -> None:
    config = tmp_path / "node.toml"
    for bad in ({"consensus": "pow"}, {"logs_block_range": 0}, {"chain_timeout_s": 0}, {"confirmations": -1}):
        write_config(config, {**BASE, **bad})
        with pytest.raises(ValidationError):
            load_settings(config)


def test_api_keys_are_stored_hashed_and_can_be_revoked(tmp_path: Path) -> None:
    db = Database(tmp_path / "node.db")
    key = create_key(db, "officer", "desk 3")
    found = find_key(db, key)
    assert found is not None and found.role == "officer"
    assert find_key(db, key + "x") is None
    raw = sqlite3.connect(tmp_path / "node.db").execute("SELECT key_hash FROM api_keys").fetchall()
    assert all(key not in row[0] for row in raw)
    assert revoke_key(db, found.id)
    assert find_key(db, key) is None
    with pytest.raises(ValueError):
        create_key(db, "superuser", "x")  # type: ignore[arg-type]
