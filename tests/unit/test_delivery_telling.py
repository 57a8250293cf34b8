"""The applicant is always told: acceptance texted once, a department's supplement request texted once per item
and round, and a rejection's written decision sent by the chosen method, exactly once."""
from __future__ import annotations

from services.delivery import handover
from shared.events import CaseAccepted, CaseRejected, SupplementRequested
from test_delivery_support import ADDRESS, NAME, PHONE, world  # noqa: F401

DOCUMENT = {"content": {"number": "SCJG-BYXK-20260302-0A1B2C3D", "title": "不予行政许可决定书",
                        "reasons": ["经营场所不符合食品安全要求"], "legal_basis": "《食品经营许可管理办法》第十一条"},
            "seal": {"algorithm": "Ed25519", "key_id": "k1", "signature": "c2ln"}}


def accepted(case_id: str) -> CaseAccepted:
    return CaseAccepted(case_id=case_id, payload={
        "matter_code": "open-restaurant", "matter_name": "开办餐饮店一件事", "catalog_version": "1",
        "channel": "online", "region_code": "150626", "promised_days": 10, "accepted_on": "2026-03-02",
        "due_date": "2026-03-16", "lookup_code": "ABCDEFGHJKLM",
        "items": [{"item_code": "business-registration", "item_name": "营业执照", "department": "market-regulation"}],
        "delivery": {"method": "pickup", "hall": "乌审旗政务服务大厅"}, "contact": {"name": NAME, "phone": PHONE}})


def supplement(case_id: str, round: int = 1) -> SupplementRequested:
    return SupplementRequested(case_id=case_id, payload={
        "item_code": "food-business-license", "item_name": "食品经营许可", "department": "market-regulation",
        "round": round, "reasons": ["请补充张三的健康证明13900001111"], "due_date": "2026-03-16",
        "matter_code": "open-restaurant", "contact": {"name": NAME, "phone": PHONE}, "lookup_code": "ABCDEFGHJKLM"})


def rejected(case_id: str, method: str, address: str | None = None) -> CaseRejected:
    return CaseRejected(case_id=case_id, payload={
        "matter_code": "open-restaurant", "item_code": "food-business-license", "department": "market-regulation",
        "reasons": ["经营场所不符合食品安全要求"], "contact": {"name": NAME, "phone": PHONE},
        "item_name": "食品经营许可", "legal_basis": "《食品经营许可管理办法》第十一条", "decided_on": "2026-03-02",
        "approved_items": [{"item_code": "business-registration", "item_name": "营业执照",
                            "department": "market-regulation", "licenses": ["SCJG-20260302-1"]}],
        "decision_document": DOCUMENT, "lookup_code": "ABCDEFGHJKLM",
        "delivery": {"method": method, "hall": "乌审旗政务服务大厅" if method == "pickup" else None,
                     "address": address}})


def texts(world, case_id, template):
    return [n.text for n in world.notifications(case_id) if n.template == template]


def test_acceptance_is_texted_once_with_the_deadline_and_the_status_page(world):
    for event in (accepted("YC-A1"), accepted("YC-A1")):  # published twice, under two ids
        world.consume(event)
    [text] = texts(world, "YC-A1", "acceptance_notice")
    assert "已受理" in text and "2026-03-16" in text and "/track/YC-A1?code=ABCDEFGHJKLM" in text
    assert NAME not in text and PHONE not in text
    assert world.delivery("YC-A1") is None, "acceptance is no delivery: the case's one delivery comes later"


def test_a_supplement_request_is_texted_once_per_round_never_quoting_the_departments_words(world):
    for event in (supplement("YC-S1"), supplement("YC-S1")):
        world.consume(event)
    [text] = texts(world, "YC-S1", "supplement_request")
    assert "补正" in text and "2026-03-16" in text and "食品经营许可" in text and "/track/YC-S1?code=" in text
    assert "健康证明" not in text and "13900001111" not in text and NAME not in text
    world.consume(supplement("YC-S1", round=2))
    assert len(texts(world, "YC-S1", "supplement_request")) == 2, "asked again in the next round: told again"
    assert sorted(m.message_id for m in world.gateway.sent()) == [
        "YC-S1:supplement_request:food-business-license:1", "YC-S1:supplement_request:food-business-license:2"], \
        "the gateway sees one id per item and round"


def test_a_written_decision_is_mailed_once_under_the_courier_key(world):
    for _ in range(2):
        world.consume(rejected("YC-R1", "mail", ADDRESS))
    row = world.delivery("YC-R1")
    assert (row.kind, row.method, row.status) == ("rejection_decision", "mail", "in_transit")
    assert row.details["contents"] == "不予行政许可决定书（SCJG-BYXK-20260302-0A1B2C3D）"
    assert row.details["decision_document"] == DOCUMENT
    assert len(world.courier.bookings("YC-R1")) == 1
    [told] = texts(world, "YC-R1", "rejection_notice")
    assert "SCJG-BYXK-20260302-0A1B2C3D" in told and "免费邮寄" in told and "/track/YC-R1/decision?code=" in told
    [dispatched] = texts(world, "YC-R1", "decision_mail_dispatched")
    assert row.tracking_number in dispatched


def test_a_written_decision_waits_at_the_hall_or_online_as_chosen(world):
    world.consume(rejected("YC-R2", "pickup"))
    pickup = world.delivery("YC-R2")
    assert (pickup.kind, pickup.status) == ("rejection_decision", "awaiting_pickup")
    [ready] = texts(world, "YC-R2", "decision_pickup_ready")
    assert pickup.pickup_code in ready and "不予许可决定书" in ready
    world.consume(rejected("YC-R3", "online"))
    online = world.delivery("YC-R3")
    [link] = texts(world, "YC-R3", "decision_online_ready")
    token = link.rsplit("/api/v1/downloads/", 1)[1]
    bundle = world.store.run(handover.download, token, world.ctx)
    assert online.status == "available" and bundle["decision_document"] == DOCUMENT
    assert bundle["approved_items"][0]["licenses"] == ["SCJG-20260302-1"]


def test_a_rejection_from_before_written_decisions_is_still_a_notice(world):
    from test_delivery_support import rejected as old_rejection
    world.consume(old_rejection("YC-R4"))
    assert world.delivery("YC-R4").kind == "rejection_notice"
