"""A local anvil on a free loopback port. It lives in ``origo_network.anvil`` (``origo network generate``
deploys the genesis contracts on one, and the shipped command must not import the dev harness); the devnet and
the tests keep this name."""

from origo_network.anvil import DEFAULT_CHAIN_ID, TEST_MNEMONIC, Anvil, anvil_binary, anvil_chain, free_port

__all__ = ["DEFAULT_CHAIN_ID", "TEST_MNEMONIC", "Anvil", "anvil_binary", "anvil_chain", "free_port"]
