"""Webhook subscriptions as an operator sees them: checked on the way in, shown in plain fields on the way
out.

The tables live in the store (``store/webhooks.py``); this module holds the rules, ``notify/answers.py`` the
API's shapes.
"""

from __future__ import annotations

import secrets
import time
from typing import Any
from urllib.parse import urlsplit

from origo_api import desk_answers

from origo_node.errors import NotFound, ValidationFailed
from origo_node.notify.answers import (
    SubscriptionCreated,
    SubscriptionView,
    delivery_view,
    subscription_view,
)
from origo_node.store.database import StoreDatabase
from origo_node.store.ports import WebhookStore
from origo_node.store.webhooks import NotifyRepository

_MAX_URL = 2048
_MAX_DESCRIPTION = 200


class SubscriptionInvalid(ValidationFailed):
    """A subscription request an operator typed is not usable (URL, event types, description)."""


def check_url(url: Any) -> str:
    """An http(s) URL with a host and no credentials in it (the secret signs deliveries instead)."""
    problem = None
    if not isinstance(url, str) or not url.strip():
        problem = "give the receiver's URL, e.g. https://nsw.example/origo-events"
    elif len(url) > _MAX_URL:
        problem = f"the URL is longer than {_MAX_URL} characters"
    else:
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError:
            parts, port = None, None
            problem = "the URL is not well formed"
        if parts is not None:
            if parts.scheme not in ("http", "https"):
                problem = "only http:// and https:// URLs can receive webhooks"
            elif not parts.hostname:
                problem = "the URL names no host"
            elif parts.username or parts.password:
                problem = "put no user name or password in the URL; deliveries are signed instead"
            elif any(ch.isspace() for ch in url.strip()):
                problem = "the URL contains spaces"
            elif port == 0:
                problem = "the URL's port is not valid"
    if problem is not None:
        raise SubscriptionInvalid(problem, errors=[{"pointer": "/url", "message": problem}])
    return str(url).strip()


class NotifyStore:
    def __init__(self, db: StoreDatabase) -> None:
        self.repository: WebhookStore = NotifyRepository(db)

    # ------------------------------------------------------------------ subscriptions

    def create(
        self, url: Any, events: Any, description: Any, known_events: tuple[str, ...]
    ) -> SubscriptionCreated:
        checked_url = check_url(url)
        chosen = list(known_events) if events is None else events
        if (
            not isinstance(chosen, list)
            or not chosen
            or not all(isinstance(e, str) and e in known_events for e in chosen)
        ):
            message = "events must be a non-empty list of: " + ", ".join(known_events)
            raise SubscriptionInvalid(message, errors=[{"pointer": "/events", "message": message}])
        text = "" if description is None else description
        if not isinstance(text, str) or len(text) > _MAX_DESCRIPTION:
            message = f"description must be text of at most {_MAX_DESCRIPTION} characters"
            raise SubscriptionInvalid(message, errors=[{"pointer": "/description", "message": message}])
        secret = "whsec_" + secrets.token_hex(32)
        new_id = self.repository.add_subscription(checked_url, secret, chosen, text, time.time())
        return SubscriptionCreated(subscription=self.get(new_id), secret=secret)  # shown this once

    def get(self, subscription_id: int) -> SubscriptionView:
        found = self.repository.subscription(subscription_id)
        if found is None:
            raise NotFound(f"there is no webhook subscription {subscription_id}")
        return subscription_view(found)

    def secret(self, subscription_id: int) -> str:
        found = self.repository.secret(subscription_id)
        if found is None:
            raise NotFound(f"there is no webhook subscription {subscription_id}")
        return found

    def subscriptions(self) -> list[SubscriptionView]:
        return [subscription_view(s) for s in self.repository.subscriptions()]

    def delete(self, subscription_id: int) -> None:
        self.get(subscription_id)
        self.repository.delete_subscription(subscription_id, time.time())

    # ------------------------------------------------------------------ deliveries

    def deliveries(
        self, subscription_id: int, *, state: str | None, limit: int
    ) -> list[desk_answers.Delivery]:
        self.get(subscription_id)
        found = self.repository.deliveries(subscription_id, state=state, limit=limit)
        return [delivery_view(d) for d in found]
