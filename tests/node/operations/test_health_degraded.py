"""``/healthz`` says "degraded", with the reason in plain words, while anchoring is stuck (here: the chain
refuses the batcher's transactions because the issuer account has no funds), and "ok" again once it
recovers; the node runs two API worker processes, so the answer comes from what the background process
recorded, not from the answering process's memory."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from origo_node.operator import node_addresses
from origo_node.settings import CONFIG_FILE, load_settings
from support.network import Client, running_network, sample, wait_for, wait_state
from web3 import Web3

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.xdist_group("operations")]


def test_a_batcher_refused_by_the_chain_makes_the_node_degraded_until_it_recovers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = {"batch_interval_s": 0.3, "index_poll_s": 0.1, "workers": 2}
    with running_network(tmp_path, ("VN", "SG"), node_settings=settings) as network:
        vn = network.members["VN"]
        health = wait_for(
            lambda: (h := httpx.get(f"{vn.url}/healthz").json())["status"] == "ok" and h,
            what="VN's health to say ok once it has seen the chain",
        )
        assert health["reasons"] == []
        monkeypatch.setenv("ORIGO_PASSPHRASE", "devnet")
        issuer = node_addresses(load_settings(vn.data_dir / CONFIG_FILE))["issuer"]
        w3 = Web3(Web3.HTTPProvider(network.rpc_url))
        w3.provider.make_request("anvil_setBalance", [issuer, "0x0"])  # type: ignore[arg-type]

        accepted = Client(vn).post("/api/v1/documents", json=sample("form-d/vn-sg-coffee.json"))
        assert accepted.status_code == 202
        degraded = wait_for(
            lambda: (h := httpx.get(f"{vn.url}/healthz").json())["status"] == "degraded" and h,
            timeout=60,
            what="VN's health to say degraded while its batcher is refused",
        )
        assert any("1 accepted document(s) are not anchored yet" in r for r in degraded["reasons"]), degraded

        w3.provider.make_request("anvil_setBalance", [issuer, hex(10**24)])  # type: ignore[arg-type]
        wait_state(network.members["SG"], accepted.json()["document_id"], {"valid"}, timeout=60)
        wait_for(
            lambda: httpx.get(f"{vn.url}/healthz").json()["status"] == "ok",
            timeout=30,
            what="VN's health to say ok once the batcher anchors again",
        )
