"""Webhooks: a member's own systems (its national single window) learn of events on its documents.

``collect`` turns what the indexer wrote (``idx_documents``, ``idx_events``) into events for this member,
after the fact, so the indexer needs no hook; ``deliver`` posts them, signed, from a durable queue in the
node's database.
"""

from origo_node.notify.collect import EVENT_TYPES, Collector
from origo_node.notify.deliver import Deliverer
from origo_node.notify.subscriptions import NotifyStore, SubscriptionInvalid
from origo_node.notify.webhook_signature import sign, verify

__all__ = [
    "EVENT_TYPES",
    "Collector",
    "Deliverer",
    "NotifyStore",
    "SubscriptionInvalid",
    "sign",
    "verify",
]
