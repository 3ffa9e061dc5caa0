"""The data directory is the member's: keys, database, logs. Nobody else on the machine may read it.

The node makes every file it creates owner-only (umask 077), and at start puts the directory back to 0700
and the files that may have been created by someone else (the log a supervisor opened for it, a database
copied in) back to 0600.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Files directly in the data directory that hold the member's data or logs.
_PRIVATE_FILES = ("node.db", "node.db-wal", "node.db-shm", "node.log", "node.toml")
_PRIVATE_DIRS = ("keys", "payloads")


def make_private(data_dir: Path) -> None:
    """Owner-only permissions for ``data_dir`` (created if missing) and the node's files in it."""
    os.umask(0o077)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    data_dir.chmod(0o700)
    for name in _PRIVATE_DIRS:
        if (data_dir / name).is_dir():
            (data_dir / name).chmod(0o700)
    for name in _PRIVATE_FILES:
        path = data_dir / name
        if path.exists():
            path.chmod(0o600)
