"""The systemd unit shipped for `origo node run` (docs/deploy/origo-node.service) is one systemd accepts,
restarts the node on failure, hands it the passphrase as a credential, and is locked down."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNIT = Path(__file__).resolve().parents[3] / "docs" / "deploy" / "origo-node.service"
INSTALLED_ORIGO = "/opt/origo/venv/bin/origo"
ORIGO = str(Path(sys.executable).parent / "origo")


def directives() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def local_copy(tmp_path: Path) -> Path:
    """The unit with ExecStart pointing at this checkout's `origo` (systemd checks that the binary exists)."""
    copy = tmp_path / "origo-node.service"
    copy.write_text(UNIT.read_text(encoding="utf-8").replace(INSTALLED_ORIGO, ORIGO), encoding="utf-8")
    return copy


def test_restart_on_failure_and_the_passphrase_as_a_credential() -> None:
    unit = directives()
    assert unit["Restart"] == ["on-failure"]
    assert unit["LoadCredential"] == ["passphrase:/etc/origo/passphrase"]
    assert unit["Environment"] == ["ORIGO_PASSPHRASE_FILE=%d/passphrase"]
    for option in ("NoNewPrivileges", "ProtectSystem", "ProtectHome", "PrivateTmp", "RestrictSUIDSGID"):
        assert unit[option] != ["no"], option
    assert unit["ProtectSystem"] == ["strict"]
    assert unit["ExecStart"][0].startswith(INSTALLED_ORIGO + " node run --data-dir /var/lib/origo")


def test_the_unit_command_line_is_one_the_cli_accepts(tmp_path: Path) -> None:
    # Same arguments as ExecStart, on an empty data directory: the CLI parses them and names what is missing.
    arguments = directives()["ExecStart"][0].split()[1:]
    arguments[arguments.index("--data-dir") + 1] = str(tmp_path)
    result = subprocess.run(
        [ORIGO, *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        env={"ORIGO_PASSPHRASE_FILE": str(tmp_path / "passphrase"), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2
    assert "node.toml does not exist; create it with 'origo node init'" in result.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_verifies_the_unit_without_a_warning_and_rates_it_well_locked_down(tmp_path: Path) -> None:
    copy = local_copy(tmp_path)
    verify = subprocess.run(
        ["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=60
    )
    assert verify.returncode == 0 and verify.stdout + verify.stderr == "", verify.stderr
    security = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", str(copy)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    exposure = re.search(r"Overall exposure level for origo-node.service: ([0-9.]+)", security.stdout)
    assert exposure is not None, security.stdout + security.stderr
    assert float(exposure.group(1)) <= 2.0  # systemd's scale: 0 locked down ... 10 fully exposed
