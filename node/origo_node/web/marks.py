"""What a printed certificate must say across itself when it cannot be used as it stands.

A revoked, superseded, not confirmed, rejected, expired or used certificate printed on paper looks like a
valid one unless the paper says otherwise: the Form D (page and PDF) and the public status slip carry a large
word and the facts behind it (what happened, when, what replaces it), from the document's public status.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from origo_api.states import title, tone


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def day(at: Any) -> str:
    """'6 December 2026' from the index's ISO time; '' when there is none."""
    text = _text(at)
    try:
        parsed = dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return text[:10]
    return f"{parsed.day} {parsed:%B %Y}"


def _on(at: Any) -> str:
    """' on 6 December 2026', or nothing when the date is not known."""
    return f" on {day(at)}" if at else ""


def _reason(recorded: dict[str, Any]) -> str:
    words = recorded.get("label") or f"reason {recorded.get('reason_code')}"
    return f"{words}: {recorded['reason']}" if recorded.get("reason") else str(words)


def mark(status: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the paper must say across the form when the certificate cannot be used as it stands: the word, in
    large letters, and what happened, when, and what replaces it. None for a certificate still usable."""
    status = status or {}
    state = str(status.get("state") or "")
    if not state or tone(state) == "good":
        return None
    lines: list[str] = []
    word = title(state).upper()
    revocation = status.get("revocation") or {}
    rejection = status.get("rejection") or {}
    verification = status.get("verification") or {}
    if state == "revoked" and revocation:
        word = "REVOKED"
        lines.append(f"Revoked by the issuing authority{_on(revocation.get('at'))}: {_reason(revocation)}.")
    elif state == "superseded":
        word = "SUPERSEDED"
        by = status.get("superseded_by_reference") or status.get("superseded_by")
        when = _on(status.get("superseded_at"))
        lines.append(f"Replaced by the issuing authority{when} with certificate {by}: use the replacement.")
    elif state == "not_confirmed" and verification:
        word = "NOT CONFIRMED"
        lines.append(
            f"Not confirmed by the issuing authority{_on(verification.get('at'))}: "
            f"{verification.get('answer_reason') or 'no reason given'}."
        )
    elif state == "rejected" and rejection:
        word = "REJECTED"
        lines.append(f"Rejected at import{_on(rejection.get('at'))}: {_reason(rejection)}.")
    elif state == "accepted":
        word = "USED"
        lines.append("Fully claimed at import: nothing is left to claim on it.")
    elif state == "expired":
        lines.append(f"Its validity ended on {day(status.get('expires_at'))}.")
    elif state == "under_verification":
        asked = verification.get("requested_at") or verification.get("at")
        lines.append(
            f"A verification request is open since {day(asked)}: the preference is suspended until the"
            " issuing authority answers."
        )
    if state != "accepted":
        lines.append("Not valid for preferential treatment.")
    return {"word": word, "tone": tone(state), "lines": lines}
