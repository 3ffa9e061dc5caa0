"""`origo node init|add-key|run|reindex` as an operator types them (the installed command, a subprocess)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from origo_cli.commands_more import proposal_body
from origo_network.anvil import free_port
from origo_node.operator_tasks import update_config
from origo_node.settings import CONFIG_FILE

# The command the package installs, next to the interpreter running the tests.
ORIGO = str(Path(sys.executable).parent / "origo")


def origo(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    if args[:2] == ("node", "init") and "--port" not in args:
        args = (*args, "--port", str(free_port()))  # not the default 8701: a devnet may hold it
    return subprocess.run(
        [ORIGO, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "ORIGO_PASSPHRASE": "correct horse battery staple", **(env or {})},
    )


def test_init_creates_encrypted_keys_config_and_an_admin_key(tmp_path: Path) -> None:
    data = tmp_path / "vn"
    port = str(free_port())
    result = origo("node", "init", "--data-dir", str(data), "--member", "vn", "--port", port, "--json")
    assert result.returncode == 0, result.stderr
    created = json.loads(result.stdout)
    assert created["admin_api_key"].startswith("origo_")
    assert created["encryption_public_key"].startswith("0x02")  # suite tag 2: ML-KEM-768 + X25519 by default
    config = (data / "node.toml").read_text()
    assert 'member = "VN"' in config and f"port = {port}" in config and "passphrase" not in config
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


def test_wrong_passphrase_stops_a_node_of_several_workers_too(tmp_path: Path) -> None:
    # Its processes decrypt their keys only when they need them: the supervisor's check must stop them all.
    data = tmp_path / "id"
    init = origo(
        "node", "init", "-d", str(data), "-m", "ID", "--chain-rpc", "http://127.0.0.1:9",
        "--membership-address", "0x" + "11" * 20, "--registry-address", "0x" + "22" * 20,
    )  # fmt: skip
    assert init.returncode == 0
    update_config(data / CONFIG_FILE, workers=2, chain_id=31337)
    started = time.monotonic()
    result = origo("node", "run", "-d", str(data), env={"ORIGO_PASSPHRASE": "wrong"})
    assert result.returncode == 2, result.stderr
    assert "passphrase" in result.stderr and "Traceback" not in result.stderr
    assert time.monotonic() - started < 60


def test_init_writes_the_member_file_the_consortium_votes_on(tmp_path: Path) -> None:
    data = tmp_path / "la"
    port = free_port()
    result = origo(
        "node", "init", "-d", str(data / "x"), "-m", "la", "--name", "Lao Customs Department",
        "--port", str(port), "--public-url", "https://origo.customs.gov.la", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    created = json.loads(result.stdout)
    member = json.loads((data / "x" / "member.json").read_text())
    assert member == {
        "code": "LA",
        "name": "Lao Customs Department",
        "admin": created["admin_address"],
        "validator": created["admin_address"],
        "issuers": [created["issuer_address"]],
        "encryption_key": created["encryption_public_key"],
        "endpoint": "https://origo.customs.gov.la",
    }
    # Exactly what `origo consortium propose add-member --member member.json` sends.
    body = proposal_body("add-member", None, data / "x" / "member.json")
    assert body["member"]["code"] == "LA" and body["member"]["issuers"] == member["issuers"]


def test_init_prints_every_key_whole(tmp_path: Path) -> None:
    result = origo("node", "init", "-d", str(tmp_path / "kh"), "-m", "KH")
    assert result.returncode == 0, result.stderr
    created = json.loads((tmp_path / "kh" / "member.json").read_text())
    lines = result.stdout.splitlines()
    assert created["encryption_key"] in lines  # the whole ML-KEM + X25519 key, alone on its line
    assert len(created["encryption_key"]) == 2 + 2 * 1217
    assert any(line.split() == ["issuer", "account", created["issuers"][0]] for line in lines)
    assert "..." not in result.stdout


@pytest.mark.parametrize(
    ("passphrase", "why"),
    [
        ("short", "has 5 characters"),
        ("alllowercaseletters", "one kind of character"),
        ("123456789012345", "one kind of character"),
        ("abababab1abababab", "repeats a few characters"),
    ],
)
def test_init_refuses_a_weak_passphrase_before_writing_anything(
    tmp_path: Path, passphrase: str, why: str
) -> None:
    data = tmp_path / "mm"
    result = origo("node", "init", "-d", str(data), "-m", "MM", env={"ORIGO_PASSPHRASE": passphrase})
    assert result.returncode == 2
    assert why in result.stderr and "at least 12 characters" in result.stderr
    assert "Traceback" not in result.stderr
    assert not data.exists()


def test_a_port_in_use_is_reported_before_anything_starts(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        refused = origo("node", "init", "-d", str(tmp_path / "bn"), "-m", "BN", "--port", str(port))
        assert refused.returncode == 2
        assert f"port {port} on 0.0.0.0 is already in use" in refused.stderr
        assert "choose another with --port" in refused.stderr
        assert not (tmp_path / "bn").exists()

        data = tmp_path / "tl"
        assert origo("node", "init", "-d", str(data), "-m", "TL").returncode == 0
        config = data / "node.toml"
        config.write_text(
            config.read_text().replace("port = ", "# port = ")
            + f'port = {port}\nchain_rpc = "http://127.0.0.1:9"\n'
            + f'membership_address = "0x{"11" * 20}"\nregistry_address = "0x{"22" * 20}"\n'
        )
        started = time.monotonic()
        run = origo("node", "run", "-d", str(data))
        assert run.returncode == 2 and "Traceback" not in run.stderr
        assert f"port {port} on 127.0.0.1 is already in use" in run.stderr
        assert f"set another port in {config}" in run.stderr
        assert time.monotonic() - started < 30  # refused at once, not after loading keys and the chain
