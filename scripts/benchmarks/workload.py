"""Documents to issue: copies of the Form D sample, each with its own reference number."""

from __future__ import annotations

import copy
import itertools
import json
from pathlib import Path
from typing import Any

SAMPLE = Path(__file__).resolve().parents[2] / "tests" / "samples" / "form-d" / "vn-sg-coffee.json"
_serial = itertools.count()


def _template() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8"))
    return data


_TEMPLATE = _template()


def form_d(tag: str) -> dict[str, Any]:
    """A fresh Form D from VN to SG; ``tag`` keeps runs apart, a counter keeps documents apart."""
    doc = copy.deepcopy(_TEMPLATE)
    doc["referenceNumber"] = f"VN-BENCH-{tag}-{next(_serial):07d}"
    return doc


def form_ds(tag: str, count: int) -> list[dict[str, Any]]:
    return [form_d(tag) for _ in range(count)]
