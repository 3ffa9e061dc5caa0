"""How results look for people: rich tables and status cards, and CSV/Markdown views of a trail."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from origo_api import states
from origo_api.answers import PayloadCheckAnswer
from origo_sdk import (
    Action,
    DocumentStatus,
    Member,
    Quantity,
    TrailEvent,
    Utilisation,
    VerificationResult,
)
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

#: The words of each verdict and state, defined once with them (origo_api.states).
VERDICT_TITLES = {verdict.value: title for verdict, title in states.TITLES.items()}
_STYLES = {"good": "bold green", "wait": "bold yellow", "done": "bold blue", "bad": "bold red"}


def verdict_style(verdict: str) -> str:
    return _STYLES[states.tone(verdict)]


def short(value: str | None, keep: int = 10) -> str:
    """``0x1234abcd…9f`` for long hex; anything else unchanged."""
    if not value:
        return "-"
    if value.startswith("0x") and len(value) > 2 * keep + 2:
        return f"{value[: keep + 2]}…{value[-6:]}"
    return value


def declaration_text(value: Any) -> str:
    """The import declaration's number: the chain keeps it as bytes32, the node may send it as hex."""
    text = str(value)
    if text.startswith("0x") and len(text) == 66:
        try:
            decoded = bytes.fromhex(text[2:]).rstrip(b"\0").decode("ascii")
        except (ValueError, UnicodeDecodeError):
            return text
        if decoded.isprintable():
            return decoded
    return text


