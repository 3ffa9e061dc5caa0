"""What each kind of membership event carries, typed: the arguments of the Membership contract's events
(``contracts/IMembership.sol``), one frozen value per kind.

The index stores them as the chain adapter decodes them: camelCase names, the indexed arguments first and
then the others, each in the event's order; member codes as text, bytes and addresses as 0x-hex, enums and
counts as numbers. ``as_json`` gives exactly that, and ``membership_fields_of`` reads it back, so rows
written before these types read the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal


@dataclass(frozen=True, kw_only=True)
class MemberAdded:
    """A member created, at deployment (``proposal_id`` 0) or by an executed proposal."""

    code: str
    name: str
    admin: str
    validator: str
    encryption_key: str
    endpoint: str
    proposal_id: int

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "admin": self.admin,
            "validator": self.validator,
            "encryptionKey": self.encryption_key,
            "endpoint": self.endpoint,
            "proposalId": self.proposal_id,
        }


@dataclass(frozen=True, kw_only=True)
class MemberStatusChanged:
    """A member suspended, reinstated or removed by an executed proposal (statuses: 1 active, 2 suspended,
    3 removed)."""

    code: str
    previous: int
    current: int
    proposal_id: int

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "previous": self.previous,
            "current": self.current,
            "proposalId": self.proposal_id,
        }


@dataclass(frozen=True, kw_only=True)
class IssuerChanged:
    """An issuing account added to a member or removed from it (``IssuerAdded``, ``IssuerRemoved``)."""

    code: str
    account: str

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "account": self.account}


@dataclass(frozen=True, kw_only=True)
class EncryptionKeyRotated:
    code: str
    encryption_key: str

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "encryptionKey": self.encryption_key}


@dataclass(frozen=True, kw_only=True)
class EndpointChanged:
    code: str
    endpoint: str

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "endpoint": self.endpoint}


@dataclass(frozen=True, kw_only=True)
class AccountHandedOver:
    """A member's admin or validator account replaced (``AdminChanged``, ``ValidatorChanged``): the event
    names the two accounts after its role (``previousAdmin``, ``newValidator``...)."""

    role: Literal["Admin", "Validator"]
    code: str
    previous: str
    new: str

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, f"previous{self.role}": self.previous, f"new{self.role}": self.new}


@dataclass(frozen=True, kw_only=True)
class QuorumChanged:
    previous_bps: int
    new_bps: int
    proposal_id: int

    def as_json(self) -> dict[str, Any]:
        return {"previousBps": self.previous_bps, "newBps": self.new_bps, "proposalId": self.proposal_id}


@dataclass(frozen=True, kw_only=True)
class ProposalCreated:
    """A proposal opened by a member's admin: its kind (the contract's ``ProposalKind``), the member it
    concerns (``\\x00\\x00`` for none), the quorum it proposes (0 for none), when voting closes, and for an
    added member its ABI-encoded ``MemberInit`` (0x-hex; ``0x`` otherwise)."""

    id: int
    proposer: str
    kind: int
    target: str
    new_quorum_bps: int
    deadline: int
    data: str

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "proposer": self.proposer,
            "kind": self.kind,
            "target": self.target,
            "newQuorumBps": self.new_quorum_bps,
            "deadline": self.deadline,
            "data": self.data,
        }


@dataclass(frozen=True, kw_only=True)
class Voted:
    """A member's vote for a proposal, with the tally after it."""

    id: int
    voter: str
    yes_votes: int
    required_votes: int

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "voter": self.voter,
            "yesVotes": self.yes_votes,
            "requiredVotes": self.required_votes,
        }


@dataclass(frozen=True, kw_only=True)
class ProposalExecuted:
    id: int

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id}


MembershipFields = (
    MemberAdded
    | MemberStatusChanged
    | IssuerChanged
    | EncryptionKeyRotated
    | EndpointChanged
    | AccountHandedOver
    | QuorumChanged
    | ProposalCreated
    | Voted
    | ProposalExecuted
)

#: Every event of the Membership contract, by name (a test holds this to the contract's ABI).
MEMBERSHIP_EVENTS = (
    "MemberAdded",
    "MemberStatusChanged",
    "IssuerAdded",
    "IssuerRemoved",
    "EncryptionKeyRotated",
    "EndpointChanged",
    "AdminChanged",
    "ValidatorChanged",
    "QuorumChanged",
    "ProposalCreated",
    "Voted",
    "ProposalExecuted",
)


def membership_fields_of(kind: str, raw: Mapping[str, Any]) -> MembershipFields:
    """The typed fields of a membership event named ``kind`` from its decoded arguments (the chain's, or a
    stored row's).

    Raises ``KeyError`` for an argument the event has that is missing, ``ValueError`` for an event the
    contract does not have."""
    if kind == "MemberAdded":
        return MemberAdded(
            code=str(raw["code"]),
            name=str(raw["name"]),
            admin=str(raw["admin"]),
            validator=str(raw["validator"]),
            encryption_key=str(raw["encryptionKey"]),
            endpoint=str(raw["endpoint"]),
            proposal_id=int(raw["proposalId"]),
        )
    if kind == "MemberStatusChanged":
        return MemberStatusChanged(
            code=str(raw["code"]),
            previous=int(raw["previous"]),
            current=int(raw["current"]),
            proposal_id=int(raw["proposalId"]),
        )
    if kind in ("IssuerAdded", "IssuerRemoved"):
        return IssuerChanged(code=str(raw["code"]), account=str(raw["account"]))
    if kind == "EncryptionKeyRotated":
        return EncryptionKeyRotated(code=str(raw["code"]), encryption_key=str(raw["encryptionKey"]))
    if kind == "EndpointChanged":
        return EndpointChanged(code=str(raw["code"]), endpoint=str(raw["endpoint"]))
    if kind in ("AdminChanged", "ValidatorChanged"):
        role: Literal["Admin", "Validator"] = "Admin" if kind == "AdminChanged" else "Validator"
        return AccountHandedOver(
            role=role, code=str(raw["code"]), previous=str(raw[f"previous{role}"]), new=str(raw[f"new{role}"])
        )
    if kind == "QuorumChanged":
        return QuorumChanged(
            previous_bps=int(raw["previousBps"]),
            new_bps=int(raw["newBps"]),
            proposal_id=int(raw["proposalId"]),
        )
    if kind == "ProposalCreated":
        return ProposalCreated(
            id=int(raw["id"]),
            proposer=str(raw["proposer"]),
            kind=int(raw["kind"]),
            target=str(raw["target"]),
            new_quorum_bps=int(raw["newQuorumBps"]),
            deadline=int(raw["deadline"]),
            data=str(raw["data"]),
        )
    if kind == "Voted":
        return Voted(
            id=int(raw["id"]),
            voter=str(raw["voter"]),
            yes_votes=int(raw["yesVotes"]),
            required_votes=int(raw["requiredVotes"]),
        )
    if kind == "ProposalExecuted":
        return ProposalExecuted(id=int(raw["id"]))
    raise ValueError(f"the Membership contract has no event {kind}")
