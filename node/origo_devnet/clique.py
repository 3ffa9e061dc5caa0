"""A Clique proof-of-authority chain on loopback: one geth sealer per member, each in its own data directory.

    chain = CliqueNetwork.plan(root, ["VN", "SG"])      # keys and ports, nothing started
    chain.create(funded=[...])                           # genesis (sealers in extraData), data directories
    chain.start()
    Web3(Web3.HTTPProvider(chain.rpc_url("VN")))
    chain.kill("SG"); chain.restart("SG"); chain.stop()

geth v1.13.15 (``make geth``) seals Clique blocks on its own. Each sealer: its own throw-away key in an
encrypted keystore (the devnet passphrase, a cheap scrypt), ``--gcmode archive`` (a sealer killed with SIGKILL
restarts from its head instead of replaying from an old block), no discovery, p2p bound to 127.0.0.1 with the
other sealers as static peers (in its ``config.toml``, so a restarted sealer finds them again), RPC on
loopback.
The layout (addresses, ports, enodes) is saved in ``root/clique.json`` so that ``load`` resumes the chain.
Processes are started and stopped by pid only.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

import httpx
from eth_account import Account
from eth_keys.datatypes import PrivateKey
from origo_network.anvil import free_port
from origo_node.errors import ChainError

from origo_devnet.clique_genesis import clique_genesis

DEVNET_PASSPHRASE = "devnet"  # the devnet's published passphrase (origo_devnet.network)
DEVNET_SCRYPT_N = 2**12
DEFAULT_CHAIN_ID = 31_338  # beside anvil's 31337, so a wallet never mixes the two
#: Sealers and members' accounts start with a million ether: gas is never what a devnet test measures.
GENESIS_BALANCE = 10**24
_REPO = Path(__file__).resolve().parents[2]
_RPC_APIS = "eth,net,web3,clique,admin,txpool,miner"


def geth_binary() -> Path:
    """$ORIGO_GETH, else the build of ``make geth`` in .tools/bin."""
    path = Path(os.environ.get("ORIGO_GETH") or _REPO / ".tools" / "bin" / "geth")
    if not path.is_file():
        raise ChainError(
            f"geth not found at {path}; run `make geth` (it builds geth v1.13.15 from Go sources)"
        )
    return path


@dataclass(frozen=True)
class Sealer:
    """One member's chain node: its sealing account, its node key (which fixes its enode) and its ports."""

    code: str
    address: str
    node_key: str  # hex; the devnet's, throw-away
    rpc_port: int
    p2p_port: int
    in_genesis: bool = True

    @property
    def enode(self) -> str:
        public = PrivateKey(bytes.fromhex(self.node_key)).public_key.to_bytes().hex()
        return f"enode://{public}@127.0.0.1:{self.p2p_port}"

    @property
    def rpc_url(self) -> str:
        return f"http://127.0.0.1:{self.rpc_port}"


