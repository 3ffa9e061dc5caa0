"""The development harness: a local consortium on one machine (anvil, contract deployment, one node process
per member) for ``make up``, the tests and the benchmark.

Not part of the node: it uses a published throw-away passphrase, fixed ports and controls anvil. It imports
the node; the node never imports it (tests/node/unit/test_package_boundaries.py holds that).
"""
