"""Membership: genesis, proposals and votes, a member's own settings, history views, every error."""

from __future__ import annotations

from typing import Any

import pytest
from contracts_support import CODES, QUORUM_BPS, VOTING_PERIOD, Consortium
from eth_abi.abi import encode
from origo_devnet.deploy import GenesisMember, deploy_contract
from origo_node.chain.revert import decode_custom_error
from web3.exceptions import ContractCustomError

pytestmark = pytest.mark.integration

ACTIVE, SUSPENDED, REMOVED = 1, 2, 3
ADD, SUSPEND, REINSTATE, REMOVE, QUORUM = 0, 1, 2, 3, 4
ZERO = "0x0000000000000000000000000000000000000000"


def member_init(chain: Consortium, code: str = "ID", **overrides: Any) -> tuple[Any, ...]:
    admin, validator, issuer = chain.spare[0], chain.spare[1], chain.spare[2]
    fields: dict[str, Any] = {
        "code": code.encode(),
        "name": f"Customs {code}",
        "admin": admin,
        "validator": validator,
        "issuers": [issuer],
        "key": b"\x42" * 32,
        "endpoint": "https://id.example",
    }
    fields.update(overrides)
    return tuple(fields.values())


def propose_suspend(chain: Consortium, target: str = "MY", proposer: str = "VN") -> int:
    receipt = chain.send(
        chain.membership.functions.proposeStatusChange(SUSPEND, target.encode()), chain.admin(proposer)
    )
    return int(chain.events(chain.membership, receipt, "ProposalCreated")[0]["id"])


def vote(chain: Consortium, pid: int, *codes: str) -> Any:
    receipt = None
    for code in codes:
        receipt = chain.send(chain.membership.functions.vote(pid), chain.admin(code))
    return receipt


# ---------------------------------------------------------------- genesis and views


def test_genesis_members_views(chain: Consortium) -> None:
    m = chain.membership.functions
    assert m.memberCodes().call() == [c.encode() for c in CODES]
    info = m.member(b"VN").call()
    vn = chain.members["VN"]
    assert info == (
        b"VN",
        "Customs VN",
        vn.admin,
        vn.validator,
        ACTIVE,
        b"\x01" * 32,
        "http://127.0.0.1:9000",
        chain.deploy_block,
    )
    assert m.isActive(b"SG").call() is True
    assert m.isActive(b"XX").call() is False
    assert m.issuers(b"TH").call() == chain.members["TH"].issuers
    assert m.activeIssuerMember(chain.issuer("SG", 1)).call() == b"SG"
    assert m.activeIssuerMember(chain.spare[0]).call() == b"\0\0"
    assert m.memberOfAdmin(chain.admin("MY")).call() == b"MY"
    assert m.memberOfAdmin(chain.issuer("MY")).call() == b"\0\0"
    assert m.quorumBps().call() == QUORUM_BPS
    assert m.requiredVotes().call() == 3  # ceil(4 * 0.5001)
    assert m.votingPeriod().call() == VOTING_PERIOD
    assert m.proposalCount().call() == 0
    assert m.getValidators().call() == [chain.members[c].validator for c in CODES]
    assert m.wasActiveAt(b"VN", chain.deploy_block).call() is True
    assert m.wasActiveAt(b"VN", chain.deploy_block - 1).call() is False
    assert m.wasIssuerAt(chain.issuer("VN"), b"VN", chain.deploy_block).call() is True
    assert m.wasIssuerAt(chain.issuer("VN"), b"SG", chain.deploy_block).call() is False


def test_unknown_member_view_reverts(chain: Consortium) -> None:
    assert chain.error_of(chain.membership.functions.member(b"XX"), chain.deployer) == (
        "MembershipUnknownMember",
        (b"XX",),
    )


def _deploy_error(chain: Consortium, genesis: list[GenesisMember], bps: int) -> tuple[str, tuple[Any, ...]]:
    with pytest.raises(ContractCustomError) as info:
        deploy_contract(chain.w3, chain.deployer, "Membership", [g.to_abi_tuple() for g in genesis], bps, 60)
    assert isinstance(info.value.data, str)
    return decode_custom_error(chain.abi, info.value.data)


