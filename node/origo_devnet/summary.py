"""What ``make up`` prints once the consortium runs: one block per member, readable in an 80-column terminal.

A table with a column per key folded the keys over several lines, so they could not be copied; here every
key and address sits whole on a line of its own, after a label, and no line is longer than 80 characters
(keys are about 50, addresses 42).
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from origo_devnet.network import MEMBER_NAMES, Network


def print_summary(network: Network, console: Console) -> None:
    console.print(
        f"[bold]Origo local consortium[/bold] — chain {network.rpc_url} (chain id {network.chain_id})"
    )
    console.print(f"  Membership contract        {network.membership}", soft_wrap=True)
    console.print(f"  DocumentRegistry contract  {network.registry}", soft_wrap=True)
    for node in network.members.values():
        running = node.process is not None
        console.print()
        name = escape(MEMBER_NAMES.get(node.code, node.code))
        console.print(f"[bold]{node.code}[/bold]  {name}")
        if not running:
            console.print("    [yellow]not started: not a member on chain yet[/yellow]")
        for label, value in (
            ("node", node.url),
            ("verification page", node.url + "/"),
            ("officer API key", node.officer_key),
            ("auditor API key", node.auditor_key),
        ):
            # soft_wrap: never break a key, even on a narrower terminal (it then overflows, whole).
            console.print(f"    {label:<18} {value}", soft_wrap=True, highlight=False)
    console.print()
    console.print("Admin keys and everything else are in")
    console.print(f"  {network.root / 'network.json'}", soft_wrap=True, highlight=False)
    console.print("Ctrl-C stops the network; a node that stops on its own is restarted.")
