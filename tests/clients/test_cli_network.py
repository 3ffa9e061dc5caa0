"""The `origo` command against the real network: a trader, an officer and an auditor at work."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from client_support import VESSEL, coffee, sdk, settle, unique_reference, write
from origo_cli.exit_codes import ExitCode
from origo_cli.main import main
from origo_devnet.network import MemberNode, Network
from support.network import sample

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("network")]


class Cli:
    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys

    def __call__(self, node: MemberNode, role: str | None, *argv: str) -> tuple[int, str, str]:
        key = [] if role is None else ["--api-key", getattr(node, f"{role}_key")]
        code = main(["--node", node.url, *key, *argv])
        out, err = self.capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    def json(self, node: MemberNode, role: str | None, *argv: str) -> tuple[int, Any]:
        code, out, _ = self(node, role, "--json", *argv)
        return code, json.loads(out)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)


def issue(cli: Cli, node: MemberNode, path: Path) -> str:
    code, body = cli.json(node, "officer", "cert", "issue", str(path), "--wait", "30")
    assert code == 0 and body["state"] == "valid", body
    return str(body["document_id"])


def test_trader_and_officers_through_a_certificate_s_life(
    cli: Cli, vn: MemberNode, sg: MemberNode, th: MemberNode, tmp_path: Path
) -> None:
    doc = coffee()
    ref = f"VN:{doc['referenceNumber']}"
    path = write(tmp_path / "certificate.json", doc)
    doc_id = issue(cli, vn, path)

    code, out, _ = cli(th, None, "verify", str(path))  # a trader at any node, no key
    assert code == ExitCode.OK and "Valid" in out and doc_id in out
    tampered = path.read_text().replace("Robusta", "Robustb", 1)
    code, body = cli.json(th, None, "verify", str(write(tmp_path / "t.json", json.loads(tampered))))
    assert code == ExitCode.TAMPERED and body["verdict"] == "tampered"
    assert cli(th, None, "verify", f"VN:{unique_reference()}")[0] == ExitCode.UNKNOWN
    code, body = cli.json(sg, None, "verify", ref)
    assert code == ExitCode.OK and body["document_id"] == doc_id

    settle(sdk(sg, None), doc_id, "valid")
    # A bare reference names no issuer: the claim is refused, and the CLI says what to type.
    bare = doc["referenceNumber"].lower()
    code, _, err = cli(
        sg, "officer", "cert", "accept", bare, "--declaration", "SG-IMP-77", "--quantity", "200"
    )
    assert code == ExitCode.REFUSED and f"type {ref}" in err and "Traceback" not in err
    code, body = cli.json(
        sg, "officer", "cert", "accept", ref, "--declaration", "SG-IMP-77", "--quantity", "200"
    )
    assert code == 0 and body["state"] == "done" and body["kind"] == "accept"
    code, out, err = cli(
        sg, "officer", "cert", "accept", ref, "--declaration", "SG-IMP-78", "--quantity", "99999"
    )
    assert code == ExitCode.CONFLICT and "remain on this certificate" in err  # words, not the rule's name
    assert "Registry" not in out + err
    settle(sdk(sg, None), doc_id, "partially_accepted")
    code, out, _ = cli(sg, None, "verify", ref)
    assert (
        code == ExitCode.OK and "Partially accepted" in out and "19,000.000 KGM left of 19,200.000 KGM" in out
    )
    code, body = cli.json(sg, "officer", "cert", "status", doc_id)
    assert body["items"][0]["remaining"] == "19000.000"
    assert body["utilisations"][0]["claims"] == [
        {"item": 1, "unit": "KGM", "quantity": "200.000", "remaining": "19000.000"}
    ]

    code, _, err = cli(sg, "officer", "cert", "revoke", ref, "--reason-code", "3", "--reason", "x")
    assert code == ExitCode.AUTH and "issuing member" in err
    code, out, _ = cli(
        vn, "officer", "cert", "revoke", ref, "--reason-code", "3", "--reason", "wrong HS code"
    )
    assert code == 0 and "revocation" in out and "done" in out
    settle(sdk(th, None), doc_id, "revoked")
    code, out, _ = cli(th, None, "verify", str(path))
    assert code == ExitCode.REVOKED and "wrong HS code" in out


def test_each_invalid_state_has_its_exit_code(
    cli: Cli, vn: MemberNode, sg: MemberNode, tmp_path: Path
) -> None:
    used, rejected, asked, old = (
        f"VN:{issue(cli, vn, write(tmp_path / f'{i}.json', coffee()))}" for i in range(4)
    )
    for doc_id in (used, rejected, asked, old):
        settle(sdk(sg, None), doc_id, "valid")
    assert cli(sg, "officer", "cert", "accept", used, "--declaration", "SG-IMP-1")[0] == 0
    assert cli(sg, "officer", "cert", "reject", rejected, "--reason-code", "2", "--reason", "RVC")[0] == 0
    assert cli(sg, "officer", "cert", "request-verification", asked, "--reason", "doubt")[0] == 0
    replacement = write(tmp_path / "new.json", coffee())
    code, body = cli.json(vn, "officer", "cert", "supersede", old, str(replacement))
    assert code == 0 and body["supersedes"] == old.removeprefix("VN:")
    expected = {used: "accepted", rejected: "rejected", asked: "under_verification", old: "superseded"}
    for doc_id, state in expected.items():
        settle(sdk(vn, None), doc_id, state)
    assert cli(vn, None, "verify", used)[0] == ExitCode.USED
    assert cli(vn, None, "verify", rejected)[0] == ExitCode.REJECTED
    assert cli(vn, None, "verify", asked)[0] == ExitCode.UNDER_VERIFICATION
    code, out, _ = cli(vn, None, "verify", old)
    assert code == ExitCode.SUPERSEDED and body["document_id"] in out

    settle(sdk(vn, None), asked, "under_verification")
    code, _, _ = cli(
        vn, "officer", "cert", "answer-verification", asked, "--not-confirmed", "--reason", "fake"
    )
    assert code == 0
    status = settle(sdk(vn, None), asked, "not_confirmed")  # answered: the answer is the verdict
    assert status.verification is not None and status.verification.state == "not_confirmed"
    assert cli(vn, None, "verify", asked)[0] == ExitCode.NOT_CONFIRMED


def test_a_directory_is_issued_in_bulk_with_progress(cli: Cli, vn: MemberNode, tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    for i in range(5):
        write(folder / f"good-{i}.json", coffee())
    bad = coffee()
    bad["items"][0]["hsCode"] = "09"
    write(folder / "bad.json", bad)
    (folder / "broken.json").write_text("{ not json")
    (folder / "notes.txt").write_text("not a document")
    code, out, err = cli(vn, "officer", "cert", "issue", str(folder), "--chunk-size", "2")
    assert code == ExitCode.REFUSED
    assert "5 accepted" in out and "2 refused" in out and "of 7 file(s)" in out
    assert "bad.json" in out and "/items/0/hsCode" in out and "broken.json" in out
    assert "issuing" in err  # the progress bar
    code, body = cli.json(vn, "officer", "cert", "issue", str(folder), "--pattern", "good-*.json")
    assert code == ExitCode.OK  # the same documents again: each skipped as already issued identically
    assert (body["accepted"], body["skipped"], body["refused"]) == (0, 5, 0)
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    for i in range(3):
        write(fresh / f"{i}.json", coffee())
    code, body = cli.json(vn, "officer", "cert", "issue", str(fresh), "--wait", "30")
    assert code == 0 and body["accepted"] == 3
    assert all(sdk(vn, None).status(r["document_id"]).state == "valid" for r in body["results"])


def test_keys_and_roles_are_exit_3(cli: Cli, vn: MemberNode, tmp_path: Path) -> None:
    path = write(tmp_path / "c.json", coffee())
    code, _, err = cli(vn, None, "cert", "issue", str(path))
    assert code == ExitCode.AUTH and "API key" in err
    assert cli(vn, "auditor", "cert", "issue", str(path))[0] == ExitCode.AUTH
    code, body = cli.json(vn, None, "trail", "VN:X")
    assert code == ExitCode.AUTH and body["error"]["status"] == 401
    assert cli(vn, "officer", "cert", "status", f"VN:{unique_reference()}")[0] == ExitCode.NOT_FOUND
    invalid = coffee()
    invalid["consignee"]["country"] = "XX"
    code, _, err = cli(vn, "officer", "cert", "issue", str(write(tmp_path / "i.json", invalid)))
    assert code == ExitCode.REFUSED and "/consignee/country" in err


def test_issued_file_manifest_links_members_and_consortium(
    cli: Cli, vn: MemberNode, sg: MemberNode, tmp_path: Path
) -> None:
    cert_id = issue(cli, vn, write(tmp_path / "c.json", coffee()))
    issued = tmp_path / "issued.json"
    assert cli(vn, "officer", "cert", "file", cert_id, "-o", str(issued))[0] == 0
    assert json.loads(issued.read_text())["origo"]["document_id"] == cert_id
    assert cli(sg, None, "verify", str(issued))[0] == ExitCode.OK

    manifest = copy.deepcopy(sample(VESSEL))
    manifest["referenceNumber"] = unique_reference("MSC-CLI")
    code, _, err = cli(vn, "officer", "manifest", "file", str(tmp_path / "c.json"))
    assert code == ExitCode.USAGE and "not a cargo manifest" in err
    code, body = cli.json(
        vn, "officer", "manifest", "file", str(write(tmp_path / "m.json", manifest)), "--wait", "30"
    )
    assert code == 0
    settle(sdk(sg, None), body["document_id"], "valid")
    sdk(vn).revoke(f"VN:{cert_id}", 3, "wrong HS code", wait=30)
    settle(sdk(sg, None), cert_id, "revoked")
    code, links = cli.json(sg, "officer", "manifest", "links", body["document_id"])
    assert code == 0 and links["reference"] == manifest["referenceNumber"]
    # The certificate agrees with the manifest, and the officer sees it was revoked all the same.
    [linked] = [
        c for cons in links["consignments"] for c in cons["certificates"] if c["document_id"] == cert_id
    ]
    assert (linked["consistent"], linked["state"]) == (True, "revoked")
    code, out, _ = cli(sg, "officer", "manifest", "links", body["document_id"])
    assert code == 0 and "MEDUVN264700123" in out and "Revoked" in out

    code, out, _ = cli(vn, None, "members")
    assert code == 0 and "Singapore Customs" in out and "active" in out
    code, _, _ = cli(vn, None, "consortium", "status")
    assert code == ExitCode.AUTH  # proposals are the admins' business (node/API.md)
    code, proposals = cli.json(vn, "admin", "consortium", "status")
    assert code == 0 and isinstance(proposals, list)


def test_auditor_trail_views_and_export_checked_against_the_chain(
    cli: Cli, network: Network, vn: MemberNode, sg: MemberNode, tmp_path: Path
) -> None:
    doc_id = issue(cli, vn, write(tmp_path / "c.json", coffee()))
    settle(sdk(sg, None), doc_id, "valid")
    assert (
        cli(sg, "officer", "cert", "accept", f"VN:{doc_id}", "--declaration", "SG-IMP-9", "--quantity", "10")[
            0
        ]
        == 0
    )
    settle(sdk(vn, None), doc_id, "partially_accepted")
    assert (
        cli(vn, "officer", "cert", "revoke", f"VN:{doc_id}", "--reason-code", "4", "--reason", "a | b, c")[0]
        == 0
    )
    settle(sdk(vn, None), doc_id, "revoked")

    export = tmp_path / "export.json"
    code, out, err = cli(vn, "auditor", "trail", doc_id, "--export", str(export))
    assert (
        code == 0
        and "anchored" in out
        and "claimed at import" in out
        and "revoked" in out
        and "exported" in err
    )
    code, out, _ = cli(vn, "auditor", "trail", doc_id, "--format", "csv")
    assert out.splitlines()[0] == "#,when,event,member,account,block,tx,details"
    assert [line.split(",")[2] for line in out.splitlines()[1:]] == [
        "anchored",
        "claimed at import",
        "revoked",
    ]
    assert "SG-IMP-9" in out
    markdown = tmp_path / "trail.md"
    assert cli(vn, "auditor", "trail", "show", doc_id, "-f", "markdown", "-o", str(markdown))[0] == 0
    assert "| 3 |" in markdown.read_text() and "a \\| b, c" in markdown.read_text()

    rpc = network.rpc_url
    code, body = cli.json(
        vn, None, "trail", "verify", str(export), "--rpc", rpc, "--registry", network.registry
    )
    assert code == 0 and body["holds"], body
    names = {c["check"] for c in body["checks"] if c["ok"]}
    assert {
        "leaf hash",
        "merkle proof",
        "batch",
        "anchored",
        "signature",
        "issuer at issue",
        "complete",
    } <= names
    assert sum(1 for c in body["checks"] if c["check"].startswith("event ") and c["ok"]) == 3
    code, out, _ = cli(vn, None, "trail", "verify", str(export), "--rpc", rpc)
    assert code == 0 and "holds against the chain" in out

    original = json.loads(export.read_text())

    def broken(change: Any) -> tuple[int, set[str]]:
        data = copy.deepcopy(original)
        change(data)
        path = write(tmp_path / "broken.json", data)
        code, body = cli.json(vn, None, "trail", "verify", str(path), "--rpc", rpc)
        return code, {c["check"].split(" @")[0] for c in body["checks"] if c["ok"] is False}

    def more_quantity(d: dict[str, Any]) -> None:
        d["leaf"]["quantities"][0] = str(int(d["leaf"]["quantities"][0]) + 1)

    def other_reason(d: dict[str, Any]) -> None:
        d["events"][2]["fields"]["reason"] = "a clerical error"

    def hidden_revocation(d: dict[str, Any]) -> None:
        d["events"] = d["events"][:2]

    def other_signer(d: dict[str, Any]) -> None:
        d["signer"] = "0x" + "12" * 20

    assert broken(more_quantity) == (
        ExitCode.TRAIL_BROKEN,
        {"merkle proof", "anchored", "typed data", "signature"},
    )
    assert broken(other_reason) == (ExitCode.TRAIL_BROKEN, {"event revoked"})
    assert broken(hidden_revocation) == (ExitCode.TRAIL_BROKEN, {"complete"})
    assert broken(other_signer) == (ExitCode.TRAIL_BROKEN, {"signature"})
    code, body = cli.json(
        vn, None, "trail", "verify", str(export), "--rpc", rpc, "--registry", "0x" + "99" * 20
    )
    assert code == ExitCode.TRAIL_BROKEN and body["checks"][1]["check"] == "registry address"
