"""Generating a real consortium network (Besu QBFT, kubo, Origo nodes) from the members' member.json files."""

from origo_node.network_generation.besu import ChainSettings
from origo_node.network_generation.generate import GeneratedNetwork, HostPaths, generate_network
from origo_node.network_generation.members_file import MemberSpec, NetworkSpecError, load_members

__all__ = [
    "ChainSettings",
    "GeneratedNetwork",
    "HostPaths",
    "MemberSpec",
    "NetworkSpecError",
    "generate_network",
    "load_members",
]
