"""The risk endpoints over real HTTP (the session network): answers, and problem+json for every bad input."""

from __future__ import annotations

import httpx
import pytest
from origo_devnet.network import Network
from support.network import Client

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("network")]

PROBLEM = "application/problem+json"


def test_the_work_list_and_the_rules_answer(network: Network) -> None:
    sg = Client(network.members["SG"])
    listed = sg.get("/api/v1/risk/work-list", params={"limit": 3})
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["member"] == "SG" and len(body["documents"]) <= 3
    assert [d["score"] for d in body["documents"]] == sorted(
        (d["score"] for d in body["documents"]), reverse=True
    )
    rules = sg.get("/api/v1/risk/rules").json()
    assert {r["rule"] for r in rules["rules"]} >= {"hs_mismatch", "transshipment", "unit_value_outlier"}
    auditor = Client(network.members["SG"], "auditor")
    assert auditor.get("/api/v1/risk/work-list").status_code == 200  # auditors read it too


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/api/v1/risk/work-list", {"kind": "invoice"}, 422),
        ("/api/v1/risk/work-list", {"limit": "0"}, 422),
        ("/api/v1/risk/work-list", {"limit": "501"}, 422),
        ("/api/v1/risk/work-list", {"limit": "ten"}, 422),
        ("/api/v1/documents/VN:NO-SUCH-DECLARATION-9/risk", {}, 404),
        ("/api/v1/documents/0x" + "00" * 32 + "/risk", {}, 404),
        ("/api/v1/documents/%01%02/risk", {}, 422),
        ("/api/v1/documents/" + "A" * 129 + "/risk", {}, 422),
    ],
)
def test_bad_input_gets_a_problem(network: Network, path: str, params: dict[str, str], status: int) -> None:
    response = Client(network.members["SG"]).get(path, params=params)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["title"]


def test_without_a_key_there_is_no_work_list(network: Network) -> None:
    node = network.members["SG"]
    for path in ("/api/v1/risk/work-list", "/api/v1/risk/rules", "/api/v1/documents/VN:X-1/risk"):
        response = httpx.get(node.url + path)
        assert response.status_code == 401 and response.headers["content-type"].startswith(PROBLEM)
