"""`origo network ...`: the operator's commands for the consortium's real network (Besu QBFT or Clique, kubo,
nodes)."""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from origo_cli._context import UserError

network_app = typer.Typer(
    help="Generate what a real consortium network needs (QBFT or Clique genesis, per-member configurations).",
    no_args_is_help=True,
)

#: The RUNBOOK section the final hint names, per consensus (a test checks that each heading exists).
RUNBOOK_SECTIONS = {
    "qbft": "3. Starting the network",
    "clique": "8. A Clique network (geth or Besu)",
    "add-member": "4. Adding a member",
}


class Consensus(StrEnum):
    qbft = "qbft"
    clique = "clique"


@network_app.command("generate")
def generate(
    ctx: typer.Context,
    members: Annotated[
        Path,
        typer.Option(
            "--members",
            help="JSON list of the first members, each as `origo node init` / devnet join describe it.",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Directory to write (must not exist or be empty).")],
    consensus: Annotated[
        Consensus,
        typer.Option(
            help="qbft: Besu, validators from the Membership contract (production). clique: geth or Besu,"
            " sealers voted in and out by the members' Origo nodes as the Membership decides."
        ),
    ] = Consensus.qbft,
    chain_id: Annotated[int, typer.Option(help="The chain id.")] = 1983,
    block_period: Annotated[int, typer.Option(help="Seconds between blocks (at least 1).")] = 2,
    request_timeout: Annotated[int, typer.Option(help="QBFT round timeout in seconds.")] = 4,
    epoch_length: Annotated[int, typer.Option(help="Epoch in blocks (votes reset).")] = 30000,
    gas_limit: Annotated[int, typer.Option(help="Block gas limit.")] = 30_000_000,
    quorum_bps: Annotated[int, typer.Option(help="Share of active members a proposal needs (bps).")] = 5001,
    voting_days: Annotated[float, typer.Option(help="How long a proposal stays open, in days.")] = 7.0,
    besu_config_dir: Annotated[str, typer.Option(help="Where besu/ goes on each machine.")] = "/etc/besu",
    besu_data_dir: Annotated[str, typer.Option(help="Besu's data path on each machine.")] = "/var/lib/besu",
    origo_data_dir: Annotated[
        str, typer.Option(help="The Origo node's data directory on each machine.")
    ] = "/var/lib/origo",
    geth_data_dir: Annotated[str, typer.Option(help="geth's data directory (Clique).")] = "/var/lib/geth",
    start_at: Annotated[
        str | None,
        typer.Option(
            help="The launch time in UTC (like 2026-12-10T08:00:00Z), the genesis block's time. No block is"
            " sealed before it: every member starts its chain node ahead of it, so that all are peered for"
            " block 1. Default: now."
        ),
    ] = None,
) -> None:
    """Write the genesis (Membership and DocumentRegistry at genesis; QBFT: validators from the contract;
    Clique: the members' sealers in extraData) and, per member, Besu's (and for Clique geth's) config, node
    key and peers, kubo's swarm config and the Origo node.toml."""
    from origo_network import (
        ChainSettings,
        HostPaths,
        NetworkSpecError,
        generate_network,
        load_members,
    )

    if not math.isfinite(voting_days) or not 0 < voting_days <= 3650:
        raise UserError("--voting-days must be a number of days between 0 and 3650")
    settings = ChainSettings(
        consensus=consensus.value,
        chain_id=chain_id,
        block_period_s=block_period,
        request_timeout_s=request_timeout,
        epoch_length=epoch_length,
        gas_limit=gas_limit,
        quorum_bps=quorum_bps,
        voting_period_s=int(voting_days * 24 * 3600),
        genesis_time=None if start_at is None else _launch_time(start_at),
    )
    paths = HostPaths(besu_config_dir, besu_data_dir, origo_data_dir, geth_data_dir)
    try:
        network = generate_network(load_members(members), out, settings, paths)
    except NetworkSpecError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"cannot write the network to {out}: {exc.strerror or exc}") from None
    summary = network.summary()
    root = ctx.find_root().obj
    if getattr(root, "json", False):
        typer.echo(json.dumps(summary, indent=2))
        return
    for warning in network.warnings:
        typer.secho(f"Warning: {warning}.", fg=typer.colors.YELLOW, err=True)
    kind = "QBFT" if consensus is Consensus.qbft else "Clique"
    typer.echo(f"Wrote a {len(summary['members'])}-member {kind} network to {out} (chain id {chain_id}).")
    role = "(validator contract) " if consensus is Consensus.qbft else "(decides the sealers)"
    typer.echo(f"  Membership {role} {summary['contracts']['membership']}")
    typer.echo(f"  DocumentRegistry                 {summary['contracts']['registry']}")
    what = "validator" if consensus is Consensus.qbft else "sealer"
    for member in summary["members"]:
        typer.echo(f"  {member['code']}  {what} {member['validator']}  kubo {member['kubo_peer_id']}")
    if network.generated_keys:
        typer.secho(
            "Keys were generated here for "
            + ", ".join(network.generated_keys)
            + ": hand each member only its own members/XX directory, over a secure channel.",
            fg=typer.colors.YELLOW,
        )
    if start_at is not None:
        first_block = summary["genesis_time"]
        typer.echo(f"  The first block is sealed at {first_block}: start every chain node before then.")
    typer.echo(f"Next: docs/RUNBOOK.md, section '{RUNBOOK_SECTIONS[consensus.value]}'.")


def _launch_time(text: str) -> int:
    """``--start-at`` as Unix seconds: an ISO 8601 time in UTC, in the future (a past one coordinates
    nothing)."""
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UserError(
            f"--start-at {text!r} is not a time; give one in UTC like 2026-12-10T08:00:00Z"
        ) from None
    if at.tzinfo is None or at.utcoffset() != timedelta(0):
        raise UserError(f"--start-at {text!r} must be in UTC, ending in Z (like 2026-12-10T08:00:00Z)")
    if at.timestamp() <= time.time():
        raise UserError(
            f"--start-at {text} is in the past; give a launch time that every member can start its chain node"
            " before (leave it out to date the genesis now)"
        )
    return int(at.timestamp())


@network_app.command("add-member")
def add_member(
    ctx: typer.Context,
    network: Annotated[Path, typer.Option("--network", help="The directory `origo network generate` wrote.")],
    member: Annotated[
        Path, typer.Option("--member", help="The new member's member.json (from `origo node init`).")
    ],
    besu_config_dir: Annotated[str, typer.Option(help="Where besu/ goes on its machine.")] = "/etc/besu",
    besu_data_dir: Annotated[str, typer.Option(help="Besu's data path on its machine.")] = "/var/lib/besu",
    origo_data_dir: Annotated[
        str, typer.Option(help="The Origo node's data directory on its machine.")
    ] = "/var/lib/origo",
    geth_data_dir: Annotated[str, typer.Option(help="geth's data directory (Clique).")] = "/var/lib/geth",
) -> None:
    """Write a new member's files (members/XX, the same genesis and swarm key) and add its chain node to the
    other members' peer lists; it validates (seals) once the members vote it in."""
    from origo_network import HostPaths, NetworkSpecError, add_member, load_member

    paths = HostPaths(besu_config_dir, besu_data_dir, origo_data_dir, geth_data_dir)
    try:
        added = add_member(network, load_member(member), paths)
    except NetworkSpecError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"cannot write the new member's files in {network}: {exc.strerror or exc}") from None
    if getattr(ctx.find_root().obj, "json", False):
        typer.echo(json.dumps({**asdict(added), "directory": str(added.directory)}, indent=2))
        return
    typer.echo(f"Wrote {added.directory} for {added.code}: its chain node's address is {added.validator}.")
    if added.updated:
        typer.echo(
            f"Updated the peer lists of {', '.join(added.updated)} in {network}/members: send each member its"
            " files again, or add the peer to its running chain node (admin_addPeer):"
        )
        typer.echo(f"  {added.enode}")
    if added.keys_generated_here:
        typer.secho(
            f"Keys were generated here for {added.code}: hand it only its own members/{added.code} directory,"
            " over a secure channel.",
            fg=typer.colors.YELLOW,
        )
    typer.echo(
        f"Then an admin proposes it and the members vote: origo consortium propose add-member --member"
        f" {added.directory / 'proposal.json'}"
    )
    typer.echo(f"Next: docs/RUNBOOK.md, section '{RUNBOOK_SECTIONS['add-member']}'.")
