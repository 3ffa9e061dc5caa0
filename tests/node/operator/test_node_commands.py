"""`origo node init|add-key|run|reindex` as an operator types them (the installed command, a subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# The command the package installs, next to the interpreter running the tests.
ORIGO = str(Path(sys.executable).parent / "origo")


def origo(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ORIGO, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "ORIGO_PASSPHRASE": "correct horse battery staple", **(env or {})},
    )


def test_init_creates_encrypted_keys_config_and_an_admin_key(tmp_path: Path) -> None:
    data = tmp_path / "vn"
    result = origo("node", "init", "--data-dir", str(data), "--member", "vn", "--port", "8799", "--json")
    assert result.returncode == 0, result.stderr
    created = json.loads(result.stdout)
    assert created["admin_api_key"].startswith("origo_")
    assert created["encryption_public_key"].startswith("0x02")  # suite tag 2: ML-KEM-768 + X25519 by default
    config = (data / "node.toml").read_text()
    assert 'member = "VN"' in config and "port = 8799" in config and "passphrase" not in config
    keystore = json.loads((data / "keys" / "issuer.json").read_text())
    assert keystore["crypto"]["kdf"] == "scrypt"
    assert (data / "keys" / "issuer.json").stat().st_mode & 0o077 == 0
    encryption = (data / "keys" / "encryption.json").read_text()
    assert "secret" not in json.loads(encryption).get("kdf", {})
    # No key material in the clear, no API key in the database.
    everything = b"".join(p.read_bytes() for p in data.rglob("*") if p.is_file())
    assert created["admin_api_key"].encode() not in everything


def test_init_refuses_to_overwrite_keys_and_rejects_bad_codes(tmp_path: Path) -> None:
    data = tmp_path / "sg"
    assert origo("node", "init", "-d", str(data), "-m", "SG").returncode == 0
    again = origo("node", "init", "-d", str(data), "-m", "SG")
    assert again.returncode == 2
    assert "refusing to overwrite" in again.stderr and "Traceback" not in again.stderr
    bad = origo("node", "init", "-d", str(tmp_path / "x"), "-m", "Singapore")
    assert bad.returncode == 2 and "two-letter" in bad.stderr


def test_add_key_prints_a_working_key_once(tmp_path: Path) -> None:
    data = tmp_path / "th"
    assert origo("node", "init", "-d", str(data), "-m", "TH").returncode == 0
    result = origo("node", "add-key", "-d", str(data), "--role", "auditor", "--name", "audit office")
    assert result.returncode == 0 and result.stdout.strip().startswith("origo_")
    wrong = origo("node", "add-key", "-d", str(data), "--role", "root")
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr


@pytest.mark.parametrize("setup", ["no-config", "incomplete-config"])
def test_run_explains_what_is_missing_without_a_traceback(tmp_path: Path, setup: str) -> None:
    data = tmp_path / "my"
    if setup == "incomplete-config":
        assert origo("node", "init", "-d", str(data), "-m", "MY").returncode == 0
    result = origo("node", "run", "-d", str(data))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    expected = "does not exist" if setup == "no-config" else "chain_rpc"
    assert expected in result.stderr


def test_wrong_passphrase_is_a_clear_error(tmp_path: Path) -> None:
    data = tmp_path / "id"
    init = origo(
        "node",
        "init",
        "-d",
        str(data),
        "-m",
        "ID",
        "--chain-rpc",
        "http://127.0.0.1:9",
        "--membership-address",
        "0x" + "11" * 20,
        "--registry-address",
        "0x" + "22" * 20,
    )
    assert init.returncode == 0
    result = origo("node", "run", "-d", str(data), env={"ORIGO_PASSPHRASE": "wrong"})
    assert result.returncode == 2
    assert "passphrase" in result.stderr and "Traceback" not in result.stderr
