"""A corpus of hostile requests against a real node process: each gets the 4xx it deserves as problem+json,
changes nothing, and the node stays up.

Every case is a request an attacker (or a broken client) can send without any key, or with an officer's or an
admin's: huge and deep bodies, numbers and keys the JSON decoder mishandles, wrong media types, bad UTF-8,
out-of-range integers in paths and queries, odd document keys, overlong URLs and headers, and clients that
stop halfway through a request.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from lone_node import BODY_TIMEOUT_S, HEADER_TIMEOUT_S, LoneNode

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("lone")]

PROBLEM = "application/problem+json"
JSON = {"Content-Type": "application/json"}


@dataclass
class Case:
    name: str
    method: str
    path: str
    expect: int
    role: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    #: Words the problem's detail or errors must contain (the key named, the limit said...).
    says: str = ""


def _deep(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


def _deep_objects(levels: int) -> bytes:
    return b'{"a":' * levels + b"1" + b"}" * levels


CASES = [
    # --- bodies: bounded and checked before any decoder sees them
    Case(
        "100,000 nested arrays",
        "POST",
        "/api/v1/verify",
        400,
        headers=JSON,
        body=_deep(100_000),
        says="nested",
    ),
    Case(
        "deep objects", "POST", "/api/v1/verify", 400, headers=JSON, body=_deep_objects(5_000), says="nested"
    ),
    Case("65 levels", "POST", "/api/v1/verify", 400, headers=JSON, body=_deep(65), says="nested"),
    Case(
        "5,000-digit integer",
        "POST",
        "/api/v1/verify",
        422,
        headers=JSON,
        body=b'{"n":' + b"9" * 5000 + b"}",
        says="5000 characters",
    ),
    Case("long decimal", "POST", "/api/v1/verify", 422, headers=JSON, body=b'{"n":1.' + b"0" * 300 + b"}"),
    Case("NaN literal", "POST", "/api/v1/verify", 400, headers=JSON, body=b'{"n":NaN}', says="NaN"),
    Case("Infinity literal", "POST", "/api/v1/verify", 400, headers=JSON, body=b'{"n":-Infinity}'),
    Case("duplicate keys", "POST", "/api/v1/verify", 422, headers=JSON, body=b'{"a":1,"a":2}', says="'a'"),
    Case("bad UTF-8", "POST", "/api/v1/verify", 400, headers=JSON, body=b'{"a":"\xff\xfe"}', says="UTF-8"),
    Case("UTF-16", "POST", "/api/v1/verify", 400, headers=JSON, body='{"a":1}'.encode("utf-16")),
    Case("lone surrogate escape", "POST", "/api/v1/verify", 422, headers=JSON, body=b'{"a":"\\ud800"}'),
    Case("not JSON", "POST", "/api/v1/verify", 400, headers=JSON, body=b"{'a': 1}"),
    Case("truncated JSON", "POST", "/api/v1/verify", 400, headers=JSON, body=b'{"a": [1, 2'),
    Case("empty JSON body", "POST", "/api/v1/verify", 400, headers=JSON, body=b""),
    Case("JSON null", "POST", "/api/v1/verify", 422, headers=JSON, body=b"null"),
    Case("JSON array", "POST", "/api/v1/verify", 422, headers=JSON, body=b"[1,2,3]"),
    Case("text/plain", "POST", "/api/v1/verify", 415, headers={"Content-Type": "text/plain"}, body=b"{}"),
    Case("no content type", "POST", "/api/v1/verify", 415, body=b"{}"),
    Case(
        "form",
        "POST",
        "/api/v1/verify",
        415,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=b"a=1",
    ),
    Case(
        "multipart",
        "POST",
        "/api/v1/verify",
        415,
        headers={"Content-Type": "multipart/form-data; boundary=x"},
        body=b"--x\r\n\r\n{}\r\n--x--",
    ),
    Case(
        "latin-1 JSON",
        "POST",
        "/api/v1/verify",
        415,
        headers={"Content-Type": "application/json; charset=latin-1"},
        body=b"{}",
    ),
    Case("XML", "POST", "/api/v1/verify", 415, headers={"Content-Type": "application/xml"}, body=b"<a/>"),
    Case(
        "5 MB body",
        "POST",
        "/api/v1/verify",
        413,
        headers=JSON,
        body=b'{"a":"' + b"x" * (5 * 1024 * 1024) + b'"}',
    ),
    Case("body on a GET", "GET", "/api/v1/types", 415, headers={"Content-Type": "text/plain"}, body=b"hello"),
    # --- officer bodies
    Case(
        "two referenceNumbers",
        "POST",
        "/api/v1/documents",
        422,
        role="officer",
        headers=JSON,
        body=b'{"type":"atiga-form-d","referenceNumber":"A-1","referenceNumber":"A-2"}',
        says="referenceNumber",
    ),
    Case(
        "quantity NaN",
        "POST",
        "/api/v1/documents/{doc}/accept",
        422,
        role="officer",
        headers=JSON,
        body=b'{"declaration":"SG-1","quantity":"NaN"}',
        says="quantity",
    ),
    Case(
        "quantity Infinity",
        "POST",
        "/api/v1/documents/{doc}/accept",
        422,
        role="officer",
        headers=JSON,
        body=b'{"declaration":"SG-1","quantity":"Infinity"}',
    ),
    Case(
        "quantity 1e400",
        "POST",
        "/api/v1/documents/{doc}/accept",
        422,
        role="officer",
        headers=JSON,
        body=b'{"declaration":"SG-1","quantity":"1e400"}',
    ),
    Case(
        "item 0 (items are numbered from 1)",
        "POST",
        "/api/v1/documents/{doc}/accept",
        422,
        role="officer",
        headers=JSON,
        body=b'{"declaration":"SG-1","item":0,"quantity":"1"}',
        says="item",
    ),
    Case(
        "an empty list of claims",
        "POST",
        "/api/v1/documents/{doc}/accept",
        422,
        role="officer",
        headers=JSON,
        body=b'{"declaration":"SG-1","claims":[]}',
        says="claims",
    ),
    Case(
        "257 claims (an item index is one byte on the chain)",
        "POST",
        "/api/v1/documents/{doc}/accept",
        422,
        role="officer",
        headers=JSON,
        body=b'{"declaration":"SG-1","claims":[' + b",".join([b'{"item":1}'] * 257) + b"]}",
        says="claims",
    ),
    Case(
        "a claim with a field of its own",
        "POST",
        "/api/v1/documents/{doc}/accept",
        422,
        role="officer",
        headers=JSON,
        body=b'{"declaration":"SG-1","claims":[{"item":1,"unit":"PCE"}]}',
        says="unit",
    ),
    Case(
        "reason code 10^30",
        "POST",
        "/api/v1/documents/{doc}/revoke",
        422,
        role="officer",
        headers=JSON,
        body=b'{"reason_code":1000000000000000000000000000000}',
    ),
    Case(
        "a megabyte of reason",
        "POST",
        "/api/v1/documents/{doc}/revoke",
        422,
        role="officer",
        headers=JSON,
        body=b'{"reason_code":1,"reason":"' + b"r" * 1_000_000 + b'"}',
    ),
    Case(
        "unknown field",
        "POST",
        "/api/v1/documents/{doc}/revoke",
        422,
        role="officer",
        headers=JSON,
        body=b'{"reason_code":1,"reason_code_2":1}',
    ),
    Case(
        "bulk not a list",
        "POST",
        "/api/v1/documents/bulk",
        422,
        role="officer",
        headers=JSON,
        body=b'{"documents":7}',
    ),
    # --- integers in paths and queries
    Case("proposal -1", "GET", "/api/v1/consortium/proposals/-1", 422, role="admin"),
    Case("proposal 10^40", "GET", "/api/v1/consortium/proposals/" + "9" * 40, 422, role="admin"),
    Case(
        "unknown proposal",
        "GET",
        "/api/v1/consortium/proposals/424242",
        404,
        role="admin",
        says="no proposal 424242 on the chain as this node sees it",
    ),
    Case(
        "vote on an unknown proposal",
        "POST",
        "/api/v1/consortium/proposals/424242/vote",
        404,
        role="admin",
        says="may not have reached this node",
    ),
    Case("vote on -5", "POST", "/api/v1/consortium/proposals/-5/vote", 422, role="admin"),
    Case("offset 10^30", "GET", "/api/v1/documents?offset=" + "1" + "0" * 30, 422, role="officer"),
    Case("limit 1e3", "GET", "/api/v1/documents?limit=1e3", 422, role="officer"),
    Case("action 10^23", "GET", "/api/v1/actions/99999999999999999999999", 422, role="officer"),
    Case("action 0", "GET", "/api/v1/actions/0", 422, role="officer"),
    Case("action abc", "GET", "/api/v1/actions/abc", 422, role="officer"),
    Case("unknown action", "GET", "/api/v1/actions/777", 404, role="officer"),
    Case(
        "wait nan",
        "POST",
        "/api/v1/documents/{doc}/reject?wait=nan",
        422,
        role="officer",
        headers=JSON,
        body=b'{"reason_code":1}',
    ),
    Case(
        "wait inf",
        "POST",
        "/api/v1/documents/{doc}/reject?wait=inf",
        422,
        role="officer",
        headers=JSON,
        body=b'{"reason_code":1}',
    ),
    Case("bad digest", "GET", "/api/v1/verify/{doc}?digest=0x1234", 422),
    # --- document keys
    Case("NUL in key", "GET", "/api/v1/documents/%00", 422),
    Case("newline in key", "GET", "/api/v1/documents/VN-1%0D%0ASet-Cookie:%20a=b", 422),
    Case("traversal key", "GET", "/api/v1/documents/..%2F..%2Fetc%2Fpasswd", 404),
    Case("SQL in key", "GET", "/api/v1/documents/' OR 1=1 --", 404),
    Case("emoji key", "GET", "/api/v1/documents/%F0%9F%98%80", 404),
    Case("bad percent", "GET", "/api/v1/documents/%ff%fe", 404),
    Case("200-character key", "GET", "/api/v1/documents/" + "A" * 200, 422),
    Case("unknown id", "GET", "/api/v1/documents/0x" + "ab" * 32, 404),
    Case("types name overlong", "GET", "/api/v1/types/" + "x" * 100 + "/1/schema", 422),
    # --- keys and methods
    Case("proposals without a key", "GET", "/api/v1/consortium/proposals", 401),
    Case("proposals with an officer key", "GET", "/api/v1/consortium/proposals", 403, role="officer"),
    Case(
        "propose without a key",
        "POST",
        "/api/v1/consortium/proposals",
        401,
        headers=JSON,
        body=b'{"kind":"change_quorum","quorum_bps":1}',
    ),
    Case("a made-up key", "GET", "/api/v1/documents", 401, headers={"Authorization": "Bearer " + "k" * 2000}),
    Case("DELETE on verify", "DELETE", "/api/v1/verify", 405),
    Case("PUT on proposals", "PUT", "/api/v1/consortium/proposals", 405, headers=JSON, body=b"{}"),
    Case("no such route", "GET", "/api/v1/nothing-here", 404),
]


def _key(lone: LoneNode, role: str | None) -> dict[str, str]:
    if role is None:
        return {}
    return {"Authorization": "Bearer " + getattr(lone.node, f"{role}_key")}


def _problem_text(body: dict[str, Any]) -> str:
    return str(body.get("detail", "")) + " " + " ".join(str(e) for e in body.get("errors", []))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_request_gets_its_4xx_as_problem_json(lone: LoneNode, case: Case) -> None:
    path = case.path.replace("{doc}", f"VN:{lone.document_id}")  # officers name the issuer
    headers = {**_key(lone, case.role), **case.headers}
    with httpx.Client(base_url=lone.node.url, timeout=30) as http:
        response = http.request(case.method, path, headers=headers, content=case.body)
    assert response.status_code == case.expect, (case.name, response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith(PROBLEM), response.headers
    body = response.json()
    assert body["status"] == case.expect and body["type"].startswith("https://origo.dev/problems/")
    assert body["detail"]
    if case.says:
        assert case.says in _problem_text(body), body
    if case.expect == 405:
        assert response.headers["allow"], "a 405 names the methods allowed"


def test_405_names_every_method_of_the_path(lone: LoneNode) -> None:
    response = httpx.request("PATCH", lone.node.url + "/api/v1/consortium/proposals")
    assert response.status_code == 405
    allowed = {m.strip() for m in response.headers["allow"].split(",")}
    assert {"GET", "POST"} <= allowed


def _raw(lone: LoneNode, data: bytes, *, wait_s: float) -> bytes:
    """Sends ``data`` on a fresh connection, then waits for the server's answer and its closing the socket."""
    with socket.create_connection(("127.0.0.1", lone.node.port), timeout=wait_s) as sock:
        if data:
            sock.sendall(data)
        received = b""
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                return received  # closed by the server
            received += chunk
        raise AssertionError(f"the connection was still open after {wait_s} s; received {received[:200]!r}")


