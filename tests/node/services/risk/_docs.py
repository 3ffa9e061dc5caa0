"""Crafted documents for the risk rules: the samples, changed one fact at a time, and their views."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from origo_node.documents import document_id
from origo_node.services.risk.views import DocView, view_of

SAMPLES = Path(__file__).resolve().parents[3] / "samples"
FOLDERS = {"certificate": "form-d", "manifest": "manifest", "declaration": "acdd"}
NAMES = {"certificate": "vn-sg-coffee", "manifest": "vn-sg-vessel", "declaration": "vn-sg-coffee"}


@cache
def _read(folder: str, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / folder / f"{name}.json").read_text(encoding="utf-8"))
    return data


def doc(
    kind: str, change: Callable[[dict[str, Any]], object] | None = None, name: str | None = None
) -> dict[str, Any]:
    """A fresh copy of the VN → SG sample of ``kind``, changed by ``change``."""
    found = copy.deepcopy(_read(FOLDERS[kind], name or NAMES[kind]))
    if change is not None:
        change(found)
    return found


def key_of(document: dict[str, Any]) -> str:
    issuer = document.get("issuedIn") or document.get("filedIn") or document["declaredIn"]
    return f"{issuer}:0x{document_id(issuer, document['referenceNumber']).hex()}"


def view(document: dict[str, Any]) -> DocView:
    found = view_of(key_of(document), document)
    assert found is not None
    return found
