"""Real node processes on PostgreSQL: VN and SG (two API worker processes each, sharing their member's
database as two hosts would) issue, anchor and verify; nothing is written to an SQLite file, and one process
per member holds the advisory lock that owns the background loops."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
import pytest
from origo_devnet.network import Network
from origo_devnet.pg_cluster import PgCluster
from origo_node.store.postgres import BACKGROUND_LOCK_KEY
from support.network import FAST_NODE_SETTINGS, anchored_ids, running_network, sample, wait_for
from webhook_receiver import Receiver

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("postgres-nodes")]


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory, pg_cluster: PgCluster) -> Iterator[Network]:
    for code in ("vn", "sg"):
        pg_cluster.create_database(f"origo_node_{code}")
    settings = {
        **FAST_NODE_SETTINGS,
        "workers": 2,
        "store_backend": "postgres",
        "store_dsn": pg_cluster.dsn("origo_node_{member}"),
    }
    with running_network(
        tmp_path_factory.mktemp("pg-nodes"), ("VN", "SG"), node_settings=settings
    ) as network:
        yield network


def test_documents_issued_on_postgres_are_anchored_once_and_verified(
    net: Network, pg_cluster: PgCluster
) -> None:
    vn, sg = net.members["VN"], net.members["SG"]
    headers = {"Authorization": f"Bearer {vn.officer_key}"}
    # SG's single window subscribes to what is anchored for it: webhooks run on PostgreSQL too.
    receiver = Receiver()
    subscribed = httpx.post(
        f"{sg.url}/api/v1/webhooks",
        json={"url": receiver.url, "events": ["document.anchored"]},
        headers={"Authorization": f"Bearer {sg.admin_key}"},
    )
    assert subscribed.status_code == 201, subscribed.text

    def issue(i: int) -> str:
        doc = sample("form-d/vn-sg-coffee.json")
        doc["referenceNumber"] = f"VN-HCM-2026-PG{i:04d}"
        with httpx.Client(base_url=vn.url, headers=headers, timeout=30) as http:
            response = http.post("/api/v1/documents", json=doc)
        assert response.status_code == 202, response.text
        return str(response.json()["document_id"])

    with ThreadPoolExecutor(4) as pool:
        accepted = list(pool.map(issue, range(12)))
    for doc_id in accepted:
        wait_for(
            lambda d=doc_id: httpx.get(f"{sg.url}/api/v1/documents/{d}").json().get("state") == "valid",
            timeout=90,
            what=f"{doc_id} valid at SG",
        )
    try:
        wait_for(
            lambda: {e["document_id"] for e in receiver.ok_bodies()} >= set(accepted),
            timeout=60,
            what="a webhook for every document anchored for SG",
        )
        notified = [e["document_id"] for e in receiver.ok_bodies()]
        assert sorted(notified) == sorted(set(notified)), "a webhook was delivered twice"
        assert {e["type"] for e in receiver.ok_bodies()} == {"document.anchored"}
    finally:
        receiver.close()
    ids = anchored_ids(net, "VN")
    assert sorted(ids) == sorted(set(ids)), "a document was anchored twice"
    assert set(accepted) <= set(ids)

    with psycopg.connect(pg_cluster.dsn("origo_node_vn")) as conn:
        stored = conn.execute("SELECT count(*) FROM outbox WHERE batch_root IS NOT NULL").fetchone()
        owners = conn.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
            " WHERE l.locktype = 'advisory' AND l.granted AND d.datname = 'origo_node_vn'"
            " AND ((l.classid::bigint << 32) | l.objid::bigint) = %s",
            (BACKGROUND_LOCK_KEY,),
        ).fetchone()
    assert stored is not None and stored[0] == len(accepted)
    assert owners is not None and owners[0] == 1, "exactly one process should own VN's background loops"
    assert not (vn.data_dir / "node.db").exists(), "the node wrote to an SQLite file instead of PostgreSQL"
