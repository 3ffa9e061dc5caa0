"""The shared sample documents and a few helpers to break them one rule at a time."""

from __future__ import annotations

import copy
import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from origo_node.documents import ValidationContext, validate_document
from origo_node.errors import ValidationFailed

# A copy of ../shared/samples kept in the repository, so a clone anywhere has them (tests/samples/README.md).
SAMPLES = Path(__file__).resolve().parents[2] / "samples"
# The samples are dated November 2026: certified by the 20th at the latest, departed by the 21st.
TODAY = dt.date(2026, 11, 22)

FORM_D_SAMPLES = ("vn-sg-coffee", "th-my-autoparts", "id-ph-palm-oil", "my-th-gloves")
MANIFEST_SAMPLES = ("vn-sg-vessel",)
#: The export declarations (ACDD); their names repeat the certificates' they go with, in another folder.
ACDD_SAMPLES = ("acdd/vn-sg-coffee", "acdd/vn-sg-coffee-second", "acdd/th-my-autoparts")


@cache
def _read(name: str) -> dict[str, Any]:
    if "/" in name:
        folder, name = name.split("/")
    else:
        folder = "manifest" if name in MANIFEST_SAMPLES else "form-d"
    data: dict[str, Any] = json.loads((SAMPLES / folder / f"{name}.json").read_text(encoding="utf-8"))
    return data


def sample(name: str) -> dict[str, Any]:
    """A fresh copy of a sample, free to be broken."""
    return copy.deepcopy(_read(name))


def context_for(doc: dict[str, Any], **changes: Any) -> ValidationContext:
    """The context of the node that issues ``doc`` (its own member), all ASEAN members in the consortium."""
    fields: dict[str, Any] = {
        "own_member": doc.get("issuedIn") or doc.get("filedIn") or doc.get("declaredIn"),
        "members": frozenset({"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN", "TL"}),
        "today": TODAY,
    }
    fields.update(changes)
    return ValidationContext(**fields)


def errors_of(doc: Any, ctx: ValidationContext | None = None) -> list[dict[str, str]]:
    """The errors ``validate_document`` reports; fails the test if it accepts the document."""
    ctx = ctx or context_for(doc if isinstance(doc, dict) else {"issuedIn": "VN"})
    with pytest.raises(ValidationFailed) as raised:
        validate_document(doc, ctx)
    errors: list[dict[str, str]] = raised.value.errors
    return errors


def pointers_of(doc: Any, ctx: ValidationContext | None = None) -> list[str]:
    return [error["pointer"] for error in errors_of(doc, ctx)]
