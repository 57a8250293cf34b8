"""Issue 17, point 1: a refused request is logged once, at info, without a traceback and without the values it
carried (a name, an address, a phone number written with separators); only status, route, codes and fields."""
from __future__ import annotations

import json

import requests

from yici_testkit import AUTH, case_body

NAME = "司马小雨"
ADDRESS = "乌审旗嘎鲁图镇萨拉乌苏大街88号3单元"
PHONES = ("138-0013-8000", "138 0013 8000")
SECRETS = (NAME, ADDRESS, *PHONES, "13800138000")


def _invalid_bodies() -> list[dict]:
    bodies = []
    for phone in PHONES:
        body = case_body()
        body["applicant"] = {**body["applicant"], "name": NAME, "phone": phone, "address": ADDRESS}
        bodies.append(body)
        whole = case_body()
        whole["applicant"] = [NAME, ADDRESS, phone]
        bodies.append(whole)
        mail = case_body()
        mail["delivery"] = {"method": "mail", "address": ADDRESS, "recipient": NAME, "phone": phone, "x": phone}
        bodies.append(mail)
    return bodies


def _lines(embedded) -> list[dict]:
    out = []
    for line in embedded.log.read_text(errors="replace").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            out.append({"event": line})  # not structured (a start-up banner); still searched for values
    return out


def test_refused_bodies_are_logged_once_at_info_without_traceback_or_values(embedded):
    before = len(_lines(embedded))
    bodies = _invalid_bodies()
    for body in bodies:
        response = requests.post(embedded.url("/api/v1/cases"), json=body, headers=AUTH)
        assert response.status_code == 422, response.text
    lines = _lines(embedded)[before:]
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    assert not [line for line in lines if line.get("level") in ("error", "critical", "warning")], text
    assert "Traceback" not in text and "exception" not in text, text
    for value in SECRETS:
        assert value not in text, f"{value!r} in the log:\n{text}"
    refused = [line for line in lines if line.get("event") == "request refused"]
    assert len(refused) == len(bodies), text
    assert all(line["level"] == "info" and line["status"] == 422 and line["route"] == "intake:/api/v1/cases"
               and line["problems"] and line["fields"] for line in refused), text


def test_a_real_error_keeps_its_frames_and_type_but_not_its_message():
    from shared.providers.web import _traceback_without_message
    try:
        raise ValueError(f"bad applicant {NAME} at {ADDRESS}, {PHONES[0]}")
    except ValueError as exc:
        text = _traceback_without_message(exc)
    assert "Traceback" in text and "test_logs.py" in text and "builtins.ValueError (message withheld)" in text
    assert not [value for value in SECRETS if value in text], text


def test_phone_numbers_written_with_separators_are_masked_in_any_log_line():
    from shared.logging import mask_text
    for phone in (*PHONES, "138.0013.8000", "+86 138 0013 8000", "13800138000"):
        assert mask_text(f"call {phone} now") == "call 138****8000 now", phone
    assert mask_text("2026-12-02 11:33:00") == "2026-12-02 11:33:00"
