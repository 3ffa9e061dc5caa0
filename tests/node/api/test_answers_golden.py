"""The API's JSON answers, pinned byte for byte: status, trail, verification by id and the work lists, and the
officer's desk (the risk rules, work list and signals, the check of documents before issuing, a supersession).

Issue 23 moves the services from dicts to typed answers; the bytes a client receives are the contract and must
not move with them. A fresh two-member network (VN issues, SG imports) drives the samples through their
states, every answer is recorded as the node sent it, and the whole is compared with ``golden/answers.json``;
the desk's answers, recorded after those (with more documents, claims and signals), with
``golden/desk_answers.json``.
Only the values that differ from run to run are replaced, by key (blocks, transactions, times, accounts, the
encrypted payload's CID and the batch roots that depend on it); every other value and the order of every key
stay exact. ``ORIGO_WRITE_GOLDEN=1`` rewrites the files (only when the answers are meant to change).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from origo_devnet.network import Network
from support.network import Client, running_network, sample, wait_for, wait_state

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("golden")]

GOLDEN = Path(__file__).parent / "golden"
#: Keys whose values are the run's, not the code's: where and when on the chain, generated accounts, and what
#: the encryption's random nonce changes (the payload's CID and so the batch's root).
RUN_DEPENDENT = {
    "block",
    "tx",
    "at",
    "timestamp",
    "requested_at",
    "superseded_at",
    "checked_at",
    "account",
    "payload_cid",
    "payloadCid",
    "root",
}


#: A day in a sentence ("on 7 December 2026"): the day the test ran, when it is the day of an event.
_DAY = re.compile(
    r"\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|November"
    r"|December) \d{4}\b"
)


def _normalised(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _normalised_value(key, item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalised(item) for item in value]
    return value


def _normalised_value(key: str, value: Any) -> Any:
    if key in RUN_DEPENDENT and value is not None:
        return f"<{key}>"
    if key == "message" and isinstance(value, str):
        return _DAY.sub("<day>", value)
    return _normalised(value)


def _form_d(reference: str) -> dict[str, Any]:
    doc: dict[str, Any] = sample("form-d/vn-sg-coffee.json")
    doc["referenceNumber"] = reference
    return doc


def _issue(vn: Client, doc: dict[str, Any], net: Network) -> str:
    response = vn.post("/api/v1/documents", json=doc)
    assert response.status_code == 202, response.text
    doc_id = str(response.json()["document_id"])
    # One document at a time: each in its own batch, so that the work lists' order is the order of issue.
    for node in net.members.values():
        wait_state(node, doc_id, {"valid"})
    return doc_id


def _acted(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Every recorded answer by name, each as ``(bytes, parsed JSON)``."""
    with running_network(tmp_path_factory.mktemp("golden"), ("VN", "SG")) as net:
        vn, sg = Client(net.members["VN"]), Client(net.members["SG"])
        ids = {
            "valid": _issue(vn, _form_d("VN-HCM-2026-700001"), net),
            "partial": _issue(vn, _form_d("VN-HCM-2026-700002"), net),
            "revoked": _issue(vn, _form_d("VN-HCM-2026-700003"), net),
            "not_confirmed": _issue(vn, _form_d("VN-HCM-2026-700004"), net),
            "under_verification": _issue(vn, _form_d("VN-HCM-2026-700005"), net),
            "rejected": _issue(vn, _form_d("VN-HCM-2026-700006"), net),
            "superseded": _issue(vn, _form_d("VN-HCM-2026-700007"), net),
            "manifest": _issue(vn, sample("manifest/vn-sg-vessel.json"), net),
            "acdd": _issue(vn, sample("acdd/vn-sg-coffee.json"), net),
        }
        on = "/api/v1/documents/VN:"
        _acted(sg.post(f"{on}{ids['partial']}/accept", json={"declaration": "SG-IMP-71", "quantity": "5000"}))
        _acted(vn.post(f"{on}{ids['revoked']}/revoke", json={"reason_code": 3, "reason": "HS 0901.21"}))
        _acted(
            sg.post(f"{on}{ids['not_confirmed']}/verification-request", json={"reason": "origin doubtful"})
        )
        _acted(
            vn.post(
                f"{on}{ids['not_confirmed']}/verification-answer",
                json={"confirmed": False, "reason": "no such producer"},
            )
        )
        _acted(sg.post(f"{on}{ids['under_verification']}/verification-request", json={"reason": "check"}))
        _acted(sg.post(f"{on}{ids['rejected']}/reject", json={"reason_code": 3, "reason": "other goods"}))
        replacement = _form_d("VN-HCM-2026-700008")
        replacement["items"][0]["description"] += " (corrected)"
        superseding = vn.post(f"{on}{ids['superseded']}/supersede", json=replacement)
        assert superseding.status_code == 202, superseding.text
        desk: dict[str, Any] = {"supersede (VN officer)": (superseding.status_code, superseding.content)}
        ids["replacement"] = str(superseding.json()["document_id"])
        final = {
            "partial": "partially_accepted",
            "revoked": "revoked",
            "not_confirmed": "not_confirmed",
            "under_verification": "under_verification",
            "rejected": "rejected",
            "superseded": "superseded",
            "replacement": "valid",
        }
        for node in net.members.values():
            for name, state in final.items():
                wait_state(node, ids[name], {state})
            # Every payload read and checked: the trails' payload checks and the staff's references are final.
            wait_for(
                lambda node=node: httpx.get(f"{node.url}/healthz").json()["payloads_to_read"] == 0,
                what=f"{node.code} to read every payload",
            )
        sg_auditor = Client(net.members["SG"], "auditor")
        for doc_id in ids.values():
            wait_for(
                lambda doc_id=doc_id: sg_auditor.get(f"/api/v1/documents/{doc_id}/trail").json()[
                    "payload_check"
                ],
                what="SG's payload check",
            )
        recorded: dict[str, Any] = {}

        def record(name: str, response: httpx.Response) -> None:
            recorded[name] = (response.status_code, response.content)

        public = {code: httpx.Client(base_url=node.url, timeout=30) for code, node in net.members.items()}
        references = {"valid": "VN-HCM-2026-700001", "superseded": "VN-HCM-2026-700007"}
        for name, doc_id in ids.items():
            record(f"status {name} (SG, public, by id)", public["SG"].get(f"/api/v1/documents/{doc_id}"))
            record(f"status {name} (SG staff, by id)", sg.get(f"/api/v1/documents/{doc_id}"))
            record(f"status {name} (VN staff, by id)", vn.get(f"/api/v1/documents/{doc_id}"))
            record(f"trail {name} (SG auditor)", sg_auditor.get(f"/api/v1/documents/{doc_id}/trail"))
            record(f"verify {name} (SG, by id)", public["SG"].get(f"/api/v1/verify/{doc_id}"))
            record(f"verify {name} (VN, by issuer and id)", public["VN"].get(f"/api/v1/verify/VN:{doc_id}"))
        for name, reference in references.items():
            record(
                f"status {name} (SG, public, by reference)",
                public["SG"].get(f"/api/v1/documents/{reference}"),
            )
            record(f"verify {name} (SG, by reference)", public["SG"].get(f"/api/v1/verify/VN:{reference}"))
        record("verify unknown id", public["SG"].get("/api/v1/verify/0x" + "ab" * 32))
        record("verify not a key", public["SG"].get("/api/v1/verify/coffee!!"))
        for role in ("issuer", "importer"):
            for wanted in (None, "awaiting_claim", "under_verification", "revoked"):
                params = {"role": role} if wanted is None else {"role": role, "state": wanted}
                for code, client in (("VN", vn), ("SG", sg)):
                    record(
                        f"worklist {code} {role} {wanted or 'all'}",
                        client.get("/api/v1/documents", params=params),
                    )
        record("worklist SG importer page", sg.get("/api/v1/documents", params={"limit": 3, "offset": 2}))
        _record_desk(net, ids, vn, sg, sg_auditor, desk)
        for client in (vn, sg, sg_auditor):
            client.close()
        for http in public.values():
            http.close()
        yield {"answers": recorded, "desk_answers": desk}


