"""Serving the node's API with uvicorn: in this process, or in several worker processes beside a background
process that runs the batcher, indexer, reader and sender.

With several workers uvicorn binds the listening socket itself and leaves its protocol number at 0; asyncio
then does not set TCP_NODELAY on the connections it accepts, and every answer on a kept-alive connection
waits ~40 ms for the client's delayed ACK (uvicorn issue #3149: 44 ms instead of 2 ms per verification here).
``_TcpConfig`` binds the socket as a TCP socket so that asyncio does.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import threading
from pathlib import Path

import uvicorn
from uvicorn.supervisors import Multiprocess

from origo_node.datadir import make_private
from origo_node.http_protocol import NodeServerConfig
from origo_node.settings import NodeSettings


class _TcpConfig(NodeServerConfig):
    def bind_socket(self) -> socket.socket:
        family, kind, proto, _, address = socket.getaddrinfo(
            self.host, self.port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError:
            sock.close()
            raise
        sock.set_inheritable(True)
        return sock


def run_background(config_file: str, log_level: str) -> None:
    """The node's batcher, indexer, reader and sender, without HTTP, in a process of their own.

    In an API worker they would share its interpreter lock with request handling: under load the batcher then
    fell tens of thousands of documents behind what the API accepted.
    """
    import logging

    from origo_node.runtime import Node
    from origo_node.settings import load_settings

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())
    settings = load_settings(Path(config_file))
    make_private(settings.data_dir)
    node = Node(settings)
    node.start()
    try:
        stopping.wait()
    finally:
        node.stop()


def serve(settings: NodeSettings, config_file: Path | None, log_level: str) -> None:
    """Serves until SIGINT/SIGTERM. Several workers need ``config_file``: each process reads it again."""
    make_private(settings.data_dir)
    if settings.workers > 1 and config_file is not None:
        os.environ["ORIGO_CONFIG"] = str(config_file)
        config = _TcpConfig(
            "origo_node.api.factory:app_from_environment",
            factory=True,
            workers=settings.workers,
            host=settings.host,
            port=settings.port,
            log_level=log_level,
            access_log=False,
            header_timeout_s=settings.header_timeout_s,
        )
        background = multiprocessing.get_context("spawn").Process(
            target=run_background, args=(str(config_file), log_level), name="origo-background"
        )
        background.start()
        try:
            Multiprocess(config, sockets=[config.bind_socket()]).run()
        finally:
            background.terminate()
            background.join(15)
        return

    from origo_node.api.app import create_app
    from origo_node.runtime import Node

    single = NodeServerConfig(
        create_app(Node(settings)),
        host=settings.host,
        port=settings.port,
        log_level=log_level,
        access_log=False,
        header_timeout_s=settings.header_timeout_s,
    )
    uvicorn.Server(single).run()
