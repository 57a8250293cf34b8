"""A person's browser that hits a refusal on a page gets a page in Chinese with the same status, not a JSON
body; the API (and any client that does not ask for HTML) keeps its JSON problems."""
from __future__ import annotations

import subprocess

import pytest
import requests

from yici_testkit import BIN, Process, base_env, free_port

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("error-pages")
    port = free_port()
    process = Process([str(BIN / "yici"), "run"], base_env(tmp, YICI_PORT=str(port)), tmp / "yici.log", port).start()
    process.wait_ready()
    yield process
    process.stop()


def test_a_missing_case_page_is_a_chinese_page_for_a_browser(suite):
    answer = requests.get(suite.url("/track/YCNOSUCHCASE0"), headers=BROWSER, timeout=10)
    assert answer.status_code == 404 and answer.headers["Content-Type"].startswith("text/html")
    assert "页面不存在" in answer.text and "回到首页" in answer.text and '"problems"' not in answer.text


def test_an_approver_asking_for_an_unknown_task_gets_a_page(suite):
    added = subprocess.run([str(BIN / "yici"), "users", "add", "bm21", "--name", "审批 孙某", "--role",
                            "department_approver", "--department", "tax", "--password-stdin"], env=suite.env,
                           input="approver-password-21\n", text=True, capture_output=True, timeout=60)
    assert added.returncode == 0, added.stderr
    approver = requests.Session()
    signed = approver.post(suite.url("/staff/signin"), data={"account_id": "bm21", "password": "approver-password-21"},
                           allow_redirects=False, timeout=30)
    assert signed.status_code == 303, signed.text
    answer = approver.get(suite.url("/department/tasks/YCNOSUCHCASE0:tax-clearance"), headers=BROWSER, timeout=10)
    assert answer.status_code == 404 and answer.headers["Content-Type"].startswith("text/html"), answer.text
    assert "页面不存在" in answer.text and "审批 孙某" not in answer.text


def test_the_api_and_non_browser_clients_keep_json_problems(suite):
    api = requests.get(suite.url("/api/v1/cases/YCNOSUCHCASE0"), headers=BROWSER, timeout=10)
    assert api.headers["Content-Type"].startswith("application/json") and api.status_code in (401, 404)
    plain = requests.get(suite.url("/track/YCNOSUCHCASE0"), timeout=10)
    assert plain.status_code == 404 and plain.headers["Content-Type"].startswith("application/json")
