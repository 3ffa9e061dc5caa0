"""One line on an officer's action: what it was, on which document, and how far it got on the chain."""

from __future__ import annotations

from typing import Any

from origo_sdk import Action
from rich.text import Text

from origo_cli.render.values import amount, short

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
    if action.state == "failed" and action.error is not None:
        detail = (action.error.model_extra or {}).get("detail")  # as nodes before ``title`` wrote it
        text.append(f" ({action.error.title or detail or 'no reason given'})")
    if action.claimed:
        text.append("; " + "; ".join(_left_words(c) for c in action.claimed))
    if action.block is not None:
        text.append(f", block {action.block}")
    if action.tx:
        text.append(f", tx {action.tx}")
    return text


def _left_words(claim: Any) -> str:
    """'took 40.000 PCE of item 2, 8,960.000 PCE left on it' (what remains in the item's own unit)."""
    took = f"took {amount(claim.quantity, claim.unit)} of item {claim.item}"
    if claim.remaining is None:
        return took
    if claim.remaining.strip("0.") == "":
        return f"{took}, nothing left on it"
    return f"{took}, {amount(claim.remaining, claim.unit)} left on it"
