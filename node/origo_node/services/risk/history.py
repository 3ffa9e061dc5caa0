"""History: what this member already knows of the exporter from its other documents."""

from __future__ import annotations

from origo_node.services.risk.catalogue import Emitter, Signal
from origo_node.services.risk.dossier import Dossier
from origo_node.services.risk.settings import RiskSettings


def _listed(references: tuple[str, ...]) -> str:
    shown = ", ".join(references[:5])
    return shown + (f" and {len(references) - 5} more" if len(references) > 5 else "")


def signals(dossier: Dossier, settings: RiskSettings) -> list[Signal]:
    subject, seen = dossier.subject, dossier.history
    if subject.exporter is None:
        return []
    emit = Emitter(settings)
    who = f"The exporter {subject.exporter_shown!r}"
    found: list[Signal] = []
    if seen.revoked:
        found += emit(
            "exporter_revoked",
            f"{who} has {len(seen.revoked)} other certificate(s) revoked by their issuer:"
            f" {_listed(seen.revoked)}.",
            certificates=list(seen.revoked),
        )
    if seen.rejected:
        found += emit(
            "exporter_rejected",
            f"{who} has {len(seen.rejected)} other certificate(s) rejected at import:"
            f" {_listed(seen.rejected)}.",
            certificates=list(seen.rejected),
        )
    if seen.not_confirmed:
        found += emit(
            "exporter_not_confirmed",
            f"{who} has {len(seen.not_confirmed)} certificate(s) whose origin the issuer did not confirm when"
            f" asked: {_listed(seen.not_confirmed)}.",
            certificates=list(seen.not_confirmed),
        )
    if seen.fully_used_claims:
        attempts = [
            f"{reference} (declaration {declaration})" for reference, declaration in seen.fully_used_claims
        ]
        found += emit(
            "fully_used_claim",
            f"Preference was claimed {len(attempts)} time(s) on certificates of {subject.exporter_shown!r}"
            f" that were already fully used: {_listed(tuple(attempts))}.",
            attempts=attempts,
        )
    return found
