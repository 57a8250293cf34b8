"""The seam for the regional platform's single sign-on: with `intake.applicants.sign_in: regional_sso` the /apply
sign-in sends the browser to the adapter's platform, and its answer, with this browser's state, starts the same
applicant session the phone code does; a foreign state or a refused ticket starts none."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from oversight_kit import write_config
from yici_testkit import BIN, Process, base_env, free_port


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("apply-sso")
    port = free_port()
    env = base_env(tmp, YICI_PORT=str(port), PYTHONPATH=str(Path(__file__).parent))
    config = write_config(tmp, env, intake={"applicants": {
        "sign_in": "regional_sso", "regional_sso_adapter": "apply_pages_fake_platform:platform"}})
    process = Process([str(BIN / "yici"), "run", "--config", str(config)], env, tmp / "yici.log", port).start()
    process.wait_ready()
    yield process
    process.stop()


def test_the_regional_platform_signs_the_applicant_in(suite):
    session = requests.Session()
    home = session.get(suite.url("/apply"), timeout=10)
    assert 'href="/apply/sso"' in home.text and 'id="phone"' not in home.text
    away = session.get(suite.url("/apply/sso"), allow_redirects=False, timeout=10)
    assert away.status_code == 303
    back = urlsplit(away.headers["Location"])
    assert back.path == "/apply/sso/callback" and "ticket=ok-" in back.query
    signed = session.get(suite.url(f"/apply/sso/callback?{back.query}"), allow_redirects=False, timeout=10)
    assert signed.status_code == 303 and signed.headers["Location"] == "/apply/matters"
    assert "139****1111" in session.get(suite.url("/apply/cases"), timeout=10).text


def test_a_foreign_state_or_a_refused_ticket_starts_no_session(suite):
    session = requests.Session()
    away = session.get(suite.url("/apply/sso"), allow_redirects=False, timeout=10)
    query = urlsplit(away.headers["Location"]).query
    other = requests.Session()
    assert other.get(suite.url(f"/apply/sso/callback?{query}"), allow_redirects=False,
                     timeout=10).status_code == 403  # another browser's state
    refused = re.sub(r"ticket=[^&]+", "ticket=no", query)
    answer = session.get(suite.url(f"/apply/sso/callback?{refused}"), allow_redirects=False, timeout=10)
    assert answer.status_code == 401 and "统一身份认证平台未能确认您的身份" in answer.text
    assert session.get(suite.url("/apply/cases"), allow_redirects=False, timeout=10).status_code == 303
