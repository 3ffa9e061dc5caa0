"""Worker processes that open and check the payloads a member reads, so that reading uses every core.

Opening a payload (HPKE in ``cryptography``), its canonical form, the EIP-712 recovery and the facts check
hold the interpreter lock: threads take one core at most, so the checker hands them to processes
(``services.payload_verdicts.verdict``, the same function it runs itself). Each worker is given the member's
decryption keys once, when it starts, through the pool's initializer: as raw secrets over the pipe from this
process to the fork server, never on disk and never in a log (the keys refuse to be pickled on purpose, so
nothing else can ship them by accident). The workers are forked from a fork server started from a fresh
interpreter, not from this process: a child of this process would inherit its sockets and the background
lock, and could keep them after this process died. A worker whose node is gone exits by itself.

If the pool cannot be had (a worker died, the keystore will not open) ``submit`` or ``result`` answers None
and the checker checks those payloads on its own thread, which records the very same outcomes; after a
worker died no pool is started again for a minute. (As with any fork server, a worker imports the
program's main module again, as ``__mp_main__``: ``python -m origo_node`` and the ``origo`` script are
safe to import; a program without a ``__main__`` guard makes its workers fail, and the node checks alone.)
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from origo_node.crypto import EncryptionPrivateKey
from origo_node.crypto.suites import suite
from origo_node.errors import OrigoError
from origo_node.services.payload_verdicts import verdict
from origo_node.services.reading import PayloadOpener
from origo_node.store.rows import IndexedDocument, PayloadCheck

log = logging.getLogger(__name__)

#: What a worker is given at start: the member, its keys as (suite tag, secret), current first, the domain.
_Secrets = tuple[str, tuple[tuple[int, bytes], ...], bytes]
_opener: PayloadOpener | None = None  # a worker's keys, set by its initializer
_RETRY_AFTER_S = 60.0


def default_workers() -> int:
    """One worker per core; none on a single core, where a process would only add the hop to it."""
    cores = os.cpu_count() or 1
    return 0 if cores < 2 else min(cores, 8)


class CheckPool:
    def __init__(self, workers: int, opener: Callable[[], PayloadOpener]) -> None:
        self.workers = workers
        self._opener = opener
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._closed = False
        #: After a worker died, no new pool before this (monotonic seconds): one that cannot start would
        #: otherwise be started again every round.
        self._retry_at = 0.0

    @property
    def running(self) -> bool:
        """Whether worker processes are started (the pool is started at the first payloads to check)."""
        return self._pool is not None

    def submit(self, items: Sequence[tuple[bytes, IndexedDocument]]) -> Future[list[PayloadCheck]] | None:
        """Starts checking each (envelope, row) in a worker; None when the pool cannot be had just now."""
        pool = self._started()
        if pool is None:
            return None
        try:
            return pool.submit(_verdicts_in_worker, list(items))
        except BrokenProcessPool as exc:
            self._broken(exc)
            return None

    def result(self, future: Future[list[PayloadCheck]]) -> list[PayloadCheck] | None:
        """The verdicts of a ``submit``, in order; None if its worker died (the caller checks them itself)."""
        try:
            return future.result()
        except (BrokenProcessPool, CancelledError) as exc:
            self._broken(exc)
            return None

    def close(self) -> None:
        """Ends the workers (the node is stopping); ``submit`` answers None after this."""
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def _started(self) -> ProcessPoolExecutor | None:
        with self._lock:
            if self._closed or time.monotonic() < self._retry_at:
                return None
            if self._pool is None:
                try:
                    opener = self._opener()
                except OrigoError as exc:  # the checker's own thread records why, payload by payload
                    log.warning("payload check workers not started: %s", exc.message)
                    return None
                context = multiprocessing.get_context("forkserver")
                # The fork server imports what a worker runs once; each worker is then forked from it.
                context.set_forkserver_preload([__name__])
                secrets = tuple((int(key.suite.id), key.secret_bytes()) for key in opener.keys)
                self._pool = ProcessPoolExecutor(
                    self.workers,
                    mp_context=context,
                    initializer=_start_worker,
                    initargs=((opener.member, secrets, opener.domain),),
                )
                # The pool starts a worker per task while none is idle: ask for all now, not one by one
                # in the middle of the rounds (each one imports what it runs, seconds on a busy machine).
                for _ in range(self.workers):
                    self._pool.submit(os.getpid)
            return self._pool

    def _broken(self, exc: BaseException) -> None:
        log.warning(
            "a payload check worker died (%r); payloads are checked in the node's process for %.0f s",
            exc,
            _RETRY_AFTER_S,
        )
        with self._lock:
            pool, self._pool = self._pool, None
            self._retry_at = time.monotonic() + _RETRY_AFTER_S
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def _start_worker(given: _Secrets) -> None:
    global _opener
    member, secrets, domain = given
    _opener = PayloadOpener(member, tuple(EncryptionPrivateKey(suite(t), s) for t, s in secrets), domain)
    threading.Thread(target=_exit_with_node, name="exit-with-node", daemon=True).start()


def _exit_with_node() -> None:
    # Orphaned (the node was killed), a worker would wait on its queue for ever, and keep the fork server
    # alive with it (each worker holds the fork server's "alive" pipe). Its parent process's sentinel, a pipe
    # from the node that started it (not the fork server), ends when the node does, however it ends.
    parent = multiprocessing.parent_process()
    if parent is None:  # pragma: no cover - a pool's worker always has one
        return
    multiprocessing.connection.wait([parent.sentinel])
    os._exit(0)


def _verdicts_in_worker(items: list[tuple[bytes, IndexedDocument]]) -> list[PayloadCheck]:
    if _opener is None:  # pragma: no cover - the initializer always runs first
        raise RuntimeError("payload check worker started without its keys")
    opener = _opener
    return [verdict(opener, envelope, row) for envelope, row in items]
