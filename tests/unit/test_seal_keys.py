"""E-seal keys kept per deployment: generated once, rotated with the old key kept, operator keys, no forgeries."""
from __future__ import annotations

import copy
import dataclasses
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from services.approval import licenses, sealkeys, seals
from services.approval.repository import REPOSITORIES, TABLES, metadata
from services.approval.seals import OPERATOR
from shared.catalog import default_catalog
from shared.config import ApprovalSettings, ConfigError, load_settings
from shared.db import make_engine, make_session_factory
from shared.errors import Conflict
from shared.messaging import Store

SETTINGS = ApprovalSettings()
REQUEST = {"request_id": "YC1:food-business-license", "item_code": "food-business-license",
           "item_name": "食品经营许可（新办）", "department": "market-regulation", "license_type": "food-business-license",
           "holder_id": "91150626MA0N000088", "holder_name": "乌审旗测试餐饮有限公司", "unit": None}
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
TODAY = date(2026, 12, 1)


class Deployment:
    """Approval's database (SQLite) of one deployment, and the operator's keys."""

    def __init__(self, path, operator_keys=None):
        engine = make_engine(f"sqlite:///{path}")
        metadata.create_all(engine)
        self.store = Store(make_session_factory(engine), TABLES, REPOSITORIES)
        self.operator_keys = dict(operator_keys or {})

    def issue(self, request=REQUEST, on=TODAY, now=NOW):
        def use_case(uow):
            def signing_key(department):
                return sealkeys.current_key(uow, department, self.operator_keys, now)
            return licenses.issue(request, None, default_catalog(), on, SETTINGS, signing_key)
        return self.store.run(use_case)

    def rotate(self, department="market-regulation", now=NOW):
        return self.store.run(sealkeys.rotate, department, self.operator_keys, now)

    def keys(self, department="market-regulation"):
        with self.store.unit_of_work() as uow:
            return sealkeys.keys_of(uow, department)

    def verify(self, document, row, today=TODAY):
        registered = SimpleNamespace(content=row["content"], status="valid") if row else None
        return licenses.verify_document(document, registered, self.keys(document["content"]["issuing_department"]),
                                        today)


def doc(row):
    return {"content": copy.deepcopy(row["content"]), "seal": dict(row["seal"])}


@pytest.fixture
def deployment(tmp_path):
    return Deployment(tmp_path / "approval.db")


def test_a_departments_key_is_generated_once_and_kept(deployment):
    first = deployment.issue()
    again = deployment.issue({**REQUEST, "request_id": "YC2:food-business-license"})
    keys = deployment.keys()
    assert len(keys) == 1 and keys[0].source == "generated" and keys[0].retired_at is None
    assert first["seal"]["key_id"] == again["seal"]["key_id"] == keys[0].key_id
    assert deployment.verify(doc(first), first)["valid"]


def test_after_rotation_old_licenses_verify_and_new_ones_use_the_new_key(deployment):
    old = deployment.issue()
    new_key = deployment.rotate(now=NOW + timedelta(hours=1))
    assert deployment.verify(doc(old), old)["valid"]
    new = deployment.issue({**REQUEST, "request_id": "YC2:food-business-license"}, now=NOW + timedelta(hours=2))
    assert new["seal"]["key_id"] == new_key.key_id != old["seal"]["key_id"]
    assert deployment.verify(doc(new), new)["valid"]
    keys = {k.key_id: k for k in deployment.keys()}
    assert keys[old["seal"]["key_id"]].retired_at is not None and keys[new_key.key_id].retired_at is None


def test_a_retired_key_does_not_verify_a_license_dated_after_its_retirement(deployment):
    old = deployment.issue()
    retired = deployment.keys()[0]
    deployment.rotate(now=NOW)
    content = {**old["content"], "issued_on": "2026-12-05"}  # signed with the retired key, dated after
    key = dataclasses.replace(retired, private_key=_private_of(deployment, retired.key_id))
    forged = {"content": content, "seal": seals.seal(content, key)}
    assert deployment.verify(forged, {**old, "content": content})["seal_problem"] == "retired_key"


def _private_of(deployment, key_id):
    with deployment.store.unit_of_work() as uow:
        return next(r.private_key for r in uow.seal_keys.of_department("market-regulation") if r.key_id == key_id)


def test_forgeries_do_not_verify(deployment):
    real = deployment.issue()
    made_up = copy.deepcopy(real)
    made_up["content"].update(number="SCJG-20261201-DEADBEEF", holder_id="91150626MA0N0000XX")
    attacker = seals.SealKey("market-regulation", real["seal"]["key_id"], "", NOW,
                             private_key=seals.new_private_key())
    made_up["seal"] = seals.seal(made_up["content"], attacker)  # claims the department's key id
    assert not deployment.verify(doc(made_up), None)["seal_valid"]

    extended = doc(real)
    extended["content"]["valid_until"] = "2099-12-31"
    assert not deployment.verify(extended, real)["seal_valid"]

    private = seals.new_private_key()
    own = seals.SealKey("market-regulation", seals.key_id(seals.public_of(private)), seals.public_of(private), NOW,
                        private_key=private)
    embedded = doc(real)
    embedded["content"]["valid_until"] = "2099-12-31"
    embedded["seal"] = {**seals.seal(embedded["content"], own), "public_key": own.public_key}
    check = deployment.verify(embedded, real)
    assert check["seal_problem"] == "unknown_key" and not check["valid"]


def test_two_deployments_have_different_keys(tmp_path):
    one, two = Deployment(tmp_path / "one.db"), Deployment(tmp_path / "two.db")
    a, b = one.issue(), two.issue()
    assert one.keys()[0].public_key != two.keys()[0].public_key
    assert not two.verify(doc(a), a)["seal_valid"] and not one.verify(doc(b), b)["seal_valid"]


def test_an_operators_key_signs_is_recorded_by_its_id_and_replaces_the_generated_one(tmp_path):
    deployment = Deployment(tmp_path / "approval.db")
    generated = deployment.issue()
    configured = seals.new_private_key()
    deployment.operator_keys["market-regulation"] = configured
    sealed = deployment.issue({**REQUEST, "request_id": "YC2:food-business-license"})
    key_id = seals.key_id(seals.public_of(configured))
    assert sealed["seal"]["key_id"] == key_id
    keys = {k.key_id: k for k in deployment.keys()}
    assert keys[key_id].source == OPERATOR and keys[generated["seal"]["key_id"]].retired_at is not None
    with deployment.store.unit_of_work() as uow:
        assert next(r for r in uow.seal_keys.of_department("market-regulation") if r.key_id == key_id).private_key \
            is None
    assert deployment.verify(doc(generated), generated)["valid"] and deployment.verify(doc(sealed), sealed)["valid"]
    with pytest.raises(Conflict):
        deployment.rotate()


def test_the_old_seal_secret_is_refused_and_operator_keys_come_from_the_environment(tmp_path):
    config = tmp_path / "yici.yaml"
    config.write_text("approval:\n  seal_secret: yici-development-seal-secret\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="seal_secret is no longer used"):
        load_settings(config, env={})
    config.write_text("approval:\n  auto_approve: true\n", encoding="utf-8")
    key = seals.new_private_key()
    settings = load_settings(config, env={seals.key_env("market-regulation"): key})
    assert settings.approval.seal_keys == {"market-regulation": key}
    assert seals.department_of_env(seals.key_env("market-regulation")) == "market-regulation"
    with pytest.raises(ConfigError, match="YICI_SEAL_KEY|seal key of tax"):
        load_settings(config, env={"YICI_SEAL_KEY_TAX": "bm90IDMyIGJ5dGVz"})
