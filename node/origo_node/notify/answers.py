"""The webhook API's answers, typed: a subscription as an operator sees it, and one of its deliveries.

Frozen, like the services' answers; ``answer`` gives the ``Subscription`` and ``SubscriptionCreated``
answers (``origo_api.desk_answers``) exactly as every node has sent them, times as ISO 8601 UTC. A delivery
has nothing to add to its answer: ``delivery_view`` builds the API's ``Delivery`` itself.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import cast, get_args

from origo_api import desk_answers
from origo_api.desk_answers import DeliveryState

from origo_node.store.webhook_rows import Delivery, Subscription


@dataclass(frozen=True, kw_only=True)
class DeliveryCounts:
    """A subscription's deliveries by state."""

    pending: int
    delivered: int
    failed: int
    cancelled: int

    def answer(self) -> dict[str, int]:
        """The counts as the answers show them: by state, in this order."""
        return {
            "pending": self.pending,
            "delivered": self.delivered,
            "failed": self.failed,
            "cancelled": self.cancelled,
        }


@dataclass(frozen=True, kw_only=True)
class SubscriptionView:
    id: int
    url: str
    events: tuple[str, ...]
    description: str
    created_at: str
    deliveries: DeliveryCounts

    def answer(self) -> desk_answers.Subscription:
        return desk_answers.Subscription(
            id=self.id,
            url=self.url,
            events=list(self.events),
            description=self.description,
            created_at=self.created_at,
            deliveries=self.deliveries.answer(),
        )


@dataclass(frozen=True, kw_only=True)
class SubscriptionCreated:
    """A new subscription with its signing secret: the one answer that shows it."""

    subscription: SubscriptionView
    secret: str

    @property
    def id(self) -> int:
        return self.subscription.id

    def answer(self) -> desk_answers.SubscriptionCreated:
        # The subscription's members (``SubscriptionCreated`` extends ``Subscription``), then the secret.
        return desk_answers.SubscriptionCreated(**dict(self.subscription.answer()), secret=self.secret)


def subscription_view(subscription: Subscription) -> SubscriptionView:
    counts = subscription.deliveries
    return SubscriptionView(
        id=subscription.id,
        url=subscription.url,
        events=tuple(subscription.events),
        description=subscription.description,
        created_at=iso(subscription.created_at),
        deliveries=DeliveryCounts(
            pending=counts.get("pending", 0),
            delivered=counts.get("delivered", 0),
            failed=counts.get("failed", 0),
            cancelled=counts.get("cancelled", 0),
        ),
    )


def delivery_view(d: Delivery) -> desk_answers.Delivery:
    return desk_answers.Delivery(
        id=d.id,
        event=d.event_key,
        type=d.type,
        document_id=d.document_id,
        state=_state(d.state),
        attempts=d.attempts,
        last_status=d.last_status,
        last_error=d.last_error,
        next_attempt_at=iso(d.next_at) if d.state == "pending" else None,
        delivered_at=None if d.delivered_at is None else iso(d.delivered_at),
        created_at=iso(d.created_at),
    )


def _state(stored: str) -> DeliveryState:
    for state in get_args(DeliveryState):
        if stored == state:
            return cast(DeliveryState, state)
    raise ValueError(f"a webhook delivery in the state {stored!r}, which this node never writes")


def iso(moment: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))
