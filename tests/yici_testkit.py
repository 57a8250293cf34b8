"""Test support: real services as processes, a broker vhost and a database per test, HTTP helpers."""
from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Iterator

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Strong random tokens (generated once with secrets.token_urlsafe(32)): distributed mode refuses weak ones
TOKEN = "GOmhnSWeXiVtJ-NvKJnJe6cLn9WWqRGH4gPTHwQd-E4"
SERVICES = ("intake", "routing", "approval", "delivery", "oversight")
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CLERK_TOKEN = "2rjGWz16lUlukECdqaVxfeej-S591px1EQ8PqsRcBiE"
SUPERVISOR_TOKEN = "6uN7ySsmB3slsb1fvPnMfTol_LS1v_xUpVFZlI5mfrE"
CLERK = {"Authorization": f"Bearer {CLERK_TOKEN}"}
# The staff-session key pair of the distributed test clusters (`yici secrets staff-keypair`): every process
# verifies oversight's signed sign-ins with the public half; `yici serve` refuses to start without them.
STAFF_KEYS = {"YICI_STAFF_SIGNING_KEY": "7NQ5SlWykZdsxSEFSu4M5p7h/95Hq+AS4dGNzACXyo4=",
              "YICI_STAFF_PUBLIC_KEY": "qkgs0d0RbUYYFRvIplXFzrIZpDYCTSzItQOnyotJITU="}


def require_rabbit() -> None:
    if not _port_open(5672):
        pytest.fail("RabbitMQ is not reachable on 127.0.0.1:5672 (run deploy/ensure-services.sh)")


def require_postgres() -> None:
    if not _port_open(5432):
        pytest.fail("PostgreSQL is not reachable on 127.0.0.1:5432 (run deploy/ensure-services.sh)")


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=60).stdout


@contextlib.contextmanager
def broker_vhost() -> Iterator[str]:
    """A fresh RabbitMQ vhost for one test, so queues never leak between tests."""
    name = f"yici-test-{uuid.uuid4().hex[:10]}"
    _run("rabbitmqctl", "-q", "add_vhost", name)
    _run("rabbitmqctl", "-q", "set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    try:
        yield name
    finally:
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", name], capture_output=True, timeout=60)


def amqp_uri(vhost: str) -> str:
    return f"amqp://guest:guest@127.0.0.1:5672/{vhost}"


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    name = f"yici_test_{uuid.uuid4().hex[:10]}"
    _run("psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {name}")
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
    finally:
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc",
                        f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], capture_output=True, timeout=60)


