"""A rejection needs its legal basis, and produces a written decision (不予行政许可决定书) sealed by the deciding
department: reasons, legal basis, remedies (行政复议 60 days, 行政诉讼 6 months), department and date."""
from __future__ import annotations

from datetime import date

from services.approval import decisions, sealkeys
from test_approval_decisions import Approval, request, types


def _reject(approval, **extra):
    return approval.department("YC1:business-registration", "rejected", ["企业名称与已登记企业重复"], **extra)


def test_a_department_system_rejecting_without_a_legal_basis_is_answered_invalid_and_nothing_changes(tmp_path):
    approval = Approval(tmp_path, departments={"market-regulation": "external"})
    approval.handle(request())
    out = _reject(approval)
    assert types(out) == ["decision_answered"]
    answer = out[0][1].payload
    assert answer.status == "invalid" and "法律依据" in answer.message_zh and "legal basis" in answer.message_en
    assert approval.task("YC1:business-registration").status == "pending"
    blank = _reject(approval, legal_basis="   ")
    assert blank[0][1].payload.status == "invalid", "a blank legal basis is none"


def test_a_rejection_with_its_legal_basis_carries_the_sealed_written_decision(tmp_path):
    approval = Approval(tmp_path, departments={"market-regulation": "external"})
    approval.handle(request())
    out = _reject(approval, legal_basis="《市场主体登记管理条例》第十条")
    assert types(out) == ["approval_decided", "decision_answered"]
    decided = out[0][1].payload
    assert decided.legal_basis == "《市场主体登记管理条例》第十条"
    document = decided.decision_document
    content = document["content"]
    assert content["reasons"] == ["企业名称与已登记企业重复"] and content["legal_basis"] == decided.legal_basis
    assert content["issuing_department"] == "market-regulation" and content["issued_on"] == "2026-12-01"
    key = content["number"].split("-BYXK-")[0]
    assert content["number"] == decisions.document_number(key, date(2026, 12, 1), "YC1:business-registration")
    remedies = " ".join(r["zh"] for r in content["remedies"])
    for words in ("六十日", "本级人民政府", "上一级主管部门", "行政复议", "六个月", "人民法院", "行政诉讼"):
        assert words in remedies, words
    with approval.store.unit_of_work() as uow:
        keys = sealkeys.keys_of(uow, "market-regulation")
    assert decisions.verify(document, keys) is None, "sealed with the department's key"
    altered = {**document, "content": {**content, "legal_basis": "另一条"}}
    assert decisions.verify(altered, keys) == "bad_signature"


def test_an_approval_or_a_supplement_request_needs_no_legal_basis_and_carries_no_decision(tmp_path):
    approval = Approval(tmp_path, departments={"market-regulation": "external"})
    approval.handle(request())
    out = approval.department("YC1:business-registration", "supplement_requested", ["请补充章程"])
    assert out[0][1].payload.decision == "supplement_requested" and out[0][1].payload.decision_document is None
