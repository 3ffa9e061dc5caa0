"""Governance through this member's admin account: propose, vote, and read the proposals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from origo_api.answers import Proposal

from origo_node.chain import calls
from origo_node.chain.addresses import checksummed
from origo_node.chain.port import Call, ChainPort, Receipt
from origo_node.chain.sender import TxSender
from origo_node.errors import Forbidden, ValidationFailed
from origo_node.members import MemberDirectory

KINDS = ("add_member", "suspend_member", "reinstate_member", "remove_member", "change_quorum")
_STATUS_KIND = {"suspend_member": 1, "reinstate_member": 2, "remove_member": 3}


@dataclass(frozen=True, kw_only=True)
class Candidate:
    """A member proposed for admission: its code, name, accounts, published encryption key and endpoint.
    No validator: the admin account validates."""

    code: str
    name: str
    admin: str
    validator: str | None = None
    issuers: tuple[str, ...] = ()
    encryption_key: str
    endpoint: str


@dataclass(frozen=True, kw_only=True)
class AddMember:
    member: Candidate


@dataclass(frozen=True, kw_only=True)
class ChangeStatus:
    """Suspend, reinstate or remove the member ``target``."""

    kind: Literal["suspend_member", "reinstate_member", "remove_member"]
    target: str


@dataclass(frozen=True, kw_only=True)
class ChangeQuorum:
    """The share of active members whose votes carry a proposal, in basis points."""

    quorum_bps: int


#: What an admin may propose.
ProposalRequest = AddMember | ChangeStatus | ChangeQuorum


def _bad(pointer: str, message: str) -> ValidationFailed:
    return ValidationFailed("the proposal is not valid", errors=[{"pointer": pointer, "message": message}])


def _code(value: Any, pointer: str) -> bytes:
    if not isinstance(value, str) or len(value) != 2 or not value.isalpha() or not value.isupper():
        raise _bad(pointer, "must be a member code such as 'TH'")
    return value.encode("ascii")


def _address(value: Any, pointer: str) -> str:
    address = checksummed(value)
    if address is None:
        raise _bad(pointer, "must be an account address (0x + 40 hex digits)")
    return address


class GovernanceService:
    def __init__(
        self,
        chain: ChainPort,
        admin: TxSender | None,
        directory: MemberDirectory,
        tx_timeout_s: float,
    ) -> None:
        self._tx_timeout_s = tx_timeout_s
        self._chain = chain
        self._admin = admin
        self._directory = directory

    def proposals(self) -> list[Proposal]:
        count = self._chain.proposal_count()
        return [self.proposal(i) for i in range(count, 0, -1)]

    def proposal(self, proposal_id: int) -> Proposal:
        p = self._chain.proposal(proposal_id)
        return Proposal(
            id=p.id,
            kind=KINDS[p.kind],
            proposer=p.proposer,
            target=p.target,
            quorum_bps=p.quorum_bps or None,
            deadline=p.deadline,
            yes_votes=p.yes_votes,
            required_votes=p.required_votes,
            executed=p.executed,
            expired=p.expired,
        )

    def propose(self, request: ProposalRequest) -> Proposal:
        sender = self._require_admin()
        match request:
            case AddMember(member=member):
                call = calls.propose_add_member(self._member_init(member))
            case ChangeStatus(kind=kind, target=target):
                call = calls.propose_status_change(_STATUS_KIND[kind], _code(target, "/target"))
            case ChangeQuorum(quorum_bps=bps):
                if not 0 < bps <= 10_000:
                    raise _bad("/quorum_bps", "must be an integer in (0, 10000]")
                call = calls.propose_quorum(bps)
        receipt = self._send(sender, call)
        created = [e for e in receipt.events if e.name == "ProposalCreated"]
        return self.proposal(int(created[0].args["id"]))

    def vote(self, proposal_id: int) -> Proposal:
        sender = self._require_admin()
        self._send(sender, calls.vote(proposal_id))
        return self.proposal(proposal_id)

    def _member_init(self, m: Candidate) -> tuple[Any, ...]:
        if not m.name.strip():
            raise _bad("/member/name", "required")
        if not m.encryption_key.startswith("0x"):
            raise _bad("/member/encryption_key", "required: the member's published encryption key, 0x-hex")
        try:
            key_bytes = bytes.fromhex(m.encryption_key[2:])
        except ValueError as exc:
            raise _bad("/member/encryption_key", "not hex") from exc
        return (
            _code(m.code, "/member/code"),
            m.name,
            _address(m.admin, "/member/admin"),
            _address(m.validator or m.admin, "/member/validator"),
            [_address(a, f"/member/issuers/{i}") for i, a in enumerate(m.issuers)],
            key_bytes,
            m.endpoint,
        )

    def _require_admin(self) -> TxSender:
        if self._admin is None:
            raise Forbidden("this node holds no admin key for its member; governance is done elsewhere")
        return self._admin

    def _send(self, sender: TxSender, call: Call) -> Receipt:
        return sender.send_and_wait(call, self._tx_timeout_s, "the governance transaction")
