"""E-licenses: stable numbers, validity, an Ed25519 e-seal that verifies and catches any alteration."""
from __future__ import annotations

import copy
from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest

from services.approval import licenses, seals
from services.approval.seals import SealKey
from shared.catalog import default_catalog
from shared.config import ApprovalSettings
from shared.events import LicenseTerms

SETTINGS = ApprovalSettings(validity_years={"food-business-license": 5, "business-license": 0})
REQUEST = {"request_id": "YC1:food-business-license", "item_code": "food-business-license",
           "item_name": "食品经营许可（新办）", "department": "market-regulation", "license_type": "food-business-license",
           "holder_id": "91150626MA0N000088", "holder_name": "乌审旗测试餐饮有限公司", "unit": None}



def make_key(department="market-regulation", private=None, retired_at=None) -> SealKey:
    private = private or seals.new_private_key()
    public = seals.public_of(private)
    return SealKey(department, seals.key_id(public), public, datetime(2026, 1, 1, tzinfo=timezone.utc), retired_at,
                   private_key=private)


KEY = make_key()
KEYS = [KEY]  # the department's keys as this deployment's key store holds them


def issued(request=REQUEST, terms=None, on=date(2026, 12, 1), key=KEY):
    return licenses.issue(request, terms, default_catalog(), on, SETTINGS, lambda department: key)


def document(row):
    return {"content": copy.deepcopy(row["content"]), "seal": dict(row["seal"])}


def registered(row):
    return SimpleNamespace(content=row["content"], status=row["status"])


def test_the_number_is_stable_per_request_and_names_the_department():
    row = issued()
    assert row["number"] == issued()["number"] and row["number"].startswith("SCJG-20261201-")
    assert issued({**REQUEST, "request_id": "YC2:food-business-license"})["number"] != row["number"]


def test_validity_by_type_long_term_and_the_departments_own_date():
    assert issued()["valid_until"] == date(2031, 11, 30)
    assert issued({**REQUEST, "license_type": "business-license"})["valid_until"] is None
    assert issued(terms=LicenseTerms(valid_until=date(2027, 6, 30)))["valid_until"] == date(2027, 6, 30)
    assert licenses.valid_until(date(2028, 2, 29), "x", None, ApprovalSettings()) == date(2033, 2, 28)


def test_nothing_is_issued_without_a_type_a_holder_or_when_the_department_declines():
    assert issued({**REQUEST, "license_type": None}) is None
    assert issued({**REQUEST, "holder_id": None}) is None
    assert issued(terms=LicenseTerms(issue=False)) is None


def test_the_seal_verifies_with_the_departments_key_named_by_its_id():
    row = issued()
    check = licenses.verify_document(document(row), registered(row), KEYS, date(2026, 12, 2))
    assert check["valid"] and check["seal_valid"] and check["registered"] and check["seal_problem"] is None
    assert row["seal"]["key_id"] == KEY.key_id == check["seal_key_id"] and "public_key" not in row["seal"]


@pytest.mark.parametrize("field,value", [("holder_id", "91150626MA0N0000XX"), ("valid_until", "2099-12-31"),
                                         ("license_type", "business-license")])
def test_any_alteration_of_the_content_breaks_the_seal(field, value):
    row = issued()
    forged = document(row)
    forged["content"][field] = value
    check = licenses.verify_document(forged, registered(row), KEYS, date(2026, 12, 2))
    assert not check["seal_valid"] and not check["valid"]


def test_a_document_resealed_with_another_key_is_refused_whatever_the_record_claims():
    row = issued()
    attacker = make_key()
    forged = document(row)
    forged["content"]["valid_until"] = "2099-12-31"
    forged["seal"] = {**seals.seal(forged["content"], attacker), "public_key": attacker.public_key}
    assert licenses.verify_document(forged, registered(row), KEYS, date(2026, 12, 2))["seal_problem"] == "unknown_key"
    forged["seal"]["key_id"] = KEY.key_id  # the department's key id, the attacker's signature
    check = licenses.verify_document(forged, registered(row), KEYS, date(2026, 12, 2))
    assert check["seal_problem"] == "bad_signature" and not check["valid"]


def test_a_seal_of_another_department_or_algorithm_is_refused():
    row = issued()
    other = document(row)
    other["seal"]["department"] = "tax"
    assert licenses.verify_document(other, registered(row), KEYS, date(2026, 12, 2))["seal_problem"] == "wrong_department"
    other = document(row)
    other["seal"]["algorithm"] = "HS256"
    assert not licenses.verify_document(other, registered(row), KEYS, date(2026, 12, 2))["seal_valid"]


def test_a_key_retired_before_the_issue_date_does_not_verify_what_it_signed():
    retired = make_key(private=KEY.private_key, retired_at=datetime(2026, 11, 30, 15, 0, tzinfo=timezone.utc))
    before, after = issued(on=date(2026, 11, 30)), issued(on=date(2026, 12, 1))
    assert licenses.verify_document(document(before), registered(before), [retired], date(2026, 12, 2))["seal_valid"]
    late = licenses.verify_document(document(after), registered(after), [retired], date(2026, 12, 2))
    assert late["seal_problem"] == "retired_key" and not late["valid"]


def test_an_unregistered_revoked_or_expired_license_is_not_valid():
    row = issued()
    assert not licenses.verify_document(document(row), None, KEYS, date(2026, 12, 2))["valid"]
    revoked = SimpleNamespace(content=row["content"], status="revoked")
    assert not licenses.verify_document(document(row), revoked, KEYS, date(2026, 12, 2))["valid"]
    assert not licenses.verify_document(document(row), registered(row), KEYS, date(2032, 1, 1))["in_force"]
