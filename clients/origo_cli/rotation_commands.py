"""`origo node rotate-keys`: replace the member's issuer account and HPKE encryption key through the
Membership contract, keeping the old keys so that earlier payloads stay readable."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from origo_cli._context import UserError

DataDir = Annotated[
    Path, typer.Option("--data-dir", "-d", help="The node's data directory.", envvar="ORIGO_DATA_DIR")
]


def rotate_keys(
    data_dir: DataDir,
    issuer: Annotated[bool, typer.Option(help="Replace the issuer (signing) account.")] = True,
    encryption: Annotated[bool, typer.Option(help="Replace the HPKE encryption key.")] = True,
) -> None:
    """With the node stopped and its outbox anchored: new issuer account and encryption key, published from
    the member's admin account; the old ones are retired (kept), the old issuer account removed."""
    from origo_node.operations.key_rotation import RotationError
    from origo_node.operations.key_rotation import rotate_keys as rotate
    from origo_node.settings import CONFIG_FILE, load_settings
    from pydantic import ValidationError

    if not issuer and not encryption:
        raise UserError("nothing to rotate: --no-issuer and --no-encryption together leave no key")
    config = data_dir / CONFIG_FILE
    if not config.is_file():
        raise UserError(f"{config} does not exist; is {data_dir} a node's data directory?")
    passphrase = os.environ.get("ORIGO_PASSPHRASE") or ""
    if not passphrase and os.environ.get("ORIGO_PASSPHRASE_FILE"):
        passphrase = Path(os.environ["ORIGO_PASSPHRASE_FILE"]).read_text(encoding="utf-8").strip()
    if not passphrase:
        passphrase = str(typer.prompt("Keystore passphrase", hide_input=True))
    try:
        settings = load_settings(config)
        result = rotate(settings, passphrase, issuer=issuer, encryption=encryption)
    except ValidationError as exc:
        raise UserError(f"the settings in {config} are incomplete: {exc.error_count()} problem(s)") from None
    except RotationError as exc:
        raise UserError(str(exc)) from None
    if result.new_issuer:
        typer.echo(f"issuer account   {result.old_issuer} -> {result.new_issuer}")
        typer.echo("  fund the new account if the chain charges for gas")
    if result.new_encryption_key:
        typer.echo(f"encryption key   {result.new_encryption_key[:24]}... (old key kept in keys/retired/)")
    typer.echo(f"Start the node again: origo node run -d {data_dir}")
