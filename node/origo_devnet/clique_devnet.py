"""The local consortium on a Clique chain: each member's node talks only to its own geth sealer.

``create_network(..., chain="clique")`` comes here. Each member gets a sealer (origo_devnet.clique) whose
address is also the member's validator in the Membership contract, so the membership vote and the sealer set
name the same accounts. The members' issuer and admin accounts are funded in the genesis; the contracts are
deployed at start from the first sealer's account (unlocked in its own geth, loopback only).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from origo_network.anvil import free_port
from origo_node.operator_tasks import update_config
from origo_node.settings import CONFIG_FILE
from web3 import Web3

from origo_devnet.clique import CliqueNetwork
from origo_devnet.deploy import GenesisMember, accept_poa_blocks, deploy
from origo_devnet.kubo_swarm import KuboSwarm

if TYPE_CHECKING:
    from origo_devnet.network import Network


def create_clique_network(
    root: Path,
    codes: Sequence[str],
    *,
    base_port: int | None,
    rpc_base_port: int | None,
    p2p_base_port: int | None,
    quorum_bps: int,
    voting_period: int,
    node_settings: dict[str, Any] | None,
    period_s: int = 1,
    ipfs: str = "local",
) -> Network:
    """Plans the sealers, prepares the members on them, starts the chain and deploys; returns the Network.
    ``ipfs="kubo"``: each member's payloads on its own kubo daemon of a private swarm, as on anvil."""
    from origo_devnet.network import MEMBER_NAMES, Network, prepare_member  # imports this module

    chain = CliqueNetwork.plan(
        root / "clique", codes, period_s=period_s, rpc_base_port=rpc_base_port, p2p_base_port=p2p_base_port
    )
    kubo = KuboSwarm.create(root / "kubo", codes).start() if ipfs == "kubo" else None
    prepared = []
    for index, code in enumerate(codes):
        port = base_port + index if base_port is not None else free_port()
        settings = {"consensus": "clique", **(node_settings or {})}
        if kubo is not None:
            settings.update(payload_backend="kubo", kubo_api=kubo.daemons[code].api)
        prepared.append(prepare_member(root, code, port, rpc_url=chain.rpc_url(code), node_settings=settings))
    funded = [keys[role] for _, keys in prepared for role in ("issuer_address", "admin_address")]
    try:
        chain.create(funded=funded).start()
        genesis = [
            GenesisMember(
                code=node.code,
                name=MEMBER_NAMES.get(node.code, node.code),
                admin=keys["admin_address"],
                validator=chain.sealer(node.code).address,
                issuers=(keys["issuer_address"],),
                encryption_key=bytes.fromhex(keys["encryption_public_key"][2:]),
                endpoint=node.url,
            )
            for node, keys in prepared
        ]
        first = codes[0]
        w3 = accept_poa_blocks(Web3(Web3.HTTPProvider(chain.rpc_url(first))))
        deployment = deploy(
            w3, chain.sealer(first).address, genesis, quorum_bps=quorum_bps, voting_period=voting_period
        )
        # Every member's node talks to its own sealer: each must hold the contracts before its node starts.
        chain.wait_in_step(deployment.block_number)
    except Exception:
        chain.stop()
        if kubo is not None:
            kubo.stop()
        raise
    network = Network(
        root=root,
        rpc_url=chain.rpc_url(first),
        chain_id=chain.chain_id,
        membership=deployment.membership,
        registry=deployment.registry,
        deployment_block=deployment.block_number,
        clique=chain,
        kubo=kubo,
    )
    for node, _ in prepared:
        update_config(
            node.data_dir / CONFIG_FILE,
            membership_address=deployment.membership,
            registry_address=deployment.registry,
            deployment_block=deployment.block_number,
            chain_id=network.chain_id,
        )
        network.members[node.code] = node
    network.write()
    return network
