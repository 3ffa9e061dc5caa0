#!/usr/bin/env python3
"""The local consortium behind ``make up``: anvil with 1-second blocks and one node process per member.

    python scripts/devnet.py up            # create .devnet/ on first run, resume it afterwards; Ctrl-C stops
    python scripts/devnet.py up --members 11   # all ten ASEAN members and Timor-Leste (make up MEMBERS=11)
    python scripts/devnet.py up --ipfs kubo    # one kubo daemon per member, private swarm (make up IPFS=kubo)
    python scripts/devnet.py up --chain clique # one geth Clique sealer per member (make up CHAIN=clique)
    python scripts/devnet.py join CODE     # prepare a new member (keys, data directory) for a governance vote
    python scripts/devnet.py status        # what network.json says, and whether each node answers

Ports are fixed so that the README's commands work as printed: the chain on 8545, the genesis members'
nodes on 8701 (VN), 8702 (SG), 8703 (TH), 8704 (MY), 8705 (ID), 8706 (PH); members who join later take
8707 onwards (with ``--members 11``: BN, KH, LA, MM, TL on 8707-8711). With ``--chain clique`` each member's
sealer answers RPC on 8545 + its index (VN 8545, SG 8546, ...) and peers on 30303 + its index. ``--root``,
``--anvil-port`` and ``--base-port`` start a second consortium beside the first (the tests do). While it runs,
a node or a chain node that stops is restarted (origo_devnet.supervisor) and the terminal says so.
``make clean`` wipes ``.devnet/``.
"""

from __future__ import annotations

import argparse
import json
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from types import FrameType

import httpx
from origo_devnet.clique import CliqueNetwork
from origo_devnet.kubo_swarm import KuboSwarm
from origo_devnet.network import (
    ALL_MEMBERS,
    DEVNET_PASSPHRASE,
    Network,
    create_network,
    load_network,
    prepare_member,
)
from origo_devnet.summary import print_summary
from origo_devnet.supervisor import Supervisor
from origo_node.errors import OrigoError
from rich.console import Console

ROOT = Path(__file__).resolve().parent.parent / ".devnet"
ANVIL_PORT = 8545
BASE_PORT = 8701
P2P_BASE_PORT = 30303
ANVIL_ARGS = ["--state-interval", "5"]  # the chain's state reaches disk every 5 s, not only on a clean exit
console = Console()


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _check_ports(ports: list[int]) -> None:
    taken = [port for port in ports if not _port_free(port)]
    if taken:
        console.print(
            f"[red]ports {', '.join(map(str, taken))} are in use[/red] (another `make up` still running?). "
            "Stop it, or free the ports, and try again."
        )
        raise SystemExit(2)


def _active_codes(network: Network) -> list[str]:
    """Members that are active on chain (a joined member only starts once the vote let it in)."""
    from origo_node.chain.web3_chain import Web3Chain
    from origo_node.members import MemberDirectory

    directory = MemberDirectory(Web3Chain(network.rpc_url, network.membership, network.registry))
    directory.refresh()
    known = {m.code for m in directory.all()}
    return [code for code in network.members if code in known]


def _member_codes(value: str) -> tuple[str, ...]:
    """``--members``: a count (the first N of the ten ASEAN members and Timor-Leste) or codes, "VN,SG"."""
    if value.isdigit():
        count = int(value)
        if not 2 <= count <= len(ALL_MEMBERS):
            raise argparse.ArgumentTypeError(f"a consortium here has 2 to {len(ALL_MEMBERS)} members")
        return ALL_MEMBERS[:count]
    codes = tuple(code.strip().upper() for code in value.split(",") if code.strip())
    unknown = [code for code in codes if code not in ALL_MEMBERS]
    if unknown or len(codes) < 2 or len(set(codes)) != len(codes):
        raise argparse.ArgumentTypeError(
            f"give a count or two or more distinct codes among {', '.join(ALL_MEMBERS)}"
        )
    return codes


def _ports(network: Network, codes: list[str]) -> str:
    ports = [network.members[code].port for code in codes]
    return f"{min(ports)}-{max(ports)}" if ports else "none"


def _say(message: str) -> None:
    console.print(f"[{time.strftime('%H:%M:%S')}] {message}", highlight=False, markup=False, soft_wrap=True)


