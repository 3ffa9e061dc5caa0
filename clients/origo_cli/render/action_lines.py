"""One line on an officer's action: what it was, on which document, and how far it got on the chain."""

from __future__ import annotations

from origo_sdk import Action
from rich.text import Text

from origo_cli.render.values import short

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