def test_constructor_refuses_bad_genesis(chain: Consortium) -> None:
    a, b = chain.spare[0], chain.spare[1]
    good = GenesisMember("ID", "Customs ID", a, a, [b], b"k", "")
    assert _deploy_error(chain, [], 5001) == ("MembershipInvalidMember", (b"\0\0",))
    assert _deploy_error(chain, [good], 0) == ("MembershipInvalidQuorum", (0,))
    assert _deploy_error(chain, [good], 10_001) == ("MembershipInvalidQuorum", (10_001,))
    no_key = GenesisMember("ID", "Customs ID", a, a, [b], b"", "")
    assert _deploy_error(chain, [no_key], 5001) == ("MembershipInvalidMember", (b"ID",))
    same_admin = GenesisMember("LA", "Customs LA", a, b, [], b"k", "")
    assert _deploy_error(chain, [good, good], 5001) == ("MembershipMemberExists", (b"ID",))
    shared_issuer = GenesisMember("LA", "Customs LA", chain.spare[2], chain.spare[2], [b], b"k", "")
    assert _deploy_error(chain, [good, shared_issuer], 5001) == ("MembershipIssuerTaken", (b, b"ID"))
    assert _deploy_error(chain, [good, same_admin], 5001) == ("MembershipInvalidMember", (b"LA",))
    dup_issuer = GenesisMember("ID", "Customs ID", a, a, [b, b], b"k", "")
    assert _deploy_error(chain, [dup_issuer], 5001) == ("MembershipIssuerTaken", (b, b"ID"))


# ---------------------------------------------------------------- proposals


def test_add_member_at_quorum(chain: Consortium) -> None:
    m = chain.membership.functions
    init = member_init(chain)
    receipt = chain.send(m.proposeAddMember(init), chain.admin("VN"))
    created = chain.events(chain.membership, receipt, "ProposalCreated")[0]
    deadline = chain.now() + VOTING_PERIOD
    data = encode(["(bytes2,string,address,address,address[],bytes,string)"], [init])
    assert created == {
        "id": 1,
        "kind": ADD,
        "proposer": b"VN",
        "target": b"ID",
        "newQuorumBps": 0,
        "deadline": deadline,
        "data": data,
    }
    assert chain.events(chain.membership, receipt, "Voted") == [
        {"id": 1, "voter": b"VN", "yesVotes": 1, "requiredVotes": 3}
    ]
    assert m.hasVoted(1, b"VN").call() is True
    assert m.hasVoted(1, b"SG").call() is False
    assert m.proposal(1).call() == (1, ADD, b"VN", b"ID", 0, deadline, 1, 3, False, False)

    vote(chain, 1, "SG")
    assert m.isActive(b"ID").call() is False  # 2 of 3: nothing yet
    receipt = vote(chain, 1, "TH")
    assert chain.events(chain.membership, receipt, "ProposalExecuted") == [{"id": 1}]
    added = chain.events(chain.membership, receipt, "MemberAdded")[0]
    assert added == {
        "code": b"ID",
        "name": "Customs ID",
        "admin": chain.spare[0],
        "validator": chain.spare[1],
        "encryptionKey": b"\x42" * 32,
        "endpoint": "https://id.example",
        "proposalId": 1,
    }
    assert chain.events(chain.membership, receipt, "IssuerAdded") == [
        {"code": b"ID", "account": chain.spare[2]}
    ]
    assert m.isActive(b"ID").call() is True
    assert m.member(b"ID").call()[7] == receipt["blockNumber"]
    assert m.requiredVotes().call() == 3  # ceil(5 * 0.5001)
    assert m.proposal(1).call()[8] is True
    assert m.activeIssuerMember(chain.spare[2]).call() == b"ID"
    assert m.getValidators().call()[-1] == chain.spare[1]
    assert m.memberCodes().call()[-1] == b"ID"
    assert chain.error_of(m.vote(1), chain.admin("MY")) == ("MembershipProposalExecuted", (1,))


def test_proposal_executes_in_the_proposing_transaction_when_one_vote_is_enough(chain: Consortium) -> None:
    m = chain.membership.functions
    chain.send(m.proposeQuorum(1), chain.admin("VN"))
    vote(chain, 1, "SG", "TH")
    assert m.quorumBps().call() == 1
    assert m.requiredVotes().call() == 1
    receipt = chain.send(m.proposeAddMember(member_init(chain)), chain.admin("MY"))
    assert chain.events(chain.membership, receipt, "ProposalExecuted") == [{"id": 2}]
    assert m.isActive(b"ID").call() is True


