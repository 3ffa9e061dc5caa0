"""Admins: webhook subscriptions of this member's own systems, and their deliveries."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from origo_api.desk_answers import (
    Delivery,
    DeliveryState,
    EventTypes,
    Removed,
    Subscription,
    SubscriptionCreated,
)

from origo_node.api.body import read_json
from origo_node.api.deps import node_of, requires
from origo_node.api.openapi import BODY, KEY, errors
from origo_node.notify import EVENT_TYPES
from origo_node.notify.subscriptions import SubscriptionInvalid
from origo_node.store.apikeys import ApiKey

router = APIRouter(tags=["webhooks"])
Admin = Annotated[ApiKey, Depends(requires("admin"))]
SubscriptionId = Annotated[int, Path(ge=1, le=2**62)]


@router.get(
    "/api/v1/webhook-event-types",
    response_model=EventTypes,
    summary="The event types a subscription can name",
    responses=errors(KEY),
)
def event_types(_: Admin) -> EventTypes:
    return EventTypes(event_types=list(EVENT_TYPES))


@router.post(
    "/api/v1/webhooks",
    status_code=201,
    summary="Subscribe a URL to events (the secret is shown once)",
    response_model=SubscriptionCreated,
    responses=errors(BODY, KEY),
)
async def create(request: Request, _: Admin) -> SubscriptionCreated:
    node = node_of(request)
    body = read_json(request)
    if not isinstance(body, dict):
        raise SubscriptionInvalid(
            'a subscription is a JSON object: {"url": "https://...", "events": [...]}',
            errors=[{"pointer": "", "message": "must be an object"}],
        )
    unknown = sorted(set(body) - {"url", "events", "description"})
    if unknown:
        message = "unknown field(s): " + ", ".join(unknown)
        raise SubscriptionInvalid(message, errors=[{"pointer": f"/{unknown[0]}", "message": message}])
    created = await run_in_threadpool(
        node.notify.create, body.get("url"), body.get("events"), body.get("description"), EVENT_TYPES
    )
    return created.answer()


@router.get(
    "/api/v1/webhooks",
    response_model=list[Subscription],
    summary="Every subscription, with counts of its deliveries by state",
    responses=errors(KEY),
)
def list_subscriptions(request: Request, _: Admin) -> list[Subscription]:
    return [subscription.answer() for subscription in node_of(request).notify.subscriptions()]


@router.get(
    "/api/v1/webhooks/{subscription_id}",
    response_model=Subscription,
    summary="One subscription",
    responses=errors(KEY, 404, 422),
)
def get_subscription(subscription_id: SubscriptionId, request: Request, _: Admin) -> Subscription:
    return node_of(request).notify.get(subscription_id).answer()


@router.delete(
    "/api/v1/webhooks/{subscription_id}",
    response_model=Removed,
    summary="Unsubscribe (pending ones cancelled)",
    responses=errors(KEY, 404, 422),
)
def delete_subscription(subscription_id: SubscriptionId, request: Request, _: Admin) -> Removed:
    node_of(request).notify.delete(subscription_id)
    return Removed(removed=subscription_id)


@router.get(
    "/api/v1/webhooks/{subscription_id}/deliveries",
    response_model=list[Delivery],
    summary="A subscription's deliveries, newest first",
    responses=errors(KEY, 404, 422),
)
def deliveries(
    subscription_id: SubscriptionId,
    request: Request,
    _: Admin,
    state: Annotated[DeliveryState | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[Delivery]:
    return node_of(request).notify.deliveries(subscription_id, state=state, limit=limit)
