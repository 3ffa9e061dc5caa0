"""The FastAPI application of one node."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from origo_node import __version__, limits
from origo_node.api import (
    openapi,
    problem_handlers,
    routes_admin,
    routes_auditor,
    routes_officer,
    routes_public,
)
from origo_node.api.guard import RequestGuard
from origo_node.api.idempotency_keys import IdempotencyMiddleware
from origo_node.api.refusals import install as install_refusals
from origo_node.api.routes_desk import router as desk_router
from origo_node.api.routes_form_d import router as form_d_router
from origo_node.api.routes_webhooks import router as webhooks_router
from origo_node.errors import NotFound
from origo_node.operations import metrics
from origo_node.payload import LocalPayloadStore
from origo_node.payload.gateway import gateway_router
from origo_node.runtime import Node
from origo_node.services.document_status import DocumentStatus
from origo_node.services.status import reveal_reference

#: A bulk request may be this many times larger than one document's request.
BULK_BODY_FACTOR = 8


def create_app(node: Node, *, manage_lifecycle: bool = True) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if manage_lifecycle:
            node.start()
        try:
            yield
        finally:
            if manage_lifecycle:
                node.stop()

    app = FastAPI(
        title=f"Origo node ({node.member})",
        version=__version__,
        description="Certificates of origin and cargo manifests exchanged between customs authorities. "
        "Errors are application/problem+json.",
        lifespan=lifespan,
    )
    app.state.node = node
    limits.restore_recursion_limit()
    problem_handlers.install(app)
    install_refusals(app)  # chain rule refusals in words, with the facts
    # Officer POSTs repeated with the same Idempotency-Key get the first answer and act once (issue 9).
    app.add_middleware(
        IdempotencyMiddleware, db=node.db, max_body_bytes=node.settings.max_body_bytes * BULK_BODY_FACTOR
    )
    # Added last, so outermost: every body is bounded and checked before anything else reads it.
    app.add_middleware(
        RequestGuard,
        max_body=node.settings.max_body_bytes,
        bulk_factor=BULK_BODY_FACTOR,
        body_timeout_s=node.settings.body_timeout_s,
    )
    app.include_router(routes_public.router)
    app.include_router(desk_router)  # before routes_officer: /documents/check is not a document key
    app.include_router(routes_officer.router)
    app.include_router(routes_auditor.router)
    app.include_router(routes_admin.router)
    app.include_router(webhooks_router)
    app.include_router(form_d_router)
    if isinstance(node.payloads, LocalPayloadStore):
        app.include_router(gateway_router(node.payloads.blocks, node.payloads.blocks.packs.caught_up))
    _mount_web(app, node)
    app.openapi = lambda: openapi.document(app)  # type: ignore[method-assign]
    metrics.install(app, node)
    return app


def _mount_web(app: FastAPI, node: Node) -> None:
    try:
        from origo_node.web.routes import web_router
    except ImportError:  # the page ships with the package; a stripped build still serves the API
        return

    def public_status(key: str) -> DocumentStatus | None:
        try:
            found = node.status.status(node.resolver.resolve(key))
        except NotFound:
            return None
        # A public page: the key tells. The page shows what the public API answer shows.
        return reveal_reference(found, key, insider=False)

    settings = node.settings
    own = f"http://{getattr(settings, 'host', '127.0.0.1')}:{getattr(settings, 'port', 8701)}"
    app.include_router(web_router(public_status, getattr(settings, "public_url", None) or own))