def test_change_quorum(chain: Consortium) -> None:
    m = chain.membership.functions
    chain.send(m.proposeQuorum(10_000), chain.admin("SG"))
    assert m.proposal(1).call()[1:5] == (QUORUM, b"SG", b"\0\0", 10_000)
    vote(chain, 1, "VN")
    receipt = vote(chain, 1, "MY")
    assert chain.events(chain.membership, receipt, "QuorumChanged") == [
        {"previousBps": QUORUM_BPS, "newBps": 10_000, "proposalId": 1}
    ]
    assert m.requiredVotes().call() == 4


def test_suspend_reinstate_remove(chain: Consortium) -> None:
    m = chain.membership.functions
    pid = propose_suspend(chain, "MY")
    vote(chain, pid, "SG")
    before = chain.w3.eth.block_number
    receipt = vote(chain, pid, "TH")
    assert chain.events(chain.membership, receipt, "MemberStatusChanged") == [
        {"code": b"MY", "previous": ACTIVE, "current": SUSPENDED, "proposalId": pid}
    ]
    suspended_at = receipt["blockNumber"]
    assert m.isActive(b"MY").call() is False
    assert m.member(b"MY").call()[4] == SUSPENDED
    assert m.requiredVotes().call() == 2  # ceil(3 * 0.5001)
    assert chain.members["MY"].validator not in m.getValidators().call()
    assert m.activeIssuerMember(chain.issuer("MY")).call() == b"\0\0"
    assert m.memberOfAdmin(chain.admin("MY")).call() == b"\0\0"
    # History keeps the past: MY and its issuer were there before the suspension, not after.
    assert m.wasActiveAt(b"MY", before).call() is True
    assert m.wasActiveAt(b"MY", suspended_at).call() is False
    assert m.wasIssuerAt(chain.issuer("MY"), b"MY", before).call() is True
    assert m.wasIssuerAt(chain.issuer("MY"), b"MY", suspended_at).call() is False
    # A suspended member's admin no longer votes nor proposes.
    assert chain.error_of(m.proposeQuorum(6000), chain.admin("MY")) == (
        "MembershipNotAdmin",
        (chain.admin("MY"),),
    )

    receipt = chain.send(m.proposeStatusChange(REINSTATE, b"MY"), chain.admin("VN"))
    pid = chain.events(chain.membership, receipt, "ProposalCreated")[0]["id"]
    receipt = vote(chain, pid, "SG")
    assert chain.events(chain.membership, receipt, "MemberStatusChanged")[0]["current"] == ACTIVE
    assert m.isActive(b"MY").call() is True
    assert m.wasActiveAt(b"MY", receipt["blockNumber"]).call() is True
    assert m.wasActiveAt(b"MY", suspended_at).call() is False

    receipt = chain.send(m.proposeStatusChange(REMOVE, b"TH"), chain.admin("VN"))
    pid = chain.events(chain.membership, receipt, "ProposalCreated")[0]["id"]
    receipt = vote(chain, pid, "SG", "MY")
    assert chain.events(chain.membership, receipt, "MemberStatusChanged")[0]["current"] == REMOVED
    assert m.member(b"TH").call()[4] == REMOVED
    assert m.wasIssuerAt(chain.issuer("TH"), b"TH", receipt["blockNumber"] - 1).call() is True
    assert chain.error_of(m.proposeStatusChange(REINSTATE, b"TH"), chain.admin("VN")) == (
        "MembershipInvalidTransition",
        (b"TH", REMOVED, REINSTATE),
    )
    assert chain.error_of(m.proposeAddMember(member_init(chain, "TH")), chain.admin("VN")) == (
        "MembershipMemberExists",
        (b"TH",),
    )


def test_suspended_member_can_be_removed(chain: Consortium) -> None:
    m = chain.membership.functions
    pid = propose_suspend(chain, "MY")
    vote(chain, pid, "SG", "TH")
    receipt = chain.send(m.proposeStatusChange(REMOVE, b"MY"), chain.admin("VN"))
    pid = chain.events(chain.membership, receipt, "ProposalCreated")[0]["id"]
    receipt = vote(chain, pid, "SG")
    assert chain.events(chain.membership, receipt, "MemberStatusChanged")[0] == {
        "code": b"MY",
        "previous": SUSPENDED,
        "current": REMOVED,
        "proposalId": pid,
    }


