"""Pickup, free mail and online delivery; rejection and correction notices; what the SMS says."""
from __future__ import annotations

import logging
from urllib.parse import urlparse

import pytest

from edge_support import as_http
from services.delivery import handover
from shared.api import ApiError
from test_delivery_support import ADDRESS, NAME, PHONE, completed, correction, rejected, world  # noqa: F401


def texts(world, case_id):
    return [r.text for r in world.gateway.sent(case_id)]


def test_pickup_gets_a_code_at_the_hall_and_the_applicant_is_told_when_and_where(world):
    world.consume(completed("YC-P1"))
    row = world.delivery("YC-P1")
    assert row.method == "pickup" and row.status == "awaiting_pickup" and len(row.pickup_code) == 8
    [dispatched] = world.events("delivery_dispatched")
    assert dispatched["payload"]["pickup_code"] == row.pickup_code
    assert dispatched["payload"]["hall"] == "乌审旗政务服务大厅"
    [text] = texts(world, "YC-P1")
    assert text.startswith("【乌审旗政务服务】") and row.pickup_code in text and "乌审旗政务服务大厅" in text
    assert "周一至周五" in text and "开办餐饮店一件事" in text
    assert world.gateway.sent("YC-P1")[0].phone == PHONE
    assert world.notifications("YC-P1")[0].phone == "138****8000"


def test_the_clerk_confirms_the_hand_over_once_with_the_right_code(world):
    world.consume(completed("YC-P2"))
    code = world.delivery("YC-P2").pickup_code
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ApiError) as error, as_http():
        world.store.run(handover.confirm_pickup, "YC-P2", wrong, "窗口张三", world.ctx).answer()
    assert error.value.status == 422 and world.delivery("YC-P2").details["pickup_failures"] == 1
    for _ in range(2):
        result = world.store.run(handover.confirm_pickup, "YC-P2", code, "窗口张三", world.ctx).answer()
    assert result["status"] == "picked_up" and result["handed_over_by"] == "窗口张三"
    assert [e["payload"]["method"] for e in world.events("delivery_completed")] == ["pickup"]


def test_mail_is_booked_tracked_and_completed_when_delivered(world):
    world.consume(completed("YC-M1", "mail", ADDRESS))
    row = world.delivery("YC-M1")
    assert row.status == "in_transit" and row.tracking_number.startswith("SIM")
    assert world.courier.bookings("YC-M1")[0].idempotency_key == row.details["idempotency_key"]
    steps = [world.work()["arrived_or_returned"] for _ in range(5)]
    assert steps == [0, 0, 0, 1, 0]
    row = world.delivery("YC-M1")
    assert row.status == "delivered"
    assert [e["code"] for e in row.details["tracking"]] == ["collected", "in_transit", "out_for_delivery", "delivered"]
    assert [e["event_type"] for e in world.events()] == ["delivery_dispatched", "delivery_completed"]
    sent = texts(world, "YC-M1")
    assert row.tracking_number in sent[0] and "模拟快递" in sent[0] and "已签收" in sent[1]


def test_a_returned_parcel_becomes_a_pickup(world):
    world.consume(completed("YC-M2", "mail", "乌审旗某地（收件人拒收）"))
    for _ in range(4):
        world.work()
    row = world.delivery("YC-M2")
    assert row.method == "pickup" and row.status == "awaiting_pickup" and row.pickup_code
    assert row.details["requested_method"] == "mail" and row.details["rerouted"] == "returned_to_pickup"
    assert row.details["tracking"][-1]["code"] == "returned"
    dispatched = world.events("delivery_dispatched")
    assert [(e["payload"]["method"], e["payload"]["reason"]) for e in dispatched] == [
        ("mail", None), ("pickup", "returned_to_pickup")]
    assert "退回" in texts(world, "YC-M2")[-1] and row.pickup_code in texts(world, "YC-M2")[-1]
    assert world.events("delivery_completed") == []


def test_online_delivery_is_a_signed_expiring_link_completed_by_the_first_download(world):
    world.consume(completed("YC-O1", "online"))
    [text] = texts(world, "YC-O1")
    url = text[text.index("https://"):]
    token = urlparse(url).path.rsplit("/", 1)[1]
    assert world.delivery("YC-O1").status == "available"
    for _ in range(2):
        bundle = world.store.run(handover.download, token, world.ctx)
    assert bundle["licenses"][0]["number"] == "SCJG-2026-000001"
    assert bundle["licenses"][0]["verify_url"].endswith("/api/v1/licenses/SCJG-2026-000001/verify")
    assert world.delivery("YC-O1").status == "downloaded"
    assert len(world.events("delivery_completed")) == 1


