"""Fixtures of the API tests (``lone``: see lone_node.py)."""

from lone_node import lone

__all__ = ["lone"]
