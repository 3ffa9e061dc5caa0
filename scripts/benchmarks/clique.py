"""The cost of real consensus: the same measurements on anvil and on a Clique chain in one run, as ratios.

    python scripts/bench.py --chain clique [--quick]

Each chain gets a network of its own, one after the other, built the same way (VN, SG and TH; VN and SG's
nodes running): anvil with 1-second blocks, mining alone; or one geth v1.13.15 sealer per member (1-second
Clique period, static peers on loopback), each member's node on its own sealer with the Clique settings
(two confirmations). Measured on each: issue throughput (documents anchored per second), issue -> verifiable
at SG (p50/p99) and a new SG node's index catch-up; on Clique also each sealer's peak resident memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from origo_devnet.network import create_network

from benchmarks import catchup, latency, throughput
from benchmarks.network import MEMBERS, RUNNING, Bench, bench_network, peak_rss_mb

Say = Callable[[str], None]


@contextmanager
def clique_network(root: Path, node_settings: dict[str, Any]) -> Iterator[Bench]:
    network = create_network(root, MEMBERS, chain="clique", persist_chain=False, node_settings=node_settings)
    try:
        network.start_nodes(list(RUNNING))
        yield Bench(network)
    finally:
        network.stop()


def measure_on(bench: Bench, plan: Any, say: Say, chain: str, catch_up_documents: int) -> dict[str, Any]:
    say(f"{chain}: seeding 200 documents")
    catchup.top_up(bench, 200, f"{chain[0].upper()}S")
    bench.wait_settled()
    say(f"{chain}: issue to verifiable ({plan.issue_to_verifiable_samples} samples)")
    result: dict[str, Any] = {
        "issue_to_verifiable_ms": latency.issue_to_verifiable(
            bench, plan.issue_to_verifiable_samples, f"{chain[0].upper()}L"
        )
    }
    say(f"{chain}: issue throughput ({plan.throughput_s:.0f} s)")
    result["issue_throughput"] = throughput.run(bench, plan.throughput_s, f"{chain[0].upper()}T")
    documents = max(len(bench.issued), catch_up_documents)
    say(f"{chain}: index catch-up of {documents:,} documents")
    catchup.top_up(bench, documents, f"{chain[0].upper()}C", importer="TH")
    result["index_catch_up"] = catchup.run(bench, bench.network.root / "fresh")
    clique = bench.network.clique
    if clique is not None:
        pids = {code: clique.pid(code) for code in clique.codes()}
        result["sealer_peak_rss_mb"] = {code: peak_rss_mb(pid) for code, pid in pids.items() if pid}
    return result


def compare(plan: Any, root: Path, node_settings: dict[str, Any], say: Say) -> dict[str, Any]:
    """Both chains measured; ``ratio`` is Clique's figure over anvil's (above 1: Clique takes longer)."""
    with bench_network(root / "anvil", node_settings) as bench:
        anvil = measure_on(bench, plan, say, "anvil", plan.catch_up_documents // 4)
    # The same number of documents to replay on both chains: a new node's start-up weighs on a small replay.
    with clique_network(root / "clique", node_settings) as bench:
        clique = measure_on(bench, plan, say, "clique", anvil["index_catch_up"]["documents"])
    return {
        "anvil": anvil,
        "clique": clique,
        "ratio": {
            "issue_throughput": _ratio(clique, anvil, "issue_throughput", "anchored_per_s"),
            "issue_to_verifiable_p50": _ratio(clique, anvil, "issue_to_verifiable_ms", "p50"),
            "issue_to_verifiable_p99": _ratio(clique, anvil, "issue_to_verifiable_ms", "p99"),
            "index_catch_up": _ratio(clique, anvil, "index_catch_up", "replay_per_s"),
            "catch_up_start": _ratio(clique, anvil, "index_catch_up", "from_process_start_per_s"),
        },
    }


def _ratio(clique: dict[str, Any], anvil: dict[str, Any], group: str, key: str) -> float:
    return round(float(clique[group][key]) / float(anvil[group][key]), 2)


def print_comparison(report: dict[str, Any]) -> None:
    rows = [
        ("issue throughput (anchored/s)", "issue_throughput", "anchored_per_s", "issue_throughput"),
        ("issue -> verifiable p50 (ms)", "issue_to_verifiable_ms", "p50", "issue_to_verifiable_p50"),
        ("issue -> verifiable p99 (ms)", "issue_to_verifiable_ms", "p99", "issue_to_verifiable_p99"),
        ("index catch-up, replay (documents/s)", "index_catch_up", "replay_per_s", "index_catch_up"),
        (
            "  from process start (documents/s)",
            "index_catch_up",
            "from_process_start_per_s",
            "catch_up_start",
        ),
    ]
    print(f"{'':34}{'anvil':>12}{'clique':>12}{'clique/anvil':>14}")
    for label, group, key, ratio in rows:
        anvil, clique = report["anvil"][group][key], report["clique"][group][key]
        print(f"{label:34}{anvil:>12}{clique:>12}{report['ratio'][ratio]:>14}")
    counts = (report["anvil"]["index_catch_up"]["documents"], report["clique"]["index_catch_up"]["documents"])
    print(f"documents replayed by the new node: anvil {counts[0]:,}, clique {counts[1]:,}")
    memory = report["clique"].get("sealer_peak_rss_mb") or {}
    if memory:
        print("geth sealer peak resident memory (MiB): " + ", ".join(f"{c} {m}" for c, m in memory.items()))
