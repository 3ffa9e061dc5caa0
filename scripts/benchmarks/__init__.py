"""The parts of ``scripts/bench.py``: a network to measure, workloads, statistics and the report."""
