"""A node run with several API worker processes: one of them, the holder of the data directory's background
lock, runs the batcher, indexer and sender; requests served by any worker are anchored exactly once, and
officer actions sent through any worker get distinct nonces (none is lost to a nonce clash)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from origo_devnet.network import Network
from origo_node.background import BackgroundLock
from support.network import anchored_ids, running_network, sample, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("workers")]


def test_one_process_at_a_time_holds_the_background_lock(tmp_path: Path) -> None:
    path = tmp_path / "background.lock"
    first, second = BackgroundLock(path), BackgroundLock(path)
    assert first.try_acquire() and first.held
    assert not second.try_acquire() and not second.held
    first.release()
    assert second.try_acquire()
    second.release()


def test_the_lock_passes_on_when_its_holder_is_killed(tmp_path: Path) -> None:
    path = tmp_path / "background.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from origo_node.background import BackgroundLock;"
            f"assert BackgroundLock(Path({str(path)!r})).try_acquire();"
            "print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"held"
        waiting = BackgroundLock(path)
        assert not waiting.try_acquire()
        holder.kill()
        holder.wait(10)
        assert waiting.try_acquire()  # the kernel dropped the dead holder's lock
        waiting.release()
    finally:
        holder.kill()


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    settings = {"workers": 2, "batch_interval_s": 0.3, "index_poll_s": 0.1}
    with running_network(tmp_path_factory.mktemp("workers"), ("VN", "SG"), node_settings=settings) as network:
        yield network


def worker_pids(net: Network, code: str) -> set[int]:
    process = net.members[code].process
    assert process is not None
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    return {int(pid) for pid in children}


def test_requests_through_every_worker_are_anchored_exactly_once(net: Network) -> None:
    vn, sg = net.members["VN"], net.members["SG"]
    assert len(worker_pids(net, "VN")) >= 2, "the node should run two worker processes"
    headers = {"Authorization": f"Bearer {vn.officer_key}"}

    def issue(i: int) -> str:
        doc = sample("form-d/vn-sg-coffee.json")
        doc["referenceNumber"] = f"VN-HCM-2026-W{i:05d}"
        with httpx.Client(base_url=vn.url, headers=headers, timeout=30) as http:  # a new connection each
            response = http.post("/api/v1/documents", json=doc)
        assert response.status_code == 202, response.text
        return str(response.json()["document_id"])

    with ThreadPoolExecutor(8) as pool:
        accepted = list(pool.map(issue, range(60)))
    for doc_id in accepted:
        wait_for(
            lambda d=doc_id: httpx.get(f"{sg.url}/api/v1/documents/{d}").json().get("state") == "valid",
            timeout=60,
            what=f"{doc_id} valid at SG",
        )
    ids = anchored_ids(net, "VN")
    assert sorted(ids) == sorted(set(ids)), "a document was anchored twice"
    assert set(accepted) <= set(ids)

    def revoke(doc_id: str) -> dict[str, object]:
        with httpx.Client(base_url=vn.url, headers=headers, timeout=60) as http:
            response = http.post(f"/api/v1/documents/VN:{doc_id}/revoke", json={"reason_code": 1})
        assert response.status_code == 200, response.text
        return dict(response.json())

    with ThreadPoolExecutor(6) as pool:
        actions = list(pool.map(revoke, accepted[:12]))
    assert {a["state"] for a in actions} == {"done"}
    assert len({a["tx"] for a in actions}) == 12
    for doc_id in accepted[:12]:
        assert httpx.get(f"{vn.url}/api/v1/documents/{doc_id}").json()["state"] == "revoked"


def test_a_killed_background_worker_is_replaced_and_work_goes_on(net: Network) -> None:
    vn, sg = net.members["VN"], net.members["SG"]
    lock_holder = next(
        pid
        for pid in worker_pids(net, "VN")
        if any(
            os.readlink(f"/proc/{pid}/fd/{fd}").endswith("background.lock")
            for fd in os.listdir(f"/proc/{pid}/fd")
        )
    )
    os.kill(lock_holder, 9)
    doc = sample("form-d/vn-sg-coffee.json")
    doc["referenceNumber"] = "VN-HCM-2026-W-AFTER"
    response = wait_for(
        lambda: (
            (
                r := httpx.post(
                    f"{vn.url}/api/v1/documents",
                    json=doc,
                    headers={"Authorization": f"Bearer {vn.officer_key}"},
                )
            ).status_code
            == 202
            and r
        ),
        timeout=30,
        what="VN to accept again",
    )
    doc_id = response.json()["document_id"]
    wait_for(
        lambda: httpx.get(f"{sg.url}/api/v1/documents/{doc_id}").json().get("state") == "valid",
        timeout=60,
        what="the document to be anchored after the background worker died",
    )
