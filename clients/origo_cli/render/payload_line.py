"""What this member's node found when it read a payload, in one line under the trail."""

from __future__ import annotations

from origo_api.answers import PayloadCheckAnswer
from rich.text import Text

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