def up(args: argparse.Namespace) -> int:
    root: Path = args.root
    fresh = not (root / "network.json").exists()
    if fresh:
        codes = args.members
        chain_ports = [args.anvil_port]
        if args.chain == "clique":
            chain_ports = [*range(args.anvil_port, args.anvil_port + len(codes))]
            chain_ports += [*range(args.p2p_port, args.p2p_port + len(codes))]
        _check_ports([*chain_ports, *range(args.base_port, args.base_port + len(codes))])
        console.print(
            f"Creating a new consortium in {root} ({', '.join(codes)}) on {args.chain}, "
            f"payloads on {args.ipfs}..."
        )
        network = create_network(
            root,
            codes,
            base_port=args.base_port,
            anvil_port=args.anvil_port,
            block_time=1.0,
            anvil_args=ANVIL_ARGS,
            ipfs=args.ipfs,
            chain=args.chain,
            p2p_base_port=args.p2p_port,
        )
    else:
        made_with = "kubo" if (root / "kubo" / "swarm.key").exists() else "local"
        if args.ipfs != made_with:
            console.print(
                f"[red]{root} keeps its payloads on {made_with}[/red], not {args.ipfs}: resume it with "
                f"`make up IPFS={made_with}`, or `make clean` first to start a new consortium on {args.ipfs}"
            )
            return 2
        saved = json.loads((root / "network.json").read_text(encoding="utf-8"))
        made_on = saved.get("chain", "anvil")
        if args.chain_given and args.chain != made_on:
            console.print(
                f"[red]{root} runs on {made_on}[/red], not {args.chain}: resume it with "
                f"`make up CHAIN={made_on}`, or `make clean` first to start a new consortium on {args.chain}"
            )
            return 2
        if args.members_given and len(args.members) != len(saved["members"]):
            console.print(
                f"[yellow]{root} already holds a consortium of {len(saved['members'])} members; "
                f"it is resumed as it is (`make clean` first for one of {len(args.members)})[/yellow]"
            )
        chain_urls = [n["rpc_url"] for n in saved.get("chain_nodes", {}).values()] or [saved["rpc_url"]]
        _check_ports(
            [
                *(int(url.rsplit(":", 1)[1]) for url in chain_urls),
                *(int(m["url"].rsplit(":", 1)[1]) for m in saved["members"]),
            ]
        )
        console.print(f"Resuming the consortium in {root}...")
        network = load_network(root, block_time=1.0, anvil_args=ANVIL_ARGS)
    stop = threading.Event()

    def on_signal(signum: int, _: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        started = time.monotonic()
        codes = _active_codes(network)
        console.print(f"Starting the nodes of {', '.join(codes)} (ports {_ports(network, codes)})...")
        network.start_nodes(codes)
        network.write()
        console.print(f"All nodes answered {time.monotonic() - started:.1f} s after the chain was up.")
        print_summary(network, console)
        # Blocks until Ctrl-C; network.json is written again after a restart (it records the pids).
        Supervisor(network, say=_say, on_restart=network.write).run(stop)
    finally:
        console.print("Stopping the nodes and the chain (its state is saved)...")
        network.stop()
    return 0


def join(args: argparse.Namespace) -> int:
    root: Path = args.root
    code = args.code.upper()
    if not (root / "network.json").exists():
        console.print("[red]no network yet[/red]: run `make up` first")
        return 2
    saved = json.loads((root / "network.json").read_text(encoding="utf-8"))
    if any(m["code"] == code for m in saved["members"]):
        console.print(f"[red]{code} is already in {root}/network.json[/red]")
        return 2
    port = max(int(m["url"].rsplit(":", 1)[1]) for m in saved["members"]) + 1
    contracts = (saved["contracts"]["membership"], saved["contracts"]["registry"], saved["deployment_block"])
    settings: dict[str, object] = {"chain_id": saved["chain_id"]}
    # A consortium made with IPFS=kubo: the new member gets a daemon of its own in the private swarm.
    daemon = KuboSwarm.add_member(root / "kubo", code)
    if daemon is not None:
        settings.update(payload_backend="kubo", kubo_api=daemon.api)
    rpc_url, sealer = saved["rpc_url"], None
    if saved.get("chain") == "clique":
        # Its own chain node, a follower until the members vote it in; the others' configs list it as a
        # static peer, so the next `make up` starts it and peers them all.
        chain = CliqueNetwork.load(root / "clique")
        sealer = chain.add_node(code, start=False)
        rpc_url = chain.rpc_url(code)
        saved["chain_nodes"] = {**saved.get("chain_nodes", {}), code: chain.describe()[code]}
        settings["consensus"] = "clique"
    node, keys = prepare_member(
        root, code, port, rpc_url=rpc_url, contracts=contracts, node_settings=settings
    )
    from origo_devnet.network import fund
    from web3 import Web3

    try:
        fund(Web3(Web3.HTTPProvider(saved["rpc_url"])), keys["issuer_address"], keys["admin_address"])
    except Exception:  # the chain is down: the member is prepared; fund it after `make up` by joining again
        console.print(
            "[yellow]the chain is not running; run `make up` first so the accounts get gas[/yellow]"
        )
    saved["members"].append(node.as_dict())
    (root / "network.json").write_text(json.dumps(saved, indent=2) + "\n", encoding="utf-8")
    proposal_file = Path(keys["member_file"])  # written by init_node, as `origo node init` writes it
    if sealer is not None:
        # Its validator is its sealer: once it is admitted, the members' nodes vote that address in.
        member = json.loads(proposal_file.read_text(encoding="utf-8"))
        proposal_file.write_text(json.dumps({**member, "validator": sealer.address}, indent=2) + "\n")
    console.print(f"Prepared {code} in {node.data_dir} (node {node.url}, passphrase '{DEVNET_PASSPHRASE}').")
    console.print(f"The member to vote on: {proposal_file}")
    console.print(
        "  origo --node http://127.0.0.1:8701 --api-key VN_ADMIN_KEY consortium propose add-member"
        f" --member {proposal_file}"
    )
    console.print("Next: an admin proposes it, the others vote, then restart `make up` to start its node.")
    return 0


def status(_: argparse.Namespace) -> int:
    if not (ROOT / "network.json").exists():
        console.print("no network yet: run `make up`")
        return 1
    saved = json.loads((ROOT / "network.json").read_text(encoding="utf-8"))
    for member in saved["members"]:
        try:
            health = httpx.get(member["url"] + "/healthz", timeout=2).json()
            state = f"up, indexed block {health['indexed_block']}, outbox {health['outbox_pending']}"
        except httpx.HTTPError:
            state = "down"
        console.print(f"{member['code']}  {member['url']}  {state}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    starting = commands.add_parser("up", help="create or resume the network; run it until Ctrl-C")
    starting.add_argument(
        "--members",
        type=_member_codes,
        default=None,
        help="how many members (2-11, default 6: VN SG TH MY ID PH) or their codes, e.g. VN,SG,BN",
    )
    starting.add_argument("--root", type=Path, default=ROOT, help="where the network lives (.devnet/)")
    starting.add_argument(
        "--ipfs",
        choices=["local", "kubo"],
        default="local",
        help="where payloads live: each node's embedded store, or one kubo daemon per member (private swarm)",
    )
    starting.add_argument(
        "--chain",
        choices=["anvil", "clique"],
        default=None,
        help="the chain: one anvil (default), or one geth Clique sealer per member (needs `make geth`)",
    )
    starting.add_argument(
        "--anvil-port",
        type=int,
        default=ANVIL_PORT,
        help="the chain's port (8545); on Clique the first sealer's, the others' follow",
    )
    starting.add_argument("--base-port", type=int, default=BASE_PORT, help="the first node's port (8701)")
    starting.add_argument(
        "--p2p-port", type=int, default=P2P_BASE_PORT, help="on Clique, the first sealer's p2p port (30303)"
    )
    starting.set_defaults(run=up)
    joining = commands.add_parser("join", help="prepare a new member for a governance vote")
    joining.add_argument("code", help="the new member's country code, e.g. BN")
    joining.add_argument("--root", type=Path, default=ROOT, help="where the network lives (.devnet/)")
    joining.set_defaults(run=join)
    commands.add_parser("status", help="show the members and whether they answer").set_defaults(run=status)
    args = parser.parse_args(argv)
    if args.command == "up":
        args.members_given = args.members is not None
        args.chain_given = args.chain is not None
        args.chain = args.chain or "anvil"
        args.members = args.members or ALL_MEMBERS[:6]
    try:
        result: int = args.run(args)
    except (OrigoError, RuntimeError, TimeoutError, OSError) as exc:
        # What went wrong in words (a chain node or a member's node that would not start), not a traceback.
        message = exc.message if isinstance(exc, OrigoError) else str(exc)
        console.print(f"[red]the consortium could not start[/red]: {message}")
        return 1
    return result


if __name__ == "__main__":
    sys.exit(main())
