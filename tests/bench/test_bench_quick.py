"""``scripts/bench.py --quick --json`` runs from the repository's own set-up and prints every figure.

Only that it runs and what it prints are checked here, never how fast: speed is what the benchmark reports.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.xdist_group("bench")]

ROOT = Path(__file__).resolve().parents[2]
LATENCY = {"p50", "p99", "samples"}


def test_quick_run_prints_every_key() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench.py"), "--quick", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)

    throughput = report["issue_throughput"]
    assert throughput["documents"] > 0 and throughput["value"] == throughput["anchored_per_s"] > 0
    assert throughput["accepted_per_s"] >= throughput["anchored_per_s"]
    assert 0 < throughput["lowest_anchored_per_s"] <= throughput["anchored_per_s"]  # every repetition's
    assert report["importer_read_per_s"]["value"] > 0
    read = report["importer_read_per_s"]
    assert 0 < read["accepted_s"] <= read["last_indexed_s"] <= read["duration_s"]
    assert read["read_after_last_indexed_s"] >= 0
    backlog = report["importer_backlog_per_s"]  # SG restarted after VN issued for it
    assert 0 < backlog["healthy_s"] <= backlog["last_indexed_s"] <= backlog["read_s"]
    assert 0 < backlog["from_process_start_per_s"] <= backlog["value"]
    baseline = report["baseline_one_tx_per_document"]
    assert baseline["value"] > 0 and baseline["gas_per_document"] > 50_000
    assert report["baseline_ratio"] == pytest.approx(throughput["value"] / baseline["value"], rel=0.01)

    i2v = report["issue_to_verifiable_ms"]
    assert set(i2v) >= LATENCY and 0 < i2v["p50"] <= i2v["p99"]
    for key in ("verify_by_id_ms", "verify_file_ms"):
        assert set(report[key]) == {"1", "64"}
        for clients, summary in report[key].items():
            assert set(summary) >= LATENCY and 0 < summary["p50"] <= summary["p99"], (key, clients)

    assert set(report["gas_per_document"]) == {"1", "16", "256", "4096"}
    gas = report["gas_per_document"]
    assert gas["1"] > gas["16"] > gas["256"] > gas["4096"] > 0

    catch_up = report["index_catch_up_per_s"]
    assert catch_up["documents"] >= 10_000 and catch_up["value"] == catch_up["from_process_start_per_s"] > 0
    # Watched in the new node's SQLite index: its first document comes before its last, both after its start.
    # Should the watch not read the index, the figure is the API's and the report says why.
    if catch_up["witness"] == "index":
        first, last = catch_up["first_document_s"], catch_up["from_process_start_s"]
        assert 0 < first <= last
    else:
        assert catch_up["witness"] == "api" and catch_up["watch_error"], catch_up
    assert report["peak_rss_mb"]["value"] > 0
    cpu = report["issue_cpu_ms"]
    steps = {k: v for k, v in cpu["cpu_ms_per_document"].items() if k != "rest"}
    assert len(steps) == 7 and cpu["total_cpu_ms_per_document"] >= sum(steps.values()) > 0
    assert {"import_node", "schema", "signing_key", "first_rpc"} <= set(report["start_up_ms"])
    replay = report["replay_cpu_us"]
    assert replay["documents"] == 2 * 4096 and replay["documents_per_cpu_s"] > 0
    assert len(replay["us_per_document"]) == 6 and all(us > 0 for us in replay["us_per_document"].values())
    assert replay["index_bytes_per_document"]["idx_documents"] > 0
    assert set(replay["work_list_page_ms"]) == {"offset 0", "offset 4,096"}
    assert report["payload_bytes_per_document"] > 0 and len(report["load_average"]) == 3
    assert report["machine"]["cores"] >= 1 and report["date"]
