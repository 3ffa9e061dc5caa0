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

WORKER_HEALTHCHECK_S = 90


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


_FORK = multiprocessing.get_context("fork")


def _import_node() -> None:
    import origo_node.runtime  # noqa: F401


def _import_api() -> None:
    import uvicorn._subprocess

    import origo_node.api.factory  # noqa: F401
    from origo_node.documents.registry import compile_validators

    compile_validators()

    # uvicorn starts its workers with the spawn context; forked, they find the node imported already. Guarded:
    # should a later uvicorn drop this module attribute, its workers are spawned as before.
    if isinstance(getattr(uvicorn._subprocess, "spawn", None), multiprocessing.context.SpawnContext):
        uvicorn._subprocess.spawn = _FORK  # type: ignore[assignment]


class _Supervisor(Multiprocess):
    """uvicorn's supervisor, which checks the passphrase once its workers are started (one scrypt, in this
    otherwise idle process, while they start): a wrong one stops them all and is reported as at any start."""

    def __init__(self, config: uvicorn.Config, settings: NodeSettings, sockets: list[socket.socket]) -> None:
        super().__init__(config, sockets=sockets)
        self._settings = settings
        self._refused: list[Exception] = []

    def init_processes(self) -> None:
        super().init_processes()
        threading.Thread(target=self._check, name="passphrase-check", daemon=True).start()

    def _check(self) -> None:
        from origo_node.errors import OrigoError

        try:
            check_passphrase(self._settings)
        except OrigoError as exc:
            self._refused.append(exc)
            self.should_exit.set()

    def raise_refusal(self) -> None:
        if self._refused:
            raise self._refused[0]


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


def run_node(settings: NodeSettings, *, config_file: Path | None = None, log_level: str = "info") -> None:
    """Runs the node in the foreground until interrupted (SIGINT/SIGTERM stop it cleanly).

    With ``workers`` > 1 the API runs in that many processes (each reads ``config_file`` again); one of them
    holds the background lock and runs the batcher, indexer and sender.
    """
    import logging

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    serve(settings, config_file, log_level)


def check_passphrase(settings: NodeSettings) -> None:
    """Opens the encryption keystore once, so that a wrong passphrase stops the node at start (KeystoreLocked)
    although its processes decrypt their keys only when they first need them (``crypto.deferred``)."""
    from origo_node.crypto import load_encryption_key

    load_encryption_key(settings.encryption_keystore, settings.read_passphrase())


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
            # uvicorn kills a worker that has not answered its supervisor within 5 s; a worker
            # importing the node on a busy two-core machine took 19-38 s, and was killed again and again.
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
        )
        # Forked, not spawned: this process imports the node once (a second on idle cores) and its children
        # start from that, instead of three fresh interpreters importing it at the same time on two cores.
        # Nothing but imports happened here yet: no thread, no connection, no key is copied into them.
        _import_node()
        background = _FORK.Process(
            target=run_background, args=(str(config_file), log_level), name="origo-background"
        )
        # The background process first: a new member's node replays the chain there.
        background.start()
        _import_api()
        supervisor = _Supervisor(config, settings, sockets=[config.bind_socket()])
        try:
            supervisor.run()
        finally:
            background.terminate()
            background.join(15)
        supervisor.raise_refusal()
        return

    check_passphrase(settings)
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
