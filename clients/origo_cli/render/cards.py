"""A document's status card and a verification's card: its facts, its items and the claims on them."""

from __future__ import annotations

from typing import Any

from origo_api import states
from origo_sdk import DocumentStatus, Member, Quantity, Utilisation, VerificationResult
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from origo_cli.render.values import amount, date, declaration_text, short
from origo_cli.render.verdicts import VERDICT_TITLES, verdict_style


def _member(code: str | None, members: dict[str, Member]) -> str:
    if not code:
        return "-"
    member = members.get(code)
    return f"{code} — {member.name}" if member else code


def _facts(table: Table, status: DocumentStatus, members: dict[str, Member]) -> None:
    table.add_row("Document id", status.document_id)
    if status.reference:
        table.add_row("Reference", status.reference)
    if status.shared_reference is not None:  # another member anchored a document under it too
        table.add_row("Note", Text(status.shared_reference.message, style="yellow"))
    table.add_row("Type", f"{status.type} v{status.version}")
    table.add_row("Issued by", _member(status.issuer, members))
    table.add_row("Importing member", _member(status.importer, members))
    table.add_row("Issued", date(status.issued_at))
    table.add_row("Expires", date(status.expires_at))
    if status.anchor:
        anchored_at = status.anchor.at or status.anchor.timestamp
        table.add_row(
            "Anchored", f"block {status.anchor.block}, {date(anchored_at)} (tx {short(status.anchor.tx)})"
        )
    if status.revocation:
        r = status.revocation
        table.add_row(
            "Revoked", f"{getattr(r, 'label', None) or f'reason {r.reason_code}'}: {r.reason or '(no text)'}"
        )
    if status.superseded_by:
        table.add_row("Replaced by", status.superseded_by)
    if status.supersedes:
        table.add_row("Replaces", status.supersedes)
    if status.rejection:
        table.add_row(
            "Rejected at import",
            f"{getattr(status.rejection, 'label', None) or f'reason {status.rejection.reason_code}'}: "
            f"{status.rejection.reason or '-'}",
        )
    if status.verification:
        v = status.verification
        text = {"open": "requested", "confirmed": "confirmed", "not_confirmed": "NOT confirmed"}[v.state]
        reason = v.answer_reason if v.state != "open" else v.request_reason
        when = (getattr(v, "requested_at", None) or v.at) if v.state == "open" else v.at
        table.add_row("Verification", f"{text} on {date(when)}: {reason or '-'}")


def item_left(item: Quantity, state: str = states.Verdict.VALID) -> str:
    """What remains on one item, in its own unit; nothing is left to claim on a certificate that cannot be
    claimed (revoked, superseded, not confirmed...), whatever its items still count."""
    tone = states.tone(state)
    if tone == "good":
        if item.total is None:
            return "no quantity: claimed only with the whole certificate"
        return f"{amount(item.remaining, item.unit)} left of {amount(item.total, item.unit)}"
    covered = "no quantity" if item.total is None else f"{amount(item.total, item.unit)} on the certificate"
    if item.claimed and item.claimed.strip("0.") != "":
        covered += f", {amount(item.claimed, item.unit)} claimed"
    if tone == "done":
        return covered
    return f"{covered}; cannot be claimed ({states.title(state).lower()})"


def items_table(status: DocumentStatus) -> Table:
    """What each item of the certificate covers, and what was claimed and remains of it, in its own unit."""
    table = Table(title="Items", title_justify="left")
    for column in ("item", "unit", "total", "claimed", "remaining"):
        table.add_column(column, justify="left" if column in ("item", "unit") else "right")
    for item in status.items:
        if item.total is None:
            table.add_row(str(item.item), "-", "-", "-", "whole certificate only")
            continue
        table.add_row(
            str(item.item),
            item.unit or "-",
            amount(item.total),
            amount(item.claimed),
            amount(item.remaining),
        )
    return table


def claimed_text(utilisation: Utilisation) -> str:
    """What one utilisation took: "3,000.000 PR of item 1; 40.000 PCE of item 2", or the whole certificate."""
    parts = [f"{amount(c.quantity or '-', c.unit)} of item {c.item}" for c in utilisation.claims]
    if utilisation.whole_certificate:
        return "whole certificate" + (f" ({'; '.join(parts)})" if parts else "")
    return "; ".join(parts) or "-"


def _kv_table() -> Table:
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="dim", no_wrap=True)
    table.add_column(overflow="fold")
    return table


def verification_card(result: VerificationResult, members: dict[str, Member]) -> Panel:
    title = VERDICT_TITLES.get(result.verdict, result.verdict)
    table = _kv_table()
    if result.status is not None:
        _facts(table, result.status, members)
        for item in result.status.items:
            table.add_row(f"Item {item.item}", item_left(item, result.verdict))
    else:
        if result.document_id:
            table.add_row("Document id", result.document_id)
        if result.reference:
            table.add_row("Reference", result.reference)
        if result.issuer:
            table.add_row("Issuer", _member(result.issuer, members))
    checks = result.checks
    marks = {True: "✓", False: "✗", None: "-"}
    table.add_row(
        "Checks",
        f"anchored {marks[checks.anchored]}  integrity {marks[checks.integrity]}  "
        f"signature {marks[checks.signature]}  "
        f"issuer a member at issue {marks[checks.issuer_member_at_issue]}"
        + (
            "" if checks.anchored_facts is None else f"  facts as on the chain {marks[checks.anchored_facts]}"
        ),
    )
    body = Group(Text(result.message or "", style="italic"), Text(""), table)
    return Panel(
        body, title=Text(title, style=verdict_style(result.verdict)), title_align="left", expand=False
    )


def status_card(status: DocumentStatus, members: dict[str, Member]) -> Panel:
    table = _kv_table()
    _facts(table, status, members)
    heading = Text(VERDICT_TITLES.get(status.state, status.state), style=verdict_style(status.state))
    parts: list[Any] = [table]
    if status.items:
        parts += [Text(""), items_table(status)]
    if status.utilisations:
        uses = Table(title="Claims at import", title_justify="left")
        for column in ("declaration", "claimed", "fully used", "block", "tx"):
            uses.add_column(column, overflow="fold")
        for u in status.utilisations:
            uses.add_row(
                declaration_text(u.declaration),
                claimed_text(u),
                "yes" if u.fully_utilised else "no",
                str(u.block or "-"),
                short(u.tx),
            )
        parts += [Text(""), uses]
    return Panel(Group(*parts), title=heading, title_align="left", expand=False)
