"""RabbitMQ nodes of a test's own: own name, ports, data, logs, cookie and (no) plugins, killed by their pid only.

The machine's broker (rabbit@localhost, 5672) is never touched: every command names the own node with `-n`,
and the CLI runs with the node's own Erlang cookie, so it could not even reach the machine's node.

Starting is watched without the CLI: on a loaded machine one `rabbitmqctl` call takes 30-60 s instead of 2-3 s
(its VM spins and yields while loading code), so a node that booted in 20 s could still fail a 90 s
`rabbitmqctl await_startup` loop. The node runs as our child (`rabbitmq-server`, not `-detached`, which sends the
output of a boot that dies, e.g. "node already running" or "distribution port in use", to /dev/null); it is up
once its AMQP listener answers the protocol header, and a boot that died is seen at once, its output in the
failure, and relaunched once what it collided with (its old name in epmd, its ports) is released.
"""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from faultkit.procs import alive, bindable, children, owned_dir, remove, run, sigkill, succeeds, tool
from yici_testkit import free_port

# Debian's /usr/sbin scripts switch to the rabbitmq user (and its cookie); the real ones live here.
RABBIT_BIN = Path("/usr/lib/rabbitmq/bin")
START_TIMEOUT = 90
CTL_TIMEOUT = 150  # one rabbitmqctl call took up to 62 s on the 2-core machine with its CPU saturated (2-3 s idle)
LAUNCHES = 3  # boots that die (colliding with what a killed node left behind) are relaunched this often
EPMD = ("127.0.0.1", 4369)
AMQP_HEADER = b"AMQP\x00\x00\x09\x01"


