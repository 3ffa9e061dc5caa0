"""What a printed certificate must say across itself when it cannot be used as it stands.

A revoked, superseded, not confirmed, rejected, expired or used certificate printed on paper looks like a
valid one unless the paper says otherwise: the Form D (page and PDF) and the public status slip carry a large
word and the facts behind it (what happened, when, what replaces it), from the document's typed status.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from origo_api import desk_answers
from origo_api.states import DocumentState, Tone, title, tone

from origo_node.services.document_status import DocumentStatus, RecordedReason


@dataclass(frozen=True, kw_only=True)
class Mark:
    """The word across the paper (REVOKED, SUPERSEDED, ...), its tone, and the sentences that say why."""

    word: str
    tone: Tone
    lines: tuple[str, ...]

    def answer(self) -> desk_answers.Mark:
        """The Form D answer's ``mark`` (node/API.md)."""
        return desk_answers.Mark(word=self.word, tone=self.tone, lines=list(self.lines))


def day(at: str | None) -> str:
    """'6 December 2026' from the index's ISO time; '' when there is none."""
    text = "" if at is None else at
    try:
        parsed = dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return text[:10]
    return f"{parsed.day} {parsed:%B %Y}"


def _on(at: str | None) -> str:
    """' on 6 December 2026', or nothing when the date is not known."""
    return f" on {day(at)}" if at else ""


def reason_words(recorded: RecordedReason) -> str:
    """A revocation's or rejection's reason as people read it: the agreed label (or the code where the list
    has no label for it), then the officer's words."""
    words = recorded.label or f"reason {recorded.reason_code}"
    return f"{words}: {recorded.reason}" if recorded.reason else words


def mark(status: DocumentStatus | None) -> Mark | None:
    """What the paper must say across the form when the certificate cannot be used as it stands: the word, in
    large letters, and what happened, when, and what replaces it. None for a certificate still usable."""
    if status is None or tone(status.state) == "good":
        return None
    state = status.state
    lines: list[str] = []
    word = title(state).upper()
    revocation, rejection, verification = status.revocation, status.rejection, status.verification
    if state == DocumentState.REVOKED and revocation:
        word = "REVOKED"
        lines.append(f"Revoked by the issuing authority{_on(revocation.at)}: {reason_words(revocation)}.")
    elif state == DocumentState.SUPERSEDED:
        word = "SUPERSEDED"
        known = status.replacement.reference if status.replacement is not None else None
        by = known or status.superseded_by
        when = _on(status.superseded_at)
        lines.append(f"Replaced by the issuing authority{when} with certificate {by}: use the replacement.")
    elif state == DocumentState.NOT_CONFIRMED and verification:
        word = "NOT CONFIRMED"
        lines.append(
            f"Not confirmed by the issuing authority{_on(verification.at)}: "
            f"{verification.answer_reason or 'no reason given'}."
        )
    elif state == DocumentState.REJECTED and rejection:
        word = "REJECTED"
        lines.append(f"Rejected at import{_on(rejection.at)}: {reason_words(rejection)}.")
    elif state == DocumentState.ACCEPTED:
        word = "USED"
        lines.append("Fully claimed at import: nothing is left to claim on it.")
    elif state == DocumentState.EXPIRED:
        lines.append(f"Its validity ended on {day(status.expires_at)}.")
    elif state == DocumentState.UNDER_VERIFICATION:
        asked = (verification.requested_at or verification.at) if verification else None
        lines.append(
            f"A verification request is open since {day(asked)}: the preference is suspended until the"
            " issuing authority answers."
        )
    if state != DocumentState.ACCEPTED:
        lines.append("Not valid for preferential treatment.")
    return Mark(word=word, tone=tone(state), lines=tuple(lines))
