"""One API contract: the OpenAPI documents every answer, and the state names have one definition.

The app is built in-process around a stand-in node (nothing here calls the node's services): the routes, their
schemas and the body guard are the real ones.
"""

from __future__ import annotations

import re
import types
from pathlib import Path
from typing import Any

import httpx
import origo_cli.exit_codes as exit_codes
import origo_cli.render as render
import pytest
from fastapi import FastAPI
from origo_api import states
from origo_api.problems import MEDIA_TYPE, PROBLEM_BASE
from origo_api.states import DocumentState, Verdict
from origo_node.api.app import create_app
from origo_node.web import routes as web_routes
from support.event_loop import run_coroutine

STATIC = Path(web_routes.__file__).resolve().parent / "static"
PUBLIC = {"/healthz", "/api/v1/members", "/api/v1/types", "/api/v1/types/{name}/{version}/schema"}
#: A JSON Schema, a decrypted document of any type, a raw block: no schema of their own to give.
ANY_JSON = {"/api/v1/types/{name}/{version}/schema", "/api/v1/documents/{key}/payload", "/ipfs/{cid}"}
PUBLIC |= {"/api/v1/documents/{key}", "/api/v1/verify", "/api/v1/verify/{key}", "/ipfs/{cid}"}
#: The desks' public code list, and the Form D's PDF (a PDF, not JSON).
PUBLIC |= {"/api/v1/reason-codes"}
ANY_JSON |= {"/api/v1/documents/{key}/form-d.pdf"}


@pytest.fixture(scope="module")
def app() -> FastAPI:
    settings = types.SimpleNamespace(max_body_bytes=64 * 1024, body_timeout_s=5.0, workers=1)
    node = types.SimpleNamespace(settings=settings, payloads=None, status=None, member="VN", db=None)
    return create_app(node, manage_lifecycle=False)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def openapi(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


def _operations(openapi: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, ops in openapi["paths"].items() for method, op in ops.items()]


def test_every_error_answer_is_problem_json_with_its_schema(openapi: dict[str, Any]) -> None:
    assert "Problem" in openapi["components"]["schemas"]
    assert "HTTPValidationError" not in openapi["components"]["schemas"]
    for path, method, op in _operations(openapi):
        errors = {s: r for s, r in op["responses"].items() if int(s) >= 400}
        for status, response in errors.items():
            assert list(response["content"]) == [MEDIA_TYPE], (method, path, status)
            schema = response["content"][MEDIA_TYPE]["schema"]
            assert schema == {"$ref": "#/components/schemas/Problem"}, (method, path, status)


def test_every_success_answer_has_a_real_schema(openapi: dict[str, Any]) -> None:
    untyped = []
    for path, method, op in _operations(openapi):
        if path in ANY_JSON:
            continue
        for status, response in op["responses"].items():
            if int(status) < 400:
                schema = next(iter(response.get("content", {}).values()), {}).get("schema", {})
                if not ("$ref" in schema or schema.get("items", {}).get("$ref")):
                    untyped.append((method, path, status))
    assert untyped == []


def test_routes_document_the_statuses_they_answer(openapi: dict[str, Any]) -> None:
    for path, method, op in _operations(openapi):
        statuses = set(op["responses"])
        if method == "post" and "requestBody" in op:
            assert {"400", "408", "413", "415", "422"} <= statuses, (method, path)
        if "{" in path and path != "/ipfs/{cid}":
            assert "422" in statuses, (method, path)  # the path parameter is bounded
        if path not in PUBLIC:
            assert {"401", "403"} <= statuses, (method, path)


def test_protected_routes_declare_their_security_and_public_ones_none(openapi: dict[str, Any]) -> None:
    schemes = openapi["components"]["securitySchemes"]
    assert schemes["HTTPBearer"]["scheme"] == "bearer" and schemes["APIKeyHeader"]["name"] == "X-API-Key"
    for path, method, op in _operations(openapi):
        if path in PUBLIC:
            assert "security" not in op, (method, path)
        else:
            assert {"HTTPBearer", "APIKeyHeader"} <= {k for s in op["security"] for k in s}, (method, path)


def test_the_worklist_state_filter_lists_every_state(openapi: dict[str, Any]) -> None:
    params = openapi["paths"]["/api/v1/documents"]["get"]["parameters"]
    pattern = next(p for p in params if p["name"] == "state")["schema"]["anyOf"][0]["pattern"]
    assert set(re.findall(r"[a-z_]+", pattern)) == {s.value for s in DocumentState} | {"awaiting_claim"}


def test_every_state_is_a_verdict_and_every_verdict_has_words_a_tone_and_an_exit_code() -> None:
    assert {s.value for s in DocumentState} <= {v.value for v in Verdict}
    for verdict in Verdict:
        assert states.TITLES[verdict]
        assert render.VERDICT_TITLES[verdict.value] == states.TITLES[verdict]
        assert verdict in exit_codes.VERDICT_EXIT
    assert exit_codes.for_verdict(Verdict.VALID) == exit_codes.ExitCode.OK
    assert states.tone("a-state-from-a-newer-node") == "bad"


def test_the_page_loads_the_verdicts_instead_of_spelling_them(app: FastAPI) -> None:
    script = (STATIC / "app.js").read_text(encoding="utf-8")
    spelled = [v.value for v in Verdict if re.search(rf"\b{v.value}\s*:", script)]
    assert spelled == [], "app.js spells verdicts out; it loads them from /static/states.json"

    async def get() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://n") as client:
            return await client.get("/static/states.json")

    served = run_coroutine(get).json()
    assert served == states.presentation()
    assert set(served["verdicts"]) == {v.value for v in Verdict}


def test_problems_have_one_type_uri_scheme() -> None:
    roots = [Path(__file__).resolve().parents[3] / d for d in ("node", "clients")]
    offenders = []
    for root in roots:
        for path in root.rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if "urn:origo:problem" in text or ("origo.dev/problems" in text and path.name != "problems.py"):
                offenders.append(str(path))
    assert offenders == [], f"problem type URIs are built by origo_api.problems only ({PROBLEM_BASE}<slug>)"
