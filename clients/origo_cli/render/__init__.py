"""How results look for people: rich tables and status cards, and CSV/Markdown views of a trail.

One module per view; this package re-exports their names, so ``render.status_card`` reads as before."""

from __future__ import annotations

from origo_cli.render.action_lines import ACTION_WORDS, action_line
from origo_cli.render.cards import claimed_text, item_left, items_table, status_card, verification_card
from origo_cli.render.member_table import members_table
from origo_cli.render.payload_line import PAYLOAD_BAD, PAYLOAD_WORDS, payload_line
from origo_cli.render.trails import (
    EVENT_WORDS,
    TRAIL_COLUMNS,
    event_details,
    trail_csv,
    trail_markdown,
    trail_rows,
    trail_table,
)
from origo_cli.render.values import amount, date, declaration_text, short, thousandths
from origo_cli.render.verdicts import VERDICT_TITLES, verdict_style

__all__ = [
    "ACTION_WORDS",
    "EVENT_WORDS",
    "PAYLOAD_BAD",
    "PAYLOAD_WORDS",
    "TRAIL_COLUMNS",
    "VERDICT_TITLES",
    "action_line",
    "amount",
    "claimed_text",
    "date",
    "declaration_text",
    "event_details",
    "item_left",
    "items_table",
    "members_table",
    "payload_line",
    "short",
    "status_card",
    "thousandths",
    "trail_csv",
    "trail_markdown",
    "trail_rows",
    "trail_table",
    "verdict_style",
    "verification_card",
]
