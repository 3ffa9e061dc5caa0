"""What can happen to an anchored document, as the index, the trail and webhooks name it, defined once.

``EventKind`` is a ``StrEnum``: a kind equals its string (``EventKind.REVOKED == "revoked"``), so rows stored
as text and code that still compares strings read the same. Which contract event gives which kind is
``chain.events.DOCUMENT_EVENTS``; which member alone may cause each kind is ``CAUSED_BY`` (the registry
contract enforces it, and every node's index holds to it too).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal


class EventKind(StrEnum):
    ANCHORED = "anchored"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    VERIFICATION_REQUESTED = "verification_requested"
    VERIFICATION_ANSWERED = "verification_answered"


Role = Literal["issuer", "importer"]

#: The one member of a document who may cause each kind of event on it (anchoring is the issuer's batch).
#: Keyed by ``str``: a kind read back from a row as plain text finds its entry too.
CAUSED_BY: dict[str, Role] = {
    EventKind.ANCHORED: "issuer",
    EventKind.REVOKED: "issuer",
    EventKind.SUPERSEDED: "issuer",
    EventKind.VERIFICATION_ANSWERED: "issuer",
    EventKind.ACCEPTED: "importer",
    EventKind.REJECTED: "importer",
    EventKind.VERIFICATION_REQUESTED: "importer",
}
