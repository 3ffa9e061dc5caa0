"""The fake chain's model of the membership contract: proposals, votes and what a vote carries out.

It follows contracts/Membership.sol for what the node calls and raises the same custom errors by name
(``chain.fake_contracts`` has the registry's rules and says how the conformance suite holds both to the real
contracts).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from eth_abi.abi import encode as abi_encode

from origo_node.chain.port import MemberRecord, ProposalRecord
from origo_node.errors import ChainRuleViolated

Emitted = tuple[str, str, dict[str, Any]]  # (contract, event name, arguments)

ACTIVE, _SUSPENDED, _REMOVED = 1, 2, 3
#: ``IMembership.MemberInit``, as a proposal to add a member carries it ABI-encoded.
_MEMBER_INIT = "(bytes2,string,address,address,address[],bytes,string)"
_STATUS_OF_KIND = {1: _SUSPENDED, 2: ACTIVE, 3: _REMOVED}


def refuse(rule: str, *args: Any) -> ChainRuleViolated:
    shown = ["0x" + a.hex() if isinstance(a, bytes) else a for a in args]
    return ChainRuleViolated(f"the chain refused: {rule}", rule=rule, args=shown)


@dataclass
class _Proposal:
    kind: int
    proposer: str
    target: str | None
    quorum_bps: int
    deadline: int
    member: MemberRecord | None
    votes: set[str] = field(default_factory=set)
    executed: bool = False


@dataclass
class MembershipState:
    members: dict[str, MemberRecord]
    quorum_bps: int = 5001
    voting_period: int = 24 * 3600
    proposals: list[_Proposal] = field(default_factory=list)

    def admin_member(self, account: str) -> str | None:
        for m in self.members.values():
            if m.status == ACTIVE and m.admin.lower() == account.lower():
                return m.code
        return None

    def required_votes(self) -> int:
        active = sum(1 for m in self.members.values() if m.status == ACTIVE)
        return max(1, (active * self.quorum_bps + 9_999) // 10_000)

    def proposal_record(self, proposal_id: int, now: int) -> ProposalRecord:
        if not 0 < proposal_id <= len(self.proposals):
            raise refuse("MembershipUnknownProposal", proposal_id)
        p = self.proposals[proposal_id - 1]
        return ProposalRecord(
            id=proposal_id,
            kind=p.kind,
            proposer=p.proposer,
            target=p.target,
            quorum_bps=p.quorum_bps,
            deadline=p.deadline,
            yes_votes=len(p.votes),
            required_votes=self.required_votes(),
            executed=p.executed,
            expired=not p.executed and now >= p.deadline,
        )

    # ------------------------------------------------------------ governance

    def _propose(
        self, sender: str, now: int, kind: int, target: str | None, bps: int, member: MemberRecord | None,
        data: bytes = b"",
    ) -> Any:  # fmt: skip
        proposer = self.admin_member(sender)
        if proposer is None:
            raise refuse("MembershipNotAdmin", sender)
        deadline = now + self.voting_period
        self.proposals.append(_Proposal(kind, proposer, target, bps, deadline, member))
        proposal_id = len(self.proposals)
        # As the contract's event gives them: the indexed arguments first, no target as two zero bytes.
        shown = (target or "\0\0").encode()
        args = {"id": proposal_id, "proposer": proposer.encode(), "kind": kind, "target": shown,
                "newQuorumBps": bps, "deadline": deadline, "data": data}  # fmt: skip
        return [("membership", "ProposalCreated", args), *self._vote(proposal_id, proposer)]

    def _membership_proposeStatusChange(
        self, sender: str, _b: int, now: int, kind: int, target: bytes
    ) -> Any:
        code = bytes(target).decode("ascii")
        if code not in self.members:
            raise refuse("MembershipUnknownMember", target)
        return self._propose(sender, now, kind, code, 0, None)

    def _membership_proposeQuorum(self, sender: str, _b: int, now: int, bps: int) -> Any:
        if not 0 < bps <= 10_000:
            raise refuse("MembershipInvalidQuorum", bps)
        return self._propose(sender, now, 4, None, bps, None)

    def _membership_proposeAddMember(self, sender: str, block: int, now: int, m: Any) -> Any:
        code, name, admin, validator, issuers, key, endpoint = m
        record = MemberRecord(
            bytes(code).decode("ascii"),
            name,
            admin,
            validator,
            ACTIVE,
            bytes(key),
            endpoint,
            block,
            tuple(issuers),
        )
        if record.code in self.members:
            raise refuse("MembershipMemberExists", bytes(code))
        return self._propose(sender, now, 0, record.code, 0, record, abi_encode([_MEMBER_INIT], [m]))

    def _membership_vote(self, sender: str, _b: int, now: int, proposal_id: int) -> Any:
        voter = self.admin_member(sender)
        if voter is None:
            raise refuse("MembershipNotAdmin", sender)
        p = self.proposal_record(proposal_id, now)
        if p.executed:
            raise refuse("MembershipProposalExecuted", proposal_id)
        if p.expired:
            raise refuse("MembershipProposalExpired", proposal_id, p.deadline)
        if voter in self.proposals[proposal_id - 1].votes:
            raise refuse("MembershipAlreadyVoted", proposal_id, voter.encode())
        return self._vote(proposal_id, voter)

    def _vote(self, proposal_id: int, voter: str) -> list[Emitted]:
        p = self.proposals[proposal_id - 1]
        p.votes.add(voter)
        tally = {"id": proposal_id, "voter": voter.encode(), "yesVotes": len(p.votes),
                 "requiredVotes": self.required_votes()}  # fmt: skip
        emitted: list[Emitted] = [("membership", "Voted", tally)]
        if len(p.votes) < self.required_votes():
            return emitted
        p.executed = True
        if p.member is not None:
            self.members[p.member.code] = p.member
            emitted.extend(member_added(p.member, proposal_id))
        elif p.target is not None:
            previous = self.members[p.target].status
            self.members[p.target] = replace(self.members[p.target], status=_STATUS_OF_KIND[p.kind])
            args = {"code": p.target.encode(), "previous": previous, "current": _STATUS_OF_KIND[p.kind],
                    "proposalId": proposal_id}  # fmt: skip
            emitted.append(("membership", "MemberStatusChanged", args))
        else:
            args = {"previousBps": self.quorum_bps, "newBps": p.quorum_bps, "proposalId": proposal_id}
            self.quorum_bps = p.quorum_bps
            emitted.append(("membership", "QuorumChanged", args))
        emitted.append(("membership", "ProposalExecuted", {"id": proposal_id}))
        return emitted


def member_added(m: MemberRecord, proposal_id: int) -> list[Emitted]:
    """The events the membership contract emits for a member it adds (at deployment or by a vote)."""
    code = m.code.encode()
    args = {"code": code, "name": m.name, "admin": m.admin, "validator": m.validator,
            "encryptionKey": m.encryption_key, "endpoint": m.endpoint, "proposalId": proposal_id}  # fmt: skip
    issuers = [("membership", "IssuerAdded", {"code": code, "account": a}) for a in m.issuers]
    return [("membership", "MemberAdded", args), *issuers]
