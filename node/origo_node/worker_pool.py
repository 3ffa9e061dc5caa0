"""Worker processes for CPU-bound work that holds the interpreter lock, so that it uses every core.

A pool is started at its first task and ends with the node. Its workers are forked from a fork server started
from a fresh interpreter, not from this process: a child of this process would inherit its sockets and the
background lock, and could keep them after this process died. A worker whose node is gone exits by itself.

If the pool cannot be had (a worker died, what the workers need cannot be had) ``submit`` or ``result``
answers None and the caller does the work on its own thread, with the very same outcome; after a worker died
no pool is started again for a minute. (As with any fork server, a worker imports the program's main module
again, as ``__mp_main__``: ``python -m origo_node`` and the ``origo`` script are safe to import; a program
without a ``__main__`` guard makes its workers fail, and the node works alone.)
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

log = logging.getLogger(__name__)

_RETRY_AFTER_S = 60.0
T = TypeVar("T")
# The fork server is one per process, shared by every pool: it preloads what all of them run (what a pool
# started after it adds is imported by that pool's workers themselves).
_preloaded = {__name__}

#: What starts a worker: its initializer and the initializer's arguments; None when they cannot be had now.
Start = tuple[Callable[..., None], tuple[Any, ...]] | None


def cores() -> int:
    return os.cpu_count() or 1


class WorkerPool:
    def __init__(self, what: str, workers: int, preload: str, start: Callable[[], Start]) -> None:
        """``what`` names the work in the log ("payload check"); ``preload`` is the module the fork server
        imports once (the one the workers run); ``start`` gives each worker's initializer."""
        self.workers = workers
        self._what = what
        self._preload = preload
        self._start = start
        self._pool: ProcessPoolExecutor | None = None
        self._warming: list[Future[int]] = []  # one task per worker, done once each worker has started
        self._lock = threading.Lock()
        self._closed = False
        #: After a worker died, no new pool before this (monotonic seconds): one that cannot start would
        #: otherwise be started again every round.
        self._retry_at = 0.0

    @property
    def running(self) -> bool:
        """Whether worker processes are started (the pool is started at its first task)."""
        return self._pool is not None

    @property
    def ready(self) -> bool:
        """Whether the workers have started and can take tasks at once (starting takes a second or more)."""
        with self._lock:
            return self._pool is not None and all(f.done() and f.exception() is None for f in self._warming)

    def warm_up(self) -> None:
        """Starts the workers, if they are not started yet, without waiting for them."""
        self._started()

    def submit(self, function: Callable[..., T], *arguments: Any) -> Future[T] | None:
        """Starts ``function(*arguments)`` in a worker; None when the pool cannot be had just now."""
        pool = self._started()
        if pool is None:
            return None
        try:
            return pool.submit(function, *arguments)
        except BrokenProcessPool as exc:
            self._broken(exc)
            return None

    def result(self, future: Future[T]) -> T | None:
        """What a ``submit`` answered (its exception raised); None if its worker died (the caller then does
        the work itself)."""
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
                start = self._start()
                if start is None:
                    return None
                initializer, arguments = start
                context = multiprocessing.get_context("forkserver")
                # The fork server imports what a worker runs once; each worker is then forked from it.
                _preloaded.add(self._preload)
                context.set_forkserver_preload(sorted(_preloaded))
                self._pool = ProcessPoolExecutor(
                    self.workers,
                    mp_context=context,
                    initializer=_start_worker,
                    initargs=(initializer, arguments),
                )
                # The pool starts a worker per task while none is idle: ask for all now, not one by one
                # in the middle of the rounds (each one imports what it runs, seconds on a busy machine).
                self._warming = [self._pool.submit(os.getpid) for _ in range(self.workers)]
            return self._pool

    def _broken(self, exc: BaseException) -> None:
        log.warning(
            "a %s worker died (%r); the node does that work in its own process for %.0f s",
            self._what,
            exc,
            _RETRY_AFTER_S,
        )
        with self._lock:
            pool, self._pool = self._pool, None
            self._retry_at = time.monotonic() + _RETRY_AFTER_S
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def _start_worker(initializer: Callable[..., None], arguments: tuple[Any, ...]) -> None:
    initializer(*arguments)
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
