"""A throw-away PostgreSQL cluster: Debian's postgresql 15, in a temporary directory, on a free port
of 127.0.0.1.

initdb and postgres refuse to run as root; CI runs as root on a fresh machine, so as root the cluster is
created and run as the ``postgres`` user (which Debian's package creates) through ``runuser``. The server is
stopped by its pid (SIGINT: PostgreSQL's fast shutdown), never by name.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
from origo_network.anvil import free_port

PG_BIN = Path(os.environ.get("ORIGO_PG_BIN", "/usr/lib/postgresql/15/bin"))


class PostgresMissing(RuntimeError):
    pass


class PgCluster:
    """One server; ``new_database()`` hands out a fresh, empty database's DSN."""

    def __init__(self) -> None:
        if not (PG_BIN / "initdb").exists():
            raise PostgresMissing(
                f"PostgreSQL 15 is not installed ({PG_BIN}/initdb missing): `make postgres` installs Debian's"
                " postgresql package"
            )
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="origo-pg-"))
        self.data = self.dir / "data"
        self._as: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.dir, user.pw_uid, user.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        self._names = itertools.count(1)
        self.pid: int | None = None

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as, *args], check=True, capture_output=True, cwd=self.dir)

    def start(self) -> PgCluster:
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "origo", "-A", "trust", "-E", "UTF8")
        log = self.dir / "server.log"
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(log),
            "-w",
            "-t",
            "120",
            "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=400",
            "start",
        )
        self.pid = int((self.data / "postmaster.pid").read_text().splitlines()[0])
        return self

    def dsn(self, dbname: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} user=origo dbname={dbname} connect_timeout=10"

    def create_database(self, name: str) -> str:
        """Creates database ``name`` (letters, digits and underscores); its DSN."""
        if not name.replace("_", "").isalnum():
            raise ValueError(f"not a plain database name: {name!r}")
        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.dsn(name)

    def new_database(self) -> str:
        """A fresh, empty database with a name of its own; its DSN."""
        return self.create_database(f"origo_{os.getpid()}_{next(self._names)}")

    def stop(self) -> None:
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGINT)
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    os.kill(self.pid, 0)
                    time.sleep(0.1)
            except ProcessLookupError:
                pass
            self.pid = None
        shutil.rmtree(self.dir, ignore_errors=True)
