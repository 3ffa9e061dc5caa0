"""Answers of the desks' routes (webhooks, checks, reason codes, risk, the Form D): the node builds them from
its services' typed values with keyword arguments, and declares them as the routes' ``response_model``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import MISSING, BaseModel, ConfigDict, Field

#: A webhook delivery's state.
DeliveryState = Literal["pending", "delivered", "failed", "cancelled"]
#: What a risk rule looks at.
RiskFamily = Literal["consistency", "origin", "value", "history", "integrity"]


class _Answer(BaseModel):
    model_config = ConfigDict(extra="allow")


class ReasonCode(_Answer):
    code: int
    label: str


class ReasonCodes(_Answer):
    revocation: list[ReasonCode]
    rejection: list[ReasonCode]


class CheckProblem(_Answer):
    """Why a document would be refused: the HTTP status issuing would answer, in words, and for a document
    that breaks its type's rules every broken rule with its JSON pointer."""

    status: int
    detail: str
    errors: list[dict[str, str]] | MISSING = MISSING


class CheckItem(_Answer):
    index: int
    valid: bool
    document_id: str | None = None
    reference: str | None = None
    digest: str | None = None
    already_issued: Literal["identical", "different"] | None = None
    problem: CheckProblem | None = None


class CheckAnswer(_Answer):
    results: list[CheckItem]


class EventTypes(_Answer):
    event_types: list[str]


class Subscription(_Answer):
    id: int
    url: str
    events: list[str]
    description: str
    created_at: str
    deliveries: dict[str, int]


class SubscriptionCreated(Subscription):
    secret: str


class Removed(_Answer):
    removed: int


class Delivery(_Answer):
    id: int
    event: str
    type: str
    document_id: str
    state: DeliveryState
    attempts: int
    last_status: int | None = None
    last_error: str | None = None
    next_attempt_at: str | None = None
    delivered_at: str | None = None
    created_at: str


class Check(_Answer):
    label: str
    checked: bool


class Box(_Answer):
    number: int
    title: str
    lines: list[str]
    checks: list[Check] | None = None


class ItemColumn(_Answer):
    number: int
    title: str


class Items(_Answer):
    columns: list[ItemColumn]
    rows: list[list[str]]


class Mark(_Answer):
    """What the form says across itself when the certificate cannot be used as it stands."""

    word: str = Field(description="REVOKED, SUPERSEDED, NOT CONFIRMED, REJECTED, EXPIRED, USED...")
    tone: str
    lines: list[str] = Field(description="What happened, when, and what replaces it")


class FormD(_Answer):
    reference: str
    issued_in: str
    title: list[str]
    state: str
    state_title: str
    mark: Mark | None = None
    document_id: str | None = None
    printed: str | None = None
    boxes: list[Box]
    items: Items


class RiskSignal(_Answer):
    rule: str
    family: RiskFamily
    weight: float
    sentence: str
    evidence: dict[str, Any]


class RiskLink(_Answer):
    document: str
    kind: Literal["certificate", "manifest", "declaration"]
    reference: str
    by: list[str]


class RiskAssessment(_Answer):
    document_id: str
    issuer: str
    reference: str | None = None
    type: str | None = None
    kind: str | None = None
    state: str
    payload_check: str | None = None
    score: float
    level: Literal["high", "medium", "low", "none"]
    signals: list[RiskSignal]
    links: list[RiskLink] | None = None
    note: str | None = None


class RiskWorkList(_Answer):
    member: str
    scanned: int
    documents: list[RiskAssessment]


class RiskRule(_Answer):
    rule: str
    family: str
    enabled: bool
    weight: float
    default_weight: float
    looks_for: str


class RiskRules(_Answer):
    member: str
    rules: list[RiskRule]
    thresholds: dict[str, Any]