class CliqueNetwork:
    """The sealers of one Clique chain under ``root``; ``start``/``stop`` run them, ``kill`` crashes one."""

    def __init__(self, root: Path, sealers: Sequence[Sealer], *, chain_id: int, period_s: int) -> None:
        self.root = root
        self.chain_id = chain_id
        self.period_s = period_s
        self._sealers = {s.code: s for s in sealers}
        self._procs: dict[str, subprocess.Popen[bytes]] = {}
        self._logs: dict[str, IO[bytes]] = {}

    # ------------------------------------------------------------------ layout

    @classmethod
    def plan(
        cls,
        root: Path,
        codes: Sequence[str],
        *,
        chain_id: int = DEFAULT_CHAIN_ID,
        period_s: int = 1,
        rpc_base_port: int | None = None,
        p2p_base_port: int | None = None,
    ) -> CliqueNetwork:
        """New keys and ports for one sealer per member (fixed ports from the bases, else free ones)."""
        root.mkdir(parents=True, exist_ok=True)
        network = cls(root, [], chain_id=chain_id, period_s=period_s)
        for index, code in enumerate(codes):
            network._new_sealer(code, index, rpc_base_port, p2p_base_port, in_genesis=True)
        return network

    @classmethod
    def load(cls, root: Path) -> CliqueNetwork:
        """The chain planned and created under ``root`` before."""
        saved = json.loads((root / "clique.json").read_text(encoding="utf-8"))
        sealers = [Sealer(**s) for s in saved["sealers"]]
        return cls(root, sealers, chain_id=int(saved["chain_id"]), period_s=int(saved["period_s"]))

    def _new_sealer(
        self, code: str, index: int, rpc_base: int | None, p2p_base: int | None, *, in_genesis: bool
    ) -> Sealer:
        if code in self._sealers:
            raise ValueError(f"{code} has a chain node already")
        account = Account.create()
        sealer = Sealer(
            code=code,
            address=str(account.address),
            node_key=os.urandom(32).hex(),
            rpc_port=rpc_base + index if rpc_base is not None else free_port(),
            p2p_port=p2p_base + index if p2p_base is not None else free_port(),
            in_genesis=in_genesis,
        )
        keystore = self.data_dir(code) / "keystore"
        keystore.mkdir(parents=True, exist_ok=True)
        encrypted = Account.encrypt(account.key, DEVNET_PASSPHRASE, kdf="scrypt", iterations=DEVNET_SCRYPT_N)
        (keystore / f"sealer-{sealer.address.lower()}.json").write_text(json.dumps(encrypted))
        (self.data_dir(code) / "password").write_text(DEVNET_PASSPHRASE)
        (self.data_dir(code) / "geth").mkdir(exist_ok=True)
        (self.data_dir(code) / "geth" / "nodekey").write_text(sealer.node_key)
        self._sealers[code] = sealer
        return sealer

    def data_dir(self, code: str) -> Path:
        return self.root / code

    def create(self, funded: Iterable[str] = ()) -> CliqueNetwork:
        """Writes the genesis (the planned sealers in extraData; sealers and ``funded`` with ether) and
        initialises every sealer's data directory with it."""
        balances = {s.address: GENESIS_BALANCE for s in self._sealers.values()}
        balances.update(dict.fromkeys(funded, GENESIS_BALANCE))
        genesis = clique_genesis(
            chain_id=self.chain_id,
            sealers=[s.address for s in self._sealers.values() if s.in_genesis],
            balances=balances,
            period_s=self.period_s,
        )
        (self.root / "genesis.json").write_text(json.dumps(genesis, indent=2) + "\n")
        for code in self._sealers:
            self._init(code)
        self._save()
        return self

    def _init(self, code: str) -> None:
        out = subprocess.run(
            [
                str(geth_binary()),
                "--datadir",
                str(self.data_dir(code)),
                "init",
                str(self.root / "genesis.json"),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if out.returncode != 0:
            raise ChainError(f"geth could not initialise {code}'s chain node: {out.stderr[-500:]}")
        self._write_config(code)

    def _write_config(self, code: str) -> None:
        """p2p on loopback only, no discovery, every other sealer a static peer (geth keeps redialling)."""
        sealer = self._sealers[code]
        peers = [s.enode for s in self._sealers.values() if s.code != code]
        (self.data_dir(code) / "config.toml").write_text(
            "[Node.P2P]\n"
            f'ListenAddr = "127.0.0.1:{sealer.p2p_port}"\n'
            "NoDiscovery = true\n"
            f"StaticNodes = {json.dumps(peers)}\n"
        )

    def _save(self) -> None:
        saved = {
            "chain_id": self.chain_id,
            "period_s": self.period_s,
            "sealers": [asdict(s) for s in self._sealers.values()],
        }
        (self.root / "clique.json").write_text(json.dumps(saved, indent=2) + "\n")

    # ------------------------------------------------------------------ processes

    def command(self, code: str) -> list[str]:
        sealer, data_dir = self._sealers[code], self.data_dir(code)
        return [
            str(geth_binary()),
            "--config", str(data_dir / "config.toml"),
            "--datadir", str(data_dir),
            "--networkid", str(self.chain_id),
            "--nodiscover", "--nat", "none",
            "--http", "--http.addr", "127.0.0.1", "--http.port", str(sealer.rpc_port),
            "--http.api", _RPC_APIS,
            "--authrpc.addr", "127.0.0.1", "--authrpc.port", "0",  # unused; 0: any free port
            "--ipcdisable",
            "--miner.etherbase", sealer.address,
            "--unlock", sealer.address, "--password", str(data_dir / "password"), "--allow-insecure-unlock",
            "--syncmode", "full", "--gcmode", "archive",
            "--verbosity", "3",
        ]  # fmt: skip

    def start(self, timeout: float = 60.0) -> CliqueNetwork:
        """Starts every sealer not running, peers them all, then lets them seal, the in-turn one last.

        geth drops the blocks its peers propagate until it seals itself or has synced, and syncs with fewer
        than five peers only every 10 s. The sealer in turn for the next block seals it at once (its parent
        is old); the others wait a random half-second or more. So the others start first, ready to take its
        block (heavier than any they seal out of turn), and it starts last, when none can be dropped.
        """
        starting = [code for code in self._sealers if not self.running(code)]
        for code in starting:
            # One after the other, each once the last answers (and so listens for peers): a static peer
            # dialled before it listens is not dialled again for 35 s.
            self._spawn(code)
            self._wait_peers(code, 0, timeout)
        for code in starting:
            self._wait_peers(code, len(self._sealers) - 1, timeout)
        for code in self._sealing_order(starting):
            self._seal(code)
        return self

    def _sealing_order(self, codes: Sequence[str]) -> list[str]:
        """``codes`` with the sealer in turn for the next block last (Clique: the signers by address, block
        n's in turn at n modulo their number)."""
        if not codes:
            return []
        signers = [a.lower() for a in self.sealers(codes[0])]
        in_turn = signers[(self.head(codes[0]) + 1) % len(signers)]
        return sorted(codes, key=lambda code: self._sealers[code].address.lower() == in_turn)

    def wait_in_step(self, block: int, timeout: float = 60.0) -> None:
        """Until every running sealer has block ``block``, the same one (no sealer on a fork of its own)."""
        deadline = time.monotonic() + timeout
        running = [code for code in self._sealers if self.running(code)]
        hashes: dict[str, str | None] = {}
        while time.monotonic() < deadline:
            for code in running:
                found = self.rpc(code, "eth_getBlockByNumber", hex(block), False)
                hashes[code] = found["hash"] if found else None
            if None not in hashes.values() and len(set(hashes.values())) == 1:
                return
            time.sleep(0.2)
        behind = ", ".join(f"{code} ({h or 'not yet'})" for code, h in hashes.items())
        raise ChainError(
            f"the sealers do not agree on block {block} after {timeout:.0f} s: {behind}; see each geth.log"
        )

    def restart(self, code: str, timeout: float = 60.0) -> None:
        """Stops ``code``'s node if it runs and starts it again: it seals once it has caught up with its
        peers (sealing on an old head would fork the chain)."""
        self.stop_sealer(code)
        self._spawn(code)
        self.wait_ready(code, timeout)

    def wait_ready(self, code: str, timeout: float = 60.0) -> None:
        """Until ``code``'s (re)started node has a peer and the head its running peers have; then it seals.
        With fewer than five peers geth syncs on its 10-second cycle, so this takes up to about 10 s."""
        deadline = time.monotonic() + timeout
        others = [c for c in self._sealers if c != code and self.running(c)]
        self._wait_peers(code, 1 if others else 0, timeout)  # the first back after all stopped waits for none
        while others and self.head(code) < max(self.head(c) for c in others) - 1:
            if time.monotonic() > deadline:
                raise ChainError(
                    f"{code}'s chain node did not catch up with its peers within {timeout:.0f} s"
                )
            time.sleep(0.1)
        self._seal(code)

    def _seal(self, code: str) -> None:
        self.rpc(code, "miner_start")

    def _spawn(self, code: str) -> None:
        self._close_log(code)
        log = (self.data_dir(code) / "geth.log").open("ab")
        self._logs[code] = log
        self._procs[code] = subprocess.Popen(
            self.command(code), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def _wait_peers(self, code: str, peers: int, timeout: float) -> None:
        """Until ``code``'s node answers over RPC with ``peers`` peers (at most as many as there are)."""
        deadline = time.monotonic() + timeout
        want = min(peers, len(self._sealers) - 1)
        while time.monotonic() < deadline:
            if self.exit_code(code) is not None:
                raise ChainError(
                    f"{code}'s chain node exited with code {self.exit_code(code)}; "
                    f"see {self.data_dir(code) / 'geth.log'}"
                )
            try:
                if int(self.rpc(code, "net_peerCount"), 16) >= want:
                    return
            except (httpx.HTTPError, ChainError):
                pass
            time.sleep(0.1)
        raise ChainError(f"{code}'s chain node did not answer with {want} peers within {timeout:.0f} s")

    def running(self, code: str) -> bool:
        return code in self._procs and self._procs[code].poll() is None

    def pid(self, code: str) -> int | None:
        proc = self._procs.get(code)
        return proc.pid if proc is not None else None

    def exit_code(self, code: str) -> int | None:
        """The exit code if the process we started has exited (negative: killed by that signal), else None."""
        proc = self._procs.get(code)
        return proc.poll() if proc is not None else None

    def kill(self, code: str) -> None:
        """SIGKILL, as a crash or the kernel's out-of-memory killer would."""
        proc = self._procs.get(code)
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(10)

    def stop_sealer(self, code: str, timeout: float = 20.0) -> None:
        """SIGTERM and wait (geth writes its state); SIGKILL if it takes longer than ``timeout``."""
        proc = self._procs.get(code)
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        self._close_log(code)

    def stop(self) -> None:
        for code in self._sealers:
            self.stop_sealer(code)

    def _close_log(self, code: str) -> None:
        log = self._logs.pop(code, None)
        if log is not None:
            log.close()

    def __enter__(self) -> CliqueNetwork:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ the chain

    def codes(self) -> list[str]:
        return list(self._sealers)

    def describe(self) -> dict[str, dict[str, Any]]:
        """Each member's chain node as network.json records it: its RPC URL and process id."""
        return {code: {"rpc_url": self.rpc_url(code), "pid": self.pid(code)} for code in self._sealers}

    def sealer(self, code: str) -> Sealer:
        return self._sealers[code]

    def rpc_url(self, code: str) -> str:
        """The RPC endpoint of ``code``'s own chain node (the only one its Origo node talks to)."""
        return self._sealers[code].rpc_url

    def rpc(self, code: str, method: str, *params: Any, timeout: float = 5.0) -> Any:
        """One JSON-RPC call to ``code``'s node; an error answer raises ChainError."""
        body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
        answer = httpx.post(self.rpc_url(code), json=body, timeout=timeout).json()
        if "error" in answer:
            raise ChainError(f"{code}'s chain node refused {method}: {answer['error'].get('message')}")
        return answer["result"]

    def head(self, code: str) -> int:
        return int(self.rpc(code, "eth_blockNumber"), 16)

    def sealers(self, code: str | None = None) -> list[str]:
        """The sealer addresses at the head, as ``code``'s node (else the first running one) sees them."""
        asked = code or next(c for c in self._sealers if self.running(c))
        return [str(a) for a in self.rpc(asked, "clique_getSigners")]

    def propose(self, voter: str, address: str, *, authorize: bool = True) -> None:
        """``voter``'s sealer votes to add (or remove) ``address``; a majority of sealers decides."""
        self.rpc(voter, "clique_propose", address, authorize)

    def add_node(self, code: str, *, start: bool = True) -> Sealer:
        """A chain node for a member who joins: a new sealing key, not yet a sealer (the sealers vote it in
        with ``propose``), peered both ways with the running nodes."""
        sealer = self._new_sealer(code, 0, None, None, in_genesis=False)
        self._init(code)
        for other in self._sealers:
            if other != code:
                self._write_config(other)  # so that a restarted node still finds the new one
                if self.running(other):
                    self.rpc(other, "admin_addPeer", sealer.enode)
        self._save()
        if start:
            self._spawn(code)
            self.wait_ready(code)
        return sealer
