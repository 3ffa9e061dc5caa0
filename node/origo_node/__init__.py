"""Origo node: what one customs authority runs to exchange documents with the consortium."""

from origo_node.limits import defer_bls_for_eth_keyfile, restore_recursion_limit

__version__ = "0.1.0"

# Before anything imports web3: see ``limits``.
restore_recursion_limit()
defer_bls_for_eth_keyfile()
