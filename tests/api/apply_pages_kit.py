"""Helpers of the /apply page tests: sign in with the code the simulated SMS gateway shows, read the forms' hidden
fields, apply for 新生儿出生一件事 as 王建国 of the demo library (everything but his bank card comes from the
library: leave it out and the case gets a correction notice)."""
from __future__ import annotations

import random
import re

import requests

from yici_testkit import AUTH, PDF, sample_value

APPLICANT = {"kind": "person", "name": "王建国", "id_number": "152727198803152016"}


def new_phone() -> str:
    return f"139{random.randrange(10 ** 8):08d}"


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    assert found, f"no hidden field {name}"
    return found.group(1)


def csrf(html: str) -> str:
    return hidden(html, "csrf")


def field_errors(html: str) -> dict[str, str]:
    """The error shown next to each field: its id (the field name with - for .) and the message."""
    return dict(re.findall(r'<p class="field-error" id="([^"]+)-error" role="alert">([^<]+)</p>', html))


def ask_code(suite, session: requests.Session, phone: str) -> requests.Response:
    home = session.get(suite.url("/apply"), timeout=10)
    return session.post(suite.url("/apply/signin"), data={"csrf": csrf(home.text), "phone": phone, "next": ""},
                        allow_redirects=False, timeout=10)


def challenge_of(answer: requests.Response) -> str:
    assert answer.status_code == 303, answer.text
    found = re.search(r"[?&]c=([^&]+)", answer.headers["Location"])
    assert found
    return found.group(1)


def code_in_outbox(suite, session: requests.Session, challenge: str) -> str:
    """The newest code the simulated gateway's outbox page shows for the challenge's number."""
    page = session.get(suite.url(f"/apply/sms-outbox?c={challenge}"), timeout=10)
    assert page.status_code == 200, page.text
    codes = re.findall(r"验证码为 (\d{6})", page.text)
    assert codes, page.text
    return codes[0]


def enter_code(suite, session: requests.Session, challenge: str, code: str) -> requests.Response:
    form = session.get(suite.url(f"/apply/verify?c={challenge}"), timeout=10)
    return session.post(suite.url("/apply/verify"), data={"csrf": csrf(form.text), "c": challenge, "code": code,
                                                          "next": "/apply"}, allow_redirects=False, timeout=10)


def signed_in(suite, phone: str | None = None) -> requests.Session:
    session = requests.Session()
    challenge = challenge_of(ask_code(suite, session, phone or new_phone()))
    answer = enter_code(suite, session, challenge, code_in_outbox(suite, session, challenge))
    assert answer.status_code == 303 and answer.headers["Location"] == "/apply/matters", answer.text
    return session


def newborn_form(schema: dict) -> dict[str, str]:
    values = {}
    for name, spec in schema["properties"].items():
        value = sample_value(spec)
        values[f"form.{name}"] = "152727199007082429" if name.endswith("id_number") else str(value)
    return values


def begin(suite, session: requests.Session, matter: str = "newborn", **applicant: str) -> requests.Response:
    start = session.get(suite.url(f"/apply/matters/{matter}"), timeout=10)
    assert start.status_code == 200, start.text
    return session.post(suite.url(f"/apply/matters/{matter}/begin"),
                        data={"csrf": csrf(start.text), **(applicant or APPLICANT)}, timeout=10)


def apply_for_newborn(suite, session: requests.Session, with_bank_card: bool) -> str:
    """Through the pages, to the receipt; returns the case id."""
    from shared.catalog import default_catalog
    from shared.catalog.forms import merged_form
    form_page = begin(suite, session)
    assert form_page.status_code == 200, form_page.text
    files = {"file.bank-card": ("card.pdf", PDF, "application/pdf")} if with_bank_card else None
    review = session.post(suite.url("/apply/matters/newborn/form"), files=files, timeout=30, data={
        "csrf": csrf(form_page.text), "draft": hidden(form_page.text, "draft"), "delivery_method": "online",
        **newborn_form(merged_form(default_catalog(), "newborn", []))})
    assert review.status_code == 200 and "核对并提交" in review.text, field_errors(review.text) or review.text
    submitted = session.post(suite.url("/apply/matters/newborn/submit"), allow_redirects=False, timeout=30,
                             data={"csrf": csrf(review.text), "draft": hidden(review.text, "draft")})
    assert submitted.status_code == 303, submitted.text
    found = re.match(r"/apply/cases/([^/]+)/receipt$", submitted.headers["Location"])
    assert found
    return found.group(1)


def case_json(suite, case_id: str) -> dict:
    answer = requests.get(suite.url(f"/api/v1/cases/{case_id}"), headers=AUTH, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()
