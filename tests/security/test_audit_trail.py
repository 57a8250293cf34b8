"""Issue 17, the audit trail: every read of a case's personal data and every decision is recorded (who, when,
from where, for what purpose, the person only as a pseudonym), hash-chained and append-only; `yici audit verify`
finds an edited, deleted or reordered entry and says where; /metrics publishes the head; supervisors query it."""
from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from need_to_know_kit import AUTH, CLERK, HOLDER, SUPERVISOR, TAX, audit, company_case, department_auth, licenses
from shared.config import REPO_ROOT
from shared.workdays import today_in_shanghai
from yici_testkit import BIN, case_body, submit, wait_for


@pytest.fixture(scope="module")
def trail(departments_suite):
    """Reads by every kind of client and a worklist decision, all in the trail."""
    suite = departments_suite
    case_id, _ = company_case(suite)
    assert licenses(suite, CLERK, purpose="reuse of held licenses").status_code == 200
    assert requests.get(suite.url(f"/api/v1/cases/{case_id}"), headers=AUTH, timeout=10).status_code == 200
    assert requests.get(suite.url(f"/api/v1/deliveries/{case_id}/notifications"), headers=AUTH,
                        timeout=10).status_code == 200
    plan = requests.get(suite.url(f"/api/v1/routing/cases/{case_id}"), headers=SUPERVISOR,
                        params={"purpose": "complaint 2026-17"}, timeout=10)
    assert plan.status_code == 200
    inquiry = submit(suite.url(""), case_body("bankruptcy-check")).json()["case_id"]  # tax decides it by worklist
    task = wait_for(lambda: _tax_tasks(suite, inquiry), timeout=20, what="the tax task")[0]
    decided = requests.post(suite.url(f"/api/v1/departments/{TAX}/tasks/{task['request_id']}/decision"),
                            json={"decision": "approved", "clerk": "李四"}, headers=department_auth(TAX), timeout=10)
    assert decided.status_code == 200, decided.text
    wait_for(lambda: {"case.read", "case.plan.read", "case.notifications.read"} <= {e["action"] for e in audit(suite, case_id=case_id)} and
             audit(suite, case_id=inquiry), timeout=20, what="the reads and the decision in the trail")
    return suite, case_id, inquiry


def _tax_tasks(suite, case_id):
    listed = requests.get(suite.url(f"/api/v1/departments/{TAX}/tasks"), headers=department_auth(TAX), timeout=10)
    return [t for t in listed.json()["tasks"] if t["case_id"] == case_id] or None


def test_reads_and_decisions_say_who_what_why_and_from_where(trail):
    suite, case_id, inquiry = trail
    entries = {e["action"]: e for e in audit(suite, case_id=case_id) + audit(suite, case_id=inquiry)}
    read = entries["case.read"]
    assert read["actor"]["kind"] == "client" and read["actor"]["role"] == "frontend" and read["service"] == "intake"
    assert read["client_address"] == "127.0.0.1" and read["purpose"] == "case_progress" and read["occurred_at"]
    assert entries["case.plan.read"]["purpose"] == "complaint 2026-17"
    assert entries["case.notifications.read"]["service"] == "delivery"
    assert entries["case.plan.read"]["actor"]["role"] == "supervisor"
    decided = entries["task.decided"]
    assert decided["actor"] == {"kind": "staff", "name": "李四", "role": "department", "department": TAX,
                                "client": f"{TAX} clerks"} and decided["outcome"] == "approved"


def test_a_person_is_found_by_id_number_but_never_stored_as_one(trail):
    suite, case_id, _ = trail
    lookups = [e for e in audit(suite, subject=HOLDER, purpose="data subject access request")
               if e["action"] == "license.holder_lookup"]
    assert lookups and all(e["subject"].startswith("p:") and e["actor"]["role"] == "clerk" for e in lookups)
    assert {e["subject"] for e in audit(suite, case_id=case_id) if e["action"] == "case.read"} == \
        {lookups[0]["subject"]}, "the case's reads name the same person"
    with sqlite3.connect(suite.data_dir / "oversight.db") as db:
        rows = db.execute("SELECT * FROM oversight_audit_chain").fetchall()
    assert rows and HOLDER not in json.dumps(rows, ensure_ascii=False)


def test_supervisors_query_by_actor_and_period_and_page(trail):
    suite, case_id, inquiry = trail
    today = today_in_shanghai()
    assert audit(suite, actor="李四", case_id=inquiry)[0]["action"] == "task.decided"
    assert audit(suite, case_id=case_id, **{"from": str(today), "to": str(today)})
    assert audit(suite, case_id=case_id, **{"from": str(today + timedelta(days=1))}) == []
    first = requests.get(suite.url("/api/v1/audit"), params={"limit": 1}, headers=SUPERVISOR, timeout=10).json()
    after = audit(suite, after=first["next_after"], limit=1)
    assert first["entries"][0]["seq"] == 1 and after[0]["seq"] == 2
    for headers in (AUTH, CLERK, department_auth(TAX)):
        assert requests.get(suite.url("/api/v1/audit"), headers=headers, timeout=10).status_code == 403


