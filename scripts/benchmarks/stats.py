"""Percentiles and medians: the benchmark reports p50/p99 of latencies and the median of repetitions."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank percentile (``q`` in 0..100): p99 of 100 samples is the 99th smallest."""
    if not values:
        raise ValueError("no samples")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def latency_summary(samples_ms: Sequence[float]) -> dict[str, Any]:
    return {
        "p50": round(percentile(samples_ms, 50), 2),
        "p99": round(percentile(samples_ms, 99), 2),
        "max": round(max(samples_ms), 2),
        "samples": len(samples_ms),
    }


def median_of(repetitions: Sequence[dict[str, Any]], *keys: str, value: str | None = None) -> dict[str, Any]:
    """One summary from several repetitions: the median of each numeric key named, the rest from the first;
    ``value`` names the key that is the headline figure (copied to ``"value"``)."""
    merged = dict(repetitions[0])
    for key in keys:
        merged[key] = round(statistics.median(r[key] for r in repetitions), 2)
    merged["repetitions"] = len(repetitions)
    if value is not None:
        merged["value"] = merged[value]
    return merged
