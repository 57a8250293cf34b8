"""Department systems written only with pika (services/approval/client.py) decide their queues on RabbitMQ."""
from __future__ import annotations

import pika
import pytest
import requests
from integration.approval_kit import ConfiguredCluster, accepted, department_user, publish, supplement, write_config

from services.approval.client import DepartmentClient, Request
from shared.topology import department_queue_name
from yici_testkit import AUTH, CLERK, broker_vhost, postgres_database, require_postgres, require_rabbit, wait_for

pytestmark = [pytest.mark.rabbit, pytest.mark.postgres]
HOLDER = "91150626MA0N000088"
PERSON = "11010519491231002X"
BANKRUPTCY = ["enterprise-registration-inquiry", "real-estate-registration-inquiry",
              "social-insurance-arrears-inquiry", "tax-arrears-inquiry"]


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    require_rabbit()
    require_postgres()
    tmp = tmp_path_factory.mktemp("department-client")
    config = write_config(tmp, approval={"departments": {
        "tax": "external", "natural-resources": "external", "health": "external"}})
    with broker_vhost() as vhost, postgres_database() as pg_url:
        cluster = ConfiguredCluster(tmp, vhost, pg_url, config).start("routing", "approval")
        yield cluster, vhost
        cluster.stop()


def status(cluster, case_id):
    return cluster.plan(case_id).get("status")


def take(client: DepartmentClient, case_id: str, round: int = 1) -> Request:
    """The request of `case_id` (others stay unacked and come again later)."""
    for request in client.requests(idle_timeout=20):
        if request.case_id == case_id and request.round == round:
            return request
    raise AssertionError(f"no request for {case_id} round {round}")


def again(request: Request) -> Request:
    """The same request once more, as a system replying twice would send it."""
    return Request(request.case_id, request.payload, request.correlation_id, True, 0, -1)


def test_a_department_system_with_least_privilege_decides_its_queue_and_each_reply_is_answered(env):
    cluster, vhost = env
    case = accepted("bankruptcy-check", holder_id=HOLDER)
    publish(vhost, [case])
    with department_user(vhost, "tax") as tax_uri, department_user(vhost, "natural-resources") as land_uri:
        with DepartmentClient(tax_uri, "tax") as tax, DepartmentClient(land_uri, "natural-resources") as land:
            request = take(tax, case.case_id)
            assert request.payload["due_date"] and request.payload["case_due_date"]
            assert request.payload["holder_name"] and request.payload["routing_reason"]
            assert tax.approve(request).status == "recorded"
            assert land.approve(take(land, case.case_id)).status == "recorded"
            wait_for(lambda: status(cluster, case.case_id) == "completed", timeout=30, what="completion")
            second = tax.reject(again(request), ["重复答复"], "《中华人民共和国行政许可法》第三十八条第二款")
            assert (second.status, second.decision) == ("already_decided", "approved")
    assert status(cluster, case.case_id) == "completed", "the second reply changed nothing"


def test_the_department_user_cannot_read_another_departments_queue(env):
    _, vhost = env
    with department_user(vhost, "tax") as tax_uri:
        connection = pika.BlockingConnection(pika.URLParameters(tax_uri))
        channel = connection.channel()
        with pytest.raises(pika.exceptions.ChannelClosedByBroker) as refused:
            channel.basic_get(department_queue_name("natural-resources"))
        assert refused.value.reply_code == 403
        connection.close()


def test_a_rejection_rejects_the_case_and_the_other_department_is_told_and_answered_cancelled(env):
    cluster, vhost = env
    case = accepted("bankruptcy-check")
    publish(vhost, [case])
    cancelled = []
    with DepartmentClient(_guest(vhost), "tax") as tax, \
            DepartmentClient(_guest(vhost), "natural-resources", on_cancel=cancelled.append) as land:
        land_request = take(land, case.case_id)
        assert tax.reject(take(tax, case.case_id), ["存在欠税，不予出具无欠税证明"], "《中华人民共和国行政许可法》第三十八条第二款").status == "recorded"
        wait_for(lambda: status(cluster, case.case_id) == "rejected", timeout=30, what="rejection")
        wait_for(lambda: list(land.requests(idle_timeout=0.5)) == [] and cancelled, timeout=20,
                 what="approval_cancelled")
        assert cancelled[0]["request_id"] == land_request.request_id
        assert land.approve(land_request).status == "cancelled"
    plan = cluster.plan(case.case_id)
    assert {i["item_code"]: i["status"] for i in plan["items"]}["real-estate-registration-inquiry"] == "cancelled"


