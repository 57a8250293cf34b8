"""A PostgreSQL cluster of a test's own: initdb, pg_ctl on a free loopback port, trust auth, SIGKILL by pid."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid
from glob import glob
from pathlib import Path

import pytest

from faultkit.procs import alive, bindable, children, owned_dir, remove, run, sigkill, succeeds, wait_until
from yici_testkit import free_port

USER = "postgres"


def pg_bindir() -> Path:
    """Where initdb and pg_ctl live: `pg_config --bindir`, else the newest /usr/lib/postgresql/*/bin, else PATH.

    Debian keeps the server binaries off PATH (/usr/lib/postgresql/<version>/bin).
    """
    candidates = []
    if shutil.which("pg_config"):
        candidates.append(Path(run(["pg_config", "--bindir"], timeout=30).strip()))
    candidates += [Path(p) for p in sorted(glob("/usr/lib/postgresql/*/bin"), key=_version, reverse=True)]
    if shutil.which("initdb"):
        candidates.append(Path(shutil.which("initdb")).resolve().parent)
    for place in candidates:
        if (place / "initdb").is_file() and (place / "pg_ctl").is_file():
            return place
    pytest.fail("the PostgreSQL server binaries (initdb, pg_ctl) are not installed (run deploy/ensure-services.sh)")


def _version(path: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path)) or (0,)


class PgCluster:
    """initdb'd once into a tmp dir owned by postgres; start, kill (the postmaster and its children), start."""

    def __init__(self):
        self.bindir = pg_bindir()
        self.port = free_port()
        self.dir = owned_dir("yici-fault-pg-", USER)
        self.data = self.dir / "data"

    def _as_owner(self, *args: str) -> list[str]:
        """Run as the postgres user when we are root (initdb and postgres refuse root)."""
        if os.geteuid() != 0:
            return list(args)
        if shutil.which("runuser"):
            return ["runuser", "-u", USER, "--", *args]
        return ["su", USER, "-s", "/bin/sh", "-c", subprocess.list2cmdline(args)]

    def start(self) -> "PgCluster":
        first = not self.data.exists()
        if first:
            run(self._as_owner(str(self.bindir / "initdb"), "-D", str(self.data), "-U", USER, "-A", "trust",
                               "-E", "UTF8", "--no-sync"), timeout=120)
        # fsync off: the tests kill processes, never the machine, so the page cache survives every fault here
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=300 "
                   f"-c fsync=off -c full_page_writes=off")
        # after a kill the port is anyone's until the postmaster binds it again: wait for it rather than let
        # pg_ctl fail with "could not start server" and the reason only in server.log
        wait_until(lambda: bindable(self.port), timeout=30, what=f"port {self.port} to be free for the postmaster")
        try:
            run(self._as_owner(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", options,
                               "-l", str(self.dir / "server.log"), "-w", "-t", "60", "start"), timeout=90)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            raise AssertionError(f"{exc}\nserver.log (tail):\n{self.log_tail()}") from None
        if first:
            self.create_database("yici")
        return self

    def create_database(self, name: str | None = None) -> str:
        """A database on this cluster (a fresh name unless given); its SQLAlchemy URL."""
        name = name or f"yici_fault_{uuid.uuid4().hex[:8]}"
        run([str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, name], timeout=60)
        return self.url(name)

    def url(self, database: str = "yici") -> str:
        return f"postgresql+psycopg2://{USER}@127.0.0.1:{self.port}/{database}"

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().splitlines()[0])
        except (FileNotFoundError, IndexError, ValueError):
            return None

    def kill(self) -> None:
        """SIGKILL the postmaster and its children (so no orphan holds the shared memory), wait till reaped."""
        pid = self.postmaster_pid()
        assert alive(pid), "the postmaster is not running"
        sigkill([pid, *children(pid)])

    def stop(self, mode: str = "fast") -> bool:
        return succeeds(self._as_owner(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t",
                                       "30", "stop"), timeout=60)

    def cleanup(self) -> None:
        if alive(self.postmaster_pid()):
            self.stop("immediate")
        pid = self.postmaster_pid()
        if alive(pid):
            sigkill([pid, *children(pid)])
        remove(self.dir)

    def log_tail(self, lines: int = 30) -> str:
        log = self.dir / "server.log"
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else "(no log)"