def test_required_votes_follow_the_active_members(chain: Consortium) -> None:
    """A pending proposal needs the quorum of the members active *now*, not of those at its creation."""
    m = chain.membership.functions
    chain.send(m.proposeQuorum(7500), chain.admin("VN"))  # 1 of 3 needed while 4 are active
    assert m.proposal(1).call()[6:8] == (1, 3)
    pid = propose_suspend(chain, "MY", proposer="SG")
    vote(chain, pid, "TH", "VN")  # MY suspended: 3 active, ceil(3 * 0.5001) = 2
    assert m.requiredVotes().call() == 2
    assert m.proposal(1).call()[6:8] == (1, 2)
    receipt = vote(chain, 1, "SG")
    assert chain.events(chain.membership, receipt, "ProposalExecuted") == [{"id": 1}]
    assert m.quorumBps().call() == 7500
    assert m.requiredVotes().call() == 3  # ceil(3 * 0.75)


def test_status_change_errors(chain: Consortium) -> None:
    m = chain.membership.functions
    admin = chain.admin("VN")
    assert chain.error_of(m.proposeStatusChange(SUSPEND, b"XX"), admin) == (
        "MembershipUnknownMember",
        (b"XX",),
    )
    assert chain.error_of(m.proposeStatusChange(REINSTATE, b"SG"), admin) == (
        "MembershipInvalidTransition",
        (b"SG", ACTIVE, REINSTATE),
    )
    assert chain.error_of(m.proposeStatusChange(ADD, b"SG"), admin) == (
        "MembershipInvalidTransition",
        (b"SG", ACTIVE, ADD),
    )
    assert chain.error_of(m.proposeStatusChange(QUORUM, b"SG"), admin) == (
        "MembershipInvalidTransition",
        (b"SG", ACTIVE, QUORUM),
    )
    pid = propose_suspend(chain, "MY")
    vote(chain, pid, "SG", "TH")
    assert chain.error_of(m.proposeStatusChange(SUSPEND, b"MY"), admin) == (
        "MembershipInvalidTransition",
        (b"MY", SUSPENDED, SUSPEND),
    )


def test_a_transition_is_checked_again_at_each_vote(chain: Consortium) -> None:
    m = chain.membership.functions
    first = propose_suspend(chain, "MY", proposer="VN")
    second = propose_suspend(chain, "MY", proposer="SG")
    vote(chain, first, "SG", "TH")
    assert chain.error_of(m.vote(second), chain.admin("VN")) == (
        "MembershipInvalidTransition",
        (b"MY", SUSPENDED, SUSPEND),
    )
    init = member_init(chain)
    chain.send(m.proposeAddMember(init), chain.admin("VN"))
    chain.send(m.proposeAddMember(init), chain.admin("SG"))
    add_first, add_second = first + 2, first + 3
    vote(chain, add_first, "SG")
    assert chain.error_of(m.vote(add_second), chain.admin("VN")) == ("MembershipMemberExists", (b"ID",))


def test_the_last_active_member_cannot_be_suspended_or_removed(chain: Consortium) -> None:
    solo = GenesisMember("VN", "Customs VN", chain.spare[0], chain.spare[0], [chain.spare[1]], b"k", "")
    receipt = deploy_contract(chain.w3, chain.deployer, "Membership", [solo.to_abi_tuple()], 10_000, 60)
    m = chain.w3.eth.contract(address=receipt["contractAddress"], abi=chain.membership.abi).functions
    assert m.requiredVotes().call() == 1
    for kind in (SUSPEND, REMOVE):
        assert chain.error_of(m.proposeStatusChange(kind, b"VN"), chain.spare[0]) == (
            "MembershipInvalidTransition",
            (b"VN", ACTIVE, kind),
        )


def test_vote_errors(chain: Consortium) -> None:
    m = chain.membership.functions
    assert chain.error_of(m.vote(0), chain.admin("VN")) == ("MembershipUnknownProposal", (0,))
    assert chain.error_of(m.vote(7), chain.admin("VN")) == ("MembershipUnknownProposal", (7,))
    assert chain.error_of(m.proposal(7), chain.admin("VN")) == ("MembershipUnknownProposal", (7,))
    pid = propose_suspend(chain, "MY")
    assert chain.error_of(m.vote(pid), chain.admin("VN")) == ("MembershipAlreadyVoted", (pid, b"VN"))
    assert chain.error_of(m.vote(pid), chain.issuer("SG")) == ("MembershipNotAdmin", (chain.issuer("SG"),))
    assert chain.error_of(m.vote(pid), chain.spare[0]) == ("MembershipNotAdmin", (chain.spare[0],))