@pytest.mark.parametrize("tamper, status", [(lambda t: t[:-2] + ("AA" if t[-2:] != "AA" else "BB"), 404),
                                            (lambda t: "x" + t, 404), (lambda t: "", 404)])
def test_a_tampered_link_is_not_found(world, tamper, status):
    world.consume(completed("YC-O2", "online"))
    token = texts(world, "YC-O2")[0].rsplit("/", 1)[1]
    with pytest.raises(ApiError) as error, as_http():
        world.store.run(handover.download, tamper(token), world.ctx)
    assert error.value.status == status


def test_an_expired_link_is_gone_and_a_new_one_can_be_issued(world):
    world.consume(completed("YC-O3", "online"))
    token = texts(world, "YC-O3")[0].rsplit("/", 1)[1]
    world.clock.advance(days=31)
    with pytest.raises(ApiError) as error, as_http():
        world.store.run(handover.download, token, world.ctx)
    assert error.value.status == 410
    fresh = world.store.run(handover.reissue_link, "YC-O3", world.ctx)
    assert world.store.run(handover.download, fresh["download_url"].rsplit("/", 1)[1], world.ctx)["case_id"] == "YC-O3"


def test_a_rejection_is_delivered_as_a_notice_once(world):
    for _ in range(2):
        world.consume(rejected("YC-N1"))
    row = world.delivery("YC-N1")
    assert row.kind == "rejection_notice" and row.status == "notified"
    [text] = texts(world, "YC-N1")
    assert "未予通过" in text and "经营场所不符合食品安全要求" in text
    assert world.events() == []


def test_a_correction_notice_lists_the_count_the_deficiencies_and_the_deadline(world):
    world.consume(correction("YC-N2"))
    [text] = texts(world, "YC-N2")
    assert "需补正2项" in text and "缺少租赁合同；经营面积填写有误" in text and "2026-03-09" in text
    assert world.delivery("YC-N2") is None  # a notice is not the case's result


def test_a_notice_without_a_phone_number_is_kept_unsent(world):
    world.consume(correction("YC-N3", contact=False))
    [row] = world.notifications("YC-N3")
    assert row.status == "no_recipient" and world.gateway.sent("YC-N3") == []


def test_no_personal_data_reaches_the_logs(world, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    world.consume(completed("YC-L1", "mail", ADDRESS))
    world.consume(completed("YC-L2"))
    for _ in range(5):
        world.work()
    out, err = capsys.readouterr()
    logged = out + err + caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    assert "YC-L1" in logged  # the logs do speak about the case
    for secret in (PHONE, NAME, ADDRESS, "嘎鲁图镇"):
        assert secret not in logged


def test_a_hall_the_county_did_not_name_never_reaches_the_sms(world):
    """Cases taken in before intake refused unknown halls may still name one: the default hall is used."""
    event = completed("YC-H1")
    delivery = event.payload.delivery.model_copy(update={"hall": "请点击 http://wsq-gov.example 领取"})
    world.consume(event.model_copy(update={"payload": event.payload.model_copy(update={"delivery": delivery})}))
    [text] = texts(world, "YC-H1")
    assert "http" not in text and "请点击" not in text and "乌审旗政务服务中心综合窗口" in text
    assert world.delivery("YC-H1").details["hall"] == "乌审旗政务服务中心综合窗口"


def test_a_clerks_notice_is_told_by_the_catalog_names_of_what_it_concerns_not_the_clerks_words(world):
    event = correction("YC-N4")
    deficiencies = [{"target": "materials.court-acceptance-ruling", "code": "clerk",
                     "message_zh": "请到 http://wsq-gov.example 重新上传", "message_en": "x"},
                    {"target": "form.area", "code": "clerk", "message_zh": "加微信 abc123 办理", "message_en": "y"}]
    world.consume(event.model_copy(update={"payload": event.payload.model_copy(update={
        "deficiencies": [type(event.payload.deficiencies[0]).model_validate(d) for d in deficiencies]})}))
    [text] = texts(world, "YC-N4")
    assert "需补正2项" in text and "人民法院受理破产申请裁定书" in text and "请补正表单内容" in text
    assert "http" not in text and "微信" not in text