def test_a_client_that_sends_nothing_is_cut_off(lone: LoneNode) -> None:
    answer = _raw(lone, b"", wait_s=HEADER_TIMEOUT_S + 5)
    assert answer.startswith(b"HTTP/1.1 408"), answer


def test_half_sent_headers_are_cut_off_with_408(lone: LoneNode) -> None:
    started = time.monotonic()
    answer = _raw(lone, b"GET /api/v1/types HTTP/1.1\r\nHost: node\r\nX-Slow: ", wait_s=HEADER_TIMEOUT_S + 5)
    assert answer.startswith(b"HTTP/1.1 408") and PROBLEM.encode() in answer, answer
    assert time.monotonic() - started < HEADER_TIMEOUT_S + 3


def test_half_sent_body_is_cut_off_with_408(lone: LoneNode) -> None:
    request = (
        b"POST /api/v1/verify HTTP/1.1\r\nHost: node\r\nContent-Type: application/json\r\n"
        b'Content-Length: 1000\r\n\r\n{"document": {"referenceNumber": '
    )
    answer = _raw(lone, request, wait_s=BODY_TIMEOUT_S + 5)
    assert answer.startswith(b"HTTP/1.1 408") and b"request-timeout" in answer, answer


def test_overlong_url_and_headers_are_refused(lone: LoneNode) -> None:
    url = b"/api/v1/documents/" + b"A" * 20_000
    answer = _raw(lone, b"GET " + url + b" HTTP/1.1\r\nHost: node\r\n\r\n", wait_s=10)
    assert answer.startswith(b"HTTP/1.1 414"), answer[:200]
    big = b"X-Big: " + b"b" * 40_000 + b"\r\n"
    answer = _raw(lone, b"GET /healthz HTTP/1.1\r\nHost: node\r\n" + big + b"\r\n", wait_s=10)
    assert answer.startswith(b"HTTP/1.1 431"), answer[:200]
    many = b"".join(b"X-H%d: 1\r\n" % i for i in range(300))
    answer = _raw(lone, b"GET /healthz HTTP/1.1\r\nHost: node\r\n" + many + b"\r\n", wait_s=10)
    assert answer.startswith(b"HTTP/1.1 431"), answer[:200]


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GARBAGE\r\n\r\n",
        b"GET /healthz HTTP/1.1\r\nHost: node\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"0\r\n\r\n",
        b"GET /healthz HTTP/1.1\r\nHost: node\r\nBad Header Name: x\r\n\r\n",
        b"POST /api/v1/verify HTTP/1.1\r\nHost: node\r\nContent-Length: -1\r\n\r\n",
    ],
    ids=["not HTTP", "length and chunked (smuggling)", "space in a header name", "negative length"],
)
def test_what_the_http_parser_refuses_is_a_400_problem_too(lone: LoneNode, request_bytes: bytes) -> None:
    answer = _raw(lone, request_bytes, wait_s=10)
    assert answer.startswith(b"HTTP/1.1 400") and PROBLEM.encode() in answer, answer[:300]


