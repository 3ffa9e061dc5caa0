"""A node's start-up, step by step: what a new member's node spends before its first replayed document.

``profile(data_dir)`` runs, in a fresh interpreter, what the node's background process does before the indexer
starts (imports, settings, the store's schema, the keystores it needs, the first RPCs, the first chunk of
events) and times each step; the API workers' extra imports are timed too. Key loading is timed with the data
directory's own keystores, and also with keystores written at the production scrypt cost (devnet keys use a
cheap one), so that the figure says what a real member's node pays.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

# Runs in the child interpreter: nothing is imported before the clock starts.
_CHILD = r"""
import time
wall_started = time.time()
import json, sys, tempfile
from pathlib import Path
started = time.perf_counter()
steps = {}
def step(name, since):
    now = time.perf_counter()
    steps[name] = round((now - since) * 1000, 1)
    return now
data_dir = Path(sys.argv[1])
t = started
import origo_node.runtime
t = step("import_node", t)
import origo_node.api.app
t = step("import_api", t)
from origo_node.settings import CONFIG_FILE, load_settings
settings = load_settings(data_dir / CONFIG_FILE)
t = step("settings", t)
from origo_node.store.backends import open_store
db = open_store(settings)
t = step("schema", t)
from origo_node.crypto import load_encryption_key, load_signing_key
passphrase = settings.read_passphrase()
load_signing_key(settings.signing_keystore, passphrase)
t = step("signing_key", t)
load_encryption_key(settings.encryption_keystore, passphrase)
t = step("encryption_key", t)
from origo_node.chain.web3_chain import Web3Chain
chain = Web3Chain(settings.chain_rpc, settings.membership_address, settings.registry_address)
head = chain.head()
t = step("first_rpc", t)
chain.events(settings.deployment_block, min(head, settings.deployment_block + 1999))
t = step("first_events_chunk", t)
with tempfile.TemporaryDirectory() as tmp:
    from origo_node.crypto import EncryptionPrivateKey, new_signing_key, save_encryption_key
    signing = Path(tmp) / "signing.json"
    encryption = Path(tmp) / "encryption.json"
    new_signing_key(signing, "production-cost check")
    save_encryption_key(encryption, EncryptionPrivateKey.generate(), "production-cost check")
    t = time.perf_counter()
    load_signing_key(signing, "production-cost check")
    t = step("signing_key_production_scrypt", t)
    load_encryption_key(encryption, "production-cost check")
    t = step("encryption_key_production_scrypt", t)
steps["interpreter"] = round((wall_started - float(sys.argv[2])) * 1000, 1)
print(json.dumps(steps))
"""


def profile(data_dir: Path, passphrase: str) -> dict[str, Any]:
    """The start-up steps of a node of ``data_dir`` in ms (``interpreter``: until its first line)."""
    env = {**os.environ, "ORIGO_PASSPHRASE": passphrase}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(data_dir), repr(time.time())],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the start-up profile failed: {done.stderr[-2000:]}")
    steps: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return steps


if __name__ == "__main__":
    print(json.dumps(profile(Path(sys.argv[1]), os.environ.get("ORIGO_PASSPHRASE", "devnet")), indent=2))
