"""Test support for routing and approval on the real broker: configured clusters, replicas, case_accepted by pika."""
from __future__ import annotations

import contextlib
import json
import re
import subprocess
import uuid
from datetime import date
from pathlib import Path

import pika
import requests
import yaml

from shared.catalog import default_catalog
from shared.events import CaseAccepted, Event, SupplementProvided
from yici_testkit import AUTH, BIN, ROOT, Cluster, Process, amqp_uri, free_port, pika_channel

# strong tokens (distributed mode refuses weak ones): a random constant, made one per department
DEPARTMENT_TOKENS = {d: f"{d}-JqGJveVOUxBwIKWVuiY4o-WejMIpapok70kp7m0FmXg" for d in sorted(default_catalog().departments)}


def department_auth(department: str) -> dict:
    return {"Authorization": f"Bearer {DEPARTMENT_TOKENS[department]}"}


def write_config(tmp_path: Path, base: str = "distributed", approval: dict | None = None,
                 routing: dict | None = None) -> Path:
    """The deployment's config file plus approval/routing sections and one token per department."""
    config = yaml.safe_load((ROOT / "deploy" / "config" / f"{base}.yaml").read_text(encoding="utf-8"))
    config["approval"] = {**config.get("approval", {}), **(approval or {})}
    if routing:
        config["routing"] = routing
    config["clients"] = config.get("clients", []) + [
        {"name": f"{d} clerks", "token": token, "role": "department", "department": d}
        for d, token in DEPARTMENT_TOKENS.items()]
    path = tmp_path / f"{base}-approval.yaml"
    text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False, width=1000)
    path.write_text(re.sub(r"'(\$\{[A-Z0-9_]+(?::-[^}']*)?\})'", r"\1", text), encoding="utf-8")
    return path


class ConfiguredCluster(Cluster):
    """Services as processes with a config file; `replicas` starts more processes of one service."""

    def __init__(self, tmp_path: Path, vhost: str, database_url: str, config: Path, **env: str):
        super().__init__(tmp_path, vhost, database_url, **env)
        self.config, self.replicas = config, []

    def start(self, *services: str, replicas: dict[str, int] | None = None) -> "ConfiguredCluster":
        """The first process of each service (they create the tables), then the replicas."""
        for name in services:
            self.processes[name] = self._process(name, 0, self.ports[name])
        self._ready(self.processes[name] for name in services)
        extra = [self._process(name, n, free_port()) for name in services
                 for n in range(1, (replicas or {}).get(name, 1))]
        self.replicas += extra
        self._ready(extra)
        return self

    def _process(self, name: str, n: int, port: int) -> Process:
        env = {**self.env, f"YICI_{name.upper()}_PORT": str(port)}
        return Process([str(BIN / "yici"), "serve", name, "--config", str(self.config)], env,
                       self.tmp_path / f"{name}-{n}.log", port).start()

    @staticmethod
    def _ready(processes) -> None:
        for process in list(processes):
            process.wait_ready()

    def stop(self) -> None:
        for process in self.replicas:
            process.stop()
        super().stop()

    def plan(self, case_id: str) -> dict:
        return requests.get(self.url("routing", f"/api/v1/routing/cases/{case_id}"), headers=AUTH, timeout=10).json()


def accepted(matter: str, situations=(), holder_id: str | None = None, region: str = "150626",
             case_id: str | None = None) -> CaseAccepted:
    """What intake emits when it accepts a case of `matter` (the same derivation)."""
    catalog = default_catalog()
    items = catalog.items_for(matter, situations)
    codes = {i.code for i in items}
    return CaseAccepted(case_id=case_id or f"YCT{uuid.uuid4().hex[:12].upper()}", payload={
        "matter_code": matter, "matter_name": catalog.matters[matter].name, "catalog_version": catalog.version,
        "channel": "online", "region_code": region, "situations": list(situations),
        "items": [{"item_code": i.code, "item_name": i.name, "department": i.department,
                   "prerequisites": [p for p in i.prerequisites if p in codes],
                   "promised_days": i.promised_days, "fields": list(i.fields)} for i in items],
        "promised_days": catalog.matters[matter].promised_days, "form": {"enterprise_name": "乌审旗测试有限公司"},
        "materials": [], "delivery": {"method": "online"}, "contact": {"name": "乌审旗测试有限公司"},
        "accepted_on": date.today(), "holder_id": holder_id})


def supplement(case_id: str, item: str, form: dict | None = None) -> SupplementProvided:
    return SupplementProvided(case_id=case_id, payload={"item_code": item, "form": form or {}})


def publish(vhost: str, events: list[Event]) -> None:
    """Publish events to yici.events as a service's outbox relay would (persistent, confirmed)."""
    connection, channel = pika_channel(vhost)
    channel.confirm_delivery()
    for event in events:
        channel.basic_publish("yici.events", event.routing_key, json.dumps(event.to_wire()).encode(),
                              pika.BasicProperties(content_type="application/json", delivery_mode=2,
                                                   message_id=str(event.event_id)), mandatory=True)
    connection.close()


@contextlib.contextmanager
def department_user(vhost: str, department: str):
    """A broker user with the least privilege of a department system; yields its AMQP URI."""
    user, password = f"dept-{department}-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex
    queue = f"yici\\.department\\.{department}"
    _ctl("add_user", user, password)
    _ctl("set_permissions", "-p", vhost, user, "^$", "^yici\\.decisions$", f"^{queue}$")
    _ctl("set_topic_permissions", "-p", vhost, user, "yici.decisions", f"^department_decision\\.{department}$", "^$")
    try:
        yield amqp_uri(vhost).replace("guest:guest", f"{user}:{password}")
    finally:
        subprocess.run(["rabbitmqctl", "-q", "delete_user", user], capture_output=True, timeout=60)


def _ctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)
