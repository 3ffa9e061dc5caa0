"""Everything the rules look at for one document: the document, what it is linked to, and the history."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from origo_node.services.risk.views import DocView

#: The HS subheading, the unit and the currency a unit value is compared within.
PriceKey = tuple[str, str, str]


@dataclass(frozen=True)
class Linked:
    view: DocView
    by: tuple[str, ...]  # what ties it to the subject: "transport document", "invoice", ...


@dataclass(frozen=True)
class ExporterHistory:
    """What this member knows of the exporter from its other documents (references, as issued)."""

    revoked: tuple[str, ...] = ()
    rejected: tuple[str, ...] = ()
    not_confirmed: tuple[str, ...] = ()
    #: (certificate reference, import declaration) of claims the chain refused: the certificate was used up.
    fully_used_claims: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Dossier:
    subject: DocView
    linked: tuple[Linked, ...] = ()
    history: ExporterHistory = field(default_factory=ExporterHistory)
    #: Unit values (FOB per unit) of earlier documents at this member, the subject and its links left out.
    prices: Mapping[PriceKey, tuple[Decimal, ...]] = field(default_factory=dict)
