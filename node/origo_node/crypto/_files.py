"""Writing secret files: owner-only from the first byte, whole or not at all, never over an existing key."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from origo_node.errors import CryptoError

SECRET_FILE_MODE = 0o600


def write_secret_file(path: Path, data: bytes) -> None:
    """Create ``path`` with mode 0600 holding ``data``; CryptoError if it already exists.

    The temporary file is created 0600 (never chmod-ed afterwards, which would leave a window), fsynced,
    then hard-linked into place: unlike a rename, a link refuses to replace a key already there.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, SECRET_FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.link(tmp, path)
    except FileExistsError:
        raise CryptoError("refusing to overwrite an existing keystore", path=str(path)) from None
    finally:
        tmp.unlink(missing_ok=True)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def read_secret_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CryptoError(f"cannot read keystore: {exc.strerror}", path=str(path)) from exc