class Process:
    """One `yici` process with its log file; stopped (or killed) by the test."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path, port: int):
        self.args, self.env, self.log, self.port = args, env, log, port
        self.popen: subprocess.Popen | None = None

    def start(self) -> "Process":
        self.popen = subprocess.Popen(self.args, env=self.env, cwd=ROOT, stdout=self.log.open("ab"),
                                      stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise AssertionError(f"{self.args} exited with {self.popen.returncode}:\n{self.tail()}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.url("/readyz"), timeout=1).status_code == 200:
                    return
            time.sleep(0.2)
        raise AssertionError(f"{self.args} not ready after {timeout}s:\n{self.tail()}")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> float:
        """Signal the process and wait; returns how long it took to exit."""
        if self.popen is None or self.popen.poll() is not None:
            return 0.0
        started = time.monotonic()
        self.popen.send_signal(sig)
        self.wait(timeout)
        return time.monotonic() - started

    def signal(self, sig: int = signal.SIGTERM) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(sig)

    def wait(self, timeout: float = 30) -> None:
        """Wait for the process to exit; SIGKILL it after `timeout` s."""
        if self.popen is None:
            return
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(10)

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YICI_")}
    env.update({"YICI_API_TOKEN": TOKEN, "YICI_CLERK_TOKEN": CLERK_TOKEN, "YICI_SUPERVISOR_TOKEN": SUPERVISOR_TOKEN,
                "YICI_DATA_DIR": str(tmp_path / "var"), "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


class Cluster:
    """The five services as separate processes against RabbitMQ (one vhost) and PostgreSQL."""

    def __init__(self, tmp_path: Path, vhost: str, database_url: str, **env: str):
        self.tmp_path = tmp_path
        self.ports = {s: free_port() for s in SERVICES}
        self.env = base_env(tmp_path, YICI_AMQP_URI=amqp_uri(vhost), YICI_DATABASE_URL=database_url,
                            **{f"YICI_{s.upper()}_PORT": str(p) for s, p in self.ports.items()},
                            **{**STAFF_KEYS, **env})
        self.processes: dict[str, Process] = {}
        self.extra_replicas: dict[str, list[Process]] = {}

    def add_replicas(self, service: str, count: int) -> list[Process]:
        """More processes of one service (competing consumers), each on a port of its own."""
        started = []
        for n in range(count):
            port = free_port()
            env = {**self.env, f"YICI_{service.upper()}_PORT": str(port)}
            log = self.tmp_path / f"{service}-replica{len(self.extra_replicas.get(service, [])) + n + 2}.log"
            started.append(Process([str(BIN / "yici"), "serve", service], env, log, port).start())
        for process in started:
            process.wait_ready()
        self.extra_replicas.setdefault(service, []).extend(started)
        return started

    def start(self, *services: str) -> "Cluster":
        for name in services or SERVICES:
            log = self.tmp_path / f"{name}.log"
            self.processes[name] = Process([str(BIN / "yici"), "serve", name], self.env, log,
                                           self.ports[name]).start()
        try:
            for name in services or SERVICES:
                self.processes[name].wait_ready()
        except BaseException:
            self.stop()  # a service that did not come up must not leave the others running
            raise
        return self

    def stop(self) -> None:
        """SIGTERM every process first, then wait for each: they shut down side by side, not one after another."""
        processes = [*self.processes.values(), *(p for ps in self.extra_replicas.values() for p in ps)]
        for process in processes:
            process.signal(signal.SIGTERM)
        for process in processes:
            process.wait()

    def url(self, service: str, path: str) -> str:
        return self.processes[service].url(path)


SAMPLE_VALUES = {"^[0-9]{17}[0-9X]$": "11010519491231002X", "^1[0-9]{10}$": "13800138000",
                 "^[0-9]{12,19}$": "6222020200112233445",
                 "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$": "91150626MA0N000088",
                 "^[0-9]{4}-[0-9]{6}-[0-9]{2}-[0-9]{2}-[0-9]{6}$": "2026-150626-47-01-000001",
                 "^[A-HJ-NPR-Z0-9]{17}$": "LSVAU2180N2183294"}
PDF = b"%PDF-1.4\n% yici test material\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
_UPLOADED: dict[str, dict] = {}


def sample_value(schema: dict):
    if "enum" in schema:
        return schema["enum"][0]
    if schema.get("format") == "date":
        return "2026-11-20"
    if schema["type"] in ("integer", "number"):
        return max(schema.get("minimum", 1), 1)
    if schema["type"] == "boolean":
        return True
    return SAMPLE_VALUES.get(schema.get("pattern"), "测试内容")


def case_body(matter: str = "bankruptcy-check", situations: tuple[str, ...] = (), **overrides) -> dict:
    """A complete application: every field of the one form and every material (uploaded on submit)."""
    from shared.catalog import default_catalog
    from shared.catalog.forms import merged_form
    from shared.catalog.materials import material_list
    catalog = default_catalog()
    try:
        schema = merged_form(catalog, matter, situations)
        # every material uploaded: this company is not in the demo library, so nothing could be fetched for it
        materials = [{"code": e.code, "file_ref": "UPLOAD"} for e in material_list(catalog, matter, situations)]
    except Exception:  # an unknown matter: let the API say so
        schema, materials = {"properties": {}}, []
    body = {"matter_code": matter, "channel": "online", "region_code": "150626",
            "applicant": {"kind": "company", "name": "乌审旗测试有限公司", "credit_code": "91150626MA0N000088",
                          "legal_representative": "张三", "phone": "13800138000"},
            "situations": list(situations),
            "form": {k: sample_value(v) for k, v in schema["properties"].items()},
            "materials": materials, "delivery": {"method": "pickup", "hall": "乌审旗政务服务大厅"}}
    body.update(overrides)
    return body


def upload(base_url: str, content: bytes = PDF, content_type: str = "application/pdf") -> requests.Response:
    return requests.post(f"{base_url}/api/v1/files", data=content,
                         headers={**AUTH, "Content-Type": content_type}, timeout=30)


def with_uploads(base_url: str, body: dict) -> dict:
    if not any(m.get("file_ref") == "UPLOAD" for m in body.get("materials", [])):
        return body
    if base_url not in _UPLOADED:
        response = upload(base_url)
        assert response.status_code == 201, response.text
        _UPLOADED[base_url] = response.json()
    stored = _UPLOADED[base_url]
    materials = [{**m, "file_ref": stored["file_ref"], "sha256": stored["sha256"]}
                 if m.get("file_ref") == "UPLOAD" else m for m in body["materials"]]
    return {**body, "materials": materials}


def submit(base_url: str, body: dict, headers: dict | None = None) -> requests.Response:
    body = with_uploads(base_url, body)
    return requests.post(f"{base_url}/api/v1/cases", data=json.dumps(body),
                         headers={**AUTH, "Content-Type": "application/json", **(headers or {})}, timeout=30)


def wait_for(predicate, timeout: float = 60, interval: float = 0.25, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def pika_channel(vhost: str):
    import pika
    params = pika.URLParameters(amqp_uri(vhost).replace("/" + vhost, "/" + vhost.replace("/", "%2F")))
    connection = pika.BlockingConnection(params)
    return connection, connection.channel()


def drain(vhost: str, queue: str) -> list:
    """Every message waiting on `queue`, taken off it: (method, properties, body) each."""
    connection, channel = pika_channel(vhost)
    taken = []
    while True:
        method, properties, body = channel.basic_get(queue, auto_ack=True)
        if method is None:
            break
        taken.append((method, properties, body))
    connection.close()
    return taken


def queue_depths(vhost: str, queues: list[str]) -> dict[str, int]:
    connection, channel = pika_channel(vhost)
    try:
        return {q: channel.queue_declare(q, passive=True).method.message_count for q in queues}
    finally:
        connection.close()


def drained(vhost: str, queues: list[str]) -> bool:
    """No message ready or unacknowledged (in a consumer's prefetch or batch) on any of the queues."""
    listed = _run("rabbitmqctl", "-q", "list_queues", "-p", vhost, "name", "messages", "--formatter", "json")
    totals = {q["name"]: q["messages"] for q in json.loads(listed or "[]")}
    return all(totals.get(q, 0) == 0 for q in queues)


def handled_total(urls: list[str]) -> float:
    """Sum of yici_events_handled_total over the given /metrics URLs."""
    total = 0.0
    for url in urls:
        for line in requests.get(url, timeout=10).text.splitlines():
            if line.startswith("yici_events_handled_total{"):
                total += float(line.rsplit(" ", 1)[1])
    return total


@contextlib.contextmanager
def embedded_suite(tmp: Path, **env: str) -> Iterator[Process]:
    """The embedded suite (`yici run`: all five services, in-memory broker, SQLite) as a process, ready."""
    port = free_port()
    process = Process([str(BIN / "yici"), "run"], base_env(tmp, YICI_PORT=str(port), **env), tmp / "yici.log", port)
    process.start().wait_ready()
    process.data_dir = tmp / "var"
    try:
        yield process
    finally:
        process.stop()
