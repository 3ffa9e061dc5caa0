"""Typed rows of the webhook tables (``store/webhooks.py``) and of the index rows the collector reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Subscription:
    id: int
    url: str
    events: list[str]
    description: str
    created_at: float
    #: Deliveries by state: pending, delivered, failed, cancelled.
    deliveries: dict[str, int]


@dataclass(frozen=True)
class ActiveSubscription:
    id: int
    events: frozenset[str]
    created_at: float


@dataclass(frozen=True)
class Delivery:
    id: int
    event_key: str
    type: str
    document_id: str
    state: str
    attempts: int
    last_status: int | None
    last_error: str | None
    next_at: float
    delivered_at: float | None
    created_at: float


@dataclass(frozen=True)
class DueDelivery:
    id: int
    subscription_id: int
    attempts: int
    body: str
    type: str
    url: str
    secret: str


@dataclass(frozen=True)
class DeliveryOutcome:
    """One attempt's result: ``state`` delivered, pending (retried at ``next_at``) or failed."""

    id: int
    state: str
    attempts: int
    status: int | None
    error: str | None
    at: float
    next_at: float


@dataclass(frozen=True)
class NotifyDocument:
    """An indexed document, as much of it as an event's body tells."""

    rowid: int
    document_id: str
    issuer: str
    importer: str
    type_name: str
    root: str
    block: int
    tx_hash: str
    timestamp: int
    #: Each item's unit (None for an item without a quantity), to say a claim in words.
    quantity_units: tuple[str | None, ...] = ()


@dataclass(frozen=True)
class NotifyEvent:
    """An indexed life-cycle event, keyed ``<tx>:<log index>:<id>`` (the chain fixes it)."""

    key: str
    issuer: str
    document_id: str
    kind: str
    member: str
    block: int
    log_index: int
    tx_hash: str
    timestamp: int
    fields: str

    @classmethod
    def of(cls, row: dict[str, Any]) -> NotifyEvent:
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})
