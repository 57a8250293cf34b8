"""Issue 17, reads beyond need-to-know: an ID number turns into licenses only for the roles that need it, with a
stated purpose; a department sees only the cases where it has an item, and only its own items there."""
from __future__ import annotations

import pytest
import requests

from need_to_know_kit import (
    AUTH,
    CLERK,
    HOLDER,
    ISSUER,
    OUTSIDER,
    SUPERVISOR,
    TAX,
    company_case,
    department_auth,
    licenses,
)
from yici_testkit import wait_for

CASE_READS = ("/api/v1/routing/cases/{case_id}", "/api/v1/cases/{case_id}/timeline", "/api/v1/cases/{case_id}/sla",
              "/api/v1/deliveries/{case_id}")


@pytest.fixture(scope="module")
def case(departments_suite):
    case_id, license = company_case(departments_suite)
    wait_for(lambda: requests.get(departments_suite.url(f"/api/v1/cases/{case_id}/sla"), headers=SUPERVISOR,
                                  timeout=10).status_code == 200, timeout=20, what="oversight has the case")
    return case_id, license


def test_the_front_end_token_cannot_turn_an_id_number_into_licenses(departments_suite, case):
    refused = licenses(departments_suite, AUTH, purpose="curiosity")
    assert refused.status_code == 403, refused.text
    assert HOLDER not in refused.text


def test_a_holder_lookup_without_a_stated_purpose_is_400_naming_purpose(departments_suite, case):
    for headers in (CLERK, SUPERVISOR, department_auth(ISSUER)):
        refused = licenses(departments_suite, headers)
        assert refused.status_code == 400, refused.text
        assert [p["field"] for p in refused.json()["problems"]] == ["purpose"]
        assert HOLDER not in refused.text


def test_clerks_and_supervisors_look_up_a_holder_with_a_purpose(departments_suite, case):
    _, license = case
    for headers in (CLERK, SUPERVISOR):
        found = licenses(departments_suite, headers, purpose="reuse of held licenses at the window")
        assert found.status_code == 200 and license["number"] in [lic["number"] for lic in found.json()["licenses"]]


def test_a_department_looks_up_only_its_own_licenses(departments_suite, case):
    _, license = case
    own = licenses(departments_suite, department_auth(ISSUER), purpose="annual inspection").json()["licenses"]
    assert license["number"] in [lic["number"] for lic in own] and {lic["issuing_department"] for lic in own} == {ISSUER}
    other = licenses(departments_suite, department_auth(OUTSIDER), purpose="annual inspection")
    assert other.status_code == 200 and other.json()["licenses"] == []
    document = f"/api/v1/licenses/{license['number']}/document"
    assert requests.get(departments_suite.url(document), headers=department_auth(OUTSIDER),
                        timeout=10).status_code == 404
    assert requests.get(departments_suite.url(document), headers=department_auth(ISSUER),
                        timeout=10).status_code == 200


@pytest.mark.parametrize("path", CASE_READS)
def test_a_department_without_an_item_in_the_case_gets_404_as_for_no_case(departments_suite, case, path):
    case_id, _ = case
    headers = department_auth(OUTSIDER)
    theirs = requests.get(departments_suite.url(path.format(case_id=case_id)), headers=headers, timeout=10)
    nobody = requests.get(departments_suite.url(path.format(case_id="YC-NO-SUCH-CASE")), headers=headers, timeout=10)
    assert theirs.status_code == nobody.status_code == 404, theirs.text
    assert theirs.json()["problems"][0]["code"] == nobody.json()["problems"][0]["code"]
    assert requests.get(departments_suite.url(path.format(case_id=case_id)), headers=SUPERVISOR,
                        timeout=10).status_code == 200


def test_a_department_with_an_item_sees_only_its_own_items(departments_suite, case):
    case_id, _ = case
    headers = department_auth(TAX)
    plan = requests.get(departments_suite.url(f"/api/v1/routing/cases/{case_id}"), headers=headers, timeout=10)
    assert plan.status_code == 200, plan.text
    assert {i["department"] for i in plan.json()["items"]} == {TAX} and plan.json()["joint_tasks"] == []
    everything = requests.get(departments_suite.url(f"/api/v1/routing/cases/{case_id}"), headers=SUPERVISOR,
                              timeout=10).json()
    assert len({i["department"] for i in everything["items"]}) > 1, "the supervisor still sees the whole plan"
    sla = requests.get(departments_suite.url(f"/api/v1/cases/{case_id}/sla"), headers=headers, timeout=10).json()
    assert sla["items"] and {i["department"] for i in sla["items"]} == {TAX}
    timeline = requests.get(departments_suite.url(f"/api/v1/cases/{case_id}/timeline"), headers=headers,
                            timeout=10).json()
    actors = {e["actor"] for e in timeline["events"]}
    assert not any(a.startswith(f"{ISSUER}:") for a in actors), actors
    whole = requests.get(departments_suite.url(f"/api/v1/cases/{case_id}/timeline"), headers=SUPERVISOR,
                         timeout=10).json()
    assert any(e["actor"].startswith(f"{ISSUER}:") for e in whole["events"]), "other departments decided"


def test_a_department_client_must_name_its_department(tmp_path):
    from shared.config import ConfigError, load_settings
    config = tmp_path / "yici.yaml"
    config.write_text("clients:\n  - {name: 无部门, token: abcdefgh12345678, role: department}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="no department code"):
        load_settings(config, env={})
