#!/usr/bin/env python3
"""Gas used by each contract operation, measured from receipts on a fresh anvil.

    python scripts/gas_report.py          # a table
    python scripts/gas_report.py --json   # one JSON object

The documents acted on sit in the batch of 4,096 (a 12-hash proof), the case the targets are for.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from origo_devnet.deploy import GenesisMember, deploy_contract
from origo_network.anvil import Anvil
from origo_node.chain.artifacts import load_abi
from origo_node.chain.merkle import Leaf, MerkleTree
from web3 import Web3
from web3.contract.contract import ContractFunction

BATCH_SIZES = (1, 16, 256, 4096)
# A CIDv1 (raw, sha2-256) in base32 as kubo prints it: 59 characters.
MANIFEST_CID = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"
TARGETS = {"anchor_per_document.256": 1_000, "anchor_per_document.4096": 200, "accept": 80_000}
CODES = ("VN", "SG", "TH", "MY")


#: Documents 6 to 8 of the big batch list two items in two units (gloves in pairs, finger cots in pieces).
TWO_ITEMS = (6, 7, 8)


def _leaf(n: int, quantities: tuple[int, ...] = (10_000,)) -> Leaf:
    return Leaf(
        document_id=Web3.keccak(text=f"origo:VN:GAS-{n}"),
        document_type=Web3.keccak(text="atiga-form-d/1"),
        digest=os.urandom(32),
        issuer="VN",
        importer="SG",
        issued_at=1_760_000_000,
        expires_at=1_760_000_000 + 365 * 86_400 * 10,
        quantities=quantities,
        payload_cid=Web3.keccak(text=f"bafkrei-payload-{n}"),
    )


def measure() -> dict[str, Any]:
    with Anvil(accounts=20) as chain:
        w3 = Web3(Web3.HTTPProvider(chain.url))
        accounts = list(w3.eth.accounts)
        admins, issuers = accounts[1:5], accounts[5:9]
        genesis = [
            GenesisMember(
                code, f"Customs {code}", admins[i], admins[i], [issuers[i]], os.urandom(32), "https://x"
            )
            for i, code in enumerate(CODES)
        ]
        report: dict[str, Any] = {"deploy": {}}
        m_receipt = deploy_contract(
            w3, accounts[0], "Membership", [g.to_abi_tuple() for g in genesis], 5001, 86_400
        )
        report["deploy"]["Membership"] = m_receipt["gasUsed"]
        r_receipt = deploy_contract(w3, accounts[0], "DocumentRegistry", m_receipt["contractAddress"])
        report["deploy"]["DocumentRegistry"] = r_receipt["gasUsed"]
        membership = w3.eth.contract(address=m_receipt["contractAddress"], abi=load_abi("Membership"))
        registry = w3.eth.contract(address=r_receipt["contractAddress"], abi=load_abi("DocumentRegistry"))

        def gas(fn: ContractFunction, sender: str) -> int:
            receipt = w3.eth.wait_for_transaction_receipt(fn.transact({"from": sender}), poll_latency=0.01)
            if receipt["status"] != 1:
                raise RuntimeError(f"{fn.fn_name} failed")
            return int(receipt["gasUsed"])

        vn, sg = issuers[0], issuers[1]
        r = registry.functions
        trees: dict[int, MerkleTree] = {}
        report["anchor_batch"] = {}
        report["anchor_per_document"] = {}
        serial = 0
        for size in BATCH_SIZES:
            tree = MerkleTree(
                [
                    _leaf(
                        serial + k, (12_000_000, 9_000_000) if size == 4096 and k in TWO_ITEMS else (10_000,)
                    )
                    for k in range(size)
                ]
            )
            serial += size
            used = gas(r.anchorBatch(tree.root, size, MANIFEST_CID), vn)
            trees[size] = tree
            report["anchor_batch"][str(size)] = used
            report["anchor_per_document"][str(size)] = round(used / size, 1)

        big = trees[4096]

        def args(i: int) -> tuple[Any, ...]:
            return big.leaves[i].to_abi_tuple(), big.root, big.proof(i)

        declaration = b"SG-IMP-2026-000123".ljust(32, b"\0")  # as the node sends one: canonical
        # Claims are (item, thousandths); none claims the whole certificate.
        report["accept"] = gas(r.accept(*args(0), declaration, [(0, 2_500)]), sg)
        # A second claim needs another declaration (one declaration claims a document once); it writes the
        # declaration's own mark beside the state slot.
        again = b"SG-IMP-2026-000124".ljust(32, b"\0")
        report["accept_again"] = gas(r.accept(*args(0), again, [(0, 2_500)]), sg)
        report["accept_whole_certificate"] = gas(r.accept(*args(9), declaration, []), sg)
        # Two items: the second item's count has a slot of its own; a claim of both reads and writes both.
        report["accept_second_item"] = gas(r.accept(*args(6), declaration, [(1, 40_000)]), sg)
        report["accept_two_items"] = gas(r.accept(*args(7), declaration, [(0, 3_000_000), (1, 40_000)]), sg)
        report["accept_two_items_last"] = gas(
            r.accept(*args(7), b"SG-IMP-2026-000124".ljust(32, b"\0"), [(0, 0), (1, 0)]), sg
        )
        report["reject"] = gas(r.reject(*args(1), 3, "origin criterion not met"), sg)
        report["revoke"] = gas(r.revoke(*args(2), 7, "issued in error"), vn)
        report["supersede"] = gas(r.supersede(*args(3), *args(4)), vn)
        report["verification_request"] = gas(r.requestVerification(*args(5), "exporter unknown"), sg)
        report["verification_answer"] = gas(r.answerVerification(*args(5), True, "confirmed"), vn)

        m = membership.functions
        report["propose"] = gas(m.proposeStatusChange(1, b"MY"), admins[0])
        report["vote"] = gas(m.vote(1), admins[1])
        report["vote_executing"] = gas(m.vote(1), admins[2])
        return report


def check_targets(report: dict[str, Any]) -> list[str]:
    misses = []
    for key, limit in TARGETS.items():
        value: Any = report
        for part in key.split("."):
            value = value[part]
        if value > limit:
            misses.append(f"{key} = {value} > {limit}")
    return misses


def print_table(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Origo contracts: gas used (anvil receipts)")
    table.add_column("operation")
    table.add_column("gas", justify="right")
    for name, value in report.items():
        if isinstance(value, dict):
            for sub, v in value.items():
                table.add_row(f"{name} [{sub}]", f"{v:,}")
        else:
            table.add_row(name, f"{value:,}")
    Console().print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    report = measure()
    if args.json:
        print(json.dumps(report))
    else:
        print_table(report)
    misses = check_targets(report)
    for miss in misses:
        print(f"over target: {miss}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
