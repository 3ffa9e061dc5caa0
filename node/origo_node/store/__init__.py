"""The node's durable state in one SQLite file: the outbox of what it must anchor, the actions it must send,
its API keys, and the index of everything every member anchored (a cache, rebuildable from the chain)."""

from origo_node.store.db import Database

__all__ = ["Database"]