def test_a_supplement_waits_for_the_applicant_and_round_two_is_decided(env):
    cluster, vhost = env
    case = accepted("bankruptcy-check")
    publish(vhost, [case])
    with DepartmentClient(_guest(vhost), "tax") as tax, DepartmentClient(_guest(vhost), "natural-resources") as land:
        land.approve(take(land, case.case_id))
        asked = tax.ask_supplement(take(tax, case.case_id), ["请补充法院受理破产申请裁定书"])
        assert asked.status == "recorded"
        wait_for(lambda: cluster.plan(case.case_id)["clock"]["suspensions"], timeout=20, what="case clock stopped")
        publish(vhost, [supplement(case.case_id, "tax-arrears-inquiry", {"court_case_number": "(2026)蒙0626破1号"})])
        round_two = take(tax, case.case_id, round=2)
        assert round_two.payload["form"]["court_case_number"] == "(2026)蒙0626破1号"
        assert tax.approve(round_two).status == "recorded"
        wait_for(lambda: status(cluster, case.case_id) == "completed", timeout=30, what="completion")
    clock = cluster.plan(case.case_id)["clock"]
    assert clock["suspensions"][0]["resumed_on"] is not None


def test_an_approval_issues_a_sealed_license_listed_for_the_holder(env):
    cluster, vhost = env
    case = accepted("newborn", holder_id=PERSON)
    publish(vhost, [case])
    with DepartmentClient(_guest(vhost), "health") as health:
        answer = health.approve(take(health, case.case_id))
    assert answer.status == "recorded" and len(answer.licenses) == 1
    number = answer.licenses[0]
    # the 出生医学证明 is the child's (the catalog's license_holder), referenced by the case until registered
    child = f"{case.case_id}/newborn"
    listed = requests.get(cluster.url("approval", "/api/v1/licenses"), params={"holder": child,
                          "type": "birth-medical-certificate", "purpose": "test"}, headers=CLERK,
                          timeout=10).json()["licenses"]
    assert number in [lic["number"] for lic in listed]
    parents = requests.get(cluster.url("approval", "/api/v1/licenses"), params={"holder": PERSON,
                           "type": "birth-medical-certificate", "purpose": "test"}, headers=CLERK,
                           timeout=10).json()["licenses"]
    assert number not in [lic["number"] for lic in parents]
    document = requests.get(cluster.url("approval", f"/api/v1/licenses/{number}/document"), headers=AUTH,
                            timeout=10)
    assert document.headers["Content-Disposition"].endswith(f'{number}.json"')
    check = requests.post(cluster.url("approval", "/api/v1/licenses/verify"), json=document.json(), timeout=10)
    assert check.json()["valid"] is True
    forged = document.json()
    forged["content"]["holder_id"] = "91150626MA0N0000XX"
    assert requests.post(cluster.url("approval", "/api/v1/licenses/verify"), json=forged,
                         timeout=10).json()["valid"] is False


def test_the_client_reconnects_on_its_own_and_acks_only_what_was_answered(env):
    cluster, vhost = env
    case = accepted("bankruptcy-check")
    publish(vhost, [case])
    client = DepartmentClient(_guest(vhost), "tax", heartbeat=2)
    try:
        first = take(client, case.case_id)
        client._connection.close()  # the broker link drops before the decision
        assert client.approve(first).status == "recorded"
        assert [r for r in client.requests(idle_timeout=2) if r.case_id == case.case_id] == [], \
            "the redelivered request was answered already, so it is acked, not offered again"
    finally:
        client.close()


def _guest(vhost: str) -> str:
    from yici_testkit import amqp_uri
    return amqp_uri(vhost)
