"""`origo webhook ...`: the member's own systems subscribe to events on its documents (admin key)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from origo_cli._context import client, console, options, print_json

webhook_app = typer.Typer(
    help="Admins: webhooks that tell this member's own systems (its single window) what happens to its "
    "documents. Deliveries are signed: HMAC-SHA256 of '<Origo-Timestamp>.<body>' with the subscription's "
    "secret, in the Origo-Signature header.",
    no_args_is_help=True,
)

SubscriptionId = Annotated[int, typer.Argument(metavar="ID", min=1, help="The subscription's number.")]


@webhook_app.command("add")
def add(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(metavar="URL", help="Where to post events (http or https).")],
    event: Annotated[
        list[str] | None,
        typer.Option("--event", help="An event type to send (repeat it); all of them when not given."),
    ] = None,
    description: Annotated[str, typer.Option("--description", help="What this receiver is.")] = "",
) -> None:
    """Subscribe URL to events; prints the signing secret once (keep it in the receiver's settings)."""
    body: dict[str, Any] = {"url": url, "description": description}
    if event:
        body["events"] = event
    created = client(ctx).request("POST", "/api/v1/webhooks", json_body=body)
    if options(ctx).json:
        print_json(created)
        return
    out = console()
    out.print(f"subscription {created['id']}: {created['url']}")
    out.print(f"  events: {', '.join(created['events'])}")
    out.print(f"  secret: {created['secret']}")
    out.print("  (shown once: the receiver checks every delivery's Origo-Signature with it)")


@webhook_app.command("list")
def list_subscriptions(ctx: typer.Context) -> None:
    """Every subscription, with how many deliveries are pending, delivered or given up."""
    answer = client(ctx).request("GET", "/api/v1/webhooks")
    if options(ctx).json:
        print_json(answer)
        return
    if not answer:
        console().print("no webhook subscriptions; add one with `origo webhook add URL`")
        return
    table = Table(title="Webhook subscriptions", title_justify="left")
    for column in ("id", "url", "events", "pending", "delivered", "failed", "since"):
        table.add_column(column, overflow="fold")
    for sub in answer:
        counts = sub["deliveries"]
        events = "all" if len(sub["events"]) >= 7 else ", ".join(sub["events"])
        table.add_row(
            str(sub["id"]),
            sub["url"],
            events,
            str(counts["pending"]),
            str(counts["delivered"]),
            str(counts["failed"]),
            sub["created_at"],
        )
    console().print(table)


@webhook_app.command("remove")
def remove(ctx: typer.Context, subscription_id: SubscriptionId) -> None:
    """Unsubscribe; deliveries still pending are cancelled."""
    client(ctx).request("DELETE", f"/api/v1/webhooks/{subscription_id}")
    if options(ctx).json:
        print_json({"removed": subscription_id})
    else:
        console().print(f"subscription {subscription_id} removed")


@webhook_app.command("deliveries")
def deliveries(
    ctx: typer.Context,
    subscription_id: SubscriptionId,
    state: Annotated[
        str | None, typer.Option("--state", help="pending, delivered, failed or cancelled.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500)] = 50,
) -> None:
    """The subscription's deliveries, newest first: attempts, the receiver's last answer, the next try."""
    answer = client(ctx).request(
        "GET",
        f"/api/v1/webhooks/{subscription_id}/deliveries",
        params={"state": state, "limit": limit},
    )
    if options(ctx).json:
        print_json(answer)
        return
    if not answer:
        console().print("no deliveries yet")
        return
    table = Table(title=f"Deliveries of subscription {subscription_id}", title_justify="left")
    for column in ("id", "event", "document", "state", "attempts", "last answer", "next try / delivered"):
        table.add_column(column, overflow="fold")
    for item in answer:
        last = item["last_error"] or (f"HTTP {item['last_status']}" if item["last_status"] else "-")
        when = item["delivered_at"] or item["next_attempt_at"] or "-"
        table.add_row(
            str(item["id"]),
            item["type"],
            item["document_id"],
            item["state"],
            str(item["attempts"]),
            last,
            when,
        )
    console().print(table)
