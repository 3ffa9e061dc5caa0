"""Fixtures of the chain port's conformance suite (see chain_worlds)."""

from chain_worlds import anvil_world, world

__all__ = ["anvil_world", "world"]
