"""好差评: one rating per concluded case; a bad one opens a rectification task tracked like any deadline."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest

from edge_support import as_http
from services.oversight import ratings, scan, views
from services.oversight.commands import CloseRectification, RateCase, WarningQuery
from shared.api import ApiError
from test_oversight_support import Story, context, feed, published, store  # noqa: F401

MON = date(2026, 3, 2)
NOON = datetime(2026, 3, 2, 4, 0, tzinfo=timezone.utc)  # 12:00 in Shanghai


def concluded(store, case_id: str) -> Story:
    story = Story(case_id)
    story.submitted(MON)
    story.accepted(MON)
    story.approve_all(MON)
    feed(store, context(), story.events)
    return story


def rate(store, case_id, score, **extra):
    return store.run(ratings.rate_case, case_id, RateCase(score=score, **extra), NOON, context(),
                     on_conflict=ratings.already_rated)


def test_a_good_rating_is_stored_and_published_without_a_task(store, published):
    concluded(store, "YC-R1")
    result = rate(store, "YC-R1", 5, dimensions={"attitude": 5, "efficiency": 4}, comment="很方便")
    assert result["rectification"] is None
    assert [json.loads(m.body)["event_type"] for m in published] == ["rating_received"]
    assert json.loads(published[0].body)["payload"] == {"score": 5, "dimensions": {"attitude": 5, "efficiency": 4},
                                                        "comment": "很方便"}


def test_a_bad_rating_opens_a_rectification_task_due_in_fifteen_working_days(store):
    concluded(store, "YC-R2")
    task = rate(store, "YC-R2", 2, comment="等太久")["rectification"]
    assert task["task_id"] == "RT-YC-R2" and task["department"] == "market-regulation"
    assert task["opened_on"] == MON and task["due_date"] == date(2026, 3, 23) and task["budget_days"] == 15
    assert [t["task_id"] for t in views.rectifications_view(store, "open")["rectifications"]] == ["RT-YC-R2"]


def test_the_task_deadline_is_watched_like_any_other(store, published):
    concluded(store, "YC-R3")
    rate(store, "YC-R3", 1)
    assert scan.scan(store, context(), date(2026, 3, 16)) == []  # 10 of 15
    yellow = scan.scan(store, context(), date(2026, 3, 19))  # 13 of 15
    red = scan.scan(store, context(), date(2026, 3, 24))
    assert [(w["scope"], w["level"], w["subject"]) for w in yellow + red] == [
        ("rectification", "yellow", "RT-YC-R3"), ("rectification", "red", "RT-YC-R3")]
    payload = json.loads(published[-1].body)["payload"]
    assert payload["scope"] == "rectification" and payload["task_id"] == "RT-YC-R3"


def test_closing_the_task_resolves_its_warnings_and_stops_the_watch(store):
    concluded(store, "YC-R4")
    rate(store, "YC-R4", 2)
    scan.scan(store, context(), date(2026, 3, 24))
    closed = store.run(ratings.close_rectification, "RT-YC-R4", CloseRectification(note="已约谈并改进流程"),
                       context(date(2026, 3, 25)))
    assert closed["status"] == "closed" and closed["closed_on"] == date(2026, 3, 25)
    assert views.warnings_view(store, WarningQuery(status="open"))["warnings"] == []
    assert scan.scan(store, context(), date(2026, 4, 30)) == []


@pytest.mark.parametrize("score", [3, 4, 5])
def test_ratings_of_three_and_up_open_no_task(store, score):
    concluded(store, f"YC-R5-{score}")
    assert rate(store, f"YC-R5-{score}", score)["rectification"] is None


def test_only_once_per_case(store):
    concluded(store, "YC-R6")
    rate(store, "YC-R6", 4)
    with pytest.raises(ApiError) as error, as_http():
        rate(store, "YC-R6", 1)
    assert error.value.status == 409 and error.value.problems[0]["code"] == "already_rated"
    assert views.rectifications_view(store, None)["rectifications"] == []


def test_only_after_completion(store):
    story = Story("YC-R7")
    story.submitted(MON)
    story.accepted(MON)
    feed(store, context(), story.events)
    with pytest.raises(ApiError) as error, as_http():
        rate(store, "YC-R7", 5)
    assert error.value.status == 409 and error.value.problems[0]["code"] == "not_concluded"


def test_unknown_case_is_404(store):
    with pytest.raises(ApiError) as error, as_http():
        rate(store, "YC-none", 5)
    assert error.value.status == 404


def test_scores_and_dimensions_are_one_to_five():
    with pytest.raises(ValueError):
        RateCase(score=6)
    with pytest.raises(ValueError):
        RateCase(score=3, dimensions={"attitude": 0})
    with pytest.raises(ValueError):
        RateCase(score=3, dimensions={"mood": 3})
