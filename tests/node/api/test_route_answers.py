"""Every route answers with the API's model, built from the service's typed value, never with a bare dict.

A route declared ``-> Trail`` can only return a ``Trail`` (strict mypy checks the body, and the model's
keyword arguments), so the step from a service's answer to the API's is checked before it runs. A route
declared ``-> dict[str, Any]`` is checked by nothing but FastAPI's validation at run time: this test finds
it, from the real app's routes.
"""

from __future__ import annotations

import types
import typing
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, iter_route_contexts
from origo_api.answers import Health
from origo_node.api.app import create_app
from pydantic import BaseModel

#: The officer's actions answer 200 once mined, 202 while sent, or the failure as a 409 problem: their route
#: picks the status, with the body dumped from the ``Action`` model (``routes_officer._action_response``).
STATUS_CHOSEN_AT_RUN_TIME = {"revoke", "accept", "reject", "verification-request", "verification-answer"}
#: A document type's JSON Schema and a decrypted document (any type's): JSON with no model of its own.
ANY_JSON = {"/api/v1/types/{name}/{version}/schema", "/api/v1/documents/{key}/payload"}


def _models(annotation: Any) -> tuple[type[BaseModel], ...] | None:
    """The models an answer is made of (``M`` or ``list[M]``); None for anything else (a dict, Any...)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return (annotation,)
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        return _models(item)
    return None


def answer_routes(app: FastAPI) -> list[APIRoute]:
    """The app's routes that declare an answer model (included routers' routes too)."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and route.response_model is not None:
            found.append(route)
    return found


def bare_answers(app: FastAPI) -> list[str]:
    """Routes with a ``response_model`` (given, or FastAPI's from the return annotation) whose function is
    not declared to return that model."""
    found = []
    for route in answer_routes(app):
        if route.path in ANY_JSON:
            continue
        declared = typing.get_type_hints(route.endpoint).get("return")
        where = f"{sorted(route.methods)[0]} {route.path} ({route.endpoint.__module__}.{route.name})"
        if route.path.rsplit("/", 1)[-1] in STATUS_CHOSEN_AT_RUN_TIME and declared is JSONResponse:
            continue
        models, expected = _models(declared), _models(route.response_model)
        if models is None or expected is None or not issubclass(models[0], expected[0]):
            found.append(f"{where} returns {declared}, not {route.response_model}")
    return found


def _app() -> FastAPI:
    settings = types.SimpleNamespace(max_body_bytes=64 * 1024, body_timeout_s=5.0, workers=1)
    node = types.SimpleNamespace(settings=settings, payloads=None, status=None, member="VN", db=None)
    return create_app(node, manage_lifecycle=False)  # type: ignore[arg-type]


def test_every_route_returns_its_answer_model() -> None:
    app = _app()
    assert bare_answers(app) == []
    assert len(answer_routes(app)) >= 30  # the check sees the node's routes, not an empty app


def test_the_check_sees_a_route_that_returns_a_dict() -> None:
    router = APIRouter()

    @router.get("/healthz", response_model=Health)
    def health() -> dict[str, Any]:
        return {"status": "ok"}

    @router.get("/healthz/all", response_model=list[Health])
    def every() -> list[dict[str, Any]]:
        return [{"status": "ok"}]

    @router.get("/healthz/inferred")
    def inferred() -> dict[str, Any]:  # FastAPI takes the annotation for the response model
        return {"status": "ok"}

    @router.get("/healthz/typed", response_model=Health)
    def typed() -> Health:
        return Health(status="ok")

    @router.post("/api/v1/documents/{key}/revoke", response_model=Health)
    def acted() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @router.post("/api/v1/documents/{key}/other", response_model=Health)
    def other() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    app = FastAPI()
    app.include_router(router)
    assert [line.split(" (")[0] for line in bare_answers(app)] == [
        "GET /healthz",
        "GET /healthz/all",
        "GET /healthz/inferred",
        "POST /api/v1/documents/{key}/other",
    ]
