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


# What changes when the same consignment of coffee goes to Thailand instead of Singapore.
_THAI_CONSIGNEE = {
    "name": "Siam Roasters Co., Ltd.",
    "address": "99 Moo 3, Thung Sukhla, Si Racha, Chonburi 20230",
    "country": "TH",
}


def form_d(tag: str, importer: str = "SG") -> dict[str, Any]:
    """A fresh Form D from VN to ``importer`` (SG or TH); ``tag`` keeps runs apart, a counter documents."""
    doc = copy.deepcopy(_TEMPLATE)
    doc["referenceNumber"] = f"VN-BENCH-{tag}-{next(_serial):07d}"
    if importer == "TH":
        doc["importingCountry"] = "TH"
        doc["consignee"] = dict(_THAI_CONSIGNEE)
        doc["transport"]["portOfDischarge"] = "THLCH"  # Laem Chabang
    elif importer != "SG":
        raise ValueError(f"no workload for {importer}")
    return doc


def form_ds(tag: str, count: int, importer: str = "SG") -> list[dict[str, Any]]:
    return [form_d(tag, importer) for _ in range(count)]
