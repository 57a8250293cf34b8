"""deploy/run-local.sh: two replicas of a service, each on base port + i*100, as the service's own broker user,
competing on one queue; `down` stops them with SIGTERM."""
from __future__ import annotations

import json
import os
import random
import secrets
import socket
import subprocess
import urllib.request

import pytest

from deploy_kit import REPO, grant_guest, guest_uri
from shared import topology
from yici.deploy import access, broker
from yici.deploy.definitions import departments_from_catalog
from yici_testkit import CLERK_TOKEN, SUPERVISOR_TOKEN, TOKEN

TOKENS = {"YICI_API_TOKEN": TOKEN, "YICI_CLERK_TOKEN": CLERK_TOKEN, "YICI_SUPERVISOR_TOKEN": SUPERVISOR_TOKEN}

SCRIPT = str(REPO / "deploy" / "run-local.sh")


def free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def base_port() -> int:
    for _ in range(100):
        port = random.randrange(20000, 29000)
        if free(port) and free(port + 100):
            return port
    raise RuntimeError("no free pair of ports")


def run(env: dict, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", SCRIPT, *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=timeout)


def consumers(vhost: str, queue: str) -> int:
    listed = json.loads(broker.rabbitmqctl("list_consumers", "-p", vhost, "queue_name", "--formatter", "json"))
    return sum(1 for c in listed if c["queue_name"] == queue)


@pytest.mark.rabbit
@pytest.mark.postgres
@pytest.mark.e2e
def test_two_replicas_start_on_their_ports_as_their_own_user_and_stop(deploy_vhost, deploy_database, tmp_path):
    vhost, created_users = deploy_vhost
    grant_guest(vhost)
    prefix = f"t{secrets.token_hex(3)}-"
    created_users.extend(g.user for g in access.grants(departments_from_catalog(), prefix))
    port, pids = base_port(), []
    env = dict(os.environ, **TOKENS, YICI_RUN_DIR=str(tmp_path / "run"), YICI_DELIVERY_PORT=str(port),
               YICI_BROKER_VHOST=vhost, YICI_BROKER_USER_PREFIX=prefix, YICI_AMQP_URI=guest_uri(vhost),
               YICI_DATABASE_URL=deploy_database, YICI_STOP_GRACE="30")
    try:
        started = run(env, "up", "--least-privilege", "delivery=2")
        assert started.returncode == 0, started.stdout + started.stderr
        for replica_port in (port, port + 100):
            with urllib.request.urlopen(f"http://127.0.0.1:{replica_port}/readyz", timeout=5) as answer:
                assert answer.status == 200
        assert consumers(vhost, topology.service_queues()["delivery"].name) == 2
        log = (tmp_path / "run" / "delivery-1.log").read_text()
        assert f"{prefix}yici-delivery" in log and "guest" not in log
        assert run(env, "status").stdout.count("running") == 2
        pids = [int((tmp_path / "run" / f"delivery-{i}.pid").read_text()) for i in (0, 1)]
    finally:
        stopped = run(env, "down", timeout=90)
    assert stopped.returncode == 0, stopped.stderr
    assert "ignored SIGTERM" not in stopped.stderr  # drained and exited within the grace period
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert free(port) and free(port + 100)
