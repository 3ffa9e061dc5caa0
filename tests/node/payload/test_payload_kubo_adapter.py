"""The kubo adapter without a kubo: its errors must still come out as the store's own.

Its behaviour against a daemon is in the conformance suite (ORIGO_TEST_KUBO_API).
"""

from __future__ import annotations

import socket

import pytest
from origo_node.errors import PayloadError
from origo_node.payload import KuboPayloadStore
from origo_node.payload.cid import InvalidCid

# ipfshttpclient 0.7 passes urllib3 2 an argument it has dropped; harmless, and not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:The 'strict' parameter is no longer needed:FutureWarning")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_daemon_is_a_payload_error() -> None:
    store = KuboPayloadStore(f"/ip4/127.0.0.1/tcp/{_closed_port()}/http", timeout=2)

    with pytest.raises(PayloadError, match="kubo RPC failed"):
        store.put(b"payload")
    with pytest.raises(PayloadError):
        store.has_block("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku")


def test_a_malformed_cid_is_refused_before_any_request() -> None:
    with pytest.raises(InvalidCid):
        KuboPayloadStore(f"/ip4/127.0.0.1/tcp/{_closed_port()}/http").get("nonsense")


def test_a_malformed_api_address_is_a_payload_error() -> None:
    with pytest.raises(PayloadError, match="bad kubo API address"):
        KuboPayloadStore("not a multiaddr")
