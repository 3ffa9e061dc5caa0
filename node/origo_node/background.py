"""Background loops (batcher, indexer, payload reader, action sender), each in its own thread.

A loop that fails logs the error and backs off; it never dies, because a chain or store outage is expected and
the work it does is safe to repeat.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

from origo_node.errors import OrigoError

log = logging.getLogger(__name__)


class BackgroundLock:
    """An exclusive lock on a file in the data directory, held by the one process that runs the loops.

    The kernel releases it when that process dies, however it dies, so another worker process takes over.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def try_acquire(self) -> bool:
        if self._fd is not None:
            return True
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class Loop:
    def __init__(
        self, name: str, step: Callable[[], int], interval_s: float, max_backoff_s: float = 10.0
    ) -> None:
        self.name = name
        self._step = step
        self._interval = interval_s
        self._max_backoff = max_backoff_s
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"origo-{name}", daemon=True)
        self.last_error: str | None = None

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        """Run the next step now instead of after the interval."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        backoff = self._interval
        while not self._stop.is_set():
            try:
                busy = self._step() > 0
                self.last_error = None
                backoff = self._interval
            except OrigoError as exc:
                busy = False
                self.last_error = exc.message
                log.warning("%s: %s (retrying in %.1f s)", self.name, exc.message, backoff)
                backoff = min(backoff * 2, self._max_backoff)
            except (
                Exception
            ) as exc:  # a bug must not stop anchoring for good; it is logged with its traceback
                busy = False
                self.last_error = repr(exc)
                log.exception("%s failed (retrying in %.1f s)", self.name, backoff)
                backoff = min(backoff * 2, self._max_backoff)
            if busy:
                continue
            self._wake.wait(backoff)
            self._wake.clear()
