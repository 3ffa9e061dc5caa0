"""The listening socket a multi-worker node binds makes asyncio switch Nagle off on every connection:
without it each answer on a kept-alive connection waits ~40 ms for a delayed ACK (uvicorn issue #3149)."""

from __future__ import annotations

import asyncio
import socket

from origo_node.serving import _TcpConfig
from support.event_loop import run_coroutine


def test_the_bound_socket_is_tcp_so_accepted_connections_get_tcp_nodelay() -> None:
    config = _TcpConfig("origo_node.api.factory:app_from_environment", host="127.0.0.1", port=0, workers=2)
    listener = config.bind_socket()
    assert listener.proto == socket.IPPROTO_TCP
    assert listener.get_inheritable()

    async def accepted_nodelay() -> int:
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                sock = transport.get_extra_info("socket")
                seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
        port = listener.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            return await asyncio.wait_for(seen, 5)
        finally:
            writer.close()
            server.close()

    assert run_coroutine(accepted_nodelay) != 0
