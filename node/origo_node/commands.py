"""`origo node ...`: the operator's commands (init a member's data directory, run the node, API keys,
reindex, backup and restore, key rotation).

The `origo` command takes this group whole: it is all the CLI knows of the node's insides.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

node_app = typer.Typer(
    help="Operate a member's node: create its data directory and keys, run it.", no_args_is_help=True
)

DataDir = Annotated[
    Path, typer.Option("--data-dir", "-d", help="The node's data directory.", envvar="ORIGO_DATA_DIR")
]


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(code)


def _refuse(ctx: typer.Context, message: str) -> typer.Exit:
    """A person's mistake: one line on stderr (and, with ``--json``, the error as JSON on stdout, as every
    other `origo` command answers it), exit code 2."""
    if _wants_json(ctx):
        typer.echo(
            json.dumps({"error": {"title": message, "status": None}, "exit_code": 2}, ensure_ascii=False)
        )
    return _fail(message)


def _wants_json(ctx: typer.Context) -> bool:
    """The global ``--json`` (``origo --json node init``); absent when run as ``python -m origo_node``."""
    root = ctx.find_root().obj
    return bool(getattr(root, "json", False))


def _passphrase(confirm: bool) -> str:
    value = os.environ.get("ORIGO_PASSPHRASE")
    if value:
        return value
    named = os.environ.get("ORIGO_PASSPHRASE_FILE")
    if named:
        return Path(named).read_text(encoding="utf-8").strip()
    return str(typer.prompt("Keystore passphrase", hide_input=True, confirmation_prompt=confirm))


@node_app.command("init")
def init(
    ctx: typer.Context,
    data_dir: DataDir,
    member: Annotated[
        str, typer.Option("--member", "-m", help="The member's ISO 3166-1 alpha-2 code, e.g. VN.")
    ],
    name: Annotated[
        str | None,
        typer.Option(help="The authority's name, for member.json, e.g. 'Lao Customs Department'."),
    ] = None,
    chain_rpc: Annotated[str | None, typer.Option(help="JSON-RPC URL of the chain.")] = None,
    membership_address: Annotated[str | None, typer.Option(help="Membership contract address.")] = None,
    registry_address: Annotated[str | None, typer.Option(help="DocumentRegistry contract address.")] = None,
    deployment_block: Annotated[int, typer.Option(help="Block the contracts were deployed in.")] = 0,
    port: Annotated[int, typer.Option(help="HTTP port.")] = 8701,
    public_url: Annotated[str | None, typer.Option(help="URL other members reach this node at.")] = None,
    classic: Annotated[
        bool, typer.Option(help="X25519 encryption key instead of hybrid ML-KEM-768+X25519.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Create a member's data directory: encrypted keystores (issuer, admin, encryption), node.toml, an
    admin API key, and member.json to send to the consortium."""
    from origo_node.crypto import SuiteId
    from origo_node.operator_checks import passphrase_problem, port_problem
    from origo_node.operator_tasks import init_node

    code = member.strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise _fail("--member must be a two-letter country code such as VN")
    # Before anything is written: a node that cannot listen is found out now, not at its first start.
    busy = port_problem("0.0.0.0", port)
    if busy:
        raise _fail(f"{busy}; choose another with --port")
    settings: dict[str, Any] = {
        "chain_rpc": chain_rpc,
        "membership_address": membership_address,
        "registry_address": registry_address,
        "deployment_block": deployment_block,
        "port": port,
        "public_url": public_url or f"http://127.0.0.1:{port}",
    }
    passphrase = _passphrase(confirm=True)
    weak = passphrase_problem(passphrase)
    if weak:
        raise _fail(weak)
    try:
        result = init_node(
            data_dir,
            code,
            passphrase,
            settings=settings,
            suite=SuiteId.X25519 if classic else SuiteId.MLKEM768_X25519,
            name=name,
        )
    except FileExistsError as exc:
        raise _fail(str(exc)) from None
    if _wants_json(ctx):
        typer.echo(json.dumps(result.as_dict(), indent=2))
        return
    # Every key whole, each on a line of its own, so that it can be copied (never cut with "...").
    typer.echo(f"Created {result.data_dir} for member {code}.")
    typer.echo(f"  issuer account      {result.issuer_address}")
    typer.echo(f"  admin account       {result.admin_address}")
    typer.echo(f"  admin API key       {result.admin_api_key}")
    typer.echo("                      (shown once; only its hash is kept)")
    typer.echo(f"  settings            {result.config_file}")
    typer.echo(f"  member file         {result.member_file}")
    key_bytes = len(result.encryption_public_key) // 2 - 1
    kind = "X25519" if classic else "ML-KEM-768 + X25519"
    typer.echo(f"  encryption key ({kind}, {key_bytes:,} bytes), on one line:")
    typer.echo(result.encryption_public_key)
    typer.echo(
        f"Send {result.member_file.name} to the consortium: an admin proposes it "
        f"(origo consortium propose add-member --member {result.member_file.name}) and the members vote."
    )
    typer.echo(f"Once voted in: origo node run -d {result.data_dir}")