def _record_desk(
    net: Network, ids: dict[str, str], vn: Client, sg: Client, sg_auditor: Client, desk: dict[str, Any]
) -> None:
    """The desk's answers: a claim refused on a used-up certificate (the exporter's history), the certificate
    the declaration cites and a second declaration that disagrees with it, then SG's risk answers and VN's
    check of documents before issuing."""
    on = "/api/v1/documents/VN:"
    _acted(sg.post(f"{on}{ids['valid']}/accept", json={"declaration": "SG-IMP-72"}))
    for node in net.members.values():
        wait_state(node, ids["valid"], {"accepted"})
    refused = sg.post(f"{on}{ids['valid']}/accept", json={"declaration": " sg-imp-73"})
    assert refused.status_code == 409, refused.text
    ids["cited"] = _issue(vn, sample("form-d/vn-sg-coffee.json"), net)
    ids["second"] = _issue(vn, sample("acdd/vn-sg-coffee-second.json"), net)
    wait_for(
        lambda: httpx.get(f"{sg.node.url}/healthz").json()["payloads_to_read"] == 0,
        what="SG to read every payload",
    )
    for name in ("cited", "second"):
        wait_for(
            lambda name=name: sg_auditor.get(f"/api/v1/documents/{ids[name]}/trail").json()["payload_check"],
            what="SG's payload check",
        )

    def record(name: str, response: httpx.Response) -> None:
        desk[name] = (response.status_code, response.content)

    record("risk rules (SG)", sg.get("/api/v1/risk/rules"))
    record("risk work list (SG)", sg.get("/api/v1/risk/work-list"))
    record("risk work list (SG auditor)", sg_auditor.get("/api/v1/risk/work-list", params={"limit": 3}))
    for kind in ("certificate", "manifest", "declaration"):
        record(f"risk work list (SG, {kind})", sg.get("/api/v1/risk/work-list", params={"kind": kind}))
    record("risk work list (VN)", vn.get("/api/v1/risk/work-list"))
    for name in ("second", "acdd", "cited", "manifest", "valid", "revoked", "replacement"):
        record(f"risk {name} (SG)", sg.get(f"{on}{ids[name]}/risk"))
    record("risk unknown document (SG)", sg.get(f"{on}NO-SUCH-DECLARATION-9/risk"))
    changed = _form_d("VN-HCM-2026-700001")
    changed["items"][0]["description"] += " (changed)"
    no_exporter = _form_d("VN-HCM-2026-700099")
    del no_exporter["exporter"]
    checked = {
        "documents": [
            _form_d("VN-HCM-2026-700001"),  # issued already, identical
            changed,  # issued already, different
            _form_d("VN-HCM-2026-700098"),  # new
            no_exporter,  # refused by the schema
            42,  # not a document
            sample("manifest/vn-sg-vessel.json"),
        ]
    }
    record("check documents (VN officer)", vn.post("/api/v1/documents/check", json=checked))


