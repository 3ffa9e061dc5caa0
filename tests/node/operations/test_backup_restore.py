"""`origo node backup` / `origo node restore` on a running node: the snapshot is consistent, the restored node
keeps its keys, documents and API keys, catches up from the chain on what happened after the snapshot, and
issues again; a restore never overwrites a node and refuses archives that are not node backups."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from origo_cli.main import main
from support.network import Client, running_network, sample, wait_state

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.xdist_group("operations")]


def issued(reference: str) -> dict[str, object]:
    doc = sample("form-d/vn-sg-coffee.json")
    doc["referenceNumber"] = reference
    return doc


def test_a_restored_node_keeps_its_state_and_catches_up_from_the_chain(tmp_path: Path) -> None:
    archive = tmp_path / "vn.tar.gz"
    with running_network(tmp_path / "net", ("VN", "SG")) as network:
        vn, sg = network.members["VN"], network.members["SG"]
        before = Client(vn).post("/api/v1/documents", json=issued("VN-HCM-2026-BK0001")).json()["document_id"]
        wait_state(sg, before, {"valid"})
        wait_state(vn, before, {"valid"})
        assert main(["node", "backup", "-d", str(vn.data_dir), "--to", str(archive)]) == 0  # the node runs on
        after = Client(vn).post("/api/v1/documents", json=issued("VN-HCM-2026-BK0002")).json()["document_id"]
        wait_state(sg, after, {"valid"})
        network.stop_node("VN")

        restored = tmp_path / "restored"
        assert main(["node", "restore", "--from", str(archive), "-d", str(restored)]) == 0
        assert (
            main(["node", "restore", "--from", str(archive), "-d", str(restored)]) == 2
        )  # never over a node
        vn.data_dir = restored
        network.start_node("VN")
        wait_state(vn, before, {"valid"})
        wait_state(vn, after, {"valid"})  # anchored after the snapshot: learnt from the chain
        # Its keys and API keys came back: it issues again, and the others accept it.
        again = Client(vn).post("/api/v1/documents", json=issued("VN-HCM-2026-BK0003"))
        assert again.status_code == 202, again.text
        wait_state(sg, again.json()["document_id"], {"valid"})


def test_backup_refuses_what_is_not_a_node_and_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["node", "backup", "-d", str(tmp_path / "empty"), "--to", str(tmp_path / "b.tar.gz")]) == 2
    assert not (tmp_path / "b.tar.gz").exists()


def _tar(path: Path, entries: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, body in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return path


@pytest.mark.parametrize(
    "entries",
    [
        {"something.txt": b"x"},
        {"backup.json": b"not json"},
        {"backup.json": json.dumps({"format": "other"}).encode(), "node.db": b""},
        {"backup.json": json.dumps({"format": "origo-node-backup/1"}).encode()},
        {
            "backup.json": json.dumps({"format": "origo-node-backup/1"}).encode(),
            "node.db": b"",
            "../evil": b"x",
        },
        {
            "backup.json": json.dumps({"format": "origo-node-backup/1"}).encode(),
            "node.db": b"",
            "etc/x": b"x",
        },
    ],
)
def test_restore_refuses_archives_that_are_not_node_backups(
    tmp_path: Path, entries: dict[str, bytes], capsys: pytest.CaptureFixture[str]
) -> None:
    archive = _tar(tmp_path / "a.tar.gz", entries)
    assert main(["node", "restore", "--from", str(archive), "-d", str(tmp_path / "node")]) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert not (tmp_path / "node" / "node.db").exists()
    assert not (tmp_path / "evil").exists()


def test_restore_refuses_a_file_that_is_not_an_archive(tmp_path: Path) -> None:
    (tmp_path / "x.tar.gz").write_bytes(b"plain text")
    assert main(["node", "restore", "--from", str(tmp_path / "x.tar.gz"), "-d", str(tmp_path / "n")]) == 2
