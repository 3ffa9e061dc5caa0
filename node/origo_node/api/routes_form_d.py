"""The certificate itself: the ATIGA Form D with its decrypted content, as a printable page and a PDF.

For officers and auditors of a member concerned (the payload is encrypted for it): the key is required,
and the node opens the payload, checks it against the anchored digest and the issuer's signature, then lays
it out.
The public status slip (``/print/{id}``) stays as it is: it shows only what the chain shows.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, Response
from origo_api.desk_answers import FormD

from origo_node.api.deps import node_of, requires
from origo_node.api.openapi import KEY, errors
from origo_node.documents.type_names import FORM_D
from origo_node.errors import ValidationFailed
from origo_node.runtime import Node
from origo_node.services.document_status import Replacement
from origo_node.services.naming import DocumentKey
from origo_node.store.apikeys import ApiKey
from origo_node.web.form_d_model import FormDLayout
from origo_node.web.form_d_page import layout
from origo_node.web.routes import SECURITY_HEADERS, STATIC_DIR

router = APIRouter(tags=["auditor"])
Reader = Annotated[ApiKey, Depends(requires("auditor", "officer"))]


def form_d_of(node: Node, key: str) -> FormDLayout:
    document_id = node.resolver.resolve(key)
    status = node.status.status(document_id)
    if status.type != FORM_D:
        raise ValidationFailed(
            f"this document is a {status.type}, not an ATIGA Form D: only certificates of origin "
            "have a Form D to print",
            errors=[{"pointer": "", "message": "not a Form D"}],
        )
    document = node.reader.read(document_id)
    if status.superseded_by:
        # The paper names the replacement as people know it: its reference, where this node can read it.
        replacement = DocumentKey(status.issuer, status.superseded_by)
        status = replace(status, replacement=Replacement(node.status.known_reference(replacement)))
    laid_out = layout(document, status)
    now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    printed = (
        f"Printed from the Origo node of {node.member} on {now}."
        f" State on the chain: {laid_out.state_title}. Document id {document_id}."
    )
    return replace(laid_out, printed=printed)


@router.get(
    "/api/v1/documents/{key}/form-d",
    response_model=FormD,
    summary="The Form D's 13 boxes with the decrypted content (when this member is concerned)",
    responses=errors(KEY, 404, 409, 422, 502),
)
async def form_d(key: str, request: Request, _: Reader) -> FormD:
    laid_out = await run_in_threadpool(form_d_of, node_of(request), key)
    return laid_out.answer()


@router.get(
    "/api/v1/documents/{key}/form-d.pdf",
    summary="The Form D as a PDF (A4)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **errors(KEY, 404, 409, 422, 502)},
)
async def form_d_pdf(key: str, request: Request, _: Reader) -> Response:
    # Imported here: fpdf2, fontTools and Pillow cost every API worker 0.3-1 s at start, for a PDF few ask.
    from origo_node.web.form_d_pdf import render_pdf

    laid_out = await run_in_threadpool(form_d_of, node_of(request), key)
    pdf = await run_in_threadpool(render_pdf, laid_out, laid_out.printed or "")
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in laid_out.reference) or "form-d"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"', "Cache-Control": "no-store"},
    )


@router.get("/form-d", include_in_schema=False)
def form_d_page() -> FileResponse:
    """The printable page: it asks for the key, then draws the form from the JSON above."""
    headers = dict(SECURITY_HEADERS) | {"Cache-Control": "no-store"}
    return FileResponse(STATIC_DIR / "form-d.html", media_type="text/html; charset=utf-8", headers=headers)
