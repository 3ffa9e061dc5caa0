"""The node's background process (indexer, batcher) starts from ``origo_node.runtime`` alone: it must
not import the HTTP API's stack, which was most of a new member's wait before its first replayed block."""

from __future__ import annotations

import json
import subprocess
import sys


def test_the_runtime_imports_neither_fastapi_nor_the_pdf_stack() -> None:
    probe = (
        "import json, sys; import origo_node.runtime;"
        " print(json.dumps(sorted(m for m in ('fastapi', 'starlette.routing', 'fpdf', 'py_ecc.bls')"
        " if m in sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
