"""`origo cert accept --item/--quantity/--claim` and `origo cert status` against the session's real network.

The gloves sample (pairs and pieces) issued by VN for SG: SG's officer claims items with the commands of the
README's walk-through and reads the per-item table.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from client_support import sdk, settle, unique_reference, write
from origo_cli.exit_codes import ExitCode
from origo_cli.main import main
from origo_devnet.network import MemberNode
from support.network import sample

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("network")]


def gloves_for_sg() -> dict[str, Any]:
    """The gloves and finger cots of ``my-th-gloves.json``, issued by VN for SG (the session's members)."""
    doc = copy.deepcopy(sample("form-d/my-th-gloves.json"))
    doc.update(referenceNumber=unique_reference("VN-GLOVES"), issuedIn="VN", producingCountry="VN")
    doc.update(importingCountry="SG")
    doc["exporter"]["country"] = "VN"
    doc["consignee"]["country"] = "SG"
    return doc


def words(text: str) -> str:
    """The output as one line: the console wraps long sentences at its width."""
    return " ".join(text.split())


def run(capsys: pytest.CaptureFixture[str], node: MemberNode, *argv: str) -> tuple[int, str]:
    code = main(["--node", node.url, "--api-key", node.officer_key, *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "Registry" not in out + err
    return code, out + err


def test_an_officer_claims_items_in_their_units_and_reads_what_remains(
    vn: MemberNode, sg: MemberNode, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = gloves_for_sg()
    path = write(tmp_path / "gloves.json", doc)
    code, out = run(capsys, vn, "--json", "cert", "issue", str(path), "--wait", "30")
    assert code == 0, out
    doc_id = json.loads(out)["document_id"]
    key = f"VN:{doc['referenceNumber']}"
    settle(sdk(sg, None), doc_id, "valid")

    # A quantity alone on two units: the node asks which item, in words, and nothing is claimed.
    code, out = run(capsys, sg, "cert", "accept", key, "--declaration", "SG-G-1", "--quantity", "40")
    assert code == ExitCode.REFUSED and "several units (1: PR, 2: PCE): name the item" in words(out)
    # The refusal names the option typed, not the field of a JSON body the officer never saw.
    assert "--item: this certificate lists" in words(out) and "/item" not in out
    code, out = run(
        capsys, sg, "cert", "accept", key, "--declaration", "SG-G-1", "--claim", "2=1", "--claim", "3"
    )
    assert code == ExitCode.REFUSED and "--claim (number 2): there is no item 3" in words(out), out

    code, out = run(
        capsys, sg, "cert", "accept", key, "--declaration", "SG-G-1", "--item", "2", "--quantity", "40"
    )
    assert code == 0 and "done" in out, out
    code, out = run(
        capsys, sg, "cert", "accept", key, "--declaration", "SG-G-2", "--claim", "1=3000", "--claim", "2=9000"
    )
    assert code == ExitCode.CONFLICT
    sentence = "Only 8,960.000 PCE remain on item 2 of this certificate; the claim asked for 9,000.000 PCE."
    assert sentence in words(out)
    code, out = run(
        capsys, sg, "cert", "accept", key, "--declaration", "SG-G-2", "--claim", "1=3000", "--claim", "2=60"
    )
    assert code == 0, out
    settle(sdk(sg, None), doc_id, "partially_accepted")

    code, out = run(capsys, sg, "cert", "status", key)
    assert code == 0, out
    # The items table inside the status card: "│ │ 1    │ PR   │ 12,000.000 │ ... │ │"
    cells = [
        [c.strip() for c in line.split("│")][2:-2] for line in out.splitlines() if line.startswith("│ │")
    ]
    rows = {row[0]: row[1:] for row in cells if row and row[0] in ("1", "2")}
    assert rows["1"] == ["PR", "12,000.000", "3,000.000", "9,000.000"]
    assert rows["2"] == ["PCE", "9,000.000", "100.000", "8,900.000"]
    code, out = run(capsys, sg, "--json", "cert", "status", key)
    assert json.loads(out)["utilisations"][1]["claims"] == [
        {"item": 1, "unit": "PR", "quantity": "3000.000", "remaining": "9000.000"},
        {"item": 2, "unit": "PCE", "quantity": "60.000", "remaining": "8900.000"},
    ]

    code, out = run(capsys, sg, "cert", "list", "--role", "importer", "--state", "partially_accepted")
    assert code == 0 and "9,000.000 PR (item 1); 8,900.000 PCE (item 2)" in words(out).replace("│ ", ""), out

    # The rest of item 2 (N alone), then the whole certificate takes what remains of item 1.
    code, out = run(capsys, sg, "cert", "accept", key, "--declaration", "SG-G-3", "--claim", "2")
    assert code == 0, out
    code, out = run(capsys, sg, "cert", "accept", key, "--declaration", "SG-G-4")
    assert code == 0, out
    status = settle(sdk(sg, None), doc_id, "accepted")
    assert [(i.item, i.claimed, i.remaining) for i in status.items] == [
        (1, "12000.000", "0.000"),
        (2, "9000.000", "0.000"),
    ]
    whole = status.utilisations[-1]
    assert whole.whole_certificate and [(c.item, c.quantity) for c in whole.claims] == [(1, "9000.000")]
    code, out = run(capsys, sg, "cert", "accept", key, "--declaration", "SG-G-5", "--item", "1")
    assert code == ExitCode.CONFLICT and "This certificate is fully used" in words(out)