def test_a_huge_declared_body_is_refused_before_it_is_sent(lone: LoneNode) -> None:
    head = (
        b"POST /api/v1/verify HTTP/1.1\r\nHost: node\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000000000\r\n\r\n"
    )
    answer = _raw(lone, head, wait_s=10)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_a_chunked_body_is_bounded_while_it_is_read(lone: LoneNode) -> None:
    def chunks() -> Any:
        yield b'{"a":"'
        for _ in range(100):
            yield b"x" * 65536
        yield b'"}'

    response = httpx.post(lone.node.url + "/api/v1/verify", content=chunks(), headers=JSON, timeout=30)
    assert response.status_code == 413


def test_after_the_corpus_the_node_is_up_and_nothing_changed(lone: LoneNode) -> None:
    assert lone.node.process is not None and lone.node.process.poll() is None, "the node process died"
    assert httpx.get(lone.node.url + "/healthz", timeout=10).status_code == 200
    by_reference = f"VN:{lone.reference}"
    status = httpx.get(f"{lone.node.url}/api/v1/documents/{by_reference}", timeout=10).json()
    assert status["state"] == "valid" and status["document_id"] == lone.document_id
    assert status["reference"] == lone.reference
    worklist = httpx.get(
        lone.node.url + "/api/v1/documents",
        params={"role": "issuer"},
        headers=_key(lone, "officer"),
        timeout=10,
    ).json()
    assert [d["document_id"] for d in worklist["documents"]] == [lone.document_id], "nothing issued"


def test_the_data_directory_is_the_owner_s_alone(lone: LoneNode) -> None:
    data_dir = lone.node.data_dir
    assert data_dir.stat().st_mode & 0o777 == 0o700
    for name in ("node.db", "node.log", "node.toml"):
        assert (data_dir / name).stat().st_mode & 0o077 == 0, name
    assert (data_dir / "keys").stat().st_mode & 0o077 == 0
