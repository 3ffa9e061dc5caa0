"""The kubo adapter without a kubo: its errors must still come out as the store's own.

Its behaviour against a daemon is in the conformance suite and test_payload_kubo_swarm.py.
"""

from __future__ import annotations

import socket

import pytest
from origo_node.errors import PayloadError
from origo_node.payload import KuboPayloadStore
from origo_node.payload.cid import InvalidCid
from origo_node.payload.kubo import api_url


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_daemon_is_a_payload_error() -> None:
    store = KuboPayloadStore(f"/ip4/127.0.0.1/tcp/{_closed_port()}/http", timeout=2)

    with pytest.raises(PayloadError, match="cannot be reached"):
        store.put(b"payload")
    with pytest.raises(PayloadError):
        store.has_block("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku")


def test_a_malformed_cid_is_refused_before_any_request() -> None:
    with pytest.raises(InvalidCid):
        KuboPayloadStore(f"/ip4/127.0.0.1/tcp/{_closed_port()}/http").get("nonsense")


def test_a_malformed_api_address_is_a_payload_error() -> None:
    with pytest.raises(PayloadError, match="bad kubo API address"):
        KuboPayloadStore("not a multiaddr")


@pytest.mark.parametrize(
    ("api", "url"),
    [
        ("/ip4/127.0.0.1/tcp/5001/http", "http://127.0.0.1:5001"),
        ("/ip4/10.0.0.7/tcp/5001", "http://10.0.0.7:5001"),
        ("/ip6/::1/tcp/5001/http", "http://[::1]:5001"),
        ("/dns4/kubo.internal/tcp/443/https", "https://kubo.internal:443"),
        ("http://127.0.0.1:5001/", "http://127.0.0.1:5001"),
    ],
)
def test_an_rpc_address_is_a_multiaddr_or_a_url(api: str, url: str) -> None:
    assert api_url(api) == url


@pytest.mark.parametrize(
    "api", ["/ip4/127.0.0.1/udp/5001", "/ip4/127.0.0.1/tcp/port", "/unix/sock", "/ip4/1/tcp/1/ws"]
)
def test_an_rpc_address_kubo_could_not_listen_on_is_refused(api: str) -> None:
    with pytest.raises(PayloadError, match="bad kubo API address"):
        KuboPayloadStore(api)
