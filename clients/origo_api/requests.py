"""Bodies the node's API accepts (node/API.md, v1): the node's routes declare them, the SDK sends them.

Unknown fields are refused (``extra="forbid"``): a misspelt field is an error, not silently ignored.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AcceptRequest",
    "AddMemberProposal",
    "ItemClaimRequest",
    "NewMember",
    "ProposalCreate",
    "QuorumProposal",
    "RejectRequest",
    "RevokeRequest",
    "StatusChangeProposal",
    "VerificationAnswerBody",
    "VerificationRequestBody",
]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RevokeRequest(_Request):
    reason_code: int = Field(ge=1, le=65535)
    reason: str = Field(default="", max_length=1000)


_QUANTITY = r"^[0-9]{1,19}(\.[0-9]{1,3})?$"


class ItemClaimRequest(_Request):
    """One item's part of a claim: the item's number on the form and a quantity in that item's own unit."""

    item: int = Field(ge=1, description="The item's number on the form: 1 for the first item")
    quantity: str | None = Field(
        default=None,
        pattern=_QUANTITY,
        description="In the item's own unit, e.g. '250.125'; null = all left on the item",
    )


class AcceptRequest(_Request):
    """A utilisation at import. Nothing but the declaration: the whole certificate. ``item`` (and
    ``quantity``): one item, all that is left on it or a quantity in its unit. ``quantity`` alone: the
    certificate's one item, or its items in order when they all count in one unit. ``claims``: several items
    at once, instead of ``item``/``quantity``."""

    declaration: str = Field(min_length=1, max_length=32, description="The import declaration's number")
    item: int | None = Field(
        default=None, ge=1, description="The item claimed (its number on the form); null = see quantity"
    )
    quantity: str | None = Field(
        default=None,
        pattern=_QUANTITY,
        description="In the item's unit, thousandths allowed, e.g. '250.125'; null = all left",
    )
    claims: list[ItemClaimRequest] | None = Field(
        default=None,
        min_length=1,
        max_length=256,
        description="Several items in one claim (one entry per item); not with item or quantity",
    )


class RejectRequest(_Request):
    reason_code: int = Field(ge=1, le=65535)
    reason: str = Field(default="", max_length=1000)


class VerificationRequestBody(_Request):
    reason: str = Field(min_length=1, max_length=1000)


class VerificationAnswerBody(_Request):
    confirmed: bool
    reason: str = Field(default="", max_length=1000)


class NewMember(_Request):
    code: str = Field(pattern=r"^[A-Z]{2}$")
    name: str
    admin: str
    validator: str | None = None
    issuers: list[str] = Field(default_factory=list)
    encryption_key: str
    endpoint: str


class AddMemberProposal(_Request):
    kind: Literal["add_member"] = "add_member"
    member: NewMember


class StatusChangeProposal(_Request):
    kind: Literal["suspend_member", "reinstate_member", "remove_member"]
    target: str = Field(pattern=r"^[A-Z]{2}$")


class QuorumProposal(_Request):
    kind: Literal["change_quorum"] = "change_quorum"
    quorum_bps: int = Field(gt=0, le=10_000)


#: One of the proposals, told apart by ``kind``.
ProposalCreate = Annotated[
    AddMemberProposal | StatusChangeProposal | QuorumProposal, Field(discriminator="kind")
]
