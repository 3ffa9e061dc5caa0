"""The importing officer at the `origo` command, against the session's real network (node processes on
anvil): VN files an export declaration for SG; SG's work list ranks it with its signals, one sentence each."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from client_support import coffee, sdk, settle, unique_reference, write
from origo_cli.exit_codes import ExitCode
from origo_cli.main import main
from origo_devnet.network import MemberNode
from support.network import sample, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("network")]


def run(capsys: pytest.CaptureFixture[str], node: MemberNode, *argv: str) -> tuple[int, str]:
    code = main(["--node", node.url, "--api-key", node.officer_key, *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out + err


def declaration_for(certificate: dict[str, Any], number: str, **item: Any) -> dict[str, Any]:
    doc = copy.deepcopy(sample("acdd/vn-sg-coffee.json"))
    doc["referenceNumber"] = number
    # A B/L of its own, so that no manifest other tests filed is linked to it.
    doc["transport"]["transportDocument"] = certificate["transport"]["transportDocument"]
    doc["items"][0]["certificateOfOrigin"]["referenceNumber"] = certificate["referenceNumber"]
    doc["items"][0].update(item)
    return doc


def test_a_declaration_filed_at_vn_is_ranked_at_sg_with_its_signals(
    vn: MemberNode, sg: MemberNode, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    certificate = coffee(unique_reference("VN-RISK"))
    certificate["transport"]["transportDocument"] = unique_reference("MEDU")
    number = unique_reference("3058")
    heavy = declaration_for(certificate, number, grossWeightKg=21500)  # +11% on the certificate's 19,350 kg
    code, out = run(
        capsys, vn, "cert", "issue", str(write(tmp_path / "co.json", certificate)), "--wait", "20"
    )
    assert code == ExitCode.OK, out
    code, out = run(
        capsys, vn, "declaration", "file", str(write(tmp_path / "acdd.json", heavy)), "--wait", "20"
    )
    assert code == ExitCode.OK and f"accepted {number}" in out, out
    settle(sdk(sg), f"VN:{number}", "valid")
    # SG's node reads both payloads in the background, behind whatever other tests on this shared network sent
    # it: the weights are compared once both are read. (VN's history may already give signals before then.)
    for key in (f"VN:{number}", f"VN:{certificate['referenceNumber']}"):
        wait_for(
            lambda key=key: sdk(sg).request("GET", f"/api/v1/documents/{key}/risk")["payload_check"] == "ok",
            timeout=120,
            what=f"SG's node to read {key}",
        )
    signals = sdk(sg).request("GET", f"/api/v1/documents/VN:{number}/risk")["signals"]
    assert "weight_mismatch" in [s["rule"] for s in signals], signals
    code, out = run(capsys, sg, "--json", "desk", "list", "--kind", "declaration", "--limit", "500")
    assert code == ExitCode.OK, out
    listed = json.loads(out)["documents"]
    ours = next(d for d in listed if d["reference"] == number)
    # The exporter's history (exporter_*) comes from what other tests on this network did to VN's documents.
    own = [s["rule"] for s in ours["signals"] if not s["rule"].startswith("exporter_")]
    assert own == ["weight_mismatch"]
    assert [d["score"] for d in listed] == sorted((d["score"] for d in listed), reverse=True)

    code, out = run(capsys, sg, "desk", "signals", f" vn:{number.lower()} ")  # typed loosely
    assert code == ExitCode.OK, out
    assert "consistency/weight_mismatch: Gross weight of HS 090111: 21,500 kg on the declaration" in out
    assert (
        f"certificate {certificate['referenceNumber']} (by certificate of origin reference, invoice," in out
    )

    code, out = run(capsys, sg, "desk", "list", "--kind", "declaration", "--limit", "500")
    assert code == ExitCode.OK and "Work list at SG" in out and number in out, out


def test_the_rules_are_shown_with_the_members_weights(
    sg: MemberNode, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, sg, "desk", "rules")
    assert code == ExitCode.OK, out
    assert "transshipment" in out and "value_min_observations = 5" in out


def test_mistakes_at_the_desk_are_told_in_words(
    vn: MemberNode, sg: MemberNode, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, vn, "declaration", "file", str(write(tmp_path / "co.json", coffee())))
    assert code == ExitCode.USAGE and "not an export declaration; use `origo cert issue`" in out
    code, out = run(capsys, sg, "desk", "list", "--kind", "invoice")
    assert code == ExitCode.USAGE and "'invoice' is not one of" in out
    code, out = run(capsys, sg, "desk", "signals", "VN:NO-SUCH-DECLARATION-1")
    assert code == ExitCode.NOT_FOUND, out
    code, out = run(capsys, sg, "desk", "signals", "   ")
    assert code == ExitCode.USAGE and "KEY must not be empty" in out
    broken = copy.deepcopy(sample("acdd/vn-sg-coffee.json"))
    broken["referenceNumber"] = unique_reference("3058")
    broken["transport"]["mode"] = "1"
    del broken["transport"]["vesselOrFlight"]
    code, out = run(capsys, vn, "declaration", "file", str(write(tmp_path / "broken.json", broken)))
    assert code == ExitCode.REFUSED and "required for maritime transport" in out, out
