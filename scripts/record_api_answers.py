"""Records the node's JSON answers for the samples, to show that a refactoring changes none of them.

Three real nodes (``runtime.Node``, the real routes, middleware and services) of VN, SG and TH share one fake
chain in this process; the background steps run by hand, so every answer comes in the same order each time.
Each answer is written with its method, path and status, its body exactly as sent, except for the values that
are random by nature (keys, hashes, signatures, CIDs: the payloads are encrypted with fresh randomness), each
replaced by a token of its length (which values equal which is random too: a Merkle tree orders its leaves
by hash), and each Merkle proof by one token. The clock is frozen, so that timestamps repeat.

    python scripts/record_api_answers.py before.txt   # on the commit before the change
    python scripts/record_api_answers.py after.txt    # after it
    diff before.txt after.txt                          # nothing: the API's JSON is unchanged
"""

from __future__ import annotations

import copy
import json
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from origo_node.api.app import create_app
from origo_node.chain.fake import FakeChain
from origo_node.chain.port import MemberRecord
from origo_node.notify import Collector
from origo_node.operator_tasks import add_api_key, init_node
from origo_node.runtime import Node
from origo_node.settings import load_settings

SAMPLES = Path(__file__).resolve().parents[1] / "tests" / "samples"
CODES = ("VN", "SG", "TH")
PASSPHRASE = "record-answers"
#: The fake chain's clock: 2026-12-01 00:00 UTC, then one second per block.
CHAIN_T0 = 1_796_083_200
_RANDOM = re.compile(r"0x[0-9a-fA-F]{40,}|\bb[a-z2-7]{50,}\b|whsec_[0-9a-f]{64}")
#: A Merkle proof's length depends on where the leaf's random hash puts it in its batch's tree.
_PROOF = re.compile(r'"proof":\[[^\]]*\]')


def _frozen_time() -> float:
    """The wall clock, stopped: the fake chain then makes every block one second after the last."""
    return float(CHAIN_T0)


