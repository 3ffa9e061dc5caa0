"""Generating a real consortium network (Besu QBFT, kubo, Origo nodes) from the members' member.json files."""

from origo_network.add_member import AddedMember, add_member
from origo_network.besu import ChainSettings
from origo_network.generate import GeneratedNetwork, HostPaths, generate_network
from origo_network.members_file import MemberSpec, NetworkSpecError, load_member, load_members

__all__ = [
    "AddedMember",
    "ChainSettings",
    "GeneratedNetwork",
    "HostPaths",
    "MemberSpec",
    "NetworkSpecError",
    "add_member",
    "generate_network",
    "load_member",
    "load_members",
]
