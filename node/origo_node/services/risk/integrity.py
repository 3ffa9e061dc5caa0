"""Integrity: a document whose payload this member read and found not to be what its issuer anchored."""

from __future__ import annotations

from origo_node.services.risk.catalogue import Emitter, Signal
from origo_node.services.risk.settings import RiskSettings

#: Payload check states that make a document unfit, in words (as ``services.officer_desk`` names them).
UNFIT = {
    "facts_mismatch": "what the chain records of it disagrees with the document itself",
    "digest_mismatch": "its content is not the content its issuer anchored",
    "bad_signature": "its issuer's signature does not match",
    "id_mismatch": "its id is not derived from its own reference",
}


def signals(payload_state: str | None, detail: str | None, settings: RiskSettings) -> list[Signal]:
    why = UNFIT.get(payload_state or "")
    if why is None:
        return []
    return Emitter(settings)(
        "payload_unfit",
        f"This member read the document and found that {why}" + (f" ({detail})." if detail else "."),
        payload_check=payload_state,
    )
