"""``origo node backup`` / ``origo node restore``: a consistent snapshot of a node's data directory.

The database is copied with SQLite's online backup API, which gives one consistent state even while the
node writes (WAL); copying the file would not. The archive also holds the keystores (encrypted, as on
disk), the node's settings and its payload blocks (content-addressed files, and packs of its batches and
of fetched rounds, only ever added: copied after the database, so every payload the snapshot refers to is
there; the packs' index is left out, as a restored node makes it again from the packs). A restored node
starts from the snapshot's index position and catches up from the chain; documents accepted after the
snapshot and not yet anchored are not in it.
"""

from __future__ import annotations

import io
import json
import os
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from origo_node.config_file import update_config
from origo_node.errors import StoreError
from origo_node.payload.packs import is_index_file
from origo_node.settings import CONFIG_FILE
from origo_node.store.snapshot import copy_database

FORMAT = "origo-node-backup/1"
_MANIFEST = "backup.json"
_DB = "node.db"


class BackupError(Exception):
    """Why a backup or a restore cannot be done, in plain words."""


@dataclass(frozen=True)
class BackupSummary:
    archive: Path
    member: str | None
    files: int
    database_bytes: int


def backup(data_dir: Path, archive: Path) -> BackupSummary:
    """Writes ``archive`` (a .tar.gz, readable by its owner only); refuses to overwrite one."""
    database = data_dir / _DB
    if not database.is_file():
        raise BackupError(f"{data_dir} has no node database ({_DB}); is it a node's data directory?")
    if archive.exists():
        raise BackupError(f"{archive} exists already; choose a new file name")
    member = _member_of(data_dir)
    with tempfile.TemporaryDirectory(prefix="origo-backup-") as scratch:
        snapshot = Path(scratch) / _DB
        _snapshot_database(database, snapshot)
        files = [(snapshot, _DB)]
        for sub in ("keys", "payloads"):
            root = data_dir / sub
            if root.is_dir():
                files += [
                    (p, p.relative_to(data_dir).as_posix())
                    for p in sorted(root.rglob("*"))
                    if p.is_file() and not is_index_file(p)  # copied mid-write, it could be torn
                ]
        if (data_dir / CONFIG_FILE).is_file():
            files.append((data_dir / CONFIG_FILE, CONFIG_FILE))
        manifest = {"format": FORMAT, "member": member, "created_at": time.time(), "files": len(files)}
        partial = archive.with_name(archive.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as out, tarfile.open(fileobj=out, mode="w:gz") as tar:
                body = json.dumps(manifest, indent=2).encode()
                info = tarfile.TarInfo(_MANIFEST)
                info.size, info.mtime, info.mode = len(body), int(time.time()), 0o600
                tar.addfile(info, io.BytesIO(body))
                for path, name in files:
                    _add_file(tar, path, name)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, archive)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return BackupSummary(archive, member, len(files), snapshot.stat().st_size)


def _add_file(tar: tarfile.TarFile, path: Path, name: str) -> None:
    """``path`` as a regular file, even when it is a hard link to another file of the archive (the payload
    store's pin markers are links to one empty file): a restore takes regular files and directories only,
    so that no archive can place a link in a data directory."""
    info = tar.gettarinfo(path, arcname=name)
    if info.islnk():
        info.type, info.linkname, info.size = tarfile.REGTYPE, "", path.stat().st_size
    with path.open("rb") as content:
        tar.addfile(info, content)


def _snapshot_database(source: Path, target: Path) -> None:
    try:
        copy_database(source, target)
    except StoreError as exc:
        raise BackupError(exc.message) from None


def _member_of(data_dir: Path) -> str | None:
    import tomllib

    config = data_dir / CONFIG_FILE
    if not config.is_file():
        return None
    try:
        member = tomllib.loads(config.read_text(encoding="utf-8")).get("member")
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return None
    return member if isinstance(member, str) else None


def restore(archive: Path, data_dir: Path) -> BackupSummary:
    """Unpacks ``archive`` into ``data_dir``, which must hold no node yet (keys are never overwritten)."""
    keys = data_dir / "keys"
    if (keys.exists() and any(keys.iterdir())) or (data_dir / _DB).exists():
        raise BackupError(f"{data_dir} already holds a node; restore into an empty directory")
    try:
        tar = tarfile.open(archive, mode="r:gz")  # noqa: SIM115 - closed by the ``with`` below
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"{archive} is not a node backup: {exc}") from None
    with tar:
        members = tar.getmembers()
        manifest = _read_manifest(tar, members, archive)
        for item in members:
            _check_entry(item, archive)
        data_dir.mkdir(parents=True, exist_ok=True)
        tar.extractall(data_dir, members=[m for m in members if m.name != _MANIFEST], filter="data")
    for sub in ("keys",):
        if (data_dir / sub).is_dir():
            os.chmod(data_dir / sub, 0o700)
    config = data_dir / CONFIG_FILE
    if config.is_file():
        # The settings name the data directory: point them at where the node now lives.
        update_config(config, data_dir=str(data_dir.resolve()))
    member, files = manifest.get("member"), manifest.get("files")
    return BackupSummary(
        archive,
        member if isinstance(member, str) else None,
        files if isinstance(files, int) else 0,
        (data_dir / _DB).stat().st_size,
    )


def _read_manifest(tar: tarfile.TarFile, members: list[tarfile.TarInfo], archive: Path) -> dict[str, object]:
    entry = next((m for m in members if m.name == _MANIFEST), None)
    handle = tar.extractfile(entry) if entry is not None else None
    if handle is None:
        raise BackupError(f"{archive} is not a node backup (no {_MANIFEST})")
    try:
        manifest = json.loads(handle.read(64 * 1024))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BackupError(f"{archive} is not a node backup ({_MANIFEST} is not JSON)") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} is not a backup this version can restore (format {FORMAT} expected)")
    if not any(m.name == _DB for m in members):
        raise BackupError(f"{archive} holds no node database")
    return manifest


def _check_entry(item: tarfile.TarInfo, archive: Path) -> None:
    path = PurePosixPath(item.name)
    allowed_top = {_MANIFEST, _DB, CONFIG_FILE, "keys", "payloads"}
    if path.is_absolute() or ".." in path.parts or not path.parts or path.parts[0] not in allowed_top:
        raise BackupError(f"{archive} holds an unexpected entry {item.name!r}; refusing to restore it")
    if not (item.isfile() or item.isdir()):
        raise BackupError(f"{archive} holds a link or device {item.name!r}; refusing to restore it")
