"""好差评 end to end: the completion text links to the status page, the applicant rates there, a bad rating's
rectification reaches the department whose item was rated, which alone sees and closes it, and the applicant
reads on the same page what was done."""
from __future__ import annotations

import json

import pytest
import requests
import yaml
from integration.approval_kit import DEPARTMENT_TOKENS, department_auth

from oversight_kit import AUTH, case_status, completed_case, write_config
from yici_testkit import BIN, Process, base_env, case_body, free_port, wait_for

FOOD_ITEM, FOOD, TAX = "food-business-license", "market-regulation", "tax"


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rating")
    port = free_port()
    env = base_env(tmp, YICI_PORT=str(port))
    path = write_config(tmp, env)
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["clients"] += [{"name": f"{d} clerks", "token": DEPARTMENT_TOKENS[d], "role": "department",
                           "department": d} for d in (FOOD, TAX)]
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    process = Process([str(BIN / "yici"), "run", "--config", str(path)], env, tmp / "yici.log", port).start()
    process.wait_ready()
    yield process
    process.stop()


def rate(suite, case_id, **form):
    return requests.post(suite.url(f"/track/{case_id}/rating"), data=form, allow_redirects=False, timeout=10)


def rectifications(suite, department):
    return requests.get(suite.url("/api/v1/rectifications"), headers=department_auth(department), timeout=10)


def test_the_applicant_rates_on_the_status_page_and_reads_what_the_department_did(suite):
    case_id = completed_case(suite, case_body("open-restaurant"))
    code = case_status(suite, case_id)["lookup_code"]
    link = f"http://127.0.0.1:{suite.port}/track/{case_id}?code={code}"

    def completion_text():
        texts = requests.get(suite.url(f"/api/v1/deliveries/{case_id}/notifications"), headers=AUTH,
                             timeout=10).json()["notifications"]
        return next((n["text"] for n in texts if n["template"] == "pickup_ready"), None)
    assert link in wait_for(completion_text, timeout=30, what="the completion text")

    page = requests.get(link, timeout=10).text
    assert "<form class=rating" in page and f'value="{FOOD_ITEM}"' in page
    assert rate(suite, case_id, code="WRONGCODE000", score="1").status_code == 404
    answer = rate(suite, case_id, code=code, score="1", item_code=FOOD_ITEM, comment="现场核查等了很久")
    assert answer.status_code == 303 and answer.headers["Location"].endswith(f"/track/{case_id}?code={code}")
    assert rate(suite, case_id, code=code, score="5").status_code == 409
    assert "已转交相关部门整改" in requests.get(link, timeout=10).text

    def own_task():
        tasks = rectifications(suite, FOOD).json()["rectifications"]
        return next((t for t in tasks if t["case_id"] == case_id), None)
    task = wait_for(own_task, timeout=30, what="the rectification at the rated item's department")
    assert task["item_code"] == FOOD_ITEM and task["score"] == 1
    assert case_id not in {t["case_id"] for t in rectifications(suite, TAX).json()["rectifications"]}
    close = f"/api/v1/rectifications/{task['task_id']}/close"
    headers = {"Content-Type": "application/json"}
    assert requests.post(suite.url(close), data=json.dumps({"note": "x"}), timeout=10,
                         headers={**department_auth(TAX), **headers}).status_code == 404
    done = requests.post(suite.url(close), data=json.dumps({"note": "已优化现场核查预约，48小时内上门"}), timeout=10,
                         headers={**department_auth(FOOD), **headers})
    assert done.status_code == 200 and done.json()["closed_by"] == "department"
    assert wait_for(lambda: "已优化现场核查预约" in requests.get(link, timeout=10).text and "整改反馈" in
                    requests.get(link, timeout=10).text, timeout=30, what="the outcome on the status page")
    assert case_status(suite, case_id)["rectification"]["department"] == "乌审旗市场监督管理局"
