"""Plain language where a person reads: the agreed reason codes, the chain's refusals as sentences with the
facts (the rule's name and arguments kept for programs), and a CLI that speaks of its own options."""

from __future__ import annotations

import json

import httpx
import pytest
from client_support import coffee, sdk, settle
from origo_cli.main import main
from origo_devnet.network import MemberNode
from origo_node.api.refusals import amount
from origo_node.reasons import REJECTION, REVOCATION, check, describe

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("network")]


def run(capsys: pytest.CaptureFixture[str], node: MemberNode, key: str | None, *argv: str) -> tuple[int, str]:
    code = main(["--node", node.url, *([] if key is None else ["--api-key", key]), *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out + err


def test_amounts_are_shown_in_the_unit_not_in_thousandths() -> None:
    assert amount(8_960_000) == "8,960.000" and amount(1_500) == "1.500" and amount(250_125) == "250.125"


def test_reason_codes_are_checked_against_their_lists() -> None:
    check("revoke", 3)
    check("reject", 2)
    with pytest.raises(Exception) as caught:
        check("revoke", 666)
    assert "reason code 666 is not on the agreed list of revocation reasons" in str(caught.value)
    assert "3 wrong HS code" in str(caught.value)
    assert describe("revoke", 3, "HS 0901.21") == "wrong HS code or description of the goods: HS 0901.21"
    assert describe("reject", 666, None) == "reason 666"
    assert set(REVOCATION) and set(REJECTION)


def test_refusals_read_as_sentences_with_the_facts(
    vn: MemberNode, sg: MemberNode, capsys: pytest.CaptureFixture[str]
) -> None:
    codes = httpx.get(f"{vn.url}/api/v1/reason-codes").json()
    assert {"code": 3, "label": REVOCATION[3]} in codes["revocation"]
    assert {"code": 2, "label": REJECTION[2]} in codes["rejection"]
    code, out = run(capsys, vn, None, "cert", "reasons")
    assert code == 0 and "wrong HS code or description of the goods" in out and "Rejection reasons" in out

    doc = coffee()
    doc_id = sdk(vn).issue(json.dumps(doc).encode()).document_id
    settle(sdk(sg), doc_id, "valid")
    officer = {"Authorization": f"Bearer {sg.officer_key}"}
    too_much = httpx.post(
        f"{sg.url}/api/v1/documents/VN:{doc_id}/accept",
        json={"declaration": "SG-IMP-PLAIN-1", "quantity": "20000"},
        headers=officer,
        timeout=60,
    )
    problem = too_much.json()
    assert too_much.status_code == 409, problem
    assert problem["detail"] == (
        "Only 19,200.000 KGM remain on this certificate; the claim asked for 20,000.000 KGM."
    )
    assert problem["rule"] == "RegistryQuantityExceeded"
    assert problem["args"][1:] == [0, 20_000_000, 19_200_000]  # item 0: the chain counts from 0

    code, out = run(
        capsys,
        sg,
        sg.officer_key,
        "cert",
        "accept",
        f"VN:{doc_id}",
        "--declaration",
        "SG-IMP-PLAIN-2",
        "--quantity",
        "20000",
    )
    assert code != 0 and "Only 19,200.000 KGM remain" in out and "Registry" not in out

    vn_officer = {"Authorization": f"Bearer {vn.officer_key}"}
    unknown = httpx.post(
        f"{vn.url}/api/v1/documents/VN:{doc_id}/revoke", json={"reason_code": 666}, headers=vn_officer
    )
    assert unknown.status_code == 422
    assert "not on the agreed list of revocation reasons" in unknown.json()["detail"]
    assert {"code": 3, "label": REVOCATION[3]} in unknown.json()["valid_codes"]
    revoked = httpx.post(
        f"{vn.url}/api/v1/documents/VN:{doc_id}/revoke",
        json={"reason_code": 3, "reason": "HS 0901.21, not 0901.11"},
        headers=vn_officer,
        params={"wait": 30},
        timeout=60,
    )
    assert revoked.status_code == 200, revoked.text
    settle(sdk(sg), doc_id, "revoked")
    refused = httpx.post(
        f"{sg.url}/api/v1/documents/VN:{doc_id}/accept",
        json={"declaration": "SG-IMP-PLAIN-3"},
        headers=officer,
        timeout=60,
    ).json()
    vn_name = next(m["name"] for m in httpx.get(f"{vn.url}/api/v1/members").json() if m["code"] == "VN")
    assert refused["detail"] == (
        f"This certificate was revoked by {vn_name}: wrong HS code or description of the goods: "
        "HS 0901.21, not 0901.11."
    ), refused
    assert refused["rule"] == "RegistryRevoked"


def test_the_cli_speaks_of_its_own_options(sg: MemberNode, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, sg, None, "cert", "list")
    assert code == 3 and "this needs an API key: use --api-key or ORIGO_API_KEY" in out
    code, out = run(capsys, sg, "not-a-key-of-this-node", "cert", "list")
    assert code == 3 and "it may belong to another member's node" in out
