"""Small shared rules: retry classification, configuration, masking of personal data."""
from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from shared.config import ConfigError, load_settings, substitute
from shared.errors import PermanentError
from shared.logging import configure, mask_text
from shared.retry import Verdict, backoff, classify


def test_permanent_errors_are_dead_lettered_at_once():
    assert classify(PermanentError("bad"), 1, 5) is Verdict.DEAD_LETTER


def test_database_outages_are_retried_forever():
    outage = OperationalError("SELECT 1", {}, Exception("connection refused"))
    assert classify(outage, 1000, 5) is Verdict.RETRY


def test_bugs_are_retried_a_few_times_then_dead_lettered():
    assert classify(KeyError("x"), 4, 5) is Verdict.RETRY
    assert classify(KeyError("x"), 5, 5) is Verdict.DEAD_LETTER
    assert classify(IntegrityError("x", {}, Exception()), 1, 5) is Verdict.RETRY


def test_backoff_grows_and_is_capped():
    assert backoff(1) < backoff(2) < backoff(3)
    assert backoff(100) == 10.0


def test_environment_substitution_with_defaults_and_missing_variables():
    assert substitute("a: ${X:-1} b: ${Y}", {"Y": "2"}) == "a: 1 b: 2"
    with pytest.raises(ConfigError, match="Z is not set"):
        substitute("${Z}", {})


def test_a_bad_value_fails_the_start_with_a_clear_message(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("mode: embedded\nport: seventy\nsurprise: 1\n")
    with pytest.raises(ConfigError) as error:
        load_settings(path, env={})
    assert "port" in str(error.value) and "surprise" in str(error.value)


def test_the_shipped_configurations_load():
    from shared.config import REPO_ROOT
    for name in ("embedded", "distributed"):
        settings = load_settings(REPO_ROOT / "deploy" / "config" / f"{name}.yaml", env={})
        assert settings.mode == name and settings.heartbeat == 10


def test_resident_ids_and_mobiles_are_masked_in_text():
    text = mask_text("申请人 11010519491231002X 电话 13800138000 +86 139-1234-5678")
    assert "11010519491231002X" not in text and "13800138000" not in text
    assert "110105" in text and "138****8000" in text


def test_every_log_line_is_masked(capsys):
    configure("test", fmt="json")
    logging.getLogger("any").warning("case for 11010519491231002X", extra={"phone": "13800138000", "applicant_name": "张三",
                                                                           "id_number": "x"})
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert "11010519491231002X" not in json.dumps(line, ensure_ascii=False)
    assert line["phone"] == "***" and line["applicant_name"] == "***" and line["service"] == "test"


def test_access_log_lines_do_not_carry_lookup_codes_or_download_tokens(capsys):
    """The web server logs each request line: the status page's code and a download link's token are secrets."""
    configure("test", fmt="json")
    logging.getLogger("nameko.web.server").info(
        '%s - - [%s] "%s" %s', "127.0.0.1", "26/Nov/2026 17:20:00",
        "GET /track/YC-20261126-0001?code=048213&lang=zh HTTP/1.1", 200)
    logging.getLogger("nameko.web.server").info(
        '"%s" %s', "GET /api/v1/downloads/eyJjYXNlIjoiWUMtMSJ9.c2lnbmF0dXJl HTTP/1.1", 200)
    out = capsys.readouterr().err
    assert "048213" not in out and "eyJjYXNlIjoiWUMtMSJ9" not in out and "c2lnbmF0dXJl" not in out
    assert "/track/YC-20261126-0001?code=***&lang=zh" in out and "/api/v1/downloads/*** HTTP/1.1" in out
