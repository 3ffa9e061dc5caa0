"""Idempotency-Key: the first answer again for a retry, one action, per API key, durable across restarts."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from origo_network.anvil import free_port
from origo_node.api.idempotency_keys import IdempotencyMiddleware
from origo_node.store.apikeys import create_key
from origo_node.store.db import Database


class Desk:
    """An app whose one action counts how often it really acted."""

    def __init__(self, db: Database) -> None:
        self.acted = 0
        self.release = threading.Event()
        self.release.set()
        self.entered = threading.Event()
        app = FastAPI()
        app.add_middleware(IdempotencyMiddleware, db=db, max_body_bytes=1024)

        @app.post("/api/v1/documents/{key}/revoke")
        async def revoke(key: str, request: Request) -> JSONResponse:
            body: dict[str, Any] = await request.json()
            self.entered.set()
            await asyncio.to_thread(self.release.wait, 5)
            self.acted += 1
            status = 500 if body.get("fail") else 200
            return JSONResponse(
                {"action": self.acted, "key": key, "reason": body.get("reason")}, status_code=status
            )

        self.app = app


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return Database(tmp_path / "node.db")


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """The app behind a real HTTP server on a free loopback port."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def desk_client(desk: Desk, api_key: str) -> Iterator[httpx.Client]:
    auth = {"Authorization": f"Bearer {api_key}"}
    with serving(desk.app) as url, httpx.Client(base_url=url, headers=auth, timeout=10) as client:
        yield client


PATH = "/api/v1/documents/VN:A/revoke"


def test_a_retry_gets_the_first_answer_and_acts_once(db: Database, tmp_path: Path) -> None:
    desk = Desk(db)
    api_key = create_key(db, "officer", "desk 1")
    headers = {"Idempotency-Key": "revoke-42"}
    with desk_client(desk, api_key) as officer:
        first = officer.post(PATH, json={"reason": "error"}, headers=headers)
        again = officer.post(PATH, json={"reason": "error"}, headers=headers)
    assert first.json() == again.json() == {"action": 1, "key": "VN:A", "reason": "error"}
    assert again.headers["idempotent-replayed"] == "true" and "idempotent-replayed" not in first.headers
    assert desk.acted == 1
    # The answer is in the node's database: a restarted node answers the retry the same way.
    restarted = Desk(Database(tmp_path / "node.db"))
    with desk_client(restarted, api_key) as officer:
        replay = officer.post(PATH, json={"reason": "error"}, headers=headers)
    assert replay.json() == {"action": 1, "key": "VN:A", "reason": "error"}
    assert restarted.acted == 0


def test_the_same_key_with_another_request_is_refused(db: Database) -> None:
    desk = Desk(db)
    headers = {"Idempotency-Key": "k1"}
    with desk_client(desk, create_key(db, "officer", "desk 1")) as officer:
        officer.post(PATH, json={"reason": "a"}, headers=headers)
        for path, body in ((PATH, {"reason": "b"}), ("/api/v1/documents/VN:B/revoke", {"reason": "a"})):
            refused = officer.post(path, json=body, headers=headers)
            assert refused.status_code == 422
            assert refused.headers["content-type"] == "application/problem+json"
            assert (
                refused.json()["type"].endswith("/idempotency-key-reused")
                and "k1" in refused.json()["detail"]
            )
    assert desk.acted == 1


def test_keys_are_scoped_per_api_key_and_absent_keys_change_nothing(db: Database) -> None:
    desk = Desk(db)
    headers = {"Idempotency-Key": "same"}
    one, two = (create_key(db, "officer", f"desk {n}") for n in (1, 2))
    with serving(desk.app) as url:

        def post(api_key: str, **extra: Any) -> Any:
            auth = {"Authorization": f"Bearer {api_key}", **extra}
            return httpx.post(url + PATH, json={}, headers=auth, timeout=10).json()["action"]

        assert post(one, **headers) == 1
        assert post(two, **headers) == 2  # another API key: another scope
        assert post(one) == 3  # no header: acts
        assert post("not-a-key", **headers) == 4  # no valid key: left to the routes (which answer 401)
        assert post(one, **headers) == 1


def test_a_server_error_is_not_kept_and_a_bad_key_is_a_problem(db: Database) -> None:
    desk = Desk(db)
    headers = {"Idempotency-Key": "k-500"}
    with desk_client(desk, create_key(db, "officer", "desk 1")) as officer:
        assert officer.post(PATH, json={"fail": True}, headers=headers).status_code == 500
        assert officer.post(PATH, json={"fail": True}, headers=headers).status_code == 500
        assert desk.acted == 2
        bad = officer.post(PATH, json={}, headers={"Idempotency-Key": "a b"})
        assert bad.status_code == 400 and bad.json()["type"].endswith("/bad-request")
        big = officer.post(PATH, json={"reason": "x" * 2000}, headers={"Idempotency-Key": "big"})
        assert big.status_code == 413
    assert desk.acted == 2


def test_a_retry_while_the_first_is_running_is_told_to_wait(db: Database) -> None:
    desk = Desk(db)
    headers = {"Idempotency-Key": "slow"}
    desk.release.clear()
    answers: list[Any] = []
    with desk_client(desk, create_key(db, "officer", "desk 1")) as officer:
        first = threading.Thread(target=lambda: answers.append(officer.post(PATH, json={}, headers=headers)))
        first.start()
        try:
            assert desk.entered.wait(10)  # the first request is being handled
            waiting = officer.post(PATH, json={}, headers=headers)
            assert waiting.status_code == 409 and waiting.headers["retry-after"] == "1"
            assert "still being handled" in waiting.json()["detail"]
        finally:
            desk.release.set()
            first.join(10)
    assert answers[0].status_code == 200 and desk.acted == 1