def sample(name: str, reference: str | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((SAMPLES / name).read_text(encoding="utf-8"))
    if reference is not None:
        doc["referenceNumber"] = reference
    return doc


class Recorder:
    def __init__(self) -> None:
        self.lines: list[str] = []

    @staticmethod
    def _token(match: re.Match[str]) -> str:
        return f"<random {len(match.group(0))}>"

    def record(self, who: str, method: str, path: str, status: int, body: str) -> None:
        self.lines.append(f"{who} {method} {_RANDOM.sub(self._token, path)} -> {status}")
        self.lines.append(_RANDOM.sub(self._token, _PROOF.sub('"proof":"<proof>"', body)))


class Member:
    def __init__(self, node: Node, client: TestClient, keys: dict[str, str], recorder: Recorder) -> None:
        self.node, self.client, self.keys, self._recorder = node, client, keys, recorder

    def call(self, role: str, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.keys[role]}"} if role != "public" else {}
        response = self.client.request(method, path, headers=headers, **kwargs)
        self._recorder.record(self.node.member, method, path, response.status_code, response.text)
        return response.json() if "json" in response.headers.get("content-type", "") else None

    def step(self) -> int:
        node = self.node
        return (
            node.batcher.run_once(force=True)
            + node.actions.run_once()
            + node.indexer.run_once()
            + node.checker.run_once()
        )


@contextmanager
def consortium(root: Path, recorder: Recorder) -> Iterator[dict[str, Member]]:
    time.time = _frozen_time
    registry, membership = "0x" + "5e" * 20, "0x" + "3b" * 20
    inits = {
        code: init_node(
            root / code,
            code,
            PASSPHRASE,
            scrypt_n=2**4,
            settings={
                "chain_rpc": "http://127.0.0.1:9",
                "registry_address": registry,
                "membership_address": membership,
                "passphrase": PASSPHRASE,
                # Payloads checked on the checker's own thread: worker processes would not see the frozen
                # clock (the verdicts are the same function either way).
                "payload_check_workers": 0,
            },
        )
        for code in CODES
    }
    chain = FakeChain(
        [
            MemberRecord(
                code=code,
                name=f"Customs {code}",
                admin=init.admin_address,
                validator=init.admin_address,
                status=1,
                encryption_key=bytes.fromhex(init.encryption_public_key[2:]),
                endpoint="",
                joined_at_block=0,
                issuers=(init.issuer_address,),
            )
            for code, init in inits.items()
        ],
        registry_address=registry,
        membership_address=membership,
    )
    shared = root / "payloads"  # stands in for the gateways through which nodes fetch each other's blocks
    shared.mkdir()
    members: dict[str, Member] = {}
    try:
        for code, init in inits.items():
            (root / code / "payloads").symlink_to(shared)
            keys = {role: add_api_key(root / code, role, role) for role in ("officer", "auditor")}
            keys["admin"] = init.admin_api_key
            node = Node(load_settings(init.config_file), chain=chain)
            node.refresh_members()
            client = TestClient(create_app(node, manage_lifecycle=False))
            members[code] = Member(node, client, keys, recorder)
        yield members
    finally:
        for member in members.values():
            member.client.close()
            member.node.stop()


def settle(members: dict[str, Member]) -> None:
    for _ in range(30):
        if sum(m.step() for m in members.values()) == 0:
            return
    raise AssertionError("still moving after 30 rounds")


def run(members: dict[str, Member]) -> None:
    vn, sg, th = members["VN"], members["SG"], members["TH"]
    # Webhooks subscribed before anything happens, so that every event below is queued for them.
    hook = {"url": "https://nsw.example/origo-events", "description": "NSW"}
    subscribed = vn.call("admin", "POST", "/api/v1/webhooks", json=hook)
    vn.call("admin", "POST", "/api/v1/webhooks", json={**hook, "events": ["document.claimed"]})
    vn.call("admin", "POST", "/api/v1/webhooks", json={"url": "ftp://nsw.example", "events": []})
    coffee = sample("form-d/vn-sg-coffee.json")
    issued = vn.call("officer", "POST", "/api/v1/documents", json=coffee)
    doc_id = issued["document_id"]
    manifest = vn.call("officer", "POST", "/api/v1/documents", json=sample("manifest/vn-sg-vessel.json"))
    bad = copy.deepcopy(coffee)
    bad["referenceNumber"] = ""
    bulk = vn.call(
        "officer",
        "POST",
        "/api/v1/documents/bulk",
        json={
            "documents": [sample("form-d/vn-sg-coffee.json", f"VN-HCM-2026-90000{i}") for i in range(4)]
            + [bad]
        },
    )
    others = [r["document_id"] for r in bulk["results"] if r["accepted"]]
    settle(members)
    for member in (vn, sg, th):
        member.call("public", "GET", f"/api/v1/documents/{doc_id}")
        member.call("public", "POST", "/api/v1/verify", json=coffee)
    vn.call("officer", "GET", f"/api/v1/documents/{doc_id}/file")
    vn.call("auditor", "GET", f"/api/v1/documents/{doc_id}/export")
    sg.call("auditor", "GET", f"/api/v1/documents/{doc_id}/trail")
    sg.call("officer", "GET", f"/api/v1/documents/{manifest['document_id']}/links")
    sg.call("officer", "GET", f"/api/v1/documents/{doc_id}/links")

    # Officers' actions: one pending then done, refusals by the check and by the chain after the check.
    pending = sg.call(
        "officer",
        "POST",
        f"/api/v1/documents/VN:{doc_id}/accept",
        params={"wait": 0},
        json={"declaration": "SG-IMP-1", "quantity": "5000"},
    )
    settle(members)
    sg.call("officer", "GET", f"/api/v1/actions/{pending['id']}")
    sg.call("officer", "POST", f"/api/v1/documents/VN:{doc_id}/accept", json={"declaration": "SG-IMP-1"})
    second = {"declaration": "SG-IMP-2", "item": 7}
    sg.call("officer", "POST", f"/api/v1/documents/VN:{doc_id}/accept", json=second)
    sg.call(
        "officer",
        "POST",
        f"/api/v1/documents/VN:{others[0]}/reject",
        params={"wait": 0},
        json={"reason_code": 2, "reason": "origin criterion not met"},
    )
    sg.call(
        "officer",
        "POST",
        f"/api/v1/documents/VN:{others[1]}/verification-request",
        params={"wait": 0},
        json={"reason": "the producer's records are needed"},
    )
    settle(members)
    vn.call(
        "officer",
        "POST",
        f"/api/v1/documents/VN:{others[1]}/verification-answer",
        params={"wait": 0},
        json={"confirmed": False, "reason": "the producer could not show its records"},
    )
    vn.call(
        "officer",
        "POST",
        f"/api/v1/documents/VN:{others[2]}/revoke",
        params={"wait": 0},
        json={"reason_code": 3, "reason": "wrong HS code"},
    )
    settle(members)
    again = {"reason_code": 3, "reason": "again"}
    vn.call("officer", "POST", f"/api/v1/documents/VN:{others[2]}/revoke", json=again)
    failed = vn.call(
        "officer",
        "POST",
        f"/api/v1/documents/VN:{others[3]}/revoke",
        params={"wait": 0},
        json={"reason_code": 1, "reason": "the chain changes before the send"},
    )
    vn.node.chain.refuse("revoke", "RegistryRevoked")  # type: ignore[attr-defined]
    settle(members)
    vn.node.chain.refuse("revoke", None)  # type: ignore[attr-defined]
    vn.call("officer", "GET", f"/api/v1/actions/{failed['id']}")
    vn.call("officer", "GET", "/api/v1/actions/999")
    vn.call(
        "officer",
        "POST",
        f"/api/v1/documents/VN:{doc_id}/supersede",
        json=sample("form-d/vn-sg-coffee.json", "VN-HCM-2026-900010"),
    )
    settle(members)
    for member in (vn, sg):
        for key in (doc_id, *others):
            member.call("public", "GET", f"/api/v1/documents/{key}")
            member.call("auditor", "GET", f"/api/v1/documents/{key}/trail")
            member.call("auditor", "GET", f"/api/v1/documents/{key}/export")
    vn.call("officer", "GET", "/api/v1/documents", params={"role": "issuer"})
    sg.call("officer", "GET", "/api/v1/documents", params={"role": "importer"})

    # Governance: propose, read, vote to quorum, refusals.
    vn.call(
        "admin", "POST", "/api/v1/consortium/proposals", json={"kind": "change_quorum", "quorum_bps": 6000}
    )
    vn.call("admin", "POST", "/api/v1/consortium/proposals", json={"kind": "suspend_member", "target": "TH"})
    vn.call("admin", "POST", "/api/v1/consortium/proposals", json={"kind": "change_quorum", "quorum_bps": 0})
    vn.call("admin", "GET", "/api/v1/consortium/proposals")
    sg.call("admin", "GET", "/api/v1/consortium/proposals/1")
    sg.call("admin", "POST", "/api/v1/consortium/proposals/1/vote")
    sg.call("admin", "POST", "/api/v1/consortium/proposals/1/vote")
    th.call("admin", "GET", "/api/v1/consortium/proposals/99")
    th.call("admin", "POST", "/api/v1/consortium/proposals/99/vote")
    settle(members)
    th.call("admin", "GET", "/api/v1/consortium/proposals")
    for member in (vn, th):
        member.call("public", "GET", "/api/v1/members")

    # The webhooks' deliveries, queued and never sent (no receiver runs here): the collector by hand.
    Collector(vn.node.notify, vn.node.member).run_once()
    hooks = f"/api/v1/webhooks/{subscribed['id']}"
    vn.call("admin", "GET", "/api/v1/webhooks")
    vn.call("admin", "GET", hooks)
    vn.call("admin", "GET", f"{hooks}/deliveries")
    vn.call("admin", "GET", f"{hooks}/deliveries", params={"state": "pending", "limit": 2})
    vn.call("admin", "DELETE", hooks)
    vn.call("admin", "GET", hooks)
    vn.call("admin", "GET", "/api/v1/webhooks")


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit("usage: record_api_answers.py OUTPUT")
    recorder = Recorder()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, consortium(Path(tmp), recorder) as members:
        run(members)
    Path(sys.argv[1]).write_text("\n".join(recorder.lines) + "\n", encoding="utf-8")
    print(
        f"{len(recorder.lines) // 2} answers recorded in {time.monotonic() - started:.1f} s to {sys.argv[1]}"
    )


if __name__ == "__main__":
    main()
