"""A local anvil chain on a free loopback port, for tests, the devnet, the gas report and for
``origo network generate`` (which deploys the genesis contracts on a throw-away one).

    with anvil_chain(block_time=None) as chain:
        w3 = Web3(Web3.HTTPProvider(chain.url))

The binary comes from the npm package ``@foundry-rs/anvil`` in hardhat-config/; the platform
binary is started directly (not its Node launcher) so that the pid we hold is anvil's own and
stopping it leaves nothing behind.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import IO

from origo_node.chain.evm import evm_version
from origo_node.errors import ChainError

#: The well-known development mnemonic (anvil's and Hardhat's default). Its keys are public.
TEST_MNEMONIC = "test test test test test test test test test test test junk"
DEFAULT_CHAIN_ID = 31337

_REPO = Path(__file__).resolve().parents[2]
_NODE_MODULES = _REPO / "hardhat-config" / "node_modules"


def anvil_binary() -> Path:
    """Where anvil is: $ORIGO_ANVIL, else the npm package's platform binary, else anvil on PATH."""
    override = os.environ.get("ORIGO_ANVIL")
    if override:
        return Path(override)
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(
        platform.machine().lower(), platform.machine().lower()
    )
    system = platform.system().lower()
    native = _NODE_MODULES / "@foundry-rs" / f"anvil-{system}-{arch}" / "bin" / "anvil"
    if native.is_file():
        return native
    on_path = shutil.which("anvil")
    if on_path:
        return Path(on_path)
    raise ChainError(f"anvil not found at {native} nor on PATH; run `npm install` in hardhat-config/")


#: Ports this process has handed out: the kernel may offer a port again once the probing socket is closed,
#: and two members of one network given the same port would be refused (or worse, collide when started).
_handed_out: set[int] = set()
#: Ports handed out by any process on this machine in the last ``_CLAIM_S`` seconds, one empty file each:
#: test workers and dev networks started side by side each probe the kernel, and a port one of them chose
#: (not listening yet) looks free to the others.
_CLAIMS = Path(tempfile.gettempdir()) / "origo-ports"
_CLAIM_S = 600.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now, never one handed out before by this
    process, nor by another on this machine in the last ten minutes."""
    return free_ports(1)


def free_ports(count: int) -> int:
    """The first of ``count`` consecutive free ports (as ``free_port``), all of them claimed."""
    for _ in range(10_000):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            first: int = s.getsockname()[1]
        run = range(first, first + count)
        if run[-1] > 65535 or any(p in _handed_out or not _bindable(p) for p in run):
            continue
        if all(_claim(p) for p in run):
            _handed_out.update(run)
            return first
    raise OSError(f"no run of {count} free ports on 127.0.0.1")


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _claim(port: int) -> bool:
    """Whether this process may have ``port``: no other claimed it in the last ``_CLAIM_S`` seconds."""
    _CLAIMS.mkdir(exist_ok=True)
    marker = _CLAIMS / str(port)
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        return True
    except FileExistsError:
        try:
            if time.time() - marker.stat().st_mtime < _CLAIM_S:
                return False
            os.utime(marker)  # an old claim: the port is free again
            return True
        except OSError:
            return False
    except OSError:  # no writable temporary directory: this process's own record still holds
        return True


def _rpc(url: str, method: str, timeout: float = 1.0) -> object:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": []}).encode()
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read())["result"]


class Anvil:
    """One anvil process. ``start()`` returns once its JSON-RPC answers; ``stop()`` kills it by pid."""

    def __init__(
        self,
        *,
        block_time: float | None = None,
        state_path: Path | None = None,
        chain_id: int = DEFAULT_CHAIN_ID,
        accounts: int = 10,
        mnemonic: str = TEST_MNEMONIC,
        balance_ether: int = 10_000,
        port: int | None = None,
        extra_args: list[str] | None = None,
        log_path: Path | None = None,
        hardfork: str | None = None,
    ) -> None:
        self.block_time = block_time
        self.state_path = state_path
        self.chain_id = chain_id
        self.accounts = accounts
        self.mnemonic = mnemonic
        self.balance_ether = balance_ether
        self.requested_port = port
        self.extra_args = list(extra_args or [])
        self.log_path = log_path
        # The EVM level the contracts are compiled for, so that anvil runs exactly what a Clique chain runs.
        self.hardfork = hardfork or evm_version()
        self.port: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        if self.port is None:
            raise ChainError("anvil is not running")
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def exit_code(self) -> int | None:
        """The exit code if the process we started has exited (negative: killed by that signal), else None."""
        return self._proc.poll() if self._proc is not None else None

    def _command(self, port: int) -> list[str]:
        cmd = [
            str(anvil_binary()),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--chain-id",
            str(self.chain_id),
            "--accounts",
            str(self.accounts),
            "--mnemonic",
            self.mnemonic,
            "--balance",
            str(self.balance_ether),
            "--hardfork",
            self.hardfork,
        ]
        if self.block_time is not None:
            cmd += ["--block-time", f"{self.block_time:g}"]
        if self.state_path is not None:
            cmd += ["--state", str(self.state_path)]
        return cmd + self.extra_args

    def start(self, timeout: float = 20.0) -> Anvil:
        """Start anvil and wait until it answers; retries on another port if the chosen one was taken."""
        if self._proc is not None:
            return self
        attempts = 1 if self.requested_port else 3
        last_error = "did not start"
        for _ in range(attempts):
            port = self.requested_port or free_port()
            if self.log_path is not None:
                self.log_path.parent.mkdir(parents=True, exist_ok=True)
                self._log = self.log_path.open("ab")
            out: IO[bytes] | int = self._log if self._log is not None else subprocess.DEVNULL
            self._proc = subprocess.Popen(self._command(port), stdout=out, stderr=subprocess.STDOUT)
            self.port = port
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self._proc.poll() is not None:
                    last_error = f"exited with status {self._proc.returncode}"
                    break
                try:
                    _rpc(self.url, "eth_chainId")
                    return self
                except (OSError, urllib.error.URLError, ValueError, KeyError):
                    time.sleep(0.05)
            else:
                last_error = f"no JSON-RPC answer within {timeout}s"
            self.stop()
        raise ChainError(f"anvil {last_error}")

    def stop(self) -> None:
        """Terminate the process we started (by its pid), killing it if it does not exit."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None
        self.port = None

    def __enter__(self) -> Anvil:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


@contextmanager
def anvil_chain(
    *,
    block_time: float | None = None,
    state_path: Path | None = None,
    chain_id: int = DEFAULT_CHAIN_ID,
    accounts: int = 10,
    mnemonic: str = TEST_MNEMONIC,
    extra_args: list[str] | None = None,
) -> Iterator[Anvil]:
    """A running anvil for the ``with`` block; ``block_time=None`` mines each transaction at once."""
    chain = Anvil(
        block_time=block_time,
        state_path=state_path,
        chain_id=chain_id,
        accounts=accounts,
        mnemonic=mnemonic,
        extra_args=extra_args,
    )
    with chain:
        yield chain
