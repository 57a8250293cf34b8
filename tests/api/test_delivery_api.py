"""Delivery's HTTP API on the embedded suite: pickup hand-over, free mail, a returned parcel, online links."""
from __future__ import annotations

import json
from urllib.parse import urlparse

import pytest
import requests

from oversight_kit import AUTH, CLERK, SUPERVISOR, case_status, completed_case, delivery, embedded_suite
from yici_testkit import case_body, wait_for

ADDRESS = "内蒙古鄂尔多斯市乌审旗嘎鲁图镇测试路1号"
# the metrics test reads what the pickup test did on the module's suite: under xdist both run on one worker
pytestmark = pytest.mark.xdist_group("delivery-api")


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    with embedded_suite(tmp_path_factory.mktemp("delivery")) as process:
        yield process


def post(suite, path, body, headers):
    return requests.post(suite.url(path), data=json.dumps(body),
                         headers={**headers, "Content-Type": "application/json"}, timeout=15)


def notifications(suite, case_id):
    """The texts about the case's delivery (the acceptance was texted too, before it)."""
    return [n for n in requests.get(suite.url(f"/api/v1/deliveries/{case_id}/notifications"), headers=AUTH,
                                    timeout=10).json()["notifications"] if n["template"] != "acceptance_notice"]


def arrived(suite, case_id, status):
    return wait_for(lambda: (lambda d: d if d and d["status"] == status else None)(delivery(suite, case_id)),
                    timeout=30, what=f"{case_id} {status}")


def test_pickup_is_handed_over_by_a_clerk_with_the_code(suite):
    case_id = completed_case(suite, case_body("open-restaurant"))
    waiting = arrived(suite, case_id, "awaiting_pickup")
    assert waiting["hall"] == "乌审旗政务服务大厅" and "周一至周五" in waiting["opening_hours"]
    path = f"/api/v1/deliveries/{case_id}/pickup"
    assert post(suite, path, {"pickup_code": waiting["pickup_code"]}, AUTH).status_code == 403
    as_clerk = requests.get(suite.url(f"/api/v1/deliveries/{case_id}"), headers=CLERK, timeout=10).json()
    assert as_clerk["status"] == "awaiting_pickup" and as_clerk["pickup_code"] is None
    wrong = post(suite, path, {"pickup_code": "000000" if waiting["pickup_code"] != "000000" else "999999"}, CLERK)
    assert wrong.status_code == 422 and wrong.json()["problems"][0]["field"] == "pickup_code"
    assert post(suite, path, {"pickup_code": "12ab"}, CLERK).status_code == 422
    done = post(suite, path, {"pickup_code": waiting["pickup_code"]}, CLERK)
    assert done.status_code == 200 and done.json()["status"] == "picked_up"
    assert post(suite, path, {"pickup_code": waiting["pickup_code"]}, CLERK).json()["status"] == "picked_up"
    wait_for(lambda: case_status(suite, case_id)["status"] == "delivered", timeout=15, what="intake sees delivered")
    [sms] = notifications(suite, case_id)
    assert sms["template"] == "pickup_ready" and sms["status"] == "sent" and waiting["pickup_code"] in sms["text"]


def test_free_mail_is_booked_tracked_and_delivered(suite):
    case_id = completed_case(suite, case_body("open-restaurant", delivery={"method": "mail", "address": ADDRESS}))
    done = arrived(suite, case_id, "delivered")
    assert done["tracking_number"].startswith("SIM") and done["courier"] == "模拟快递"
    assert [t["code"] for t in done["tracking"]][-1] == "delivered"
    assert "address" not in done and "phone" not in json.dumps(done)
    wait_for(lambda: {n["template"] for n in notifications(suite, case_id)} == {"mail_dispatched", "mail_delivered"},
             timeout=15, what="both messages")
    def timeline_kinds():  # oversight's timeline is a read model: it follows the delivery within a batch window
        timeline = requests.get(suite.url(f"/api/v1/cases/{case_id}/timeline"), headers=AUTH, timeout=10).json()
        kinds = [e["event_type"] for e in timeline["events"]]
        return kinds if "delivery_completed" in kinds else None
    kinds = wait_for(timeline_kinds, timeout=15, what="the delivery in the timeline")
    assert kinds.count("delivery_dispatched") == 1 and kinds.count("delivery_completed") == 1


def test_a_returned_parcel_waits_at_the_hall(suite):
    body = case_body("open-restaurant", delivery={"method": "mail", "address": "乌审旗某地（收件人拒收）"})
    case_id = completed_case(suite, body)
    waiting = arrived(suite, case_id, "awaiting_pickup")
    assert waiting["method"] == "pickup" and waiting["requested_method"] == "mail"
    assert waiting["rerouted"] == "returned_to_pickup" and waiting["pickup_code"]
    wait_for(lambda: "returned_to_pickup" in {n["template"] for n in notifications(suite, case_id)}, timeout=15,
             what="the applicant is told")


def test_online_results_download_with_a_signed_link_and_not_with_a_forged_one(suite):
    case_id = completed_case(suite, case_body("open-restaurant", delivery={"method": "online"}))
    arrived(suite, case_id, "available")
    [sms] = wait_for(lambda: [n for n in notifications(suite, case_id) if n["status"] == "sent"], timeout=15,
                     what="the link is sent")
    url = sms["text"][sms["text"].index("http"):].split()[0]  # the rating link follows, after a space
    link = suite.url(urlparse(url).path)
    body = requests.get(link, timeout=10)
    assert body.status_code == 200 and body.json()["case_id"] == case_id
    assert arrived(suite, case_id, "downloaded")
    forged = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    assert requests.get(forged, timeout=10).status_code == 404
    fresh = post(suite, f"/api/v1/deliveries/{case_id}/link", {}, AUTH)
    assert fresh.status_code == 201 and requests.get(
        suite.url(urlparse(fresh.json()["download_url"]).path), timeout=10).status_code == 200
    assert post(suite, f"/api/v1/deliveries/{case_id}/link", {}, SUPERVISOR).status_code == 403


def test_delivery_metrics_are_exposed(suite):
    """Its own picked-up case: under xdist the other tests' cases may be on another worker's suite."""
    case_id = completed_case(suite, case_body("open-restaurant"))
    waiting = arrived(suite, case_id, "awaiting_pickup")
    done = post(suite, f"/api/v1/deliveries/{case_id}/pickup", {"pickup_code": waiting["pickup_code"]}, CLERK)
    assert done.status_code == 200, done.text
    wait_for(lambda: any(n["status"] == "sent" for n in notifications(suite, case_id)), timeout=15,
             what="the pickup text sent")
    text = requests.get(suite.url("/metrics"), timeout=10).text
    assert 'yici_deliveries{method="pickup",status="picked_up"}' in text
    assert 'yici_notifications{status="sent"}' in text