def test_proposal_expires_after_the_voting_period(chain: Consortium) -> None:
    m = chain.membership.functions
    pid = propose_suspend(chain, "MY")
    deadline = m.proposal(pid).call()[5]
    vote(chain, pid, "SG")
    chain.travel(VOTING_PERIOD)
    assert chain.now() >= deadline
    assert m.proposal(pid).call()[9] is True  # expired
    assert chain.error_of(m.vote(pid), chain.admin("TH")) == ("MembershipProposalExpired", (pid, deadline))
    assert m.isActive(b"MY").call() is True


def test_propose_errors(chain: Consortium) -> None:
    m = chain.membership.functions
    admin = chain.admin("VN")
    outsider = chain.spare[5]
    assert chain.error_of(m.proposeAddMember(member_init(chain)), outsider) == (
        "MembershipNotAdmin",
        (outsider,),
    )
    assert chain.error_of(m.proposeStatusChange(SUSPEND, b"SG"), outsider) == (
        "MembershipNotAdmin",
        (outsider,),
    )
    assert chain.error_of(m.proposeQuorum(5000), outsider) == ("MembershipNotAdmin", (outsider,))
    assert chain.error_of(m.proposeQuorum(0), admin) == ("MembershipInvalidQuorum", (0,))
    assert chain.error_of(m.proposeQuorum(10_001), admin) == ("MembershipInvalidQuorum", (10_001,))
    assert chain.error_of(m.proposeAddMember(member_init(chain, "SG")), admin) == (
        "MembershipMemberExists",
        (b"SG",),
    )
    bad = [
        member_init(chain, "\0\0"),
        member_init(chain, "I\0"),
        member_init(chain, admin=ZERO),
        member_init(chain, validator=ZERO),
        member_init(chain, key=b""),
        member_init(chain, admin=chain.admin("SG")),
        member_init(chain, issuers=[ZERO]),
    ]
    for init in bad:
        assert chain.error_of(m.proposeAddMember(init), admin) == ("MembershipInvalidMember", (init[0],))
    taken = chain.issuer("TH")
    assert chain.error_of(m.proposeAddMember(member_init(chain, issuers=[taken])), admin) == (
        "MembershipIssuerTaken",
        (taken, b"TH"),
    )


# ---------------------------------------------------------------- a member's own settings


def test_issuer_rotation_and_history(chain: Consortium) -> None:
    m = chain.membership.functions
    admin, old, new = chain.admin("VN"), chain.issuer("VN"), chain.spare[3]
    receipt = chain.send(m.addIssuer(new), admin)
    assert chain.events(chain.membership, receipt, "IssuerAdded") == [{"code": b"VN", "account": new}]
    added_at = receipt["blockNumber"]
    receipt = chain.send(m.removeIssuer(old), admin)
    assert chain.events(chain.membership, receipt, "IssuerRemoved") == [{"code": b"VN", "account": old}]
    removed_at = receipt["blockNumber"]
    assert m.issuers(b"VN").call() == [new, chain.issuer("VN", 1)] or set(m.issuers(b"VN").call()) == {
        new,
        chain.issuer("VN", 1),
    }
    assert m.activeIssuerMember(old).call() == b"\0\0"
    assert m.activeIssuerMember(new).call() == b"VN"
    assert m.wasIssuerAt(old, b"VN", removed_at - 1).call() is True
    assert m.wasIssuerAt(old, b"VN", removed_at).call() is False
    assert m.wasIssuerAt(new, b"VN", added_at - 1).call() is False
    assert m.wasIssuerAt(new, b"VN", added_at).call() is True
    # A freed account may serve another member; the history keeps both.
    receipt = chain.send(m.addIssuer(old), chain.admin("SG"))
    assert m.activeIssuerMember(old).call() == b"SG"
    assert m.wasIssuerAt(old, b"VN", removed_at - 1).call() is True
    assert m.wasIssuerAt(old, b"SG", removed_at - 1).call() is False
    assert m.wasIssuerAt(old, b"SG", receipt["blockNumber"]).call() is True


def test_issuer_errors(chain: Consortium) -> None:
    m = chain.membership.functions
    admin = chain.admin("VN")
    taken = chain.issuer("SG")
    assert chain.error_of(m.addIssuer(taken), admin) == ("MembershipIssuerTaken", (taken, b"SG"))
    assert chain.error_of(m.addIssuer(chain.issuer("VN")), admin) == (
        "MembershipIssuerTaken",
        (chain.issuer("VN"), b"VN"),
    )
    assert chain.error_of(m.addIssuer(ZERO), admin) == ("MembershipInvalidMember", (b"VN",))
    assert chain.error_of(m.removeIssuer(taken), admin) == ("MembershipNotIssuer", (taken, b"VN"))
    for fn in (m.addIssuer(chain.spare[3]), m.removeIssuer(chain.issuer("VN"))):
        assert chain.error_of(fn, chain.issuer("VN")) == ("MembershipNotAdmin", (chain.issuer("VN"),))


