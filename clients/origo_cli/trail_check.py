"""Re-check an auditor's trail export against the chain alone, trusting neither the node nor its index.

Every fact is recomputed here or read from the contracts through the given JSON-RPC endpoint:

- the leaf (the document's anchored facts) hashes to a leaf of the Merkle tree whose root the export names
  (OpenZeppelin's sorted-pair keccak tree; leaf hash = keccak256(keccak256(abi.encode(leaf))));
- the registry recorded that root (``batch(root)``) and agrees the leaf is in it (``isAnchored``);
- the issuer's EIP-712 signature over the leaf recovers to the signer, and the membership contract says the
  signer was an issuing account of the leaf's issuer at the anchoring block (``wasIssuerAt``);
- each event of the trail is in its transaction's receipt, at its block and log index, with the same fields;
- and the chain has no event about the document that the export leaves out.

The contract addresses come from the export unless the auditor pins them (``--registry``/``--membership``):
an export could name a registry its author deployed, so pinning the consortium's known address is the
stronger check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from eth_utils.address import to_checksum_address
from origo_sdk import TrailEvent, TrailExport

from origo_cli.render import declaration_text
from origo_cli.trail_export import Check
from origo_cli.trail_leaf import (
    ExportUnreadable,
    bytes32_of,
    jsonable,
    leaf_hash,
    leaf_tuple,
    member_code_bytes,
    process_proof,
    recover_signer,
    same_message,
    typed_data,
)
from origo_cli.trail_rpc import RpcUnavailable, is_transport_error, unreachable

EVENT_OF_KIND = {
    "anchored": "BatchAnchored",
    "revoked": "DocumentRevoked",
    "superseded": "DocumentSuperseded",
    "accepted": "DocumentAccepted",
    "rejected": "DocumentRejected",
    "verification_requested": "VerificationRequested",
    "verification_answered": "VerificationAnswered",
}
# The event argument that names the acting member, per event.
MEMBER_ARG = {
    "BatchAnchored": "issuer",
    "DocumentRevoked": "issuer",
    "DocumentSuperseded": "issuer",
    "DocumentAccepted": "importer",
    "DocumentRejected": "importer",
    "VerificationRequested": "importer",
    "VerificationAnswered": "issuer",
}


# ------------------------------------------------------------------------------------------- pure parts


def _iso(timestamp: int) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ------------------------------------------------------------------------------------------- the chain


class Checker:
    """Runs every check of one export against one JSON-RPC endpoint."""

    def __init__(
        self,
        export: TrailExport,
        rpc_url: str,
        *,
        registry: str | None = None,
        membership: str | None = None,
        timeout: float = 10.0,
        abis: Callable[[str], list[dict[str, Any]]] | None = None,
    ) -> None:
        from web3 import Web3

        if abis is None:
            from origo_cli.contract_abis import load_abi

            abis = load_abi
        self.export = export
        self.checks: list[Check] = []
        self.w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": timeout}))
        self.pinned_registry = registry
        self.pinned_membership = membership
        self._abis = abis
        try:
            self.chain_id = int(self.w3.eth.chain_id)
        except Exception as exc:  # requests/web3 raise many kinds; all mean the same here
            raise RpcUnavailable(unreachable(rpc_url, exc, timeout)) from exc

    def add(self, name: str, ok: bool | None, detail: str) -> bool:
        self.checks.append(Check(name, ok, detail))
        return bool(ok)

    def run(self) -> list[Check]:
        e = self.export
        self.add(
            "chain",
            self.chain_id == e.chain_id,
            f"RPC chain id {self.chain_id}"
            + ("" if self.chain_id == e.chain_id else f", export says {e.chain_id}"),
        )
        registry_address = self._addresses()
        if registry_address is None:
            return self.checks
        registry = self.w3.eth.contract(address=registry_address, abi=self._abis("DocumentRegistry"))
        membership = self.w3.eth.contract(address=self.membership_address, abi=self._abis("Membership"))
        leaf = leaf_tuple(e.leaf)
        self.add(
            "identity",
            e.leaf.document_id.lower() == e.document_id.lower() and e.leaf.digest.lower() == e.digest.lower(),
            "the leaf names the exported document id and digest",
        )
        local = leaf_hash(e.leaf)
        on_chain = bytes(registry.functions.leafHash(leaf).call())
        self.add(
            "leaf hash", local == on_chain, f"0x{local.hex()} (recomputed; the registry computes the same)"
        )
        root = bytes32_of(e.root)
        proof = [bytes32_of(p) for p in e.proof]
        reached = process_proof(local, proof)
        self.add("merkle proof", reached == root, f"{len(proof)} step(s) lead to root {e.root}")
        anchor_block = self._batch(registry, root)
        anchored = bool(registry.functions.isAnchored(leaf, root, proof).call())
        self.add(
            "anchored", anchored, "the registry's isAnchored(leaf, root, proof) is " + str(anchored).lower()
        )
        signer = self._signature(registry_address)
        if signer is not None and anchor_block is not None:
            was = bool(
                membership.functions.wasIssuerAt(
                    signer, member_code_bytes(e.leaf.issuer), anchor_block
                ).call()
            )
            self.add(
                "issuer at issue",
                was,
                f"{signer} {'was' if was else 'was NOT'} an issuing account of {e.leaf.issuer} "
                f"at block {anchor_block}",
            )
        for event in e.events:
            self._event(registry, event, root)
        self._completeness(registry, anchor_block)
        self._current(registry, leaf, root, proof)
        return self.checks

    # ---------------------------------------------------------------------------------------- parts

    def _addresses(self) -> Any:
        from web3 import Web3

        e = self.export
        registry = to_checksum_address(e.registry)
        if self.pinned_registry is not None:
            pinned = to_checksum_address(self.pinned_registry)
            if not self.add(
                "registry address", pinned == registry, f"pinned {pinned}; export names {registry}"
            ):
                return None
        else:
            self.add("registry address", None, f"{registry}, as the export names it (not pinned)")
        if not self.w3.eth.get_code(registry):
            self.add("registry code", False, f"no contract at {registry} on this chain")
            return None
        contract = self.w3.eth.contract(address=registry, abi=self._abis("DocumentRegistry"))
        actual_membership = to_checksum_address(contract.functions.membership().call())
        expected = self.pinned_membership or e.membership or actual_membership
        self.membership_address = actual_membership
        self.add(
            "membership address",
            to_checksum_address(expected) == actual_membership,
            f"the registry reads membership at {actual_membership}",
        )
        return Web3.to_checksum_address(registry)

    def _batch(self, registry: Any, root: bytes) -> int | None:
        # Batches are per member: ask for the one the leaf's issuer anchored under this root.
        code = member_code_bytes(self.export.leaf.issuer)
        issuer, count, block, timestamp = registry.functions.batch(code, root).call()
        if int(block) == 0:
            self.add(
                "batch",
                False,
                f"the registry has no batch of {self.export.leaf.issuer} with root {self.export.root}",
            )
            return None
        issuer_code = bytes(issuer).decode("ascii", errors="replace")
        expected_block = self.export.anchor_block
        ok = issuer_code == self.export.leaf.issuer and (
            expected_block is None or expected_block == int(block)
        )
        self.add(
            "batch",
            ok,
            f"root anchored by {issuer_code} at block {int(block)} ({_iso(int(timestamp))}), "
            f"{int(count)} document(s)",
        )
        return int(block)

    def _signature(self, registry_address: str) -> str | None:
        e = self.export
        ours = typed_data(e.leaf, self.chain_id, registry_address)
        if e.eip712 is not None:
            self.add(
                "typed data",
                same_message(e.eip712, ours),
                "the exported EIP-712 message is the leaf under this chain's registry domain",
            )
        try:
            signer = recover_signer(ours, e.signature)
        except Exception as exc:  # a malformed signature cannot be recovered
            self.add("signature", False, f"does not recover: {exc}")
            return None
        ok = signer.lower() == e.signer.lower()
        self.add("signature", ok, f"recovers to {signer}" + ("" if ok else f", export says {e.signer}"))
        return signer if ok else None

    def _event(self, registry: Any, event: TrailEvent, root: bytes) -> None:
        name = EVENT_OF_KIND.get(event.kind)
        label = f"event {event.kind} @ {event.block}"
        if name is None:
            self.add(label, False, f"unknown event kind {event.kind!r}")
            return
        try:
            receipt = self.w3.eth.get_transaction_receipt(event.tx)  # type: ignore[arg-type]
        except Exception:  # web3 raises TransactionNotFound and friends
            self.add(label, False, f"no transaction {event.tx} on this chain")
            return
        if int(receipt["blockNumber"]) != event.block:
            self.add(label, False, f"tx {event.tx} is in block {receipt['blockNumber']}, not {event.block}")
            return
        registry_address = str(registry.address).lower()
        candidates = [
            log
            for log in receipt["logs"]
            if str(log["address"]).lower() == registry_address
            and (event.log_index is None or int(log["logIndex"]) == event.log_index)
        ]
        decoded = None
        for log in candidates:
            try:
                decoded = getattr(registry.events, name)().process_log(log)
            except Exception:  # not this event's topic
                continue
            if self._matches(name, decoded["args"], event, root):
                break
            decoded = None
        if decoded is None:
            self.add(label, False, f"tx {event.tx} has no {name} log with the exported fields")
            return
        detail = f"{name} in tx {event.tx[:12]}…, log {int(decoded['logIndex'])}"
        if event.timestamp:
            block = self.w3.eth.get_block(event.block)
            if _iso(int(block["timestamp"])) != event.timestamp:
                self.add(
                    label,
                    False,
                    f"{detail}; block time {_iso(int(block['timestamp']))}, not {event.timestamp}",
                )
                return
        self.add(label, True, detail)

    def _matches(self, name: str, args: Any, event: TrailEvent, root: bytes) -> bool:
        e = self.export
        values = {k: jsonable(v) for k, v in dict(args).items()}
        if event.member is not None and values.get(MEMBER_ARG[name]) != event.member:
            return False
        if event.account is not None and str(values.get("account", "")).lower() != event.account.lower():
            return False
        if name == "BatchAnchored":
            fields = event.fields
            return (
                bytes(args["root"]) == root
                and str(fields.get("root", e.root)).lower() == e.root.lower()
                and str(fields.get("digest", e.leaf.digest)).lower() == e.leaf.digest.lower()
                and fields.get("importer", e.leaf.importer) == e.leaf.importer
                and values.get("issuer") == e.leaf.issuer
            )
        if str(values.get("documentId", "")).lower() != e.document_id.lower():
            return False
        if values.get("issuer") != e.leaf.issuer:
            return False
        for key, value in event.fields.items():
            if key not in values:
                return False
            have = values[key]
            if key == "declaration":  # bytes32 on chain; the node shows the declaration number as text
                if declaration_text(have) != declaration_text(value):
                    return False
            elif isinstance(have, str) and isinstance(value, str):
                if have.lower() != value.lower():
                    return False
            elif have != value:
                return False
        return True

    def _completeness(self, registry: Any, anchor_block: int | None) -> None:
        e = self.export
        topic = "0x" + bytes32_of(e.document_id).hex()
        # A document is named by issuer and id: another member's events on the same id are not its own.
        issuer_topic = "0x" + member_code_bytes(e.leaf.issuer).ljust(32, b"\0").hex()
        from_block = anchor_block if anchor_block is not None else 0
        logs = self.w3.eth.get_logs(
            {
                "address": registry.address,
                "fromBlock": from_block,
                "toBlock": "latest",
                "topics": [None, topic, issuer_topic],
            }
        )
        exported = {(ev.tx.lower(), ev.log_index) for ev in e.events if ev.kind != "anchored"}
        missing = [
            log
            for log in logs
            if ("0x" + bytes(log["transactionHash"]).hex(), int(log["logIndex"])) not in exported
        ]
        self.add(
            "complete",
            not missing,
            f"{len(logs)} event(s) about the document on chain"
            + ("" if not missing else f"; {len(missing)} not in the export"),
        )

    def _current(self, registry: Any, leaf: Any, root: bytes, proof: list[bytes]) -> None:
        status = registry.functions.statusOf(leaf, root, proof).call()
        _anchored, _batch, expired, remaining, state = status
        _tag, fully, revoked, rejected, v_open, v_answered, v_confirmed, reason, replaced = state
        # What remains per item, from the leaf's own quantities: claimed = total - remaining, item by item.
        totals = [int(q) for q in leaf[7]]
        left = [int(r) for r in remaining]
        words = []
        if revoked:
            words.append(f"revoked (reason {reason})")
        if int.from_bytes(bytes(replaced), "big"):
            words.append(f"superseded by 0x{bytes(replaced).hex()}")
        if rejected:
            words.append(f"rejected at import (reason {reason})")
        if fully:
            words.append("fully used")
        else:
            words.extend(
                f"item {i + 1}: claimed {(total - rest) / 1000:g}, {rest / 1000:g} left"
                for i, (total, rest) in enumerate(zip(totals, left, strict=False))
                if total and rest < total
            )
        if v_open:
            words.append("under verification")
        elif v_answered:
            words.append("verification " + ("confirmed" if v_confirmed else "NOT confirmed"))
        if expired:
            words.append("expired")
        self.add("state now", None, ", ".join(words) or "valid")


def check_export(
    export: TrailExport,
    rpc_url: str,
    *,
    registry: str | None = None,
    membership: str | None = None,
    timeout: float = 10.0,
) -> list[Check]:
    """Every check of ``export`` against the chain at ``rpc_url``; ``RpcUnavailable`` if it is silent."""
    checker = Checker(export, rpc_url, registry=registry, membership=membership, timeout=timeout)
    try:
        return checker.run()
    except (ExportUnreadable, RpcUnavailable):
        raise
    except Exception as exc:
        if is_transport_error(exc):
            raise RpcUnavailable(unreachable(rpc_url, exc, timeout)) from exc
        raise
