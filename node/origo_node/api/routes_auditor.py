"""Auditors: a document's full trail, an export they can re-check alone, and the payload if concerned."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from origo_api.answers import Trail, TrailExport

from origo_node.api.deps import Auditor, DocumentKey, NodeDep
from origo_node.api.openapi import KEY, errors

router = APIRouter(tags=["auditor"])


@router.get(
    "/api/v1/documents/{key}/trail",
    response_model=Trail,
    responses=errors(KEY, 404, 422),
    summary="Every event of a document: who, when, block, transaction",
)
def trail(key: DocumentKey, _: Auditor, node: NodeDep) -> Trail:
    return node.status.trail(node.resolver.resolve(key)).answer()


@router.get(
    "/api/v1/documents/{key}/export",
    response_model=TrailExport,
    responses=errors(KEY, 404, 409, 422),
    summary="The trail with everything needed to re-check it on chain",
)
def export(key: DocumentKey, _: Auditor, node: NodeDep) -> TrailExport:
    return node.exports.export(node.resolver.resolve(key))


@router.get(
    "/api/v1/documents/{key}/payload",
    responses=errors(KEY, 404, 409, 422, 502),
    summary="The decrypted document (when this member is concerned)",
)
def payload(key: DocumentKey, _: Auditor, node: NodeDep) -> dict[str, Any]:
    return node.reader.read(node.resolver.resolve(key))
