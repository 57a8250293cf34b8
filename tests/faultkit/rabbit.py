"""RabbitMQ nodes of a test's own: own name, ports, data, logs, cookie and (no) plugins, killed by their pid only.

The machine's broker (rabbit@localhost, 5672) is never touched: every command names the own node with `-n`,
and the CLI runs with the node's own Erlang cookie, so it could not even reach the machine's node.
"""
from __future__ import annotations

import json
import os
import secrets
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from faultkit.procs import alive, owned_dir, remove, run, sigkill, succeeds, tool
from yici_testkit import free_port

# Debian's /usr/sbin scripts switch to the rabbitmq user (and its cookie); the real ones live here.
RABBIT_BIN = Path("/usr/lib/rabbitmq/bin")
START_TIMEOUT = 90


class RabbitNode:
    """One node: RABBITMQ_NODENAME=yici-fault-<id>@localhost on free loopback ports, data under `home`."""

    def __init__(self, home: Path):
        self.short = f"yici-fault-{uuid.uuid4().hex[:10]}"
        self.name = f"{self.short}@localhost"
        self.port, self.dist_port = free_port(), free_port()
        self.home, self.dir = home, home / self.short
        self.pid: int | None = None
        self.dir.mkdir(parents=True, exist_ok=True)
        self.env = self._environment()

    def _environment(self) -> dict[str, str]:
        files = {"enabled_plugins": "[].\n", "rabbitmq-env.conf": "",
                 "rabbitmq.conf": f"listeners.tcp.1 = 127.0.0.1:{self.port}\n"}
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
        """`rabbitmq-server -detached` on this node's data; returns once the node has booted."""
        self.launch()
        return self.await_startup(timeout)

    def launch(self) -> None:
        """`rabbitmq-server -detached`: returns at once, the node boots meanwhile."""
        run([tool("rabbitmq-server", RABBIT_BIN), "-detached"], env=self.env, timeout=30)

    def await_startup(self, timeout: float = START_TIMEOUT) -> "RabbitNode":
        """Until `rabbitmqctl await_startup` succeeds (it fails at once while the node is not registered yet);
        then the beam.smp pid, from the node itself."""
        deadline = time.monotonic() + timeout
        for _ in range(int(timeout / 0.5) + 1):
            if succeeds(self._ctl_args("await_startup", "--timeout", "30"), env=self.env, timeout=45):
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name} did not start in {timeout}s:\n{self.log_tail()}")
            time.sleep(0.5)
        else:
            raise AssertionError(f"{self.name} did not start in {timeout}s:\n{self.log_tail()}")
        self.pid = int(self.ctl("eval", "list_to_integer(os:getpid()).").strip())
        return self

    def kill(self) -> None:
        """SIGKILL this node's beam.smp (that pid only) and wait until it is gone."""
        assert self.pid, f"{self.name} is not running"
        sigkill([self.pid])
        self.pid = None

    def stop(self) -> None:
        """`rabbitmqctl stop`, then SIGKILL the pid if it is still alive (also a node that never finished
        booting: its pid is in the pid file)."""
        pid = self.pid or _read_pid(self.dir / "pid")
        if alive(pid):
            succeeds(self._ctl_args("stop"), env=self.env, timeout=60)
            sigkill([pid])
        self.pid = None

    def ctl(self, *args: str, timeout: float = 60) -> str:
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
        self.nodes[0].ctl("await_online_nodes", str(len(self.nodes)), "--timeout", "60000", timeout=90)
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
