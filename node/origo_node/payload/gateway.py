"""The read side of the IPFS trustless gateway protocol, for this node's blocks only.

``GET /ipfs/{cid}?format=raw`` (or ``Accept: application/vnd.ipld.raw``) answers with one block, which
the caller checks against the CID; that is all other members need to fetch a payload from us. Other
response formats are refused with 406 rather than served unverifiable. ``POST /ipfs/car`` with
``{"cids": [...]}`` answers many payloads in one CAR (``payload.car``): an importing member fetches a round of
payloads in one request instead of one request each.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from origo_api.problems import problem_body

from origo_node.errors import OrigoError
from origo_node.payload.car import CAR_MEDIA_TYPE, write_car
from origo_node.payload.cid import Cid
from origo_node.payload.dag import walk_blocks
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


def gateway_router(blocks: BlockReader, quick: Callable[[], bool] = lambda: True) -> APIRouter:
    """A router serving ``blocks``: pass the local block directory (``LocalPayloadStore.blocks``), not a
    store that fetches from peers, or two members missing a block would ask each other round in circles.

    ``quick`` says whether a read is a small one now: until it is (the packs' index is being made again from
    the packs, after a restore), a block is read on a worker thread, so that the scan never holds up the
    event loop's other requests."""
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
            parsed = str(Cid.parse(cid))
            block = blocks.get_block(parsed) if quick() else await run_in_threadpool(blocks.get_block, parsed)
        except OrigoError as exc:
            return _problem(exc.status, exc.slug, HTTPStatus(exc.status).phrase, exc.message)
        headers = {
            "Cache-Control": _IMMUTABLE,
            "ETag": f'"{cid}.raw"',
            "X-Content-Type-Options": "nosniff",
        }
        return Response(block, media_type=RAW_BLOCK_MEDIA_TYPE, headers=headers)

    @router.post(
        "/ipfs/car",
        response_class=Response,
        responses={
            200: {"content": {CAR_MEDIA_TYPE: {}}, "description": "The blocks held here, as a CAR."},
            400: {"description": "Not a list of CIDs, or too many."},
        },
    )
    def get_many(body: Annotated[Any, Body()] = None) -> Response:
        """Many payloads in one answer: a CAR v1 of every requested root held here with the blocks under it
        (roots not held are left out; the caller asks for them one by one, elsewhere). Each block is checked
        against its CID again by the caller; this saves one HTTP request per block, not any check."""
        cids = body.get("cids") if isinstance(body, dict) else None
        if (
            not isinstance(cids, list)
            or not all(isinstance(c, str) for c in cids)
            or len(cids) > MAX_CAR_ROOTS
        ):
            detail = f'the body must be {{"cids": [...]}}, at most {MAX_CAR_ROOTS} CID strings'
            return _problem(400, "invalid-request", "Bad Request", detail)
        try:
            roots = list(dict.fromkeys(Cid.parse(c) for c in cids))
        except OrigoError as exc:
            return _problem(exc.status, exc.slug, HTTPStatus(exc.status).phrase, exc.message)
        held, found = _held_dags(blocks, roots)
        return Response(b"".join(write_car(held, found)), media_type=CAR_MEDIA_TYPE)

    return router


#: Roots one CAR request may ask for: a batch of 4,096 documents, and an answer of at most ~64 MiB.
MAX_CAR_ROOTS = 4096
_MAX_CAR_BYTES = 64 * 1024 * 1024


def _held_dags(blocks: BlockReader, roots: list[Cid]) -> tuple[list[Cid], list[tuple[Cid, bytes]]]:
    """The roots held here whole, and their blocks, up to the answer's bound."""
    held: list[Cid] = []
    found: list[tuple[Cid, bytes]] = []
    size = 0
    for root in roots:
        dag: list[tuple[Cid, bytes]] = []

        def load(cid: Cid, dag: list[tuple[Cid, bytes]] = dag) -> bytes:
            block = blocks.get_block(str(cid))
            dag.append((cid, block))
            return block

        try:
            walk_blocks(root, load)
        except OrigoError:  # not held (or not whole) here
            continue
        size += sum(len(block) for _, block in dag)
        if size > _MAX_CAR_BYTES:
            break
        held.append(root)
        found.extend(dag)
    return held, found