def thousandths(value: Any) -> str:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{number // 1000}.{number % 1000:03d}"


def date(value: str | None) -> str:
    if not value:
        return "-"
    return value.replace("T00:00:00Z", "").replace("T", " ").replace("Z", " UTC")


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
        table.add_row("Verification", f"{text}: {reason or '-'}")


def amount(value: Any, unit: str | None = None) -> str:
    """ "12000.000" (the node's decimal string) -> "12,000.000 PR"."""
    whole, _, part = str(value).partition(".")
    text = f"{int(whole):,}" if whole.isdigit() else whole
    return (f"{text}.{part}" if part else text) + (f" {unit}" if unit else "")


def item_left(item: Quantity) -> str:
    """What remains on one item, in its own unit."""
    if item.total is None:
        return "no quantity: claimed only with the whole certificate"
    return f"{amount(item.remaining, item.unit)} left of {amount(item.total, item.unit)}"


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
            table.add_row(f"Item {item.item}", item_left(item))
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


#: An officer's action as a person names it.
ACTION_WORDS = {
    "accept": "claim",
    "reject": "rejection",
    "revoke": "revocation",
    "supersede": "replacement",
    "verification_request": "verification request",
    "verification_answer": "verification answer",
}


def action_line(action: Action, named: str | None = None) -> Text:
    """One line on an action; ``named`` is the document as the person named it (else its short id)."""
    state = {"done": "done", "failed": "FAILED"}.get(action.state, f"{action.state} (not mined yet)")
    what = ACTION_WORDS.get(action.kind, action.kind.replace("_", " "))
    text = Text(f"{what} #{action.id} on {named or short(action.document_id)}: ")
    text.append(state, style="green" if action.state == "done" else "yellow")
    if action.state == "failed" and action.error:
        text.append(f" ({action.error.get('title') or action.error.get('detail') or 'no reason given'})")
    if action.block is not None:
        text.append(f", block {action.block}")
    if action.tx:
        text.append(f", tx {action.tx}")
    return text


# ----------------------------------------------------------------------------------------------- trails

TRAIL_COLUMNS = ("#", "when", "event", "member", "account", "block", "tx", "details")


#: Trail events as a person reads them (the JSON export keeps the chain's names).
EVENT_WORDS = {
    "anchored": "anchored",
    "accepted": "claimed at import",
    "revoked": "revoked",
    "superseded": "superseded",
    "rejected": "rejected",
    "verification_requested": "verification requested",
    "verification_answered": "verification answered",
}


def event_details(event: TrailEvent, status: DocumentStatus | None = None) -> str:
    """An event's facts in words; ``status`` gives the items' units and the reasons' labels."""
    f = event.fields
    kind = event.kind
    if kind == "anchored":
        return f"importer {f.get('importer', '-')}; root {f.get('root', '-')}"
    if kind in ("revoked", "rejected"):
        return f"{_reason_words(kind, f.get('reasonCode'), status)}: {f.get('reason') or '-'}"
    if kind == "superseded":
        return f"replaced by {f.get('replacementId', '-')}"
    if kind == "accepted":
        used = "; fully used" if f.get("fullyUtilised") else ""
        claims = f.get("claims") or []
        what = "; ".join(_claim_words(c, status) for c in claims if isinstance(c, dict))
        declaration = declaration_text(f.get("declaration", "-"))
        return f"declaration {declaration}; {what or 'whole certificate'}{used}"
    if kind == "verification_requested":
        return f"reason: {f.get('reason') or '-'}"
    if kind == "verification_answered":
        verdict = "confirmed" if f.get("confirmed") else "not confirmed"
        return f"{verdict}: {f.get('reason') or '-'}"
    return ", ".join(f"{k}={v}" for k, v in sorted(f.items()))


def _claim_words(claim: dict[str, Any], status: DocumentStatus | None) -> str:
    # The chain numbers items from 0 and counts thousandths of the item's unit; the form, and people, from 1.
    number = int(claim.get("item", 0)) + 1
    unit = next((i.unit for i in (status.items if status else []) if i.item == number and i.unit), None)
    return f"item {number}: {amount(thousandths(claim.get('quantity')), unit)}"


def _reason_words(kind: str, code: Any, status: DocumentStatus | None) -> str:
    record = (status.revocation if kind == "revoked" else status.rejection) if status else None
    label = getattr(record, "label", None) if record is not None and record.reason_code == code else None
    return f"reason {code} ({label})" if label else f"reason {code}"


def trail_rows(events: Sequence[TrailEvent], status: DocumentStatus | None = None) -> list[list[str]]:
    return [
        [
            str(i),
            e.timestamp or "-",
            EVENT_WORDS.get(e.kind, e.kind),
            e.member or "-",
            e.account or "-",
            str(e.block),
            e.tx,
            event_details(e, status),
        ]
        for i, e in enumerate(events, start=1)
    ]


def trail_csv(events: Sequence[TrailEvent], status: DocumentStatus | None = None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TRAIL_COLUMNS)
    writer.writerows(trail_rows(events, status))
    return out.getvalue()


def _md_cell(value: str) -> str:
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def trail_markdown(document_id: str, status: DocumentStatus, events: Sequence[TrailEvent]) -> str:
    lines = [
        f"# Trail of {status.reference or document_id}",
        "",
        f"- Document id: `{document_id}`",
        f"- Type: {status.type} v{status.version}; issued by {status.issuer} for {status.importer}",
        f"- State: **{VERDICT_TITLES.get(status.state, status.state)}**",
        f"- Digest: `{status.digest or 'not public until anchored'}`",
        "",
        "| " + " | ".join(TRAIL_COLUMNS) + " |",
        "|" + "|".join("---" for _ in TRAIL_COLUMNS) + "|",
    ]
    for row in trail_rows(events, status):
        cells = [_md_cell(c) for c in row]
        cells[4] = f"`{cells[4]}`" if cells[4] != "-" else "-"
        cells[6] = f"`{cells[6]}`"
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def trail_table(document_id: str, status: DocumentStatus, events: Sequence[TrailEvent]) -> Table:
    state = VERDICT_TITLES.get(status.state, status.state)
    table = Table(title=f"Trail of {status.reference or document_id} — {state}", title_justify="left")
    for column in TRAIL_COLUMNS:
        table.add_column(column, overflow="fold")
    for row in trail_rows(events, status):
        row[4] = short(row[4])
        row[6] = short(row[6])
        table.add_row(*row)
    return table


#: A payload check's finding, as the auditor reads it under the trail.
PAYLOAD_WORDS = {
    "ok": "read and checked: the content, its signature and the chain's figures agree",
    "pending": "not read yet",
    "unavailable": "could not be fetched yet; it is tried again",
    "digest_mismatch": "the content is not what its issuer anchored",
    "bad_signature": "the issuer's signature does not match",
    "id_mismatch": "its id is not derived from its own reference",
    "facts_mismatch": "the chain's figures are not the certificate's",
    "not_a_recipient": "this member cannot read it",
}


#: Findings that make a document unfit to rely on.
PAYLOAD_BAD = ("digest_mismatch", "bad_signature", "id_mismatch", "facts_mismatch")


def payload_line(check: PayloadCheckAnswer | None) -> Text | None:
    """One line on what this member's node found in the payload (None: it is not a recipient)."""
    if check is None:
        return None
    words = PAYLOAD_WORDS.get(check.state, check.state.replace("_", " "))
    line = Text("Payload: ", style="bold")
    line.append(words, style="green" if check.state == "ok" else "red" if check.state in PAYLOAD_BAD else "")
    if check.detail and check.state != "ok":
        line.append(f" ({check.detail})")
    return line


def members_table(members: Sequence[Member]) -> Table:
    table = Table(title="Consortium members", title_justify="left")
    for column in ("code", "name", "status", "endpoint", "issuers", "encryption", "joined at block"):
        table.add_column(column, overflow="fold")
    for m in members:
        table.add_row(
            m.code,
            m.name,
            m.status,
            m.endpoint or "-",
            str(len(m.issuers)),
            m.encryption_suite or "-",
            str(m.joined_at_block if m.joined_at_block is not None else "-"),
        )
    return table


def print_renderable(console: Console, renderable: Any) -> None:
    console.print(renderable)
