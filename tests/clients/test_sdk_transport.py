"""Retries, backoff and timeouts over real sockets: a port nobody listens on, a server that never answers."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from origo_sdk import ConnectionError, OrigoClient, OrigoError


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port  # closed again: connecting is refused at once


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and reads, but never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_reads_are_retried_with_growing_backoff() -> None:
    waits: list[float] = []
    origo = OrigoClient(f"http://127.0.0.1:{closed_port()}", retries=3, backoff=0.5, sleep=waits.append)
    with origo, pytest.raises(ConnectionError) as caught:
        origo.status("VN:VN-1")
    assert waits == [0.5, 1.0, 2.0]
    assert caught.value.attempts == 4
    assert "cannot reach the node" in str(caught.value)


def test_verifying_a_file_is_idempotent_and_retried() -> None:
    waits: list[float] = []
    origo = OrigoClient(f"http://127.0.0.1:{closed_port()}", retries=2, sleep=waits.append)
    with origo, pytest.raises(ConnectionError):
        origo.verify_file(b'{"type": "atiga-form-d"}')
    assert len(waits) == 2


@pytest.mark.parametrize(
    "call",
    [
        lambda o: o.issue({"type": "atiga-form-d"}),
        lambda o: o.revoke("VN:X", 1, "r"),
        lambda o: o.accept("VN:X", "SG-1"),
        lambda o: o.vote(1),
    ],
)
def test_changes_are_sent_once(call: object) -> None:
    waits: list[float] = []
    origo = OrigoClient(f"http://127.0.0.1:{closed_port()}", retries=5, sleep=waits.append)
    with origo, pytest.raises(ConnectionError) as caught:
        call(origo)  # type: ignore[operator]
    assert waits == []
    assert caught.value.attempts == 1


def test_backoff_is_capped() -> None:
    waits: list[float] = []
    origo = OrigoClient(f"http://127.0.0.1:{closed_port()}", retries=8, backoff=1.0, sleep=waits.append)
    with origo, pytest.raises(ConnectionError):
        origo.health()
    assert max(waits) == 4.0


def test_a_silent_node_times_out(silent_server: str) -> None:
    started = time.monotonic()
    origo = OrigoClient(silent_server, timeout=0.5, retries=1, sleep=lambda _: None)
    with origo, pytest.raises(ConnectionError) as caught:
        origo.members()
    assert "did not answer in time" in str(caught.value)
    assert caught.value.attempts == 2
    assert time.monotonic() - started < 5


def test_connection_error_is_an_origo_error_not_an_api_answer() -> None:
    assert issubclass(ConnectionError, OrigoError)


def test_negative_retries_are_refused() -> None:
    with pytest.raises(ValueError):
        OrigoClient(retries=-1)
