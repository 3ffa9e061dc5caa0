"""An officer's day with the `origo` command against the real network: the work list, bulk issuing checked
first and resumed after Ctrl-C, supersede --wait, the Form D as a PDF, and files written with -o."""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from client_support import VESSEL, coffee, sdk, settle, unique_reference, write
from origo_cli.exit_codes import ExitCode
from origo_cli.main import main
from origo_devnet.network import MemberNode
from support.network import sample, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("network")]


def run(
    capsys: pytest.CaptureFixture[str], node: MemberNode, role: str | None, *argv: str
) -> tuple[int, str]:
    key = [] if role is None else ["--api-key", getattr(node, f"{role}_key")]
    code = main(["--node", node.url, *key, *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out + err


def batch(directory: Path, count: int, prefix: str) -> list[dict[str, Any]]:
    directory.mkdir()
    docs = [coffee(unique_reference(prefix)) for _ in range(count)]
    for i, doc in enumerate(docs):
        write(directory / f"{i:03d}.json", doc)
    return docs


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--version"])
    out, _ = capsys.readouterr()
    assert code == 0 and out.startswith("origo 0.1.0")


def test_a_directory_is_checked_then_issued_and_a_second_run_skips_what_was_issued(
    vn: MemberNode, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "batch"
    docs = batch(folder, 3, "VN-BULK")
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    code, out = run(capsys, vn, "officer", "cert", "issue", str(folder), "--dry-run")
    assert code == ExitCode.REFUSED, out
    assert "dry run: 3 would be issued, 1 refused of 4 file(s); nothing was issued" in out
    assert "broken.json" in out
    origo = sdk(vn)
    assert (
        origo.request("POST", "/api/v1/documents/check", json_body={"documents": docs})["results"][0][
            "already_issued"
        ]
        is None
    )  # the dry run issued nothing

    code, out = run(capsys, vn, "officer", "--json", "cert", "issue", str(folder))
    first = json.loads(out)
    assert code == ExitCode.REFUSED and (first["accepted"], first["skipped"], first["refused"]) == (3, 0, 1)

    changed = dict(docs[2], producingCountry="VN", items=[dict(docs[2]["items"][0], grossWeightKg=19351)])
    write(folder / "002.json", changed)  # same reference, different content
    code, out = run(capsys, vn, "officer", "cert", "issue", str(folder))
    assert code == ExitCode.REFUSED
    assert "0 accepted, 2 already issued identically (skipped), 2 refused of 4 file(s)" in out
    assert f"reference {docs[2]['referenceNumber']} was already issued by this member with different" in out
    code, out = run(capsys, vn, "officer", "cert", "issue", str(folder), "--dry-run")
    assert "dry run: 0 would be issued, 2 already issued identically (skipped), 2 refused" in out


def test_ctrl_c_prints_what_was_accepted_and_running_again_resumes(vn: MemberNode, tmp_path: Path) -> None:
    folder = tmp_path / "long"
    docs = batch(folder, 40, "VN-RESUME")
    command = [sys.executable, "-m", "origo_cli.main", "--node", vn.url, "--api-key", vn.officer_key]
    run_it = [*command, "--json", "cert", "issue", str(folder), "--chunk-size", "1"]
    process = subprocess.Popen(run_it, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    origo = sdk(vn)
    first_ref = f"VN:{docs[0]['referenceNumber']}"

    def some_accepted() -> bool:
        try:
            origo.status(first_ref)
            return True
        except Exception:
            return False

    wait_for(some_accepted, 30, "the first documents to be accepted")
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, (out, err)
    assert "Traceback" not in err
    interrupted = json.loads(out)
    assert interrupted["interrupted"] is True and interrupted["accepted"] >= 1
    assert interrupted["not_sent"] >= 1, "interrupted too late to test resuming"
    resumed = subprocess.run(
        [*command, "--json", "cert", "issue", str(folder)], capture_output=True, text=True, timeout=120
    )
    assert resumed.returncode == 0, resumed.stderr
    again = json.loads(resumed.stdout)
    assert again["refused"] == 0 and again["accepted"] + again["skipped"] == 40
    assert again["skipped"] >= interrupted["accepted"]  # + the chunk in flight, if it got through


def test_work_list_supersede_wait_form_d_and_files_written(
    vn: MemberNode, sg: MemberNode, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = coffee()
    origo = sdk(vn)
    doc_id = origo.issue(json.dumps(doc).encode()).document_id
    settle(sdk(sg), doc_id, "valid")
    wait_for(lambda: sdk(sg).status(doc_id).reference, 30, "SG to read the payload (the reference)")
    code, out = run(
        capsys, sg, "officer", "cert", "list", "--role", "importer", "--state", "valid", "--limit", "500"
    )
    assert code == 0 and doc["referenceNumber"] in out and "document(s) for this member" in out
    code, out = run(capsys, sg, "officer", "cert", "list", "--state", "lost")
    assert code == ExitCode.USAGE and "--state takes one of" in out and "awaiting-claim" in out

    # What awaits a claim: certificates, never a manifest (it is read, not claimed).
    manifest = copy.deepcopy(sample(VESSEL))
    manifest["referenceNumber"] = unique_reference("MSC-DESK")
    manifest_id = origo.issue(json.dumps(manifest).encode()).document_id
    settle(sdk(sg), manifest_id, "valid")
    wait_for(lambda: sdk(sg).status(manifest_id).reference, 30, "SG to read the manifest")
    code, out = run(capsys, sg, "officer", "cert", "list", "--state", "awaiting-claim", "--limit", "500")
    assert code == 0 and "certificate(s) awaiting a claim" in out
    assert doc["referenceNumber"] in out and manifest["referenceNumber"] not in out
    code, out = run(capsys, sg, "officer", "cert", "list", "--state", "valid", "--limit", "500")
    assert manifest["referenceNumber"] in out  # still listed as what it is: valid

    pdf = tmp_path / "form.pdf"
    code, out = run(capsys, sg, "auditor", "cert", "form-d", doc_id, "-o", str(pdf))
    assert code == 0 and pdf.read_bytes().startswith(b"%PDF-")
    assert f"wrote the Form D of {doc['referenceNumber']} (PDF) to {pdf}" in out
    payload = tmp_path / "payload.json"
    code, out = run(capsys, sg, "auditor", "cert", "payload", doc_id, "-o", str(payload))
    assert code == 0 and f"wrote the decrypted document to {payload}" in out
    assert json.loads(payload.read_text())["referenceNumber"] == doc["referenceNumber"]

    corrected = dict(doc, referenceNumber=unique_reference("VN-FIX"))
    path = write(tmp_path / "fix.json", corrected)
    started = time.monotonic()
    code, out = run(capsys, vn, "officer", "cert", "supersede", f"VN:{doc_id}", str(path), "--wait", "60")
    assert code == 0, out
    assert f"superseded: VN:{doc_id} is replaced by {corrected['referenceNumber']} (0x" in " ".join(
        out.split()
    )
    assert origo.status(doc_id).state == "superseded" and time.monotonic() - started < 60
    assert os.path.exists(pdf)
