"""The names of a document's states and of verification verdicts, defined once.

The node computes them (``services/status.py``, ``services/verifying.py``), the API's schemas list them, the
SDK parses them, the CLI maps them to exit codes and words, and the verification page loads them as JSON from
``/static/states.json`` (``web/routes.py`` serves ``presentation()``): a new state is added here and nowhere
else, and a test fails for each place that does not handle it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal


class DocumentState(StrEnum):
    """Where a document stands, as every node's index works it out from the chain."""

    PENDING = "pending"  # accepted by its issuing authority, not anchored yet
    REFUSED = "refused"  # the consortium refused to anchor it (its member suspended or removed in flight)
    VALID = "valid"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    EXPIRED = "expired"
    PARTIALLY_ACCEPTED = "partially_accepted"
    ACCEPTED = "accepted"  # fully used at import
    REJECTED = "rejected"
    UNDER_VERIFICATION = "under_verification"  # a verification request is open: the preference is suspended
    NOT_CONFIRMED = "not_confirmed"  # the issuing authority answered that it does not confirm the origin


class Verdict(StrEnum):
    """What a verification concludes: a document state, or that the file was changed, or nothing known."""

    VALID = "valid"
    TAMPERED = "tampered"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    EXPIRED = "expired"
    PARTIALLY_ACCEPTED = "partially_accepted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    UNDER_VERIFICATION = "under_verification"
    NOT_CONFIRMED = "not_confirmed"
    PENDING = "pending"
    REFUSED = "refused"
    UNKNOWN = "unknown"


Tone = Literal["good", "wait", "done", "bad"]

#: Words for people (the page, the printable view and the CLI say the same).
TITLES: dict[Verdict, str] = {
    Verdict.VALID: "Valid",
    Verdict.TAMPERED: "Tampered",
    Verdict.REVOKED: "Revoked",
    Verdict.SUPERSEDED: "Superseded",
    Verdict.EXPIRED: "Expired",
    Verdict.PARTIALLY_ACCEPTED: "Partially accepted",
    Verdict.ACCEPTED: "Used (fully accepted)",
    Verdict.REJECTED: "Rejected at import",
    Verdict.UNDER_VERIFICATION: "Under verification",
    Verdict.NOT_CONFIRMED: "Not confirmed by the issuing authority",
    Verdict.PENDING: "Pending (not anchored yet)",
    Verdict.REFUSED: "Refused by the consortium",
    Verdict.UNKNOWN: "Unknown",
}
#: Still usable for what is left.
GOOD: frozenset[str] = frozenset({Verdict.VALID, Verdict.PARTIALLY_ACCEPTED})
#: Not final: ask again later.
WAITING: frozenset[str] = frozenset({Verdict.PENDING, Verdict.UNDER_VERIFICATION})
#: Used up: the normal end of a certificate (fully claimed at import), not an error.
DONE: frozenset[str] = frozenset({Verdict.ACCEPTED})


#: A work list's filter for what an importing officer still has to claim: certificates (not manifests) that
#: are valid or partly claimed.
AWAITING_CLAIM = "awaiting_claim"
#: The words a person types to filter a work list (`origo cert list --state`), as the verdicts say them, each
#: with the state the API filters on.
FILTER_WORDS: dict[str, str] = {
    "awaiting-claim": AWAITING_CLAIM,
    "valid": DocumentState.VALID,
    "partially-accepted": DocumentState.PARTIALLY_ACCEPTED,
    "used": DocumentState.ACCEPTED,
    "rejected": DocumentState.REJECTED,
    "revoked": DocumentState.REVOKED,
    "superseded": DocumentState.SUPERSEDED,
    "expired": DocumentState.EXPIRED,
    "under-verification": DocumentState.UNDER_VERIFICATION,
    "not-confirmed": DocumentState.NOT_CONFIRMED,
    "refused": DocumentState.REFUSED,
    "pending": DocumentState.PENDING,
}


def filter_state(word: str) -> str | None:
    """The API's state for a word a person typed ('used', 'Not confirmed', 'under_verification'), or None."""
    typed = "-".join(word.strip().lower().replace("_", " ").split())
    if typed in FILTER_WORDS:
        return FILTER_WORDS[typed]
    internal = typed.replace("-", "_")
    return internal if internal in {s.value for s in DocumentState} else None


def tone(name: str) -> Tone:
    """``good`` (usable), ``wait`` (not final) or ``bad`` (anything else, including a name not known here)."""
    return "good" if name in GOOD else "wait" if name in WAITING else "done" if name in DONE else "bad"


def title(name: str) -> str:
    """The words for a state or verdict; an unknown name is shown as sent."""
    try:
        return TITLES[Verdict(name)]
    except ValueError:
        return name


def presentation() -> dict[str, Any]:
    """Every verdict with its words and tone, as the verification page loads it."""
    return {
        "states": [s.value for s in DocumentState],
        "verdicts": {v.value: {"title": TITLES[v], "tone": tone(v)} for v in Verdict},
    }
