"""The AsyncAPI document: committed as generated, the events' schema snapshots as payloads, the topology and the
department client as channels and operations, and valid for the AsyncAPI project's own parser.

Regenerate deliberately with: UPDATE_EVENT_SCHEMAS=1 pytest tests/contract
The parser (tools/asyncapi) is installed by deploy/install-tools.sh; without it these tests fail, never skip.
"""
from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import jsonschema
import pytest

from services.approval import client
from shared import topology
from shared.asyncapi import ABOUT, DECIDED, catalog_asyncapi_json
from shared.catalog import default_catalog
from shared.events import EVENT_TYPES

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "shared" / "asyncapi.json"
SCHEMAS = Path(__file__).parent / "schemas"
TOOL = ROOT / "tools" / "asyncapi"
INSTALL = "run `bash deploy/install-tools.sh` (npm ci --prefix tools/asyncapi)"


@pytest.fixture(scope="module")
def doc() -> dict:
    return json.loads(catalog_asyncapi_json())


def test_the_committed_document_is_the_generated_one():
    generated = catalog_asyncapi_json().encode("utf-8")
    if os.environ.get("UPDATE_EVENT_SCHEMAS"):
        SNAPSHOT.write_bytes(generated)
    assert SNAPSHOT.read_bytes() == generated, "run UPDATE_EVENT_SCHEMAS=1 pytest tests/contract, then commit"


def test_every_payload_is_its_event_s_schema_snapshot(doc):
    schemas = doc["components"]["schemas"]
    for event_type in EVENT_TYPES:
        ref = doc["components"]["messages"][event_type]["payload"]["$ref"]
        snapshot = json.loads((SCHEMAS / f"{event_type}.json").read_text(encoding="utf-8"))
        assert _as_snapshot(ref.rsplit("/", 1)[1], schemas) == snapshot, event_type


def test_channels_are_the_exchanges_and_every_department_s_queue_with_its_bindings(doc):
    channels = doc["channels"]
    exchanges = {c["bindings"]["amqp"]["exchange"]["name"] for c in channels.values()
                 if c["bindings"]["amqp"]["is"] == "routingKey"}
    assert exchanges == {topology.EVENTS_EXCHANGE, topology.DECISIONS_EXCHANGE}
    for code in default_catalog().departments:
        spec, amqp = topology.department_queue(code), channels[f"department.{code}"]["bindings"]["amqp"]
        assert (channels[f"department.{code}"]["address"], amqp["queue"]["name"]) == (spec.name, spec.name)
        assert [(b["exchange"], b["routingKey"]) for b in amqp["x-bindings"]] == \
            [(spec.exchange, key) for key in spec.routing_keys]
        assert set(channels[f"department.{code}"]["messages"]) == set(topology.DEPARTMENT_EVENTS)
    assert set(channels["events"]["messages"]) == set(EVENT_TYPES) - {DECIDED}
    assert set(channels["decisions"]["messages"]) == {DECIDED}


def test_a_department_receives_on_the_queue_the_client_reads_and_decides_as_the_client_publishes(doc):
    receive, decide = doc["operations"]["department.tax.receive"], doc["operations"]["department.tax.decide"]
    queue = doc["channels"]["department.tax"]
    assert receive["action"] == "receive" and receive["channel"]["$ref"] == "#/channels/department.tax"
    assert queue["address"] == client.DepartmentClient("amqp://localhost//", "tax").queue
    exchange, key, body, properties, mandatory = _published_decision("tax")
    assert exchange == doc["channels"]["decisions"]["bindings"]["amqp"]["exchange"]["name"]
    assert decide["bindings"]["amqp"]["cc"] == [key]
    assert (decide["bindings"]["amqp"]["deliveryMode"], decide["bindings"]["amqp"]["mandatory"]) == \
        (properties.delivery_mode, mandatory)
    assert doc["components"]["messages"][DECIDED]["contentType"] == properties.content_type
    jsonschema.validate(json.loads(body), {"$ref": "#/components/schemas/DepartmentDecided",
                                           "components": doc["components"]})
    assert decide["reply"]["messages"] == [{"$ref": "#/channels/department.tax/messages/decision_answered"}]


def test_every_message_names_the_service_that_publishes_it():
    for event_type, (publisher, _) in ABOUT.items():
        if publisher == "every service":  # built once in shared/audit.py, recorded by each service's edge
            assert f"{EVENT_TYPES[event_type].__name__}(" in (ROOT / "shared" / "audit.py").read_text("utf-8")
            for service in ("intake", "routing", "approval", "delivery", "oversight"):
                assert "Auditor(" in (ROOT / "services" / service / "api.py").read_text("utf-8"), service
        elif event_type != DECIDED:
            sources = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "services" / publisher).glob("*.py"))
            assert f"{EVENT_TYPES[event_type].__name__}(" in sources, (event_type, publisher)
    assert set(ABOUT) == set(EVENT_TYPES)


