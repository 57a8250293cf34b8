"""A library that is down does not block intake: the case waits (the clerk sees why), is looked up again, and
after `hold_minutes` what could not be fetched goes into the one notice as material.not_in_library."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from services.intake import handlers
from services.intake.commands import SubmitCase
from services.intake.library import Chain, DemoExchange, DemoLibrary, SourceUnavailable
from services.intake.repository import REPOSITORIES, TABLES, metadata
from services.intake.views import view_of
from shared.catalog import default_catalog
from shared.catalog.materials import material_list
from shared.config import IntakeSettings
from shared.db import make_engine, make_session_factory
from shared.messaging import Store
from shared.workdays import WorkingCalendar
from yici_testkit import case_body

CATALOG = default_catalog()
TODAY = date(2026, 11, 26)
START = datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc)
FATHER = {"kind": "person", "name": "王建国", "id_number": "152727198803152016", "phone": "13904771234"}


class Down:
    name = "regional"

    def holds(self, holder_id, license_types, on):
        raise SourceUnavailable(self.name, "timeout")

    def supplies(self, holder_id, material_codes):
        raise SourceUnavailable(self.name, "timeout")


DOWN = Chain((Down(),), (Down(),))
UP = Chain((DemoLibrary(),), (DemoExchange(),))


@pytest.fixture
def store(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/intake.db")
    metadata.create_all(engine)
    return Store(make_session_factory(engine), TABLES, REPOSITORIES)


def _context(sources: Chain, at: datetime) -> handlers.Context:
    return handlers.Context(CATALOG, IntakeSettings(), WorkingCalendar.from_file(), lambda: TODAY,
                            now=lambda: at, sources=sources)


def _newborn(store) -> str:
    """The father applies with what the sheet asks of him (the bank card) and nothing the library supplies."""
    with store.unit_of_work() as uow:
        uow.cases.add_file(file_ref="F1", sha256="a" * 64, size=1, content_type="application/pdf", client="t")
        uow.commit()
    own = [{"code": e.code, "file_ref": "F1", "sha256": "a" * 64} for e in material_list(CATALOG, "newborn")
           if e.source == "applicant"]
    body = case_body("newborn", applicant=FATHER, materials=own)
    status, case_id = store.run(handlers.submit_case, SubmitCase.model_validate(body), "t", None,
                                _context(DOWN, START))
    assert status == 201
    return case_id


def _view(store, case_id) -> dict:
    with store.unit_of_work() as uow:
        return view_of(uow, case_id)


def test_a_case_waits_for_a_library_that_is_down_and_is_accepted_once_it_answers(store):
    case_id = _newborn(store)
    held = _view(store, case_id)
    assert held["status"] == "submitted" and held["notice"] is None
    assert held["lookup"]["pending"] and held["lookup"]["reason_zh"]
    assert held["lookup"]["sources_down"] == ["regional: timeout"]
    assert "household-register" in held["lookup"]["materials"]
    waiting = store.run(lambda uow: uow.cases.waiting_for_review())
    assert [(r.case_id, r.lookup_pending) for r in waiting] == [(case_id, True)]
    assert store.run(handlers.retry_lookups, _context(DOWN, START + timedelta(minutes=5))) == [case_id]
    assert _view(store, case_id)["lookup"]["attempts"] == 2
    store.run(handlers.retry_lookups, _context(UP, START + timedelta(minutes=10)))
    accepted = _view(store, case_id)
    assert accepted["status"] == "accepted" and accepted["notice"] is None
    assert accepted["material_sources"]["household-register"] == "demo-library"
    assert accepted["material_sources"]["birth-record"] == "demo-exchange"
    assert not accepted["lookup"]["pending"]
    assert store.run(handlers.retry_lookups, _context(UP, START + timedelta(minutes=11))) == []


def test_past_the_deadline_what_was_not_fetched_is_noticed_with_upload_offered_never_missing(store):
    case_id = _newborn(store)
    late = START + timedelta(minutes=IntakeSettings().library.hold_minutes + 1)
    store.run(handlers.retry_lookups, _context(DOWN, late))
    case = _view(store, case_id)
    assert case["status"] == "correction_requested"
    codes = {d["target"]: d["code"] for d in case["notice"]["deficiencies"]}
    assert codes["materials.household-register"] == "material.not_in_library"
    assert codes["materials.birth-record"] == "material.not_in_library"
    assert "material.missing" not in codes.values()
    assert all("上传" in d["message_zh"] for d in case["notice"]["deficiencies"])


def test_a_holder_the_library_does_not_know_gets_not_in_library_at_once(store):
    stranger = {**FATHER, "id_number": "11010519491231002X", "name": "路人"}
    own = [{"code": e.code, "file_ref": "F1", "sha256": "a" * 64} for e in material_list(CATALOG, "newborn")
           if e.source == "applicant"]
    with store.unit_of_work() as uow:
        uow.cases.add_file(file_ref="F1", sha256="a" * 64, size=1, content_type="application/pdf", client="t")
        uow.commit()
    body = case_body("newborn", applicant=stranger, materials=own)
    _, case_id = store.run(handlers.submit_case, SubmitCase.model_validate(body), "t", None, _context(UP, START))
    notice = _view(store, case_id)["notice"]
    assert {d["code"] for d in notice["deficiencies"]} == {"material.not_in_library"}
    assert any("库中没有申请人名下的该材料" in d["message_zh"] for d in notice["deficiencies"])
