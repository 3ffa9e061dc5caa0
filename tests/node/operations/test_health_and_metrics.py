"""``/metrics`` and ``/healthz`` on a node running two API worker processes beside its background process:
the answers come from what the background process recorded and from metrics every worker shares,
whichever worker a request reaches.

``/healthz`` says "degraded", with the reason in plain words, while anchoring is stuck (here: the chain
refuses the batcher's transactions because the issuer account has no funds), and "ok" again once it
recovers."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from origo_devnet.network import Network
from origo_node.operator_tasks import node_addresses
from origo_node.settings import CONFIG_FILE, load_settings
from prometheus_client.parser import text_string_to_metric_families
from support.network import Client, running_network, sample, wait_for, wait_state
from web3 import Web3

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.xdist_group("operations")]


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    settings = {"batch_interval_s": 0.3, "index_poll_s": 0.1, "workers": 2}
    with running_network(tmp_path_factory.mktemp("ops"), ("VN", "SG"), node_settings=settings) as network:
        yield network


def issued(reference: str) -> dict[str, object]:
    doc = sample("form-d/vn-sg-coffee.json")
    doc["referenceNumber"] = reference
    return doc


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = httpx.get(f"{url}/metrics", timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_metrics_count_documents_index_lag_and_latencies_across_workers(net: Network) -> None:
    vn = net.members["VN"]
    ids = []
    for n in range(4):
        answer = Client(vn).post("/api/v1/documents", json=issued(f"VN-HCM-2026-MT000{n}"))
        assert answer.status_code == 202, answer.text
        ids.append(answer.json()["document_id"])
    for doc_id in ids:
        wait_state(vn, doc_id, {"valid"})

    def settled() -> dict[tuple[str, tuple[tuple[str, str], ...]], float] | None:
        metrics = scrape(vn.url)
        return metrics if metrics[("origo_documents_anchored_total", ())] == 4 else None

    metrics = wait_for(settled, what="VN's metrics to count four anchored documents")
    assert metrics[("origo_documents_accepted_total", ())] == 4
    assert metrics[("origo_documents_pending", ())] == 0
    assert metrics[("origo_documents_pending_oldest_age_seconds", ())] == 0
    assert 0 <= metrics[("origo_index_lag_blocks", ())] <= 2
    assert metrics[("origo_chain_head_block", ())] >= metrics[("origo_indexed_block", ())] > 0
    assert metrics[("origo_payloads_to_read", ())] == 0
    assert metrics[("origo_health_degraded", ())] == 0
    assert metrics[("origo_loop_errors_total", (("kind", "chain"), ("loop", "batcher")))] == 0
    # Every POST was observed, whichever of the two workers answered it.
    posted = (("method", "POST"), ("route", "/api/v1/documents"), ("status", "2xx"))
    assert metrics[("origo_http_request_duration_seconds_count", posted)] == 4
    unknown = httpx.get(f"{vn.url}/no/such/path/{'x' * 50}")
    assert unknown.status_code == 404
    labels = {dict(key[1]).get("route") for key in scrape(vn.url)}
    assert "unmatched" in labels and not any(r and "xxxx" in r for r in labels)  # no raw paths as labels


def test_a_batcher_refused_by_the_chain_makes_the_node_degraded_until_it_recovers(
    net: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    vn = net.members["VN"]
    health = wait_for(
        lambda: (h := httpx.get(f"{vn.url}/healthz").json())["status"] == "ok" and h,
        what="VN's health to say ok once it has seen the chain",
    )
    assert health["reasons"] == []
    monkeypatch.setenv("ORIGO_PASSPHRASE", "devnet")
    issuer = node_addresses(load_settings(vn.data_dir / CONFIG_FILE))["issuer"]
    w3 = Web3(Web3.HTTPProvider(net.rpc_url))
    w3.provider.make_request("anvil_setBalance", [issuer, "0x0"])  # type: ignore[arg-type]

    accepted = Client(vn).post("/api/v1/documents", json=issued("VN-HCM-2026-DG0001"))
    assert accepted.status_code == 202
    degraded = wait_for(
        lambda: (h := httpx.get(f"{vn.url}/healthz").json())["status"] == "degraded" and h,
        timeout=60,
        what="VN's health to say degraded while its batcher is refused",
    )
    assert any("1 accepted document(s) are not anchored yet" in r for r in degraded["reasons"]), degraded
    metrics = scrape(vn.url)
    assert metrics[("origo_health_degraded", ())] == 1
    assert metrics[("origo_documents_pending", ())] == 1
    assert metrics[("origo_documents_pending_oldest_age_seconds", ())] >= 30

    w3.provider.make_request("anvil_setBalance", [issuer, hex(10**24)])  # type: ignore[arg-type]
    wait_state(net.members["SG"], accepted.json()["document_id"], {"valid"}, timeout=60)
    wait_for(
        lambda: httpx.get(f"{vn.url}/healthz").json()["status"] == "ok",
        timeout=30,
        what="VN's health to say ok once the batcher anchors again",
    )
