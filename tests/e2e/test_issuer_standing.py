"""A node whose issuer account is not (or no longer) an issuer of its member on chain refuses new documents,
saying why, instead of accepting documents it could never anchor; it accepts again once the account is back.

A real network of its own (anvil, VN and SG node processes): VN's admin removes VN's issuer account through
the Membership contract, as a member would after a compromise, then registers it again.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from origo_devnet.network import DEVNET_PASSPHRASE, Network
from origo_node.chain.artifacts import load_abi
from origo_node.crypto import load_signing_key
from support.network import Client, running_network, sample, wait_for
from web3 import Web3

pytestmark = [pytest.mark.integration, pytest.mark.slow]

_references = itertools.count(1)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    with running_network(tmp_path_factory.mktemp("issuer-standing"), ("VN", "SG")) as network:
        yield network


def issue(network: Network) -> httpx.Response:
    doc = sample("form-d/vn-sg-coffee.json")
    doc["referenceNumber"] = f"VN-ISSUER-{next(_references):04d}"
    return Client(network.members["VN"]).post("/api/v1/documents", json=doc)


def as_vn_admin(network: Network, function: str, account: str) -> None:
    """Sends Membership.<function>(account) from VN's admin account (the keystore in VN's data directory)."""
    keys = network.members["VN"].data_dir / "keys"
    admin = load_signing_key(keys / "admin.json", DEVNET_PASSPHRASE)
    w3 = Web3(Web3.HTTPProvider(network.rpc_url))
    membership = w3.eth.contract(
        address=Web3.to_checksum_address(network.membership), abi=load_abi("Membership")
    )
    tx: dict[str, Any] = getattr(membership.functions, function)(account).build_transaction(
        {
            # Not anvil's estimate: made on the latest block, re-adding an issuer removed in that block
            # updates its checkpoint in place, while the mined transaction appends one (22k gas more).
            "gas": 400_000,
            "from": admin.address,
            "nonce": w3.eth.get_transaction_count(admin.address),
            "chainId": network.chain_id,
        }
    )
    receipt = w3.eth.wait_for_transaction_receipt(
        w3.eth.send_raw_transaction(admin.sign_transaction(tx).raw_transaction), timeout=30
    )
    assert receipt["status"] == 1


def issuer_account(network: Network) -> str:
    keys = network.members["VN"].data_dir / "keys"
    return str(load_signing_key(keys / "issuer.json", DEVNET_PASSPHRASE).address)


def test_an_unregistered_issuer_account_is_refused_with_the_reason_and_accepted_once_registered(
    pair: Network,
) -> None:
    assert issue(pair).status_code == 202
    account = issuer_account(pair)

    as_vn_admin(pair, "removeIssuer", account)
    refused = wait_for(
        lambda: (r := issue(pair)).status_code == 409 and r, timeout=30, what="VN refusing to issue"
    )
    problem = refused.json()
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert problem["rule"] == "IssuerNotRegistered"
    assert (
        f"this node signs with account {account}, which is not (or no longer) an issuer of VN"
        in (problem["detail"])
    )
    assert "could never be anchored" in problem["detail"]
    # Bulk issuing is refused the same way, before any document is looked at.
    bulk = Client(pair.members["VN"]).post(
        "/api/v1/documents/bulk", json={"documents": [sample("form-d/vn-sg-coffee.json")]}
    )
    assert bulk.status_code == 409 and bulk.json()["rule"] == "IssuerNotRegistered", bulk.text

    as_vn_admin(pair, "addIssuer", account)
    wait_for(lambda: issue(pair).status_code == 202, timeout=30, what="VN issuing again")
