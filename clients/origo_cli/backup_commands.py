"""`origo node backup` and `origo node restore`: a consistent snapshot of a node's database, keystores,
settings and payload blocks, and putting it back in an empty directory."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from origo_cli._context import UserError

DataDir = Annotated[
    Path, typer.Option("--data-dir", "-d", help="The node's data directory.", envvar="ORIGO_DATA_DIR")
]


def backup(
    data_dir: DataDir,
    to: Annotated[Path, typer.Option("--to", help="The archive to write (.tar.gz); must not exist.")],
) -> None:
    """Snapshot the node (it may keep running): database, keystores, node.toml, payload blocks."""
    from origo_node.operations.backup import BackupError
    from origo_node.operations.backup import backup as take

    try:
        summary = take(data_dir, to)
    except BackupError as exc:
        raise UserError(str(exc)) from None
    typer.echo(
        f"Backed up {summary.member or 'the node'} to {summary.archive}: {summary.files} files,"
        f" database {summary.database_bytes:,} bytes. The keystores inside are encrypted with the node's"
        " passphrase; keep the archive as safe as the keys."
    )


def restore(
    archive: Annotated[Path, typer.Option("--from", help="An archive made by `origo node backup`.")],
    data_dir: DataDir,
) -> None:
    """Put a backup into an empty data directory; the node then catches up from the chain when it runs."""
    from origo_node.operations.backup import BackupError
    from origo_node.operations.backup import restore as put_back

    try:
        summary = put_back(archive, data_dir)
    except BackupError as exc:
        raise UserError(str(exc)) from None
    typer.echo(
        f"Restored {summary.member or 'the node'} into {data_dir} ({summary.files} files). Start it with"
        f" `origo node run -d {data_dir}`: it catches up from the chain."
    )
