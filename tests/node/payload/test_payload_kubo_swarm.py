"""Real kubo daemons: the same CIDs as the embedded store, and a private swarm that keeps outsiders out.

Every daemon here is the project's own kubo build (``make kubo``), on a temporary repository and free loopback
ports, stopped by its pid at the end.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from origo_devnet.kubo_swarm import KuboDaemon, KuboNotInstalled, KuboSwarm, new_swarm_key
from origo_node.errors import NotFound, PayloadError
from origo_node.payload import KuboPayloadStore, LocalPayloadStore
from origo_node.payload.importer import DEFAULT_CHUNK_SIZE

pytestmark = [
    pytest.mark.kubo,
    pytest.mark.integration,
]
CHUNK = DEFAULT_CHUNK_SIZE
# One chunk (a raw block alone), a chunk and a byte (a dag-pb root over two leaves), several chunks.
SIZES = [0, 1, 1000, CHUNK, CHUNK + 1, 3 * CHUNK + 7, 10 * CHUNK]


@pytest.fixture
def kubo(kubo_api: str) -> Iterator[KuboPayloadStore]:
    store = KuboPayloadStore(kubo_api, timeout=30, lookup_timeout=2)
    yield store
    store.close()


@pytest.mark.parametrize("size", SIZES)
def test_kubo_and_the_embedded_store_give_the_same_cid_and_blocks(
    kubo: KuboPayloadStore, tmp_path: Path, size: int
) -> None:
    payload = os.urandom(size)
    local = LocalPayloadStore(tmp_path)

    cid = kubo.put(payload)

    assert local.put(payload) == cid
    assert kubo.get_block(cid) == local.get_block(cid)
    assert kubo.get(cid) == payload


def test_a_swarm_key_is_a_base16_pre_shared_key() -> None:
    key = new_swarm_key()

    assert re.fullmatch(r"/key/swarm/psk/1\.0\.0/\n/base16/\n[0-9a-f]{64}\n", key)
    assert key != new_swarm_key()


def test_a_members_daemon_knows_only_the_members_and_listens_on_loopback(tmp_path: Path) -> None:
    swarm = KuboSwarm.create(tmp_path, ["VN", "SG", "TH"])
    config = json.loads((tmp_path / "VN" / "config").read_text())
    others = {swarm.daemons["SG"].peer_id, swarm.daemons["TH"].peer_id}

    assert {address.rsplit("/", 1)[-1] for address in config["Bootstrap"]} == others
    assert {peer["ID"] for peer in config["Peering"]["Peers"]} == others
    assert config["Routing"]["Type"] == "none"
    assert config["AutoConf"]["Enabled"] is False
    assert config["Discovery"]["MDNS"]["Enabled"] is False
    assert config["Swarm"]["Transports"]["Network"]["QUIC"] is False
    addresses = [config["Addresses"]["API"], config["Addresses"]["Gateway"], *config["Addresses"]["Swarm"]]
    assert all(address.startswith("/ip4/127.0.0.1/tcp/") for address in addresses)
    key = (tmp_path / "swarm.key").read_text()
    assert all((tmp_path / code / "swarm.key").read_text() == key for code in ("VN", "SG", "TH"))


def test_a_swarm_made_before_is_resumed_with_its_identities_and_ports(tmp_path: Path) -> None:
    made = KuboSwarm.create(tmp_path, ["VN", "SG"])
    key = (tmp_path / "swarm.key").read_text()

    resumed = KuboSwarm.create(tmp_path, ["VN", "SG"])

    for code in ("VN", "SG"):
        before, after = made.daemons[code], resumed.daemons[code]
        assert (after.peer_id, after.api, after.swarm_address) == (
            before.peer_id,
            before.api,
            before.swarm_address,
        )
    assert (tmp_path / "swarm.key").read_text() == key


@pytest.mark.slow
def test_members_fetch_from_each_other_over_bitswap_and_outsiders_stay_out(tmp_path: Path) -> None:
    swarm = KuboSwarm.create(tmp_path / "swarm", ["VN", "SG", "TH"]).start()
    outsider = KuboDaemon(tmp_path / "outsider").init(new_swarm_key()).start()
    stores = {code: KuboPayloadStore(d.api, lookup_timeout=5) for code, d in swarm.daemons.items()}
    try:
        payload = os.urandom(3 * CHUNK + 7)
        cid = stores["VN"].put(payload)
        # SG pins it (fetching every block from VN), then VN's daemon goes away: TH still gets it, from SG.
        stores["SG"].pin(cid)
        swarm.daemons["VN"].stop()
        assert stores["TH"].get(cid) == payload
        assert cid in swarm.daemons["SG"].pins()

        # A daemon with another swarm key cannot even connect, so it can fetch nothing from the members.
        with pytest.raises(PayloadError):
            outsider.rpc("swarm/connect", swarm.daemons["SG"].swarm_address)
        assert swarm.daemons["SG"].peer_id not in outsider.connected_peers()
        with pytest.raises(NotFound):
            KuboPayloadStore(outsider.api, lookup_timeout=2).get(cid)
    finally:
        outsider.stop()
        swarm.stop()


@pytest.mark.slow
def test_a_daemon_restarted_on_its_repository_keeps_its_pins(tmp_path: Path) -> None:
    daemon = KuboDaemon(tmp_path / "repo").init(new_swarm_key()).start()
    try:
        store = KuboPayloadStore(daemon.api)
        cid = store.put(os.urandom(2 * CHUNK))
        daemon.stop(kill=True)  # no clean shutdown: what was added must be on disk already
        assert store.problem() is not None

        daemon.start()

        assert cid in daemon.pins()
        assert store.problem() is None
        assert KuboPayloadStore(daemon.api).get(cid)
    finally:
        daemon.stop()


def test_a_missing_kubo_binary_is_named_in_plain_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORIGO_IPFS_BIN", str(tmp_path / "no-such-ipfs"))

    with pytest.raises(KuboNotInstalled, match="not a file"):
        KuboDaemon(tmp_path / "repo")


def test_a_member_joining_later_gets_a_daemon_in_the_private_swarm(tmp_path: Path) -> None:
    """`scripts/devnet.py join` on a consortium made with IPFS=kubo: the new member's repository shares the
    swarm key, and every member's peering names it, so it joins the swarm at the next start."""
    root = tmp_path / "kubo"
    assert (
        KuboSwarm.add_member(root, "BN") is None
    )  # no swarm made here: the member stays on the embedded store
    KuboSwarm.create(root, ["VN", "SG"])
    joined = KuboSwarm.add_member(root, "BN")
    assert joined is not None and joined.repo == root / "BN"
    assert (root / "BN" / "swarm.key").read_text() == (root / "swarm.key").read_text()
    for code in ("VN", "SG"):
        peering = json.loads((root / code / "config").read_text())["Peering"]["Peers"]
        assert joined.peer_id in {peer["ID"] for peer in peering}
    swarm = KuboSwarm.create(root, ["VN", "SG", "BN"]).start()
    try:
        assert joined.peer_id in swarm.daemons["VN"].connected_peers()
    finally:
        swarm.stop()
