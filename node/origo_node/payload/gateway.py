"""The read side of the IPFS trustless gateway protocol, for this node's blocks only.

``GET /ipfs/{cid}?format=raw`` (or ``Accept: application/vnd.ipld.raw``) answers with one block, which
the caller checks against the CID; that is all other members need to fetch a payload from us. Other
response formats are refused with 406 rather than served unverifiable.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse, Response
from origo_api.problems import problem_body

from origo_node.errors import OrigoError
from origo_node.payload.cid import Cid
from origo_node.payload.peers import RAW_BLOCK_MEDIA_TYPE
from origo_node.payload.port import BlockReader

PROBLEM_MEDIA_TYPE = "application/problem+json"
# A block never changes under its CID, so any cache may keep it for good.
_IMMUTABLE = "public, max-age=29030400, immutable"


def _problem(status: int, slug: str, title: str, detail: str) -> JSONResponse:
    # Built here rather than left to the app's handler so that the router works, and answers in the
    # same shape, whichever app (or none but a test's) it is mounted in; the body by the API's one builder.
    body = {**problem_body(status, slug, detail), "title": title}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE)


def _wants_raw(format_: str | None, accept: str | None) -> bool:
    if format_ is not None:
        return format_ == "raw"
    media_types = [part.split(";")[0].strip() for part in (accept or "").split(",")]
    return RAW_BLOCK_MEDIA_TYPE in media_types


def gateway_router(blocks: BlockReader) -> APIRouter:
    """A router serving ``blocks``: pass the local block directory (``LocalPayloadStore.blocks``), not a
    store that fetches from peers, or two members missing a block would ask each other round in circles."""
    router = APIRouter(tags=["gateway"])

    @router.get(
        "/ipfs/{cid}",
        response_class=Response,
        responses={
            200: {"content": {RAW_BLOCK_MEDIA_TYPE: {}}, "description": "The block's bytes."},
            400: {"description": "Malformed or unsupported CID."},
            404: {"description": "Block not held by this node."},
            406: {"description": "Only raw blocks are served."},
        },
    )
    async def get_block(  # async: a small file read costs less than the hop to a worker thread
        cid: str,
        format_: Annotated[str | None, Query(alias="format")] = None,
        accept: Annotated[str | None, Header()] = None,
    ) -> Response:
        if not _wants_raw(format_, accept):
            return _problem(
                406, "not-acceptable", "Not Acceptable", "this gateway serves only ?format=raw blocks"
            )
        try:
            block = blocks.get_block(str(Cid.parse(cid)))
        except OrigoError as exc:
            return _problem(exc.status, exc.slug, HTTPStatus(exc.status).phrase, exc.message)
        headers = {
            "Cache-Control": _IMMUTABLE,
            "ETag": f'"{cid}.raw"',
            "X-Content-Type-Options": "nosniff",
        }
        return Response(block, media_type=RAW_BLOCK_MEDIA_TYPE, headers=headers)

    return router