def test_key_endpoint_admin_validator(chain: Consortium) -> None:
    m = chain.membership.functions
    admin = chain.admin("VN")
    hybrid_key = bytes(range(256)) * 5  # ~1.2 KB, like an ML-KEM-768 + X25519 public key
    receipt = chain.send(m.setEncryptionKey(hybrid_key), admin)
    assert chain.events(chain.membership, receipt, "EncryptionKeyRotated") == [
        {"code": b"VN", "encryptionKey": hybrid_key}
    ]
    receipt = chain.send(m.setEndpoint("https://vn.example"), admin)
    assert chain.events(chain.membership, receipt, "EndpointChanged") == [
        {"code": b"VN", "endpoint": "https://vn.example"}
    ]
    old_validator, new_validator = chain.members["VN"].validator, chain.spare[4]
    receipt = chain.send(m.setValidator(new_validator), admin)
    assert chain.events(chain.membership, receipt, "ValidatorChanged") == [
        {"code": b"VN", "previousValidator": old_validator, "newValidator": new_validator}
    ]
    assert m.getValidators().call()[0] == new_validator
    new_admin = chain.spare[5]
    receipt = chain.send(m.setAdmin(new_admin), admin)
    assert chain.events(chain.membership, receipt, "AdminChanged") == [
        {"code": b"VN", "previousAdmin": admin, "newAdmin": new_admin}
    ]
    info = m.member(b"VN").call()
    assert info[2] == new_admin and info[3] == new_validator
    assert info[5] == hybrid_key and info[6] == "https://vn.example"
    assert m.memberOfAdmin(admin).call() == b"\0\0"
    assert m.memberOfAdmin(new_admin).call() == b"VN"
    assert chain.error_of(m.setEndpoint("x"), admin) == ("MembershipNotAdmin", (admin,))


def test_settings_errors(chain: Consortium) -> None:
    m = chain.membership.functions
    admin = chain.admin("VN")
    assert chain.error_of(m.setEncryptionKey(b""), admin) == ("MembershipInvalidMember", (b"VN",))
    assert chain.error_of(m.setValidator(ZERO), admin) == ("MembershipInvalidMember", (b"VN",))
    assert chain.error_of(m.setAdmin(ZERO), admin) == ("MembershipInvalidMember", (b"VN",))
    assert chain.error_of(m.setAdmin(chain.admin("SG")), admin) == ("MembershipInvalidMember", (b"VN",))
    outsider = chain.spare[6]
    for fn in (
        m.setEncryptionKey(b"k"),
        m.setEndpoint("e"),
        m.setAdmin(chain.spare[7]),
        m.setValidator(outsider),
    ):
        assert chain.error_of(fn, outsider) == ("MembershipNotAdmin", (outsider,))


def test_a_member_cannot_take_another_members_validator(chain: Consortium) -> None:
    """Otherwise MY could point its validator at VN's, and VN's validator would keep its seat through MY after
    the members suspended VN (getValidators lists the validators of active members)."""
    m = chain.membership.functions
    vn_validator = chain.members["VN"].validator
    assert chain.error_of(m.setValidator(vn_validator), chain.admin("MY")) == (
        "MembershipValidatorTaken",
        (vn_validator, b"VN"),
    )
    assert chain.error_of(
        m.proposeAddMember(member_init(chain, validator=vn_validator)), chain.admin("SG")
    ) == (
        "MembershipValidatorTaken",
        (vn_validator, b"VN"),
    )
    # A member may set its own validator again, and what it gives up is free for others.
    chain.send(m.setValidator(vn_validator), chain.admin("VN"))
    chain.send(m.setValidator(chain.spare[4]), chain.admin("VN"))
    chain.send(m.setValidator(vn_validator), chain.admin("MY"))
    assert m.member(b"MY").call()[3] == vn_validator
    assert chain.error_of(m.setValidator(vn_validator), chain.admin("VN")) == (
        "MembershipValidatorTaken",
        (vn_validator, b"MY"),
    )


def test_history_lookup_for_a_future_block_answers_the_present(chain: Consortium) -> None:
    m = chain.membership.functions
    assert m.wasActiveAt(b"VN", 2**64).call() is True
    assert m.wasIssuerAt(chain.issuer("VN"), b"VN", 2**256 - 1).call() is True
