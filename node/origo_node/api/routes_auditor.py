"""Auditors: a document's full trail, an export they can re-check alone, and the payload if concerned."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from origo_node.api.auth import requires
from origo_node.api.routes_public import node_of
from origo_node.store.apikeys import ApiKey

router = APIRouter(tags=["auditor"])
Auditor = Annotated[ApiKey, Depends(requires("auditor", "officer"))]


@router.get(
    "/api/v1/documents/{key}/trail", summary="Every event of a document: who, when, block, transaction"
)
def trail(key: str, request: Request, _: Auditor) -> dict[str, Any]:
    node = node_of(request)
    return node.status.trail(node.status.resolve(key))


@router.get(
    "/api/v1/documents/{key}/export", summary="The trail with everything needed to re-check it on chain"
)
def export(key: str, request: Request, _: Auditor) -> dict[str, Any]:
    node = node_of(request)
    return node.exports.export(node.status.resolve(key))


@router.get(
    "/api/v1/documents/{key}/payload", summary="The decrypted document (when this member is concerned)"
)
def payload(key: str, request: Request, _: Auditor) -> dict[str, Any]:
    node = node_of(request)
    return node.reader.read(node.status.resolve(key))
