"""GET /api/v1/calendar/due's core: the published vectors, provisional dues, and strict refusals."""
from __future__ import annotations

from datetime import date

import pytest

from services.oversight.commands import DueQuery
from services.oversight.views import calendar_due
from shared.api import ApiError, validate
from shared.workdays import WorkingCalendar

CALENDAR = WorkingCalendar.from_file()


@pytest.mark.parametrize("start, n, expected", [
    ("2026-02-13", 3, date(2026, 2, 25)),   # Spring Festival
    ("2026-09-24", 5, date(2026, 10, 9)),   # Mid-Autumn and National Day, Sat 10-10 works
    ("2026-04-30", 1, date(2026, 5, 6)),    # Labour Day
    ("2025-09-30", 5, date(2025, 10, 14)),  # National Day 2025, Sat 10-11 works
    ("2026-03-02", 0, date(2026, 3, 2)),
])
def test_published_vectors(start, n, expected):
    answer = calendar_due(CALENDAR, validate(DueQuery, {"from": start, "workdays": str(n)}))
    assert answer["due"] == expected and answer["provisional"] is False


def test_past_the_official_data_the_due_is_provisional():
    answer = calendar_due(CALENDAR, validate(DueQuery, {"from": "2026-12-28", "workdays": "10"}))
    assert answer["provisional"] is True and answer["covered_until"] == CALENDAR.covered_until()


def test_strict_refuses_a_guess():
    with pytest.raises(ApiError) as error:
        calendar_due(CALENDAR, validate(DueQuery, {"from": "2026-12-28", "workdays": "10", "strict": "true"}))
    assert error.value.status == 422 and error.value.problems[0]["code"] == "calendar_not_covered"


@pytest.mark.parametrize("query, fields", [
    ({}, {"from", "workdays"}),
    ({"from": "2026-02-30", "workdays": "3"}, {"from"}),
    ({"from": "tomorrow", "workdays": "-1"}, {"from", "workdays"}),
    ({"from": "2026-02-13", "workdays": "three"}, {"workdays"}),
])
def test_bad_input_names_every_field(query, fields):
    with pytest.raises(ApiError) as error:
        validate(DueQuery, query)
    assert error.value.status == 422
    assert {p["field"] for p in error.value.problems} == fields
    assert all(p["message_zh"] and p["message_en"] for p in error.value.problems)
