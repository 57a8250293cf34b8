"""Delivery texts what commitments followed announce: a deferred material's deadline nearing, and an application
closed as not accepted because its notice went unanswered; one message each, whatever the repeats."""
from __future__ import annotations

from shared.events import CaseNotAccepted, CommitmentDueSoon
from test_delivery_support import NAME, PHONE, world  # noqa: F401


def reminder(case_id: str) -> CommitmentDueSoon:
    return CommitmentDueSoon(case_id=case_id, payload={
        "materials": [{"code": "food-safety-rules", "name": "食品安全管理制度", "supply_days": 10,
                       "due_date": "2026-03-16"}],
        "due_date": "2026-03-16", "matter_code": "open-restaurant", "contact": {"name": NAME, "phone": PHONE}})


def test_the_applicant_is_reminded_of_the_committed_material_and_its_deadline_once(world):
    for _ in range(2):
        world.consume(reminder("YC-R1"))
    world.work()
    [sms] = world.gateway.sent("YC-R1")
    assert "食品安全管理制度" in sms.text and "2026-03-16" in sms.text and "YC-R1" in sms.text
    assert [n.template for n in world.notifications("YC-R1")] == ["commitment_reminder"]
    assert world.delivery("YC-R1") is None


def test_an_application_closed_as_not_accepted_is_told_once(world):
    event = CaseNotAccepted(case_id="YC-R2", payload={
        "reason": "correction_overdue", "notice_id": "N1", "due_date": "2026-03-09", "matter_code": "open-restaurant",
        "contact": {"name": NAME, "phone": PHONE}})
    world.consume(event)
    world.consume(CaseNotAccepted(case_id="YC-R2", payload=event.payload))
    world.work()
    [sms] = world.gateway.sent("YC-R2")
    assert "不予受理" in sms.text and "2026-03-09" in sms.text and NAME not in sms.text
