"""Fixtures of the chain port's conformance suite (see chain_worlds)."""

from chain_worlds import anvil_world, clique_network, world

__all__ = ["anvil_world", "clique_network", "world"]