@node_app.command("run")
def run(
    data_dir: DataDir,
    log_level: Annotated[str, typer.Option(help="debug, info, warning, error")] = "info",
) -> None:
    """Run the node (API, batcher, indexer) in the foreground; Ctrl-C stops it."""
    from origo_node.errors import OrigoError
    from origo_node.operator_checks import port_problem
    from origo_node.serving import run_node
    from origo_node.settings import CONFIG_FILE, load_settings

    config = data_dir / CONFIG_FILE
    if not config.exists():
        raise _fail(f"{config} does not exist; create it with 'origo node init'")
    if not os.environ.get("ORIGO_PASSPHRASE") and not os.environ.get("ORIGO_PASSPHRASE_FILE"):
        os.environ["ORIGO_PASSPHRASE"] = _passphrase(confirm=False)
    try:
        settings = load_settings(config)
        busy = port_problem(settings.host, settings.port)
        if busy:
            raise _fail(f"{busy}; stop it, or set another port in {config} (port = ...)")
        run_node(settings, config_file=config, log_level=log_level)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise _fail(f"the settings in {config} are incomplete: {problems}") from None
    except OrigoError as exc:
        raise _fail(exc.message) from None


@node_app.command("add-key")
def add_key(
    data_dir: DataDir,
    role: Annotated[str, typer.Option(help="officer, auditor or admin")],
    name: Annotated[str, typer.Option(help="Who the key is for.")] = "",
) -> None:
    """Create an API key with a role; it is printed once, only its hash is kept."""
    from origo_node.operator_tasks import add_api_key
    from origo_node.store.apikeys import ROLES

    if role not in ROLES:
        raise _fail(f"--role must be one of {', '.join(ROLES)}")
    typer.echo(add_api_key(data_dir, role, name or role))


@node_app.command("reindex")
def reindex(data_dir: DataDir) -> None:
    """Forget the index; the node rebuilds it from the chain on its next start."""
    from origo_node.store.backends import open_store_in

    open_store_in(data_dir).drop_index()
    typer.echo("index dropped; it is rebuilt from the chain when the node starts")


@node_app.command("backup")
def backup(
    ctx: typer.Context,
    data_dir: DataDir,
    to: Annotated[Path, typer.Option("--to", help="The archive to write (.tar.gz); must not exist.")],
) -> None:
    """Snapshot the node (it may keep running): database, keystores, node.toml, payload blocks."""
    from origo_node.operations.backup import BackupError
    from origo_node.operations.backup import backup as take

    try:
        summary = take(data_dir, to)
    except BackupError as exc:
        raise _refuse(ctx, str(exc)) from None
    typer.echo(
        f"Backed up {summary.member or 'the node'} to {summary.archive}: {summary.files} files,"
        f" database {summary.database_bytes:,} bytes. The keystores inside are encrypted with the node's"
        " passphrase; keep the archive as safe as the keys."
    )


@node_app.command("restore")
def restore(
    ctx: typer.Context,
    archive: Annotated[Path, typer.Option("--from", help="An archive made by `origo node backup`.")],
    data_dir: DataDir,
) -> None:
    """Put a backup into an empty data directory; the node then catches up from the chain when it runs."""
    from origo_node.operations.backup import BackupError
    from origo_node.operations.backup import restore as put_back

    try:
        summary = put_back(archive, data_dir)
    except BackupError as exc:
        raise _refuse(ctx, str(exc)) from None
    typer.echo(
        f"Restored {summary.member or 'the node'} into {data_dir} ({summary.files} files). Start it with"
        f" `origo node run -d {data_dir}`: it catches up from the chain."
    )


@node_app.command("rotate-keys")
def rotate_keys(
    ctx: typer.Context,
    data_dir: DataDir,
    issuer: Annotated[bool, typer.Option(help="Replace the issuer (signing) account.")] = True,
    encryption: Annotated[bool, typer.Option(help="Replace the HPKE encryption key.")] = True,
) -> None:
    """With the node stopped and its outbox anchored: new issuer account and encryption key, published from
    the member's admin account; the old ones are retired (kept), the old issuer account removed."""
    from origo_node.operations.key_rotation import RotationError
    from origo_node.operations.key_rotation import rotate_keys as rotate
    from origo_node.runtime import open_chain
    from origo_node.settings import CONFIG_FILE, load_settings

    if not issuer and not encryption:
        raise _refuse(ctx, "nothing to rotate: --no-issuer and --no-encryption together leave no key")
    config = data_dir / CONFIG_FILE
    if not config.is_file():
        raise _refuse(ctx, f"{config} does not exist; is {data_dir} a node's data directory?")
    passphrase = _passphrase(confirm=False)
    try:
        settings = load_settings(config)
        # The RPC waits as long as a transaction may (the node's own requests time out sooner).
        chain = open_chain(settings, timeout=settings.tx_timeout_s)
        result = rotate(settings, passphrase, chain, issuer=issuer, encryption=encryption)
    except ValidationError as exc:
        raise _refuse(
            ctx, f"the settings in {config} are incomplete: {exc.error_count()} problem(s)"
        ) from None
    except RotationError as exc:
        raise _refuse(ctx, str(exc)) from None
    if result.new_issuer:
        typer.echo(f"issuer account   {result.old_issuer} -> {result.new_issuer}")
        typer.echo("  fund the new account if the chain charges for gas")
    if result.new_encryption_key:
        typer.echo(f"encryption key   {result.new_encryption_key[:24]}... (old key kept in keys/retired/)")
    typer.echo(f"Start the node again: origo node run -d {data_dir}")