GROUPS = ("answers", "desk_answers")


@pytest.mark.parametrize("group", GROUPS)
def test_every_answer_is_json_as_sent(answers: dict[str, Any], group: str) -> None:
    """The bytes are compact JSON of the parsed value: comparing values in key order compares the bytes."""
    for name, (_, content) in answers[group].items():
        parsed = json.loads(content)
        again = json.dumps(parsed, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
        assert again == content, name


@pytest.mark.parametrize("group", GROUPS)
def test_answers_are_byte_identical_to_the_golden_file(answers: dict[str, Any], group: str) -> None:
    shown = {
        name: {"status": code, "body": _normalised(json.loads(content))}
        for name, (code, content) in answers[group].items()
    }
    text = json.dumps(shown, ensure_ascii=False, indent=1) + "\n"
    golden_file = GOLDEN / f"{group}.json"
    if os.environ.get("ORIGO_WRITE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        golden_file.write_text(text, encoding="utf-8")
    expected = golden_file.read_text(encoding="utf-8")
    # Compared name by name first, so that a failure names the answer that moved.
    golden = json.loads(expected)
    assert list(shown) == list(golden)
    for name in shown:
        assert json.dumps(shown[name], ensure_ascii=False) == json.dumps(golden[name], ensure_ascii=False), (
            name
        )
    assert text == expected
