"""Problem+json answers become the SDK's exceptions (httpx.MockTransport stands in for the node only here)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from origo_sdk import (
    ApiError,
    AuthError,
    BadRequestError,
    ChainRuleError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    OrigoClient,
    ServerError,
    ValidationError,
)

BASE = "https://origo.dev/problems/"


def answering(status: int, body: Any, content_type: str = "application/problem+json") -> OrigoClient:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=raw, headers={"Content-Type": content_type})

    return OrigoClient("http://node.test", transport=httpx.MockTransport(handler), retries=0)


def problem(status: int, slug: str, **extra: Any) -> dict[str, Any]:
    return {"type": BASE + slug, "title": "t", "status": status, "detail": f"{slug} happened", **extra}


@pytest.mark.parametrize(
    ("status", "slug", "cls"),
    [
        (400, "bad-request", BadRequestError),
        (401, "unauthorized", AuthError),
        (403, "forbidden", ForbiddenError),
        (404, "not-found", NotFoundError),
        (409, "conflict", ConflictError),
        (409, "chain-rule-violated", ChainRuleError),
        (413, "request-too-large", BadRequestError),
        (422, "validation-failed", ValidationError),
        (500, "internal", ServerError),
        (502, "payload-unavailable", ServerError),
        (503, "chain-unavailable", ServerError),
        (418, "teapot", ApiError),
    ],
)
def test_each_status_and_slug_has_its_class(status: int, slug: str, cls: type[ApiError]) -> None:
    with answering(status, problem(status, slug)) as origo, pytest.raises(cls) as caught:
        origo.status("VN:X")
    error = caught.value
    assert type(error) is cls
    assert (error.status, error.slug, error.title, error.detail) == (status, slug, "t", f"{slug} happened")
    assert str(error) == f"{slug} happened"


def test_validation_errors_keep_every_pointer() -> None:
    errors = [
        {"pointer": "/exporter/country", "message": "unknown"},
        {"pointer": "/items/0/hsCode", "message": "x"},
    ]
    origo = answering(422, problem(422, "validation-failed", errors=errors))
    with origo, pytest.raises(ValidationError) as caught:
        origo.issue({"type": "atiga-form-d"})
    assert caught.value.errors == errors
    assert caught.value.problem["errors"] == errors


def test_chain_rule_carries_the_contract_error_and_its_arguments() -> None:
    body = problem(409, "chain-rule-violated", rule="RegistryQuantityExceeded", args=["0xab", 1000, 250])
    with answering(409, body) as origo, pytest.raises(ChainRuleError) as caught:
        origo.accept("VN:X", "SG-IMP-1", "1.000")
    error = caught.value
    assert error.rule == "RegistryQuantityExceeded"
    assert error.rule_args == ["0xab", 1000, 250]
    assert isinstance(error, ConflictError)
    assert "RegistryQuantityExceeded" in str(error)


def test_a_failed_action_names_its_rule() -> None:
    body = problem(
        409, "chain-rule-violated", action={"id": 3, "state": "failed", "error": {"rule": "Reverted"}}
    )
    with answering(409, body) as origo, pytest.raises(ChainRuleError) as caught:
        origo.revoke("VN:X", 1, "wrong")
    assert caught.value.rule == "Reverted"


def test_an_answer_that_is_not_problem_json_still_maps_by_status() -> None:
    with (
        answering(502, b"<html>Bad gateway</html>", "text/html") as origo,
        pytest.raises(ServerError) as caught,
    ):
        origo.members()
    assert caught.value.slug is None
    assert caught.value.detail == "<html>Bad gateway</html>"


def test_success_that_is_not_json_is_an_api_error() -> None:
    with answering(200, b"not json", "text/plain") as origo, pytest.raises(ApiError):
        origo.health()
