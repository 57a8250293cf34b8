"""An issued e-license revoked, corrected or replaced by its department: sealed records, verification, the event."""
from __future__ import annotations

import copy
import json
from datetime import date

import pytest

from services.approval import lifecycle, views
from services.approval.commands import ChangeLicense, CorrectLicense, ReplaceLicense
from services.approval.repository import licenses as registry
from shared.errors import Conflict, Invalid, NotFound
from shared.events import AuditRecorded, parse_event
from test_approval_decisions import HOLDER, Approval, request

DEPT = "market-regulation"
TODAY = date(2026, 12, 1)


def issued(approval) -> str:
    decided = [e for _, e in approval.handle(request()) if e.event_type == "approval_decided"][0]
    return decided.payload.licenses[0]


def audit(case_id, holder):
    return AuditRecorded(case_id=case_id, payload={"action": "license.test", "service": "approval",
                                                   "purpose": "test", "subject": None, "outcome": "answered",
                                                   "actor": {"kind": "client", "name": "t", "role": "department"}})


def change(approval, use_case, number, command, department=DEPT):
    before = len(approval.sent)
    answer = approval.store.run(use_case, department, number, command, approval.context, audit)
    return answer, [parse_event(json.loads(m.body)) for m in approval.sent[before:]]


def verify(approval, number):
    return views.verify_number(approval.store, number, TODAY)


def test_a_revoked_license_verifies_as_revoked_with_its_date_and_reason(tmp_path):
    approval = Approval(tmp_path)
    number = issued(approval)
    assert verify(approval, number)["valid"] is True
    answer, events = change(approval, lifecycle.revoke, number, ChangeLicense(reason="以欺骗手段取得", clerk="王五"))
    assert answer["status"] == "revoked"
    checked = verify(approval, number)
    assert checked["valid"] is False and checked["status"] == "revoked" and checked["records_valid"] is True
    assert checked["changed_on"] == "2026-12-01" and checked["change_reason"] == "以欺骗手段取得"
    assert [c["action"] for c in checked["changes"]] == ["revoked"]
    [changed] = [e for e in events if e.event_type == "license_changed"]
    assert changed.payload.action == "revoked" and changed.payload.number == number
    assert changed.payload.holder_id == HOLDER and [e.event_type for e in events].count("audit_recorded") == 1
    with approval.store.unit_of_work() as uow:  # approval's own rules (requires_license) no longer count it
        assert uow.licenses.holds(HOLDER, "business-license") is False
    with pytest.raises(Conflict):  # revoked is final
        change(approval, lifecycle.revoke, number, ChangeLicense(reason="again", clerk="王五"))


def test_a_replaced_license_points_to_its_successor_which_verifies(tmp_path):
    approval = Approval(tmp_path)
    number = issued(approval)
    answer, events = change(approval, lifecycle.replace, number,
                            ReplaceLicense(reason="证照遗失", clerk="王五", kind="reissue"))
    new = answer["replaced_by"]
    assert new and new != number and new.startswith("SCJG-20261201-")
    old = verify(approval, number)
    assert old["status"] == "replaced" and old["replaced_by"] == new and old["valid"] is False
    fresh = verify(approval, new)
    assert fresh["valid"] is True and fresh["replaces"] == number and fresh["status"] == "valid"
    assert [e.payload.replaced_by for e in events if e.event_type == "license_changed"] == [new]


def test_a_correction_reseals_the_content_and_an_old_copy_no_longer_matches(tmp_path):
    approval = Approval(tmp_path)
    number = issued(approval)
    old_copy = views.document(approval.store, number)
    change(approval, lifecycle.correct, number,
           CorrectLicense.model_validate({"reason": "名称录入有误", "clerk": "王五",
                                          "corrections": {"holder_name": "乌审旗更正有限公司"}}))
    checked = verify(approval, number)
    assert checked["valid"] is True and [c["action"] for c in checked["changes"]] == ["corrected"]
    stale = views.verify_document(approval.store, {"content": old_copy["content"], "seal": old_copy["seal"]}, TODAY)
    assert stale["seal_valid"] is True and stale["registered"] is False and stale["valid"] is False
    with pytest.raises(Invalid):  # a correction that changes nothing
        change(approval, lifecycle.correct, number,
               CorrectLicense.model_validate({"reason": "x", "clerk": "王五",
                                              "corrections": {"holder_name": "乌审旗更正有限公司"}}))


def test_a_forged_or_altered_change_record_fails_verification(tmp_path):
    approval = Approval(tmp_path)
    number = issued(approval)
    change(approval, lifecycle.revoke, number, ChangeLicense(reason="吊销", clerk="王五"))
    document = views.document(approval.store, number)
    altered = copy.deepcopy(document)
    altered["changes"][0]["record"]["reason"] = "已撤回吊销决定"
    checked = views.verify_document(approval.store, altered, TODAY)
    assert checked["records_valid"] is False and checked["valid"] is False
    forged = copy.deepcopy(document)
    forged["changes"][0]["seal"]["signature"] = forged["seal"]["signature"]  # the license's own seal, reused
    assert views.verify_document(approval.store, forged, TODAY)["records_valid"] is False
    intact = views.verify_document(approval.store, document, TODAY)
    assert intact["records_valid"] is True and intact["status"] == "revoked"


def test_a_registry_row_reset_to_valid_is_still_revoked_by_its_sealed_record(tmp_path):
    approval = Approval(tmp_path)
    number = issued(approval)
    change(approval, lifecycle.revoke, number, ChangeLicense(reason="吊销", clerk="王五"))
    approval.store.run(lambda uow: uow.licenses.rows.update(  # someone with database access only
        registry, {"number": number}, {"status": "valid"}))
    checked = verify(approval, number)
    assert checked["status"] == "revoked" and checked["valid"] is False


def test_only_the_issuing_department_changes_its_license(tmp_path):
    approval = Approval(tmp_path)
    number = issued(approval)
    with pytest.raises(NotFound):
        change(approval, lifecycle.revoke, number, ChangeLicense(reason="吊销", clerk="李四"), department="tax")
    assert verify(approval, number)["valid"] is True