class RabbitNode:
    """One node: RABBITMQ_NODENAME=yici-fault-<id>@localhost on free loopback ports, data under `home`."""

    def __init__(self, home: Path):
        self.short = f"yici-fault-{uuid.uuid4().hex[:10]}"
        self.name = f"{self.short}@localhost"
        self.port, self.dist_port = free_port(), free_port()
        self.home, self.dir = home, home / self.short
        self.pid: int | None = None
        self.process: subprocess.Popen | None = None  # `rabbitmq-server`, the parent of the node's beam.smp
        self.launches = 0
        self.dir.mkdir(parents=True, exist_ok=True)
        self.env = self._environment()

    def _environment(self) -> dict[str, str]:
        # log.console off: the launch log (the node's stdout) keeps only what is printed before logging is set up
        files = {"enabled_plugins": "[].\n", "rabbitmq-env.conf": "",
                 "rabbitmq.conf": f"listeners.tcp.1 = 127.0.0.1:{self.port}\nlog.console = false\n"}
        for name, text in files.items():
            (self.dir / name).write_text(text)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RABBITMQ_", "ERL_"))}
        env.update(HOME=str(self.home), RABBITMQ_NODENAME=self.name, RABBITMQ_NODE_PORT=str(self.port),
                   RABBITMQ_NODE_IP_ADDRESS="127.0.0.1", RABBITMQ_DIST_PORT=str(self.dist_port),
                   RABBITMQ_MNESIA_BASE=str(self.dir / "mnesia"), RABBITMQ_LOG_BASE=str(self.dir / "log"),
                   RABBITMQ_PID_FILE=str(self.dir / "pid"),
                   RABBITMQ_ENABLED_PLUGINS_FILE=str(self.dir / "enabled_plugins"),
                   RABBITMQ_CONFIG_FILE=str(self.dir / "rabbitmq.conf"),
                   RABBITMQ_ADVANCED_CONFIG_FILE=str(self.dir / "advanced.config"),
                   RABBITMQ_CONF_ENV_FILE=str(self.dir / "rabbitmq-env.conf"),
                   ERL_EPMD_ADDRESS="127.0.0.1", ERL_FLAGS="-kernel inet_dist_use_interface {127,0,0,1}")
        return env

    @classmethod
    def create(cls) -> "RabbitNode":
        """A node with a home (and cookie) of its own."""
        return cls(_home())

    def start(self, timeout: float = START_TIMEOUT) -> "RabbitNode":
        """`rabbitmq-server` on this node's data; returns once the node has booted."""
        self.launch()
        return self.await_startup(timeout)

    def launch(self) -> None:
        """`rabbitmq-server` as a child of ours: returns at once, the node boots meanwhile. First waits (bounded)
        until a killed predecessor's name has left epmd and its ports are free again, since a boot colliding with
        either dies before it writes its log."""
        self._await_released()
        self.launches += 1
        with (self.dir / "launch.log").open("ab") as out:
            out.write(f"--- launch {self.launches} at {time.strftime('%H:%M:%S')}\n".encode())
            out.flush()
            self.process = subprocess.Popen([tool("rabbitmq-server", RABBIT_BIN)], env=self.env, cwd=self.dir,
                                            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def await_startup(self, timeout: float = START_TIMEOUT) -> "RabbitNode":
        """Until the node's AMQP listener answers (the last step of its boot), relaunching a boot that died (at
        most LAUNCHES launches in all); then the beam.smp pid, the launcher's child."""
        deadline = time.monotonic() + timeout
        for _ in range(int(timeout / 0.25) + 1):
            if self.process is not None and self.process.poll() is not None:
                died = f"the boot of {self.name} died (rabbitmq-server exited {self.process.returncode})"
                if self.launches >= LAUNCHES:
                    raise AssertionError(f"{died}, launch {self.launches} of {LAUNCHES}:\n{self.diagnosis()}")
                self.launch()
            elif self._serving():
                self.pid = self._beam()
                return self
            if time.monotonic() > deadline:
                break
            time.sleep(0.25)
        raise AssertionError(f"{self.name} did not start in {timeout}s:\n{self.diagnosis()}")

    def _serving(self) -> bool:
        """The AMQP listener answers the protocol header with a frame (connection.start)."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
                sock.sendall(AMQP_HEADER)
                return sock.recv(1) == b"\x01"
        except OSError:
            return False

    def _beam(self) -> int:
        """The node's beam.smp: the launcher script's child (the pid file as a fallback)."""
        pids = [p for p in children(self.process.pid) if _comm(p) == "beam.smp"] if self.process else []
        pid = pids[0] if pids else _read_pid(self.dir / "pid")
        assert pid and alive(pid), f"{self.name} answers but its beam.smp was not found"
        return pid

    def _await_released(self, timeout: float = 30) -> None:
        """Until epmd no longer lists this node's name and its AMQP and distribution ports can be bound. A
        distribution port taken by another process meanwhile (any bind to port 0 may get it once the node is
        dead) is replaced: peers find it through epmd. The AMQP port is the clients' URI, so it has to wait."""
        deadline = time.monotonic() + timeout
        while True:
            registered = self.short in epmd_names()
            if not registered and not bindable(self.dist_port):
                self._new_dist_port()
            if not registered and bindable(self.port):
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name} cannot be launched: "
                                     f"{'its name is still registered in epmd' if registered else ''}"
                                     f"{'' if bindable(self.port) else f' AMQP port {self.port} is in use'}\n"
                                     f"{holders(self.port, self.dist_port)}")
            time.sleep(0.25)

    def _new_dist_port(self) -> None:
        self.dist_port = free_port()
        self.env["RABBITMQ_DIST_PORT"] = str(self.dist_port)

    def diagnosis(self) -> str:
        """What a failure needs: epmd's names, who holds the node's ports, the launch output and the log's tail."""
        return (f"epmd: {sorted(epmd_names())}\n{holders(self.port, self.dist_port)}\n"
                f"launch output (tail):\n{self.launch_tail()}\nlog (tail):\n{self.log_tail()}")

    def launch_tail(self, lines: int = 20) -> str:
        path = self.dir / "launch.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else "(none)"

    def kill(self) -> None:
        """SIGKILL this node's beam.smp (that pid only) and wait until it is gone (and its launcher reaped)."""
        assert self.pid, f"{self.name} is not running"
        sigkill([self.pid])
        self.pid = None
        self._reap()

    def stop(self) -> None:
        """`rabbitmqctl stop`, then SIGKILL the beam if it is still alive (also a node that never finished
        booting: the launcher's child, or the pid in the pid file)."""
        pids = {p for p in (self.pid, _read_pid(self.dir / "pid")) if alive(p)}
        if self.process is not None and self.process.poll() is None:
            pids.update(p for p in children(self.process.pid) if _comm(p) == "beam.smp")
        if pids:
            succeeds(self._ctl_args("stop"), env=self.env, timeout=60)
            sigkill(sorted(pids))
        self.pid = None
        self._reap()

    def _reap(self) -> None:
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=15)

    def ctl(self, *args: str, timeout: float = CTL_TIMEOUT) -> str:
        return run(self._ctl_args(*args), env=self.env, timeout=timeout)

    def _ctl_args(self, *args: str) -> list[str]:
        return [tool("rabbitmqctl", RABBIT_BIN), "-n", self.name, "-q", *args]

    def uri(self, vhost: str = "/") -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/{quote(vhost, safe='')}"

    def add_vhost(self) -> str:
        """A fresh vhost (guest may use it); the name."""
        name = f"yici-fault-{uuid.uuid4().hex[:8]}"
        self.ctl("add_vhost", name)
        self.ctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
        return name

    def queues(self, vhost: str, *columns: str) -> list[dict]:
        listed = self.ctl("list_queues", "-p", vhost, "name", "messages", *columns, "--formatter", "json")
        return json.loads(listed or "[]")

    def connections(self) -> list[str]:
        """Names of the client connections (cluster-wide), e.g. '127.0.0.1:50000 -> 127.0.0.1:5672'."""
        return [c["name"] for c in json.loads(self.ctl("list_connections", "name", "--formatter", "json") or "[]")]

    def log_tail(self, lines: int = 30) -> str:
        logs = sorted((self.dir / "log").glob("*.log"))
        return "\n".join(logs[0].read_text(errors="replace").splitlines()[-lines:]) if logs else "(no log)"


