"""Intake follows license_changed (reuse never takes a revoked license) and records which department may read
which material; signed material links: altered, foreign or expired ones are refused."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services.intake import api, file_access
from shared.api import ApiError
from shared.config import Client, Settings
from shared.errors import NotFound
from shared.events import ApprovalRequested, LicenseChanged
from shared.file_links import FileLinks, LinkRefused, file_links
from test_intake_handlers import (  # noqa: F401
    CATALOG,
    TODAY,
    _accepted_case,
    _context,
    _decided,
    _follow,
    _outbox,
    store,
)

HOLDER = "91150626MA0N000088"
NOW = datetime(2026, 12, 1, 8, tzinfo=timezone.utc)


def _changed(case_id, number, action, replaced_by=None):
    return LicenseChanged(case_id=case_id, payload={
        "number": number, "action": action, "reason": "吊销", "changed_on": "2026-12-01",
        "department": "market-regulation", "license_type": "business-license", "holder_id": HOLDER,
        "replaced_by": replaced_by})


def _earned(store, number):  # noqa: F811
    case_id = _accepted_case(store, _context())
    issuing = next(i for i in CATALOG.items.values() if i.license_type)
    _follow(store, _decided(case_id, issuing.code, "approved", [number]))
    return case_id, issuing.license_type


def _types(store):  # noqa: F811
    with store.unit_of_work() as uow:
        return uow.cases.license_types(HOLDER, TODAY)


def test_a_revoked_license_is_forgotten_so_reuse_never_takes_it(store):  # noqa: F811
    case_id, license_type = _earned(store, "LIC-1")
    assert _types(store) == {license_type}
    _follow(store, _changed(case_id, "LIC-1", "revoked"))
    assert _types(store) == set()


def test_a_replacement_takes_the_old_licenses_place(store):  # noqa: F811
    case_id, license_type = _earned(store, "LIC-1")
    _follow(store, _changed(case_id, "LIC-1", "replaced", "LIC-2"))
    assert _types(store) == {license_type}
    with store.unit_of_work() as uow:
        assert uow.cases.remembered_license("LIC-1") is None
        assert uow.cases.remembered_license("LIC-2").license_type == license_type
    _follow(store, _changed(case_id, "LIC-2", "revoked"))
    assert _types(store) == set()


def _requested(case_id, department, file_ref="F1"):
    return ApprovalRequested(case_id=case_id, payload={
        "request_id": f"{case_id}:x", "matter_code": "bankruptcy-check", "item_code": "x", "item_name": "x",
        "department": department, "promised_days": 5, "materials": [{"code": "m", "file_ref": file_ref}]})


def test_a_department_reads_the_materials_of_its_cases_and_no_other(store):  # noqa: F811
    case_id = _accepted_case(store, _context())
    tax = Client(name="tax system", token="t" * 32, role="department", department="tax")
    other = Client(name="land system", token="l" * 32, role="department", department="natural-resources")
    with pytest.raises(NotFound):  # before any item of the case was requested of it
        store.run(file_access.readable, "F1", tax)
    _follow(store, _requested(case_id, "tax"))
    found, through, holder = store.run(file_access.readable, "F1", tax)
    assert found.file_ref == "F1" and through == case_id and holder == HOLDER
    with pytest.raises(NotFound):
        store.run(file_access.readable, "F1", other)
    uploader = Client(name="t", token="u" * 32, role="frontend")
    assert store.run(file_access.readable, "F1", uploader)[1] == ""
    with pytest.raises(NotFound):
        store.run(file_access.readable, "F1", Client(name="someone else", token="s" * 32, role="frontend"))


def test_signed_links_open_one_file_until_they_expire():
    links = FileLinks(b"k" * 32, "http://yici", timedelta(hours=1))
    token = links.sign("F1", "YC1", "tax", NOW)
    claims = links.verify(token, "F1", NOW + timedelta(minutes=59))
    assert (claims.case_id, claims.department) == ("YC1", "tax")
    with pytest.raises(LinkRefused, match="expired"):
        links.verify(token, "F1", NOW + timedelta(hours=1))
    with pytest.raises(LinkRefused, match="other_file"):
        links.verify(token, "F2", NOW)
    body, _, mac = token.partition(".")
    forged = links.sign("F1", "YC1", "natural-resources", NOW).partition(".")[0] + "." + mac
    with pytest.raises(LinkRefused, match="bad_signature"):
        links.verify(forged, "F1", NOW)
    with pytest.raises(LinkRefused, match="bad_signature"):
        FileLinks(b"x" * 32, "http://yici", timedelta(hours=1)).verify(token, "F1", NOW)
    materials = links.with_links([{"code": "a", "file_ref": "F1"}, {"code": "b", "source": "library"}], "YC1",
                                 "tax", NOW)
    assert materials[0]["download_url"].startswith("http://yici/api/v1/files/F1/download?link=")
    assert "download_url" not in materials[1]


def test_a_correction_of_the_validity_is_followed(store):  # noqa: F811
    case_id, license_type = _earned(store, "LIC-1")
    event = _changed(case_id, "LIC-1", "corrected")
    _follow(store, event.model_copy(update={"payload": event.payload.model_copy(
        update={"valid_until": TODAY - timedelta(days=1)})}))
    assert _types(store) == set(), "a license corrected to have expired is not reused"


def _link_request(path, query):
    request = Request(EnvironBuilder(path=path, query_string=query).get_environ())
    request.environ["yici.client"] = None
    return request


def test_over_http_an_expired_link_is_410_an_altered_one_403_and_a_good_one_is_audited(store, tmp_path):  # noqa: F811
    settings = Settings(data_dir=tmp_path / "var", file_link_secret="s3cret-" + "x" * 32)
    blob = settings.data_dir / "blobs" / "aa" / "F1"
    blob.parent.mkdir(parents=True)
    blob.write_bytes(b"%PDF-1.4 material")
    case_id = _accepted_case(store, _context())
    links = file_links(settings)
    now = datetime.now(timezone.utc)
    expired = links.sign("F1", case_id, "tax", now - links.ttl - timedelta(seconds=1))
    with pytest.raises(ApiError) as refused:
        api.download_file(_link_request("/api/v1/files/F1/download", f"link={expired}"), store, settings, "F1")
    assert refused.value.status == 410
    good = links.sign("F1", case_id, "tax", now)
    with pytest.raises(ApiError) as altered:
        api.download_file(_link_request("/api/v1/files/F1/download", f"link={good[:-2]}xx"), store, settings, "F1")
    assert altered.value.status == 403
    answered = api.download_file(_link_request("/api/v1/files/F1/download", f"link={good}"), store, settings, "F1")
    assert b"".join(answered.response) == b"%PDF-1.4 material"
    [read] = [e["payload"] for e in _outbox(store) if e["event_type"] == "audit_recorded"]
    assert read["action"] == "file.read:F1" and read["actor"]["department"] == "tax"
    assert read["subject"] and read["subject"] != HOLDER
