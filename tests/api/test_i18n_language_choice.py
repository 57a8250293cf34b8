"""The applicant's language, chosen once (ADR 0030): the submit API takes `language` (zh by default, mn for
traditional Mongolian), stores it with the case, and the status page and the texts come in it; a language the
suite does not have is a 422 on the field. The guide site is served exactly as `yici guides build` exports it,
in both editions."""
from __future__ import annotations

import subprocess

import requests

from shared.i18n import has_mongolian
from yici_testkit import AUTH, BIN, case_body, submit, wait_for


def test_a_case_applied_for_in_mongolian_keeps_its_language_for_its_pages_and_texts(embedded):
    response = submit(embedded.url(""), {**case_body("bankruptcy-check"), "language": "mn"})
    assert response.status_code == 201, response.text
    case_id = response.json()["case_id"]
    view = requests.get(embedded.url(f"/api/v1/cases/{case_id}"), headers=AUTH, timeout=10).json()
    assert view["language"] == "mn"

    track = requests.get(embedded.url(f"/track/{case_id}"), params={"code": view["lookup_code"]}, timeout=10)
    assert track.status_code == 200 and has_mongolian(track.text) and "办件进度查询" in track.text
    chinese = requests.get(embedded.url(f"/track/{case_id}"), params={"code": view["lookup_code"], "lang": "zh"},
                           timeout=10)
    assert not has_mongolian(chinese.text.split("</nav>", 1)[1]) and "yici_lang=zh" in chinese.headers["Set-Cookie"]

    def acceptance():
        texts = requests.get(embedded.url(f"/api/v1/deliveries/{case_id}/notifications"), headers=AUTH,
                             timeout=10).json()["notifications"]
        return next((n["text"] for n in texts if n["template"] == "acceptance_notice"), None)
    text = wait_for(acceptance, timeout=30, what="the acceptance text")
    assert has_mongolian(text) and f"/track/{case_id}?code=" in text


def test_a_case_without_a_language_is_chinese(embedded):
    response = submit(embedded.url(""), case_body("bankruptcy-check"))
    assert response.status_code == 201
    view = requests.get(embedded.url(f"/api/v1/cases/{response.json()['case_id']}"), headers=AUTH, timeout=10).json()
    assert view["language"] == "zh"


def test_an_unknown_language_is_a_422_on_the_field(embedded):
    response = submit(embedded.url(""), {**case_body("bankruptcy-check"), "language": "fr"})
    assert response.status_code == 422
    assert [p["field"] for p in response.json()["problems"]] == ["language"]


def test_the_served_guides_are_the_exported_files_in_both_languages(embedded, tmp_path):
    done = subprocess.run([str(BIN / "yici"), "guides", "build", str(tmp_path), "--base-url",
                           embedded.url("").rstrip("/")], env=embedded.env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    exported = sorted(p for p in (tmp_path / "guides").rglob("*") if p.is_file())
    mongolian = [p for p in exported if p.relative_to(tmp_path / "guides").parts[0] == "mn"]
    assert len(mongolian) * 2 == len(exported) and len(exported) > 100
    for path in exported:
        relative = path.relative_to(tmp_path / "guides").as_posix()
        served = requests.get(embedded.url("/guides/" + relative), timeout=10)
        assert served.status_code == 200 and served.content == path.read_bytes(), relative
