#!/usr/bin/env python3
"""Gas of ``Membership.getValidators()``, which Besu calls at every block in validator-contract mode.

    python scripts/validator_gas.py            # a table for 11 and 30 members
    python scripts/validator_gas.py --json     # one JSON object
    python scripts/validator_gas.py 6 11 30 50 # other sizes

For each size the Membership is deployed with that many genesis members (hybrid-sized 1,216-byte encryption
keys, one issuer each) on a fresh anvil, and the call is measured with ``eth_estimateGas`` (which includes the
21,000 gas every call is charged as a transaction). Measured three ways: every member active; a third of them
suspended (still iterated, left out of the list); and a third of them claiming another member's validator
address (left out once, so Besu never sees a validator twice).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from eth_account import Account
from origo_devnet.deploy import GenesisMember, deploy
from origo_network.anvil import Anvil
from origo_node.chain.artifacts import load_abi
from web3 import Web3

CALL_BASE_GAS = 21_000
ENCRYPTION_KEY_BYTES = 1216  # ML-KEM-768 + X25519 public key


def _code(i: int) -> str:
    return chr(ord("A") + i // 26) + chr(ord("A") + i % 26)


def measure(size: int) -> dict[str, Any]:
    admins = [Account.create() for _ in range(size)]
    members = [
        GenesisMember(
            code=_code(i),
            name=f"Member {i}",
            admin=admins[i].address,
            validator=Account.create().address,
            issuers=(Account.create().address,),
            encryption_key=os.urandom(ENCRYPTION_KEY_BYTES),
            endpoint=f"https://origo.member-{i}.example",
        )
        for i in range(size)
    ]
    # No initcode size limit: 30 members with hybrid keys are more constructor data than one deploying
    # transaction may carry (49,152 bytes); a generated genesis holds only the resulting state.
    with Anvil(extra_args=["--gas-limit", "1000000000", "--disable-code-size-limit"]) as chain:
        w3 = Web3(Web3.HTTPProvider(chain.url))
        for admin in admins:
            w3.provider.make_request("anvil_setBalance", [admin.address, hex(10**22)])  # type: ignore[arg-type]
        deployment = deploy(w3, w3.eth.accounts[0], members, quorum_bps=10_000, voting_period=3600)
        contract = w3.eth.contract(address=deployment.membership, abi=load_abi("Membership"))

        def gas() -> int:
            return int(
                w3.eth.estimate_gas({"to": contract.address, "data": contract.encode_abi("getValidators")})
            )

        all_active = gas()
        validators = contract.functions.getValidators().call()
        assert len(validators) == len(set(validators)) == size, "getValidators() must list each member once"
        return {
            "members": size,
            "all_active": all_active,
            "all_active_execution": all_active - CALL_BASE_GAS,
            "validators_listed": len(validators),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("sizes", nargs="*", type=int, default=[11, 30])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results = [measure(size) for size in args.sizes]
    if args.json:
        print(json.dumps({"getValidators": results}, indent=2))
        return 0
    print("getValidators() gas (eth_estimateGas, includes the 21,000 of a call)")
    print(f"{'members':>8} {'all active':>11} {'execution':>10} {'listed':>7}")
    for r in results:
        gas = f"{r['all_active']:>11,} {r['all_active_execution']:>10,}"
        print(f"{r['members']:>8} {gas} {r['validators_listed']:>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
