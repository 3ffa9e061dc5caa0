"""Test support shared by the suites: a real local network (anvil + node processes)."""
