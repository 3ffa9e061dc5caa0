#!/usr/bin/env python3
"""What a local consortium costs this machine: start time, memory and idle CPU of `make up MEMBERS=N`.

    python scripts/devnet_footprint.py --members 11      # all ten ASEAN members and Timor-Leste

Runs ``scripts/devnet.py up`` in a temporary directory on free ports (never the fixed 8545/8701...), waits for
its summary, then reads /proc: each node's process tree and anvil, resident memory (RSS, and PSS, which
shares the pages the processes share instead of counting them in each), and the CPU they use while idle
(1-second blocks are still mined and indexed). Ctrl-C then stops it, and the stop is timed too.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from origo_network.anvil import free_port, free_ports

SCRIPT = Path(__file__).resolve().parent / "devnet.py"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def tree(pid: int) -> list[int]:
    """``pid`` and every descendant (a node with several workers has children)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in KiB from smaps_rollup."""
    values = {"Rss:": 0, "Pss:": 0}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            key, *rest = line.split()
            if key in values:
                values[key] = int(rest[0])
    except OSError:
        pass
    return values["Rss:"], values["Pss:"]


def cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", default="11", help="a count (2-11) or codes, as for devnet.py up")
    parser.add_argument("--idle-seconds", type=float, default=30.0, help="how long to measure idle CPU")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="origo-footprint-") as tmp:
        root = Path(tmp) / "devnet"
        count = int(args.members) if args.members.isdigit() else len(args.members.split(","))
        command = [sys.executable, str(SCRIPT), "up", "--members", args.members, "--root", str(root)]
        command += ["--anvil-port", str(free_port()), "--base-port", str(free_ports(count))]
        load_before = os.getloadavg()[0]
        started = time.monotonic()
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert process.stdout is not None
        nodes_line = ""
        for line in process.stdout:
            if line.startswith("All nodes answered"):
                nodes_line = line.strip()
            if "Ctrl-C stops the network" in line:
                break
        else:
            raise SystemExit(f"devnet.py up ended with {process.wait()} before its summary")
        up_s = time.monotonic() - started
        saved = json.loads((root / "network.json").read_text(encoding="utf-8"))
        groups = {m["code"]: tree(int(m["pid"])) for m in saved["members"] if "pid" in m}
        groups["anvil"] = tree(int(saved["anvil_pid"]))
        groups["devnet.py"] = [process.pid]
        ticks_before = {name: sum(cpu_ticks(p) for p in pids) for name, pids in groups.items()}
        time.sleep(args.idle_seconds)
        rows = []
        for name, pids in groups.items():
            rss, pss = map(sum, zip(*(memory_kib(p) for p in pids), strict=True))
            cpu = (sum(cpu_ticks(p) for p in pids) - ticks_before[name]) / CLOCK_TICKS / args.idle_seconds
            rows.append((name, len(pids), rss, pss, cpu))
        stopping = time.monotonic()
        process.send_signal(signal.SIGINT)
        code = process.wait(120)
        stop_s = time.monotonic() - stopping

    print(f"devnet.py up --members {args.members}: {count} nodes + anvil, on {os.cpu_count()} cores")
    print(f"load average before: {load_before:.1f} (other work on the machine slows the start)")
    print(f"started (chain deployed, every node healthy) in {up_s:.1f} s; {nodes_line}")
    print(f"{'process':<10} {'procs':>5} {'RSS MiB':>8} {'PSS MiB':>8} {'idle CPU %':>10}")
    for name, procs, rss, pss, cpu in rows:
        print(f"{name:<10} {procs:>5} {rss / 1024:>8.0f} {pss / 1024:>8.0f} {cpu * 100:>10.1f}")
    nodes = [r for r in rows if len(r[0]) == 2]
    print(
        f"{'all':<10} {sum(r[1] for r in rows):>5} {sum(r[2] for r in rows) / 1024:>8.0f} "
        f"{sum(r[3] for r in rows) / 1024:>8.0f} {sum(r[4] for r in rows) * 100:>10.1f}"
    )
    print(
        f"per node: RSS {sum(r[2] for r in nodes) / len(nodes) / 1024:.0f} MiB, "
        f"PSS {sum(r[3] for r in nodes) / len(nodes) / 1024:.0f} MiB, "
        f"idle CPU {sum(r[4] for r in nodes) / len(nodes) * 100:.1f} % of a core"
    )
    print(f"stopped with Ctrl-C in {stop_s:.1f} s (exit code {code})")
    return 0 if code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
