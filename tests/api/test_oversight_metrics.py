"""Metrics follow Prometheus conventions (`promtool check metrics`), and the scrape config, alert rules and
the supervisors' Grafana dashboard refer to metrics that exist."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import datetime, timedelta

import pytest
import requests
import yaml

from oversight_kit import AUTH, back_to_today, completed_case, embedded_suite, scan_on
from shared.config import REPO_ROOT
from shared.workdays import today_in_shanghai
from yici_testkit import case_body, submit, wait_for

PROMETHEUS = REPO_ROOT / "deploy" / "prometheus"
DASHBOARD = REPO_ROOT / "deploy" / "grafana" / "dashboards" / "yici-supervision.json"


def promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        pytest.fail("promtool is missing: run deploy/install-tools.sh (Debian package prometheus)")
    return path


@pytest.fixture(scope="module")
def exposition(tmp_path_factory):
    """/metrics after real traffic: completed, open, warned and rated cases."""
    approval = {"departments": {"natural-resources": "worklist"}}
    with embedded_suite(tmp_path_factory.mktemp("metrics"), clock=True, approval=approval) as suite:
        done = completed_case(suite, case_body("open-restaurant"))
        open_case = submit(suite.url(""), case_body("bankruptcy-check")).json()["case_id"]
        wait_for(lambda: requests.get(suite.url(f"/api/v1/cases/{done}/timeline"), headers=AUTH, timeout=10)
                 .json()["status"] in ("completed", "delivered"), timeout=20, what="oversight saw it")
        requests.post(suite.url(f"/api/v1/cases/{done}/rating"), json={"score": 2}, headers=AUTH, timeout=10)
        assert scan_on(suite, today_in_shanghai() + timedelta(days=30)), "the open case is late a month on"
        back_to_today(suite)
        wait_for(lambda: "yici_case_completion_workdays_bucket" in requests.get(suite.url("/metrics")).text,
                 timeout=10, what="histogram observed")
        assert open_case
        yield requests.get(suite.url("/metrics"), timeout=10).text


def test_promtool_accepts_the_exposition(exposition, tmp_path):
    done = subprocess.run([promtool(), "check", "metrics"], input=exposition, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "" and done.stderr.strip() == "", \
        done.stdout + done.stderr


@pytest.mark.parametrize("family", [
    "yici_cases", "yici_cases_on_time_ratio", "yici_case_completion_duration_seconds",
    "yici_case_completion_workdays", "yici_supervision_warnings_open", "yici_supervision_warnings_raised_total",
    "yici_rectification_tasks_open", "yici_ratings_received_total", "yici_deliveries", "yici_notifications",
    "yici_outbox_backlog", "yici_events_handled_total", "yici_http_requests_total", "yici_batch_events",
    "yici_db_commits_total", "yici_calendar_official_until_timestamp_seconds"])
def test_the_issue_metrics_are_exposed(exposition, family):
    assert re.search(rf"^# TYPE {family} ", exposition, re.M), family


def test_cases_are_counted_by_matter_status_and_channel(exposition):
    assert re.search(r'^yici_cases\{channel="online",matter="open-restaurant",status="(completed|delivered)"\} 1\.0$',
                     exposition, re.M)


def test_the_alert_rules_and_scrape_config_are_valid():
    for args in (["check", "rules", str(PROMETHEUS / "rules" / "yici-supervision.yml")],
                 ["check", "config", "--syntax-only", str(PROMETHEUS / "prometheus.yml")]):
        done = subprocess.run([promtool(), *args], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr


def test_the_supervision_dashboard_queries_metrics_that_exist(exposition):
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    assert len(exprs) >= 8 and dashboard["uid"] == "yici-supervision"
    families = set(re.findall(r"^# TYPE (\S+) ", exposition, re.M))
    series = {name for f in families for name in (f, f + "_bucket", f + "_sum", f + "_count")}
    for expr in exprs:
        for name in re.findall(r"\b(yici_[a-z_]+)", expr):
            assert name in series, (name, expr)


def test_the_alert_rules_query_metrics_that_exist(exposition):
    rules = yaml.safe_load((PROMETHEUS / "rules" / "yici-supervision.yml").read_text(encoding="utf-8"))
    exprs = [r["expr"] for group in rules["groups"] for r in group["rules"]]
    assert len(exprs) >= 8
    families = set(re.findall(r"^# TYPE (\S+) ", exposition, re.M))
    for expr in exprs:
        for name in re.findall(r"\b(yici_[a-z_]+)", expr):
            assert name in families, (name, expr)


def test_the_calendar_gauge_says_when_the_official_data_ends(exposition):
    from shared.workdays import SHANGHAI, WorkingCalendar
    value = float(re.search(r"^yici_calendar_official_until_timestamp_seconds (\S+)$", exposition, re.M).group(1))
    end = datetime.fromtimestamp(value, SHANGHAI)
    assert (end.hour, end.minute) == (0, 0)
    assert end.date() == WorkingCalendar.from_file().covered_until() + timedelta(days=1)


def _sample(exposition: str, name: str, service: str) -> float:
    match = re.search(rf'^{name}{{service="{service}"}} (\S+)$', exposition, re.M)
    assert match, f"{name} for {service}"
    return float(match.group(1))


@pytest.mark.parametrize("service", ["intake", "routing", "approval", "delivery", "oversight"])
def test_batches_and_commits_are_counted_per_service(exposition, service):
    """What tells an operator whether consumers run in the costly one-event-per-transaction regime."""
    batches = _sample(exposition, "yici_batch_events_count", service)
    events = _sample(exposition, "yici_batch_events_sum", service)
    assert batches >= 1 and events >= batches, (batches, events)
    assert _sample(exposition, "yici_db_commits_total", service) >= batches, "each batch is a committed transaction"
