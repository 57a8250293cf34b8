"""The department client library speaks the suite's contract without importing it (pika and stdlib only)."""
from __future__ import annotations

import ast
from pathlib import Path

from services.approval import client
from shared import topology
from shared.events import DepartmentDecided, parse_event

REQUEST = client.Request("YC1", {"request_id": "YC1:tax-arrears-inquiry", "item_code": "tax-arrears-inquiry",
                                 "round": 2}, "corr-1", False, 7, 1)


def test_queue_exchange_and_routing_key_are_the_topologys():
    c = client.DepartmentClient("amqp://localhost//", "public-security", "150626101")
    assert c.queue == topology.department_queue_name("public-security", "150626101")
    assert client.DECISIONS_EXCHANGE == topology.DECISIONS_EXCHANGE
    event = client._decision_event("e1d6f9a4-2b1c-4d7e-9f00-000000000001", REQUEST,
                                   client.Decision.reject(["欠税"], "《税收征收管理法》第四十五条"), "tax", None, "税务系统")
    parsed = parse_event(event)
    assert isinstance(parsed, DepartmentDecided) and parsed.routing_key == topology.decision_routing_key("tax")
    assert (parsed.payload.round, parsed.payload.decision, parsed.payload.reasons) == (2, "rejected", ["欠税"])


def test_the_library_imports_only_pika_and_the_standard_library():
    tree = ast.parse(Path(client.__file__).read_text(encoding="utf-8"))
    roots = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    roots |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert roots <= {"__future__", "json", "logging", "time", "uuid", "collections", "dataclasses", "datetime",
                     "typing", "pika"}, roots


def test_an_answer_is_recorded_only_when_it_says_so():
    answer = client._answer({"request_id": "YC1:x", "status": "already_decided", "decision": "approved"})
    assert not answer.recorded and answer.decision == "approved" and answer.licenses == []
