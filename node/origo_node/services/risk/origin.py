"""Origin risk: what a certificate itself says that calls for a closer look at the origin it claims."""

from __future__ import annotations

from origo_node.documents import checks
from origo_node.documents.codes import ASEAN_PORTS
from origo_node.services.risk.catalogue import Emitter, Signal
from origo_node.services.risk.dossier import Dossier
from origo_node.services.risk.settings import RiskSettings
from origo_node.services.risk.views import DocView

_FLAGS = {
    "issuedRetroactively": ("retroactive", "was issued retroactively, after the goods left"),
    "backToBack": (
        "back_to_back",
        "is back-to-back: issued by an intermediate member on an earlier certificate",
    ),
    "thirdCountryInvoicing": ("third_country_invoicing", "is invoiced by an operator in a third country"),
}


def signals(dossier: Dossier, settings: RiskSettings) -> list[Signal]:
    subject = dossier.subject
    emit = Emitter(settings)
    found: list[Signal] = []
    if subject.kind == "certificate":
        found += rvc_close(
            subject, emit, settings.thresholds.rvc_threshold_pct, settings.thresholds.rvc_margin_points
        )
        for flag, (rule, words) in _FLAGS.items():
            if flag in subject.flags:
                found += emit(rule, f"The {subject.label} {words}.", flag=flag)
    if subject.kind in ("certificate", "declaration"):
        found += transshipment(subject, emit)
    return found


def rvc_close(certificate: DocView, emit: Emitter, threshold: int, margin: int) -> list[Signal]:
    found: list[Signal] = []
    for line in certificate.lines:
        if line.rvc_percent is None:
            continue
        if line.rvc_percent < threshold:
            how = f"below the {threshold}% the rule asks for"
        elif line.rvc_percent - threshold <= margin:
            how = f"within {margin} points of the {threshold}% threshold"
        else:
            continue
        found += emit(
            "rvc_near_threshold",
            f"Item {line.number} (HS {line.hs_code}) claims a regional value content of"
            f" {line.rvc_percent}%, {how}.",
            item=line.number,
            rvc_percent=line.rvc_percent,
            threshold_pct=threshold,
        )
    return found


def port_name(code: str) -> str:
    name = ASEAN_PORTS.get(code)
    return f"{name} ({code})" if name else code


def transshipment(document: DocView, emit: Emitter) -> list[Signal]:
    """Goods loaded outside the exporting member may have been transshipped, or may not originate there."""
    loaded_in = checks.locode_country(document.leg.port_of_loading)
    if loaded_in == document.issuer:
        return []
    return emit(
        "transshipment",
        f"The goods of the {document.label} were loaded at {port_name(document.leg.port_of_loading)}, in"
        f" {loaded_in}, not in the exporting member {document.issuer}: possible transshipment.",
        port_of_loading=document.leg.port_of_loading,
        exporting_member=document.issuer,
    )
