"""A bad rating's rectification reaches the department responsible, which sees and closes only its own, and
what it did goes back to the applicant (`rectification_closed`)."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest

from edge_support import as_http
from services.oversight import ratings, views
from services.oversight.commands import CloseRectification, RateCase
from shared.api import ApiError
from shared.events import CaseRated
from test_oversight_support import Story, at, context, feed, published, store  # noqa: F401

MON = date(2026, 3, 2)
NOON = datetime(2026, 3, 2, 4, 0, tzinfo=timezone.utc)


def concluded(store, case_id: str, reject: str | None = None) -> Story:
    story = Story(case_id)
    story.submitted(MON)
    story.accepted(MON)
    if reject:
        story.requested(reject, MON)
        story.decided(reject, "rejected", MON)
        story.rejected(reject, MON)
    else:
        story.approve_all(MON)
    feed(store, context(), story.events)
    return story


def rate(store, case_id, score, **extra):
    return store.run(ratings.rate_case, case_id, RateCase(score=score, **extra), NOON, context(),
                     on_conflict=ratings.already_rated)


def test_a_bad_rating_of_one_item_goes_to_that_items_department(store):
    concluded(store, "YC-D1")
    task = rate(store, "YC-D1", 1, item_code="tax-arrears-inquiry")["rectification"]
    assert task["department"] == "tax" and task["item_code"] == "tax-arrears-inquiry"


def test_a_bad_rating_of_a_rejected_case_goes_to_the_rejecting_department(store):
    concluded(store, "YC-D2", reject="tax-arrears-inquiry")
    assert rate(store, "YC-D2", 2)["rectification"]["department"] == "tax"


def test_without_an_item_or_a_rejection_it_goes_to_the_lead_department(store):
    concluded(store, "YC-D3")
    assert rate(store, "YC-D3", 2)["rectification"]["department"] == "market-regulation"


def test_an_item_the_case_does_not_have_is_refused(store):
    concluded(store, "YC-D4")
    with pytest.raises(ApiError) as error, as_http():
        rate(store, "YC-D4", 1, item_code="tobacco-retail-license")
    assert error.value.status == 422 and error.value.problems[0]["field"] == "item_code"


def test_a_rating_from_the_status_page_is_taken_once_with_its_rectification(store, published):
    concluded(store, "YC-D5")
    rated = [CaseRated(case_id="YC-D5", occurred_at=at(MON, 15), payload={"score": 1, "comment": "窗口态度差",
                                                                          "item_code": "tax-arrears-inquiry"}),
             CaseRated(case_id="YC-D5", occurred_at=at(MON, 16), payload={"score": 5})]
    feed(store, context(), rated)
    [task] = views.rectifications_view(store, "open")["rectifications"]
    assert (task["case_id"], task["department"], task["score"]) == ("YC-D5", "tax", 1)
    assert (task["opened_on"], task["due_date"]) == (MON, date(2026, 3, 23))  # as of when it was given
    assert [json.loads(m.body)["event_type"] for m in published].count("rating_received") == 1


def test_a_department_sees_and_closes_only_its_own_and_the_applicant_is_told(store, published):
    concluded(store, "YC-D6")
    concluded(store, "YC-D7")
    rate(store, "YC-D6", 1, item_code="tax-arrears-inquiry")
    rate(store, "YC-D7", 2, item_code="enterprise-registration-inquiry")
    own = views.rectifications_view(store, "open", "tax")["rectifications"]
    assert [t["task_id"] for t in own] == ["RT-YC-D6"]
    with pytest.raises(ApiError) as error, as_http():
        store.run(ratings.close_rectification, "RT-YC-D7", CloseRectification(note="不是我们的"), context(), "tax")
    assert error.value.status == 404
    closed = store.run(ratings.close_rectification, "RT-YC-D6", CloseRectification(note="已约谈窗口人员并整改"),
                       context(date(2026, 3, 5)), "tax")
    assert (closed["status"], closed["closed_by"], closed["note"]) == ("closed", "department", "已约谈窗口人员并整改")
    told = [json.loads(m.body) for m in published if json.loads(m.body)["event_type"] == "rectification_closed"]
    assert [t["payload"] for t in told] == [{
        "task_id": "RT-YC-D6", "department": "tax", "department_name": "国家税务总局乌审旗税务局",
        "note": "已约谈窗口人员并整改", "closed_on": "2026-03-05", "closed_by": "department"}]
    assert views.rectifications_view(store, "open", "market-regulation")["rectifications"][0]["task_id"] == "RT-YC-D7"