def test_the_supervisors_page_shows_the_head_and_the_latest_entries(trail):
    suite, _, _ = trail
    page = requests.get(suite.url("/oversight"), headers=SUPERVISOR, timeout=10)
    assert page.status_code == 200 and 'id="audit"' in page.text
    assert re.search(r"共 \d+ 条，链头 <code>[0-9a-f]{64}</code>", page.text), page.text[-2000:]
    assert "task.decided" in page.text and HOLDER not in page.text


def test_the_table_refuses_update_and_delete(trail):
    suite, _, _ = trail
    with sqlite3.connect(suite.data_dir / "oversight.db") as db:
        for statement in ("UPDATE oversight_audit_chain SET purpose = 'x'", "DELETE FROM oversight_audit_chain"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                db.execute(statement)


def _verify(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "YICI_DATA_DIR": str(data_dir)}
    return subprocess.run([str(BIN / "yici"), "audit", "verify", *args], env=env, capture_output=True, text=True,
                          timeout=60)


def _copy(suite, tmp_path: Path, name: str) -> Path:
    """A consistent copy of oversight's database whose triggers are dropped, to tamper with."""
    target = tmp_path / name
    target.mkdir()
    with sqlite3.connect(suite.data_dir / "oversight.db") as source, sqlite3.connect(target / "oversight.db") as copy:
        source.backup(copy)
        copy.execute("DROP TRIGGER oversight_audit_chain_no_update")
        copy.execute("DROP TRIGGER oversight_audit_chain_no_delete")
    return target


def _tamper(directory: Path, *statements: str) -> None:
    with sqlite3.connect(directory / "oversight.db") as db:
        for statement in statements:
            db.execute(statement)


def test_verify_passes_an_intact_chain_whose_head_is_on_metrics(trail, tmp_path):
    suite, _, _ = trail
    intact = _copy(suite, tmp_path, "intact")
    done = _verify(intact)
    assert done.returncode == 0, done.stderr
    count, head = re.search(r"(\d+) entries, head ([0-9a-f]{64})", done.stdout).groups()
    metrics = requests.get(suite.url("/metrics"), timeout=10).text
    published = re.search(r'^yici_audit_chain_head_info\{hash="([0-9a-f]{64})",seq="(\d+)"\} 1\.0$', metrics, re.M)
    entries = re.search(r"^yici_audit_chain_entries (\S+)$", metrics, re.M)
    assert published and entries and float(entries.group(1)) >= int(count) >= 5
    assert int(published.group(2)) >= int(count)
    assert _verify(intact, "--head", f"{count}:{head}").returncode == 0


@pytest.mark.parametrize("name,statements,kind", [
    ("edited", ["UPDATE oversight_audit_chain SET purpose = 'routine' WHERE seq = 3"], "entry 3: edited"),
    ("deleted", ["DELETE FROM oversight_audit_chain WHERE seq = 2"], "entry 2: deleted"),
    ("reordered", ["UPDATE oversight_audit_chain SET seq = -1 WHERE seq = 2",
                   "UPDATE oversight_audit_chain SET seq = 2 WHERE seq = 3",
                   "UPDATE oversight_audit_chain SET seq = 3 WHERE seq = -1"], "entry 2: reordered"),
    ("renumbered", ["DELETE FROM oversight_audit_chain WHERE seq = 4",
                    "UPDATE oversight_audit_chain SET seq = seq - 1 WHERE seq > 4"], "entry 4: reordered"),
])
def test_verify_names_the_first_entry_edited_deleted_or_reordered(trail, tmp_path, name, statements, kind):
    suite, _, _ = trail
    tampered = _copy(suite, tmp_path, name)
    _tamper(tampered, *statements)
    done = _verify(tampered)
    assert done.returncode == 1 and kind in done.stderr, done.stdout + done.stderr


def test_a_cut_tail_is_caught_by_a_head_published_before(trail, tmp_path):
    suite, _, _ = trail
    before = _verify(_copy(suite, tmp_path, "before"))
    count, head = re.search(r"(\d+) entries, head ([0-9a-f]{64})", before.stdout).groups()
    cut = _copy(suite, tmp_path, "cut")
    _tamper(cut, f"DELETE FROM oversight_audit_chain WHERE seq >= {int(count) - 1}")
    assert _verify(cut).returncode == 0, "a cut tail leaves a valid, shorter chain"
    done = _verify(cut, "--head", f"{count}:{head}")
    assert done.returncode == 1 and f"entry {count}" in done.stderr, done.stderr


def test_the_alert_rule_fires_when_the_chain_shrinks():
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool is missing: run deploy/install-tools.sh (Debian package prometheus)")
    tests = REPO_ROOT / "deploy" / "prometheus" / "rules" / "tests" / "yici-audit.test.yml"
    done = subprocess.run([promtool, "test", "rules", str(tests)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
