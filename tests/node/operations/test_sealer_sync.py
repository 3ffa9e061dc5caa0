"""The membership vote drives the sealers: each member's node votes on its own chain node what the Membership
decides, against a fake Clique that counts votes as geth does (and the JSON-RPC adapter against a fake RPC
server and a real anvil, which has no sealers)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from origo_network.anvil import Anvil
from origo_node.chain.port import MemberRecord
from origo_node.chain.sealers import JsonRpcSealers
from origo_node.chain.sealers_fake import FakeClique, FakeSealerNode
from origo_node.errors import ChainError
from origo_node.operations.sealer_sync import (
    GRACE_S,
    STALL_S,
    SealerDifference,
    SealerReport,
    SealerSync,
    report_reasons,
)
from web3 import Web3

CODES = ["VN", "SG", "TH", "MY", "ID"]
ADDRESS = {code: Web3.to_checksum_address("0x" + f"{i + 1:02x}" * 20) for i, code in enumerate(CODES)}


class Membership:
    """What the Membership contract says, as the chain port reads it."""

    def __init__(self, statuses: dict[str, int]) -> None:
        self.statuses = statuses
        self.validator = dict(ADDRESS)
        self.block = 100

    def head(self) -> int:
        self.block += 1  # a sealed chain makes blocks even when idle
        return self.block

    def members(self) -> list[MemberRecord]:
        return [
            MemberRecord(code, code, ADDRESS[code], self.validator[code], status, b"", "", 0)
            for code, status in self.statuses.items()
        ]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def consortium(
    sealing: list[str], statuses: dict[str, int]
) -> tuple[FakeClique, Membership, dict[str, FakeSealerNode], dict[str, SealerSync], Clock]:
    chain = FakeClique({ADDRESS[c] for c in sealing})
    membership = Membership(statuses)
    clock = Clock()
    nodes = {code: chain.port(ADDRESS[code]) for code in statuses}
    syncs = {code: SealerSync(membership, nodes[code], clock=clock) for code in statuses}  # type: ignore[arg-type]
    return chain, membership, nodes, syncs, clock


def report_of(sync: SealerSync) -> SealerReport:
    report = sync.report()
    assert report is not None, "the sync has not compared yet"
    return report


def rounds(chain: FakeClique, nodes: dict[str, FakeSealerNode], syncs: dict[str, SealerSync], n: int) -> None:
    """``n`` rounds: every node compares and votes, then every sealer seals one block."""
    for _ in range(n):
        for sync in syncs.values():
            sync.run_once()
        chain.seal_round(list(nodes.values()))


def test_a_member_admitted_by_vote_becomes_a_sealer_once_the_majority_s_nodes_propose_it() -> None:
    chain, membership, nodes, syncs, _ = consortium(CODES[:4], {c: 1 for c in CODES[:4]})
    rounds(chain, nodes, syncs, 2)
    assert all(not n.votes for n in nodes.values()), "nothing to vote while the two sides agree"
    membership.statuses["ID"] = 1  # the admission's proposal executed on the Membership
    nodes["ID"] = chain.port(ADDRESS["ID"])
    syncs["ID"] = SealerSync(membership, nodes["ID"])  # type: ignore[arg-type]
    syncs["VN"].run_once()
    assert nodes["VN"].votes == {ADDRESS["ID"]: True}
    assert report_of(syncs["VN"]).missing == [SealerDifference(ADDRESS["ID"], "ID", "active")]
    rounds(chain, nodes, syncs, 1)
    assert chain.sealers == {ADDRESS[c] for c in CODES}, "3 of 4 sealers' votes add the fifth"
    rounds(chain, nodes, syncs, 1)
    assert all(not n.votes for n in nodes.values()), "a settled proposal is discarded"
    assert all(report_of(s).disagreeing == 0 for s in syncs.values())


def test_a_suspended_or_removed_member_stops_sealing_and_its_own_node_votes_so_too() -> None:
    chain, membership, nodes, syncs, _ = consortium(CODES, {c: 1 for c in CODES})
    membership.statuses["TH"] = 2
    membership.statuses["MY"] = 3
    syncs["TH"].run_once()
    assert nodes["TH"].votes == {ADDRESS["TH"]: False, ADDRESS["MY"]: False}
    rounds(chain, nodes, syncs, 6)
    assert chain.sealers == {ADDRESS[c] for c in ("VN", "SG", "ID")}
    report = report_of(syncs["VN"])
    assert report.disagreeing == 0 and report.consensus == "clique"


def test_the_sealers_follow_the_membership_even_when_a_vote_reverses_before_it_takes_effect() -> None:
    chain, membership, nodes, syncs, _ = consortium(CODES[:4], {**{c: 1 for c in CODES[:4]}, "ID": 1})
    syncs["VN"].run_once()
    assert nodes["VN"].votes == {ADDRESS["ID"]: True}
    membership.statuses["ID"] = 2  # suspended before the sealers admitted it
    syncs["VN"].run_once()
    assert nodes["VN"].votes == {}, "a proposal the membership no longer wants is withdrawn"
    rounds(chain, nodes, syncs, 4)
    assert ADDRESS["ID"] not in chain.sealers


def test_one_hostile_node_cannot_seat_an_outsider_nor_unseat_a_member() -> None:
    chain, _, nodes, syncs, _ = consortium(CODES[:4], {c: 1 for c in CODES[:4]})
    outsider = "0x" + "ee" * 20
    nodes["TH"].votes = {
        Web3.to_checksum_address(outsider): True,
        ADDRESS["VN"]: False,
    }  # TH's operator votes by hand; its Origo node is not running
    del syncs["TH"]
    rounds(chain, nodes, syncs, 6)
    assert chain.sealers == {ADDRESS[c] for c in CODES[:4]}


def test_a_chain_with_extra_sealers_has_them_voted_out_and_names_them_in_plain_words() -> None:
    stranger = Web3.to_checksum_address("0x" + "ab" * 20)
    chain, _, nodes, syncs, clock = consortium(CODES[:3], {c: 1 for c in CODES[:3]})
    chain.sealers.add(stranger)
    syncs["VN"].run_once()
    assert report_reasons(syncs["VN"].report(), clock.now) == [], "a difference is normal while a vote runs"
    nodes["SG"].down = True  # SG's chain node is down and TH's Origo node too: VN's vote alone is not enough
    clock.now += GRACE_S + 5
    syncs["VN"].run_once()
    (reason,) = report_reasons(syncs["VN"].report(), clock.now)
    assert reason.startswith("the chain's sealers have differed from the membership for 65 s:")
    assert f"{stranger} seals but is no active member's validator" in reason
    assert "more than half of the sealers' nodes" in reason
    nodes["SG"].down = False
    rounds(chain, nodes, syncs, 3)
    assert stranger not in chain.sealers
    assert report_of(syncs["VN"]).disagreeing_since is None
    assert report_reasons(syncs["VN"].report(), clock.now) == []


def test_a_chain_that_stops_sealing_is_reported_with_how_many_sealers_it_needs() -> None:
    _, membership, _, syncs, clock = consortium(CODES[:4], {c: 1 for c in CODES[:4]})
    sync = syncs["VN"]
    sync.run_once()
    membership.head = lambda: 120  # type: ignore[method-assign]  # two of four sealers killed: no block
    sync.run_once()
    clock.now += STALL_S - 1
    sync.run_once()
    assert report_reasons(sync.report(), clock.now) == []
    clock.now += 2
    (reason,) = report_reasons(sync.report(), clock.now)
    assert reason == (
        "the chain has made no block for 16 s (still at block 120): it needs 3 of its 4 sealers online;"
        " accepted documents wait in the outbox until it goes on"
    )
    membership.head = lambda: 121  # type: ignore[method-assign]
    sync.run_once()
    assert report_reasons(sync.report(), clock.now) == []


def test_a_member_pointing_its_validator_at_an_active_member_s_address_changes_nothing() -> None:
    chain, membership, nodes, syncs, _ = consortium(CODES[:3], {c: 1 for c in CODES[:3]})
    membership.validator["TH"] = ADDRESS["VN"]  # TH's admin set its validator to VN's sealer
    rounds(chain, nodes, syncs, 3)
    assert chain.sealers == {ADDRESS["VN"], ADDRESS["SG"]}, (
        "TH's own sealer is no longer any member's validator"
    )
    assert report_of(syncs["SG"]).disagreeing == 0


def test_an_empty_membership_read_never_votes_the_sealers_out() -> None:
    chain, membership, nodes, syncs, _ = consortium(CODES[:3], {c: 1 for c in CODES[:3]})
    membership.statuses = {}
    rounds(chain, nodes, syncs, 3)
    assert chain.sealers == {ADDRESS[c] for c in CODES[:3]}
    assert all(not n.votes for n in nodes.values())


def test_on_anvil_nothing_is_proposed_and_nothing_is_reported() -> None:
    _, _, nodes, syncs, _ = consortium(CODES[:2], {c: 1 for c in CODES[:2]})
    nodes["VN"].kind = "none"
    for _ in range(3):
        assert syncs["VN"].run_once() == 0
    assert nodes["VN"].calls == ["consensus"], "the consensus is found once, then nothing is asked"
    assert syncs["VN"].report() is None


def test_on_qbft_the_node_only_compares_the_validators_with_the_contract() -> None:
    _, _, nodes, syncs, clock = consortium(CODES[:2], {c: 1 for c in CODES[:3]})
    node = nodes["VN"]
    node.kind = "qbft"
    node.qbft_validators = [ADDRESS["VN"], ADDRESS["SG"]]
    syncs["VN"].run_once()
    assert set(node.calls) == {"consensus", "qbft_getValidatorsByBlockNumber"} and not node.votes
    clock.now += GRACE_S
    syncs["VN"].run_once()
    (reason,) = report_reasons(syncs["VN"].report(), clock.now)
    assert reason.startswith("the chain's validators have differed from the membership for 60 s:")
    assert f"{ADDRESS['TH']} (member TH, active) is an active member's validator but does not seal" in reason
    node.qbft_validators.append(ADDRESS["TH"])
    syncs["VN"].run_once()
    assert report_reasons(syncs["VN"].report(), clock.now) == []


def test_a_chain_node_without_the_clique_module_is_told_in_plain_words() -> None:
    _, membership, nodes, _, _ = consortium(CODES[:2], {c: 1 for c in CODES[:2]})
    nodes["VN"].kind = "none"  # geth without "clique" in its HTTP modules answers like anvil
    sync = SealerSync(membership, nodes["VN"], expected="clique")  # type: ignore[arg-type]
    with pytest.raises(ChainError, match=r"enable the clique \(or qbft\) RPC module on the chain node"):
        sync.run_once()
    nodes["VN"].kind = "clique"
    assert sync.run_once() == 0 and report_of(sync).consensus == "clique"


def test_a_chain_node_that_is_down_fails_the_round_and_the_consensus_is_found_when_it_is_back() -> None:
    _, _, nodes, syncs, _ = consortium(CODES[:2], {c: 1 for c in CODES[:2]})
    nodes["VN"].down = True
    with pytest.raises(ChainError, match="did not answer"):
        syncs["VN"].run_once()
    nodes["VN"].down = False
    assert syncs["VN"].run_once() == 0 and report_of(syncs["VN"]).disagreeing == 0


# ----------------------------------------------------------------- the JSON-RPC adapter


class _Rpc(BaseHTTPRequestHandler):
    """A chain node's JSON-RPC answering only the methods in ``answers`` (a subclass per fixture)."""

    answers: ClassVar[dict[str, Any]]
    seen: ClassVar[list[dict[str, Any]]]

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.seen.append(body)
        answer = self.answers.get(body["method"])
        if body["method"] not in self.answers:
            reply: dict[str, Any] = {
                "error": {
                    "code": -32601,
                    "message": f"the method {body['method']} does not exist/is not available",
                }
            }
        elif isinstance(answer, Exception):
            reply = {"error": {"code": -32000, "message": str(answer)}}
        else:
            reply = {"result": answer}
        data = json.dumps({"jsonrpc": "2.0", "id": body["id"], **reply}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def fake_rpc() -> Iterator[tuple[str, type[_Rpc]]]:
    handler = type("Handler", (_Rpc,), {"answers": {}, "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def test_the_adapter_speaks_geth_s_clique_methods(fake_rpc: tuple[str, type[_Rpc]]) -> None:
    url, handler = fake_rpc
    handler.answers.update(
        clique_getSigners=[ADDRESS["VN"].lower()],
        clique_proposals={ADDRESS["SG"].lower(): True},
        clique_propose=None,
        clique_discard=None,
    )
    port = JsonRpcSealers(url)
    assert port.consensus() == "clique"
    assert port.signers() == [ADDRESS["VN"]]
    assert port.proposals() == {ADDRESS["SG"]: True}
    port.propose(ADDRESS["TH"].lower(), False)
    port.discard(ADDRESS["SG"])
    sent = [(b["method"], b["params"]) for b in handler.seen[-2:]]
    assert sent == [("clique_propose", [ADDRESS["TH"], False]), ("clique_discard", [ADDRESS["SG"]])]
    handler.answers["clique_propose"] = RuntimeError("unauthorized")
    with pytest.raises(ChainError, match="refused clique_propose: unauthorized"):
        port.propose(ADDRESS["TH"], True)
    handler.answers["clique_getSigners"] = "not a list"
    with pytest.raises(ChainError, match="expected a list of addresses"):
        port.signers()


def test_the_adapter_finds_qbft_and_a_node_that_does_not_answer(fake_rpc: tuple[str, type[_Rpc]]) -> None:
    url, handler = fake_rpc
    handler.answers["qbft_getValidatorsByBlockNumber"] = [ADDRESS["SG"]]
    assert JsonRpcSealers(url).consensus() == "qbft"
    with pytest.raises(ChainError, match="did not answer clique_getSigners"):
        JsonRpcSealers("http://127.0.0.1:9", timeout=1).consensus()


@pytest.mark.integration
def test_on_a_real_anvil_the_adapter_finds_no_sealers_to_follow() -> None:
    with Anvil(accounts=1) as anvil:
        assert JsonRpcSealers(anvil.url).consensus() == "none"


def test_the_report_is_plain_data_and_reads_back_as_it_was_stored() -> None:
    _, membership, _, syncs, _ = consortium(CODES[:4], {c: 1 for c in CODES[:4]})
    membership.statuses["ID"] = 1  # admitted, not sealing yet
    syncs["VN"].run_once()
    report = report_of(syncs["VN"])
    stored = json.loads(json.dumps(report.as_json()))
    assert stored == report.as_json()
    assert stored["disagreeing"] == report.disagreeing == 1
    assert SealerReport.from_json(stored) == report
