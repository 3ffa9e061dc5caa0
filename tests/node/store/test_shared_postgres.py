"""Several API hosts on one PostgreSQL database: their writes queue as on one SQLite file (an id is accepted
once, whoever races for it), and only one host at a time owns the background loops (batcher, indexer)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from origo_node.store.outbox import OutboxRepository
from origo_node.store.postgres import AdvisoryBackgroundLock, PostgresDatabase
from test_store_suite import entry


def test_two_hosts_racing_for_the_same_ids_accept_each_once(pg_dsn: str) -> None:
    hosts = [PostgresDatabase(pg_dsn), PostgresDatabase(pg_dsn)]
    taken: list[set[str]] = [set(), set()]
    start = threading.Barrier(2)

    def accept(i: int) -> None:
        outbox = OutboxRepository(hosts[i])
        start.wait()
        for n in range(40):
            taken[i] |= outbox.add([entry(n), entry(1000 + n)], all_or_nothing=False)
        hosts[i].close()

    threads = [threading.Thread(target=accept, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = {entry(n).document_id for n in range(40)} | {entry(1000 + n).document_id for n in range(40)}
    # Every id was refused to exactly one of the two hosts: the other accepted it, once.
    assert taken[0] | taken[1] == ids and not taken[0] & taken[1]
    reader = PostgresDatabase(pg_dsn)
    assert OutboxRepository(reader).unbatched_count() == 80
    reader.close()


def test_one_host_owns_the_background_loops_until_it_lets_go(pg_dsn: str) -> None:
    PostgresDatabase(pg_dsn).close()
    first, second = AdvisoryBackgroundLock(pg_dsn), AdvisoryBackgroundLock(pg_dsn)
    assert first.try_acquire() and first.held
    assert first.try_acquire()  # already held: still the owner
    assert not second.try_acquire() and not second.held
    first.release()  # as when the owner's process dies: its connection ends, the server frees the lock
    assert second.try_acquire()
    assert not first.try_acquire()
    second.release()


def test_the_loops_pass_to_another_host_when_their_owner_is_killed(pg_dsn: str) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; from origo_node.store.postgres import AdvisoryBackgroundLock;"
            f"lock = AdvisoryBackgroundLock({pg_dsn!r}); assert lock.try_acquire();"
            "print('held', flush=True); time.sleep(120)",
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"held"
        waiting = AdvisoryBackgroundLock(pg_dsn)
        assert not waiting.try_acquire()
        holder.kill()  # SIGKILL: no release, no goodbye to the server
        holder.wait(10)
        deadline = time.monotonic() + 30
        while not waiting.try_acquire():  # the server ends the dead client's session, freeing its lock
            assert time.monotonic() < deadline, "the killed owner's lock was never freed"
            time.sleep(0.1)
        waiting.release()
    finally:
        holder.kill()


def test_a_second_host_opening_the_database_keeps_what_the_first_wrote(pg_dsn: str) -> None:
    first = PostgresDatabase(pg_dsn)
    OutboxRepository(first).add([entry(1)], all_or_nothing=True)
    second = PostgresDatabase(pg_dsn)  # creates nothing twice, drops nothing
    assert OutboxRepository(second).get(entry(1).document_id) == entry(1)
    first.close()
    second.close()