def epmd_names() -> set[str]:
    """The short names registered with the machine's epmd (its NAMES request, no CLI)."""
    with contextlib.suppress(OSError), socket.create_connection(EPMD, timeout=5) as sock:
        sock.sendall(b"\x00\x01n")
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
        return {line.split()[1] for line in data[4:].decode(errors="replace").splitlines() if line.startswith("name ")}
    return set()


def holders(*ports: int) -> str:
    """The sockets on these ports (`ss`), for a failure message."""
    listed = subprocess.run(["ss", "-tanpH"], capture_output=True, text=True, timeout=30).stdout.splitlines()
    found = [line for line in listed if any(f":{port} " in f"{line} " for port in ports)]
    return f"sockets on ports {', '.join(map(str, ports))}: " + ("\n".join(found) or "none")


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def _home() -> Path:
    """A directory for one node or one cluster: their Erlang cookie (shared within a cluster) and data."""
    home = owned_dir("yici-fault-rabbit-", None)
    cookie = home / ".erlang.cookie"
    cookie.write_text(secrets.token_hex(16).upper())
    cookie.chmod(0o400)
    return home


class RabbitCluster:
    """`size` nodes sharing a cookie, joined to the first with stop_app, join_cluster, start_app."""

    def __init__(self, size: int = 3):
        home = _home()
        self.home = home
        self.nodes = [RabbitNode(home) for _ in range(size)]

    def start(self) -> "RabbitCluster":
        for node in self.nodes:  # they boot side by side
            node.launch()
        for node in self.nodes:
            node.await_startup()
        for node in self.nodes[1:]:
            node.ctl("stop_app")
            node.ctl("join_cluster", self.nodes[0].name)
            node.ctl("start_app")
        self.nodes[0].ctl("await_online_nodes", str(len(self.nodes)), "--timeout", "60000", timeout=CTL_TIMEOUT + 60)
        return self

    def uri(self, vhost: str = "/") -> str:
        """kombu's failover syntax: every node's URI, joined by ';'."""
        return ";".join(node.uri(vhost) for node in self.nodes)

    def busiest(self) -> int:
        """The index of the node most client connections go to (the services connect to one node each)."""
        names = self.live().connections()
        counts = [sum(n.endswith(f"-> 127.0.0.1:{node.port}") for n in names) for node in self.nodes]
        return counts.index(max(counts))

    def live(self) -> RabbitNode:
        return next(node for node in self.nodes if node.pid)

    def kill(self, index: int) -> None:
        self.nodes[index].kill()

    def restart(self, index: int) -> None:
        self.nodes[index].start()

    def cleanup(self) -> None:
        """Stop every node (one failing to stop spares none of the others), then remove their data."""
        errors = []
        for node in self.nodes:
            try:
                node.stop()
            except Exception as exc:  # noqa: BLE001 - the other nodes must still be stopped
                errors.append(exc)
        remove(self.home)
        if errors:
            raise errors[0]


def cleanup_node(node: RabbitNode) -> None:
    node.stop()
    remove(node.home)
