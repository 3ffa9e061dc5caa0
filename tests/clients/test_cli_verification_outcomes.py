"""A verification as the officers and a trader meet it, on the real network.

While it is open the preference is suspended, and once the issuing member answers "not confirmed" the
certificate says so everywhere and cannot be claimed (ATIGA OCP), with the date, the reason and what the
importer can do."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from client_support import coffee, sdk, settle, write
from origo_cli.exit_codes import ExitCode
from origo_cli.main import main
from origo_devnet.network import MemberNode

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("network")]


def run(
    capsys: pytest.CaptureFixture[str], node: MemberNode, role: str | None, *argv: str
) -> tuple[int, str]:
    key = [] if role is None else ["--api-key", getattr(node, f"{role}_key")]
    code = main(["--node", node.url, *key, *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "Registry" not in out + err  # words, never the rule's name
    # As a person reads it: rich's panels and line breaks taken away.
    return code, " ".join("".join(" " if c in "│╭╮╰╯─" else c for c in out + err).split())


def verdict_at(node: MemberNode, key: str) -> dict[str, Any]:
    answer = httpx.get(f"{node.url}/api/v1/verify", params={"key": key}, timeout=30)
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


def test_not_confirmed_is_a_verdict_everywhere_and_refuses_every_claim(
    capsys: pytest.CaptureFixture[str], vn: MemberNode, sg: MemberNode, th: MemberNode, tmp_path: Path
) -> None:
    doc = coffee()
    ref = f"VN:{doc['referenceNumber']}"
    path = write(tmp_path / "certificate.json", doc)
    code, out = run(capsys, vn, "officer", "--json", "cert", "issue", str(path), "--wait", "30")
    assert code == 0, out
    doc_id = json.loads(out)["document_id"]
    settle(sdk(sg, None), doc_id, "valid")

    # A claim's answer says what it left on the item, in the item's unit.
    code, out = run(
        capsys, sg, "officer", "cert", "accept", ref, "--declaration", "SG-V-1", "--quantity", "200"
    )
    assert code == 0 and "took 200.000 KGM of item 1, 19,000.000 KGM left on it" in out

    code, out = run(
        capsys, sg, "officer", "cert", "request-verification", ref, "--reason", "producer unknown"
    )
    assert code == 0
    for node in (vn, sg, th):
        settle(sdk(node, None), doc_id, "under_verification")
    code, out = run(capsys, th, None, "verify", str(path))
    assert code == ExitCode.UNDER_VERIFICATION and "preference is suspended" in out
    assert "producer unknown" in out and "left of" not in out  # nothing is offered to claim meanwhile
    code, out = run(
        capsys, sg, "officer", "cert", "accept", ref, "--declaration", "SG-V-2", "--quantity", "1"
    )
    assert code == ExitCode.CONFLICT
    assert "cannot be claimed while its verification is open" in out and "guarantee" in out

    code, out = run(
        capsys,
        vn,
        "officer",
        "cert",
        "answer-verification",
        ref,
        "--not-confirmed",
        "--reason",
        "no such producer",
    )
    assert code == 0
    for node in (vn, sg, th):  # every member's node derives the same verdict from the chain's events
        settle(sdk(node, None), doc_id, "not_confirmed")
        found = verdict_at(node, ref)
        assert found["verdict"] == "not_confirmed"
        assert found["message"].startswith("Not confirmed by the issuing authority (")
        assert "no such producer" in found["message"]
    code, out = run(capsys, th, None, "verify", str(path))
    assert code == ExitCode.NOT_CONFIRMED == 20
    assert "Not confirmed by the issuing authority" in out and "no such producer" in out
    assert "left of" not in out and "cannot be claimed (not confirmed" in out

    for claim in (["--quantity", "1"], []):  # an item, or the whole certificate: both refused
        code, out = run(capsys, sg, "officer", "cert", "accept", ref, "--declaration", "SG-V-3", *claim)
        assert code == ExitCode.CONFLICT
        assert "did not confirm its origin" in out and "no such producer" in out
        assert "rejecting it (reason 8" in out
    # The refusal comes as a problem for programs too, with the chain's rule and its (issuer, id).
    refused = httpx.post(
        f"{sg.url}/api/v1/documents/{ref}/accept",
        json={"declaration": "SG-V-4"},
        headers={"Authorization": f"Bearer {sg.officer_key}"},
        timeout=30,
    )
    assert refused.status_code == 409
    assert refused.json()["rule"] == "RegistryNotConfirmed"
    assert refused.json()["args"][1] == doc_id

    code, out = run(capsys, sg, "officer", "cert", "list", "--state", "not-confirmed")
    assert code == 0 and doc["referenceNumber"] in out
    code, out = run(capsys, sg, "auditor", "trail", "show", ref)
    assert code == 0 and "not confirmed: no such producer" in out

    # What the importer does next: deny the preference (Box 4), which is then the verdict.
    code, out = run(capsys, sg, "officer", "cert", "reject", ref, "--reason-code", "8", "--reason", "OCP")
    assert code == 0
    status = settle(sdk(th, None), doc_id, "rejected")
    assert status.verification is not None and status.verification.state == "not_confirmed"
    assert run(capsys, th, None, "verify", ref)[0] == ExitCode.REJECTED


def test_a_new_request_answered_confirmed_lets_the_certificate_be_claimed_again(
    capsys: pytest.CaptureFixture[str], vn: MemberNode, sg: MemberNode, tmp_path: Path
) -> None:
    doc = coffee()
    ref = f"VN:{doc['referenceNumber']}"
    path = write(tmp_path / "certificate.json", doc)
    code, out = run(capsys, vn, "officer", "--json", "cert", "issue", str(path), "--wait", "30")
    assert code == 0, out
    doc_id = json.loads(out)["document_id"]
    settle(sdk(sg, None), doc_id, "valid")
    assert run(capsys, sg, "officer", "cert", "request-verification", ref, "--reason", "doubt")[0] == 0
    settle(sdk(vn, None), doc_id, "under_verification")
    assert (
        run(capsys, vn, "officer", "cert", "answer-verification", ref, "--not-confirmed", "--reason", "x")[0]
        == 0
    )
    settle(sdk(sg, None), doc_id, "not_confirmed")
    assert run(capsys, sg, "officer", "cert", "request-verification", ref, "--reason", "new evidence")[0] == 0
    settle(sdk(vn, None), doc_id, "under_verification")
    assert (
        run(capsys, vn, "officer", "cert", "answer-verification", ref, "--confirmed", "--reason", "ok")[0]
        == 0
    )
    settle(sdk(sg, None), doc_id, "valid")
    code, out = run(capsys, sg, "officer", "cert", "accept", ref, "--declaration", "SG-V-9")
    assert code == 0 and "nothing left on it" in out
