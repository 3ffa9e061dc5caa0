"""Worker processes that open and check the payloads a member reads, so that reading uses every core.

Opening a payload (HPKE in ``cryptography``), its canonical form, the EIP-712 recovery and the facts check
hold the interpreter lock: threads take one core at most, so the checker hands them to processes
(``services.payload_verdicts.verdict``, the same function it runs itself; the pool is ``worker_pool``'s).
Each worker is given the member's decryption keys once, when it starts, through the pool's initializer: as
raw secrets over the pipe from this process to the fork server, never on disk and never in a log (the keys
refuse to be pickled on purpose, so nothing else can ship them by accident). If the pool cannot be had (a
worker died, the keystore will not open) ``submit`` or ``result`` answers None and the checker checks those
payloads on its own thread, which records the very same outcomes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future

from origo_node.crypto import EncryptionPrivateKey
from origo_node.crypto.suites import suite
from origo_node.errors import OrigoError
from origo_node.services.payload_verdicts import verdict
from origo_node.services.reading import PayloadOpener
from origo_node.store.rows import IndexedDocument, PayloadCheck
from origo_node.worker_pool import Start, WorkerPool, cores

log = logging.getLogger(__name__)

#: What a worker is given at start: the member, its keys as (suite tag, secret), current first, the domain.
_Secrets = tuple[str, tuple[tuple[int, bytes], ...], bytes]
_opener: PayloadOpener | None = None  # a worker's keys, set by its initializer


def default_workers() -> int:
    """One worker per core; none on a single core, where a process would only add the hop to it."""
    count = cores()
    return 0 if count < 2 else min(count, 8)


class CheckPool(WorkerPool):
    def __init__(self, workers: int, opener: Callable[[], PayloadOpener]) -> None:
        super().__init__("payload check", workers, __name__, self._secrets)
        self._opener = opener

    def submit_checks(
        self, items: Sequence[tuple[bytes, IndexedDocument]]
    ) -> Future[list[PayloadCheck]] | None:
        """Starts checking each (envelope, row) in a worker; None when the pool cannot be had just now."""
        return self.submit(_verdicts_in_worker, list(items))

    def _secrets(self) -> Start:
        try:
            opener = self._opener()
        except OrigoError as exc:  # the checker's own thread records why, payload by payload
            log.warning("payload check workers not started: %s", exc.message)
            return None
        secrets = tuple((int(key.suite.id), key.secret_bytes()) for key in opener.keys)
        return _start_worker, ((opener.member, secrets, opener.domain),)


def _start_worker(given: _Secrets) -> None:
    global _opener
    member, secrets, domain = given
    _opener = PayloadOpener(member, tuple(EncryptionPrivateKey(suite(t), s) for t, s in secrets), domain)


def _verdicts_in_worker(items: list[tuple[bytes, IndexedDocument]]) -> list[PayloadCheck]:
    if _opener is None:  # pragma: no cover - the initializer always runs first
        raise RuntimeError("payload check worker started without its keys")
    opener = _opener
    return [verdict(opener, envelope, row) for envelope, row in items]
