"""The contracts' deployment, shared with ``origo network generate``: it lives in
``origo_node.chain.deployment`` (the shipped command must not import the dev harness); the devnet and the
tests keep this name."""

from origo_node.chain.deployment import (
    Deployer,
    Deployment,
    GenesisMember,
    accept_poa_blocks,
    deploy,
    deploy_contract,
    send_transaction,
)

__all__ = [
    "Deployer",
    "Deployment",
    "GenesisMember",
    "accept_poa_blocks",
    "deploy",
    "deploy_contract",
    "send_transaction",
]
