"""A document's trail as a person reads it: rows of events in words, as a table, CSV or Markdown."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from origo_sdk import DocumentStatus, TrailEvent
from rich.table import Table

from origo_cli.render.values import amount, declaration_text, short, thousandths
from origo_cli.render.verdicts import VERDICT_TITLES

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
