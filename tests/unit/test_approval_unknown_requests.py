"""Approval and requests it never received: a department's decision may overtake its request (parked while
the request may still come), then is answered `unknown_request` and recorded nowhere; a cancellation that
overtakes its request leaves only a tombstone (test_approval_decisions)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.approval import handlers
from shared.errors import CaseNotKnownYet, TransientError
from shared.events import DepartmentDecided
from shared.metrics import UNKNOWN_CASE
from test_approval_decisions import Approval


def decision(case_id: str, minutes_ago: float = 0) -> DepartmentDecided:
    return DepartmentDecided(case_id=case_id, occurred_at=datetime.now(timezone.utc) - timedelta(minutes=minutes_ago),
                             payload={"request_id": f"{case_id}:business-registration",
                                      "item_code": "business-registration", "department": "market-regulation",
                                      "decision": "approved", "decided_by": "系统"})


def answered() -> float:
    return UNKNOWN_CASE.labels("approval", "department_decided", "answered")._value.get()


def test_a_fresh_decision_about_a_request_never_received_is_parked_and_records_nothing(tmp_path):
    approval = Approval(tmp_path, departments={"market-regulation": "external"})
    with pytest.raises(CaseNotKnownYet) as error:
        approval.handle(decision("YC-U1"), "approval.decisions", handlers.handle_decision)
    assert isinstance(error.value, TransientError) and "YC-U1" in str(error.value)
    assert approval.task("YC-U1:business-registration") is None and approval.sent == []


def test_after_the_grace_it_is_answered_unknown_request_counted_and_recorded_nowhere(tmp_path):
    approval = Approval(tmp_path, departments={"market-regulation": "external"})
    before = answered()
    out = approval.handle(decision("YC-U2", minutes_ago=5), "approval.decisions", handlers.handle_decision)
    assert [(key, e.payload.status) for key, e in out] == [("decision_answered.market-regulation",
                                                             "unknown_request")]
    assert approval.task("YC-U2:business-registration") is None
    assert answered() == before + 1
