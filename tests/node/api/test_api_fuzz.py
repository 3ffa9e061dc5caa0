"""Schemathesis (pinned in pyproject.toml) fuzzes the node's OpenAPI against a real node process.

Every operation, with an admin key (admin may do everything), for a fixed time budget: examples and
boundary values from the schema (coverage phase), random valid and invalid requests (fuzzing), and sequences
of calls (stateful). Half the document keys are a real anchored certificate's id or reference, so that the
routes behind a document are reached, not only their 404. Every check runs but one:
``positive_data_acceptance`` expects schema-valid requests to succeed, and a document's rules (dates, members,
references, the chain's own state) go beyond what a JSON Schema says, so a schema-valid request may rightly
get a 422 or a 409. Zero server errors and zero schema violations: the run must pass every other check.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lone_node import LoneNode

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.xdist_group("lone")]

#: The whole run's budget (seconds): "bounded to about two minutes" with start-up.
BUDGET_S = 100


def _schemathesis() -> str:
    found = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    assert found, "schemathesis is a dev dependency (pyproject.toml); run make setup"
    return found


def test_fuzzing_finds_no_server_error_and_no_schema_violation(lone: LoneNode, tmp_path: Path) -> None:
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        "[dictionaries.documents]\n"
        f"values = [{json.dumps(lone.document_id)}, {json.dumps(lone.reference)}]\n"
        "[parameters]\n"
        '"path.key" = { dictionary = "documents", probability = 0.5 }\n',
        encoding="utf-8",
    )
    report = tmp_path / "report.json"
    command = [
        _schemathesis(),
        "--config-file",
        str(config),
        "run",
        f"{lone.node.url}/openapi.json",
        "--header",
        f"Authorization: Bearer {lone.node.admin_key}",
        "--checks",
        "all",
        "--exclude-checks",
        "positive_data_acceptance",
        "--max-time",
        str(BUDGET_S),
        "--max-examples",
        "200",
        "--seed",
        "20261201",
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--report",
        "json",
        "--report-json-path",
        str(report),
        "--no-color",
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=BUDGET_S + 120)
    output = run.stdout + run.stderr
    summary = output[output.find("SUMMARY") :] if "SUMMARY" in output else output[-4000:]
    generated = re.search(r"(\d+) generated", summary)
    print(f"schemathesis: {generated.group(1) if generated else '?'} requests generated in {BUDGET_S} s")
    print(summary)
    assert run.returncode == 0, output[-12000:]
    assert "server error" not in summary.lower(), summary
    assert lone.node.process is not None and lone.node.process.poll() is None, "the node died while fuzzed"
