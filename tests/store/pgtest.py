"""A throwaway PostgreSQL server for tests and benchmarks, from the Debian packages.

``make system`` installs them (scripts/system_deps.sh). The server lives in a temporary
directory (data and unix socket), listens on 127.0.0.1 on a free port, trusts local
connections and is stopped and deleted by ``stop``. PostgreSQL refuses to run as root, so
as root initdb and pg_ctl run as the ``postgres`` user. ``DATELINE_TEST_PG_URL`` names an
existing server to use instead (its user must be allowed to create databases).
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import tuple_row

OWN_SERVER_ENV = "DATELINE_TEST_PG_URL"
# Durability off: a test server's data is thrown away, and fsyncs would dominate the run.
_FAST = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


class NoServer(Exception):
    """No PostgreSQL server could be started; the message says why."""


@dataclass
class Server:
    url: str  # of the maintenance database "postgres"
    directory: Path | None = None  # None: a server we did not start
    bin_dir: Path | None = None
    _names = itertools.count()

    def url_of(self, database: str) -> str:
        return f"{self.url.rsplit('/', 1)[0]}/{database}"

    def new_database(self, prefix: str = "t") -> str:
        """A fresh empty database; its URL."""
        name = f"{prefix}_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url, autocommit=True) as db:
            db.execute(f"DROP DATABASE IF EXISTS {name}".encode())
            db.execute(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'".encode())
        return self.url_of(name)

    def new_schema(self, database: str = "postgres") -> str:
        """A fresh empty schema in ``database``, as the URL of a store that lives in it.

        Much quicker than a new database (milliseconds, not a checkpoint), so most tests
        use one; the URL sets ``search_path``, as a user keeping dateline apart would."""
        name = f"s_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url_of(database), autocommit=True) as db:
            db.execute(f"CREATE SCHEMA {name}".encode())
        return f"{self.url_of(database)}?options=-csearch_path%3D{name}"

    def server_cpu_seconds(self) -> float | None:
        """User + system CPU seconds of the server's processes so far (None: not ours)."""
        if self.directory is None:
            return None
        pid_file = self.directory / "data" / "postmaster.pid"
        postmaster = int(pid_file.read_text().split()[0])
        ticks = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # the process ended meanwhile
            pid = int(stat.parent.name)
            if pid == postmaster:  # its own time, and that of its children that have ended
                ticks += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
            elif int(fields[1]) == postmaster:  # fields[1] is the parent pid
                ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.directory is None or self.bin_dir is None:
            return
        pg_ctl, data = str(self.bin_dir / "pg_ctl"), str(self.directory / "data")
        _run_as_owner([pg_ctl, "-D", data, "-m", "immediate", "-w", "stop"], check=False)
        shutil.rmtree(self.directory, ignore_errors=True)


def find_bin_dir() -> Path | None:
    """The newest installed PostgreSQL's bin directory (Debian keeps one per major version)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def start(durable: bool = False) -> Server:
    """An existing server from DATELINE_TEST_PG_URL, or a new one; NoServer if neither.

    ``durable`` keeps PostgreSQL's default fsync and synchronous commit (for benchmarks)."""
    if url := os.environ.get(OWN_SERVER_ENV):
        return Server(url)
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise NoServer("PostgreSQL is not installed (no initdb); `make system` installs it")
    directory = Path(tempfile.mkdtemp(prefix="dateline-pg-"))
    try:
        _chown_to_owner(directory)
        _initdb(bin_dir, directory)
        port = _start(bin_dir, directory, "" if durable else _FAST)
    except (NoServer, OSError, subprocess.SubprocessError) as exc:
        shutil.rmtree(directory, ignore_errors=True)
        raise NoServer(f"could not start PostgreSQL from {bin_dir}: {exc}") from exc
    return Server(f"postgresql://postgres@127.0.0.1:{port}/postgres", directory, bin_dir)


def _owner() -> str | None:
    """The user to run the server as: 'postgres' when we are root, else ourselves (None)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError as exc:
        raise NoServer("running as root and there is no 'postgres' user to run the server") from exc
    return "postgres"


def _chown_to_owner(directory: Path) -> None:
    if owner := _owner():
        shutil.chown(directory, owner, owner)


def _run_as_owner(command: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
    if owner := _owner():
        command = ["runuser", "-u", owner, "--", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=check)


def _initdb(bin_dir: Path, directory: Path) -> None:
    initdb, data = str(bin_dir / "initdb"), str(directory / "data")
    options = ["-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]
    done = _run_as_owner([initdb, "-D", data, *options], check=False)
    if done.returncode != 0:
        raise NoServer(f"initdb failed: {done.stderr.strip()[-500:]}")


def _start(bin_dir: Path, directory: Path, settings: str, attempts: int = 3) -> int:
    """Start on a free port (retrying if another process takes it first); the port."""
    log = directory / "server.log"
    for _ in range(attempts):
        port = _free_port()
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {directory} {settings}"
        pg_ctl, data = str(bin_dir / "pg_ctl"), str(directory / "data")
        done = _run_as_owner(
            [pg_ctl, "-D", data, "-l", str(log), "-o", options, "-w", "-t", "30", "start"],
            check=False,
        )
        if done.returncode == 0:
            return port
    tail = log.read_text(errors="replace")[-500:] if log.exists() else done.stderr
    raise NoServer(f"pg_ctl start failed: {tail.strip()}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rows(store: Any, sql: str) -> list[tuple[Any, ...]]:
    """Rows as tuples from a store of either backend (SQL without parameters)."""
    if isinstance(store.db, psycopg.Connection):
        with store.db.cursor(row_factory=tuple_row) as cursor:
            return list(cursor.execute(sql.encode()))
    return [tuple(row) for row in store.db.execute(sql)]
