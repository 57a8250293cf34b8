"""Processes the fault tests start themselves: bounded commands, pids found and killed one by one, tmp dirs."""
from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest


def run(args: list[str], env: dict | None = None, timeout: float = 60, check: bool = True) -> str:
    """Run a command to its end (at most `timeout` s); its stdout. A failure names the command and its output."""
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def succeeds(args: list[str], env: dict | None = None, timeout: float = 60) -> bool:
    try:
        return subprocess.run(args, env=env, capture_output=True, timeout=timeout).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def alive(pid: int | None) -> bool:
    """Whether the process exists and is not a zombie waiting for its parent (often init here) to reap it."""
    if not pid:
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def gone(pid: int) -> bool:
    """Reaped as well: a pid file naming it no longer looks held (postgres checks with kill(pid, 0))."""
    return not Path(f"/proc/{pid}").exists()


def bindable(port: int) -> bool:
    """Whether a listener could bind the loopback port now (with SO_REUSEADDR, as Erlang and PostgreSQL do): a
    port a killed server leaves behind is free for any bind to port 0 on the machine until it is bound again."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def sigkill(pids: list[int], timeout: float = 15) -> None:
    """SIGKILL exactly these pids, then wait (bounded) until each is reaped."""
    for pid in pids:
        if alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + timeout
    for _ in range(int(timeout / 0.05)):
        if all(gone(pid) for pid in pids) or time.monotonic() > deadline:
            return
        time.sleep(0.05)


def tool(name: str, *places: Path) -> str:
    """The first executable `name` among `places`, else on PATH; fails the test (never skips) when missing."""
    for place in places:
        if (place / name).is_file():
            return str(place / name)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed (run deploy/ensure-services.sh)")
    return found


def owned_dir(prefix: str, user: str | None) -> Path:
    """A fresh directory under the system tmp dir (reachable by `user`, unlike pytest's 0700 tmp_path),
    owned by `user` when we are root."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    if user and os.geteuid() == 0:
        entry = pwd.getpwnam(user)
        os.chown(path, entry.pw_uid, entry.pw_gid)
    return path


def remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def wait_until(predicate, timeout: float, interval: float = 0.25, what: str = "condition"):
    deadline = time.monotonic() + timeout
    for _ in range(int(timeout / interval) + 1):
        if result := predicate():
            return result
        if time.monotonic() > deadline:
            break
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
