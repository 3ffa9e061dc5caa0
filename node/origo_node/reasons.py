"""The agreed code lists for revoking a certificate and for rejecting it at import, with their labels.

The chain stores only the code (a uint16) and the officer's words; the labels are what every node, the CLI,
the page and the webhooks show for it. A code not on its list is refused (422) with the valid ones, so
"reason 666" can no longer be recorded for ever on the chain.
"""

from __future__ import annotations

from typing import Any

from origo_api.desk_answers import ReasonCode, ReasonCodes

from origo_node.errors import ValidationFailed

#: Why an issuing authority revokes a certificate it issued.
REVOCATION: dict[int, str] = {
    1: "issued in error",
    2: "withdrawn at the exporter's request",
    3: "wrong HS code or description of the goods",
    4: "origin criterion not met",
    5: "false or fraudulent declaration",
    6: "origin not confirmed by a verification",
    7: "wrong exporter, consignee or transport details",
    99: "other reason (see the text)",
}
#: Why an importing authority does not give preferential treatment (Form D box 4).
REJECTION: dict[int, str] = {
    1: "certificate incomplete, altered or illegible",
    2: "origin criterion not met",
    3: "goods do not match the certificate",
    4: "certificate presented after its validity",
    5: "HS code differs from the importing country's classification",
    6: "direct consignment rule not met",
    7: "third-country invoicing not declared on the certificate",
    8: "origin not confirmed by the issuing authority",
    99: "other reason (see the text)",
}
LISTS = {"revoke": REVOCATION, "reject": REJECTION}
_NAMES = {"revoke": "revocation", "reject": "rejection"}


def label(kind: str, code: Any) -> str | None:
    """The label of ``code`` for ``kind`` (``revoke`` or ``reject``), None if it is not on the list."""
    try:
        return LISTS[kind].get(int(code))
    except (KeyError, TypeError, ValueError):
        return None


def describe(kind: str, code: Any, text: str | None) -> str:
    """'wrong HS code or description of the goods: HS 0901.21, not 0901.11' (or 'reason 666' if unlisted)."""
    words = label(kind, code) or f"reason {code}"
    return f"{words}: {text}" if text else words


def check(kind: str, code: int) -> None:
    """Refuses a revocation or rejection whose code is not on its agreed list (422, with the valid codes)."""
    if kind not in LISTS:
        return
    if label(kind, code) is not None:
        return
    valid = "; ".join(f"{c} {words}" for c, words in LISTS[kind].items())
    message = f"reason code {code} is not on the agreed list of {_NAMES[kind]} reasons; use one of: {valid}"
    raise ValidationFailed(
        message,
        errors=[{"pointer": "/reason_code", "message": message}],
        valid_codes=[listed.model_dump() for listed in _listed(LISTS[kind])],
    )


def _listed(codes: dict[int, str]) -> list[ReasonCode]:
    return [ReasonCode(code=code, label=words) for code, words in codes.items()]


def published() -> ReasonCodes:
    """Both lists as the API publishes them (``GET /api/v1/reason-codes``)."""
    return ReasonCodes(revocation=_listed(REVOCATION), rejection=_listed(REJECTION))
