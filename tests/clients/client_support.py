"""Helpers for the client tests that run against the session's real network (anvil + VN, SG, TH nodes)."""

from __future__ import annotations

import copy
import json
import time
import uuid
from pathlib import Path
from typing import Any

from origo_devnet.network import MemberNode
from origo_sdk import DocumentStatus, NotFoundError, OrigoClient
from support.network import sample

COFFEE = "form-d/vn-sg-coffee.json"
VESSEL = "manifest/vn-sg-vessel.json"


def unique_reference(prefix: str = "VN-CLI") -> str:
    """A reference no other test issues (the network is shared by the whole session)."""
    return f"{prefix}-{uuid.uuid4().hex[:10].upper()}"


def coffee(reference: str | None = None) -> dict[str, Any]:
    """The coffee sample (VN to SG) under a reference of its own."""
    doc = copy.deepcopy(sample(COFFEE))
    doc["referenceNumber"] = reference or unique_reference()
    return doc


def write(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def sdk(node: MemberNode, role: str | None = "officer") -> OrigoClient:
    key = (
        None
        if role is None
        else {"officer": node.officer_key, "auditor": node.auditor_key, "admin": node.admin_key}[role]
    )
    return OrigoClient(node.url, api_key=key, timeout=60.0)


def settle(origo: OrigoClient, key: str, *states: str, timeout: float = 30.0) -> DocumentStatus:
    """The status once the node's index shows one of ``states`` (the chain is ahead of every index)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            status = origo.status(key)
        except NotFoundError:  # this node's index has not seen it yet
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
            continue
        if status.state in states or time.monotonic() > deadline:
            assert status.state in states, f"{key} is {status.state}, not {states}"
            return status
        time.sleep(0.1)
