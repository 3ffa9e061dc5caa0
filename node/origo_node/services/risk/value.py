"""Value risk: a unit value (FOB per unit) far from what this member has seen for the same goods.

Judged within one HS subheading, unit and currency, against the earlier documents this member read (one voice
per exporter: the median of its own values, see ``library.Library.prices``), by robust statistics: the median
and the median absolute deviation (MAD), so that a few wild values in the history do not move the norm. The
modified z-score 0.6745 * (x - median) / MAD (Iglewicz and Hoaglin) is compared with the member's threshold;
with fewer observations than the member's minimum, the rule stays silent.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from origo_node.services.risk.catalogue import Emitter, Signal
from origo_node.services.risk.dossier import Dossier, PriceKey
from origo_node.services.risk.settings import RiskSettings
from origo_node.services.risk.views import Line

_CONSISTENCY = Decimal("0.6745")
#: A history of identical values has a MAD of 0: a hundredth of the median stands in, so that a value 1% off
#: such a history is not "infinitely" far, and one 10% off is.
_MAD_FLOOR = Decimal("0.01")


@dataclass(frozen=True)
class Norm:
    median: Decimal
    mad: Decimal
    count: int

    def z(self, value: Decimal) -> Decimal:
        spread = max(self.mad, self.median * _MAD_FLOOR)
        return _CONSISTENCY * (value - self.median) / spread if spread else Decimal(0)


def norm(values: Sequence[Decimal]) -> Norm:
    median = Decimal(statistics.median(values))
    mad = Decimal(statistics.median([abs(v - median) for v in values]))
    return Norm(median, mad, len(values))


def signals(dossier: Dossier, settings: RiskSettings) -> list[Signal]:
    subject = dossier.subject
    emit, limits = Emitter(settings), settings.thresholds
    found: list[Signal] = []
    for line in subject.lines:
        if line.fob is None or not line.quantity or line.unit is None or line.currency is None:
            continue
        history = dossier.prices.get((line.hs6, line.unit, line.currency), ())
        if len(history) < limits.value_min_observations:
            continue
        unit_value = line.fob / line.quantity
        seen = norm(history)
        z = seen.z(unit_value)
        if abs(z) <= Decimal(str(limits.value_outlier_z)):
            continue
        side = "above" if z > 0 else "below"
        found += emit(
            "unit_value_outlier",
            f"Item {line.number} (HS {line.hs6}) is valued at {line.currency} {unit_value:,.4f} per"
            f" {line.unit}, far {side} the median {line.currency} {seen.median:,.4f} of {seen.count}"
            " exporters' earlier documents at this member"
            f" (robust z-score {z:+.1f}, threshold {limits.value_outlier_z:g}).",
            item=line.number,
            unit_value=f"{unit_value:.4f}",
            median=f"{seen.median:.4f}",
            mad=f"{seen.mad:.4f}",
            observations=seen.count,
            z=f"{z:.2f}",
        )
    return found


def unit_values(lines: Sequence[Line]) -> list[tuple[PriceKey, Decimal]]:
    """The (subheading, unit, currency) and unit value of each line that gives an FOB value and a quantity."""
    return [
        ((line.hs6, line.unit, line.currency), line.fob / line.quantity)
        for line in lines
        if line.fob is not None and line.quantity and line.unit is not None and line.currency is not None
    ]