def test_the_broker_lets_exactly_the_documented_publisher_send_each_event():
    """topology.EVENT_PUBLISHERS drives the topic permissions and the consumers' sender check: it must agree with
    the contract, and no other service may construct an event it does not own."""
    assert topology.EVENT_PUBLISHERS == {t: publisher for t, (publisher, _) in ABOUT.items() if t != DECIDED}
    for event_type, owner in topology.EVENT_PUBLISHERS.items():
        if owner == topology.EVERY_SERVICE:
            continue
        for other in set(topology.PUBLISHING_SERVICES) - {owner}:
            sources = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "services" / other).glob("*.py"))
            assert f"{EVENT_TYPES[event_type].__name__}(" not in sources, (event_type, other)


def test_the_asyncapi_parser_finds_no_error_nor_warning():
    _, results = _parsed()
    result = results["asyncapi.json"]
    assert result["parser"] == _pinned_version()
    assert [d for d in result["diagnostics"] if d["severity"] in ("error", "warning")] == []
    assert result["valid"]


def test_the_asyncapi_parser_reports_a_channel_naming_a_missing_message():
    returncode, results = _parsed()
    errors = [d for d in results["broken.json"]["diagnostics"] if d["severity"] == "error"]
    assert returncode == 1 and not results["broken.json"]["valid"]
    assert any(d["path"] == "channels/department.tax/messages/nothing/$ref" for d in errors), errors


@functools.cache
def _parsed() -> tuple[int, dict]:
    """The parser run once on the generated document and on a copy whose channel names a missing message."""
    _require_parser()
    damaged = json.loads(catalog_asyncapi_json())
    damaged["channels"]["department.tax"]["messages"]["nothing"] = {"$ref": "#/components/messages/nothing"}
    with tempfile.TemporaryDirectory() as folder:
        good, broken = Path(folder) / "asyncapi.json", Path(folder) / "broken.json"
        good.write_text(catalog_asyncapi_json(), encoding="utf-8")
        broken.write_text(json.dumps(damaged, ensure_ascii=False), encoding="utf-8")
        done = subprocess.run(["node", str(TOOL / "validate.mjs"), str(good), str(broken)], capture_output=True,
                              text=True, timeout=60)
    assert done.stdout.strip(), done.stderr
    return done.returncode, {Path(r["file"]).name: r for r in json.loads(done.stdout)}


def _as_snapshot(name: str, schemas: dict) -> dict:
    """The component `name` as pydantic writes it alone: the components it uses inlined as `$defs`."""
    used, todo = set(), [name]
    while todo:
        fresh = set(_refs(schemas[todo.pop()])) - used - {name}
        used |= fresh
        todo += fresh
    local = lambda schema: json.loads(json.dumps(schema).replace("#/components/schemas/", "#/$defs/"))  # noqa: E731
    return dict(local(schemas[name]), **({"$defs": {n: local(schemas[n]) for n in used}} if used else {}))


def _refs(node) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"].rsplit("/", 1)[1]] if isinstance(node.get("$ref"), str) else []
        return own + [r for value in node.values() for r in _refs(value)]
    return [r for value in node for r in _refs(value)] if isinstance(node, list) else []


def _published_decision(department: str) -> tuple:
    """What DepartmentClient publishes for one decision, recorded instead of sent."""
    class Recorder:
        is_open = True

        def __init__(self):
            self.published = []

        def basic_publish(self, *args, **kwargs):
            self.published.append((*args, kwargs["mandatory"]))

    recorder = Recorder()
    department_client = client.DepartmentClient("amqp://localhost//", department)
    department_client._connection = department_client._channel = recorder
    request = client.Request("YC1", {"request_id": "YC1:new-taxpayer-setup", "item_code": "new-taxpayer-setup",
                                     "round": 1}, "corr-1", False, 1, 99)
    department_client.decide(request, client.Decision.approve(), wait=False)
    [published] = recorder.published
    return published


def _require_parser() -> None:
    if shutil.which("node") is None:
        pytest.fail(f"node is missing: {INSTALL}")
    installed = TOOL / "node_modules" / "@asyncapi" / "parser" / "package.json"
    if not installed.is_file():
        pytest.fail(f"the AsyncAPI parser is not installed: {INSTALL}")
    version = json.loads(installed.read_text(encoding="utf-8"))["version"]
    if version != _pinned_version():
        pytest.fail(f"@asyncapi/parser {version} is installed, tools/asyncapi pins {_pinned_version()}: {INSTALL}")


def _pinned_version() -> str:
    return json.loads((TOOL / "package.json").read_text(encoding="utf-8"))["dependencies"]["@asyncapi/parser"]
