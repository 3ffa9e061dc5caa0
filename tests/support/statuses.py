"""Typed document statuses for the page and form tests, as the status service would answer them."""

from __future__ import annotations

from typing import Any

from origo_api.states import DocumentState
from origo_node.services.document_status import DocumentStatus


def status(state: DocumentState, **fields: Any) -> DocumentStatus:
    """A Form D of MY for TH in ``state``; ``fields`` set any other part, e.g. ``revocation=...``."""
    given: dict[str, Any] = {
        "document_id": "0x" + "ab" * 32,
        "type": "atiga-form-d",
        "version": "1",
        "issuer": "MY",
        "importer": "TH",
        "digest": "0x" + "cd" * 32,
    }
    return DocumentStatus(state=state, **(given | fields))
