"""GET /api/v1/calendar/due's core: the published vectors, provisional dues, and strict refusals."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from edge_support import as_http
from services.oversight.commands import DueQuery
from services.oversight.views import calendar_due
from shared.api import ApiError, validate
from shared.config import Settings
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
    with pytest.raises(ApiError) as error, as_http():
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


def _notice(today: date, calendar: WorkingCalendar = CALENDAR) -> str:
    from services.oversight.handlers import Context
    from services.oversight.pages import _calendar_notice
    from shared.catalog import default_catalog
    from shared.config import OversightSettings
    return _calendar_notice(Context(default_catalog(), OversightSettings(), calendar, lambda: today), today)


def test_the_supervisors_page_warns_when_the_official_calendar_is_about_to_end():
    end = CALENDAR.covered_until()
    assert _notice(date(end.year, 10, 1)) == ""  # more than 60 days left: nothing to do yet
    soon = _notice(date(end.year, 11, 26))
    assert f"{end:%Y年%m月%d日}结束（剩35天）" in soon and f"{end.year + 1}年节假日安排" in soon
    after = _notice(date(end.year + 1, 1, 5))
    assert "已于" in after and "暂定" in after


def test_a_loaded_notice_for_next_year_silences_the_page(tmp_path):
    year = CALENDAR.covered_until().year + 1
    overrides = tmp_path / "overrides.yaml"
    overrides.write_text(f"years:\n  {year}:\n    published: true\n    source: fixture\n"
                         f"    holidays: [{year}-01-01]\n", encoding="utf-8")
    assert _notice(date(year - 1, 11, 26), WorkingCalendar.from_file(overrides)) == ""


def test_the_calendar_gauge_is_the_end_of_the_official_data_in_shanghai(tmp_path):
    import contextlib
    from types import SimpleNamespace

    from services.oversight import metrics

    empty = SimpleNamespace(counts=list, on_time_counts=list, open_warning_counts=list,
                            rectifications=lambda status: [])
    store = SimpleNamespace(unit_of_work=lambda: contextlib.nullcontext(
        SimpleNamespace(oversight=empty, supervision=empty, audit=SimpleNamespace(count=lambda: 0,
                                                                                  head=lambda: (0, "0" * 64)))))

    def until(settings: Settings) -> float:
        families = {f.name: f for f in metrics.OversightCollector(store, settings).collect()}
        return families["yici_calendar_official_until_timestamp_seconds"].samples[0].value

    end = CALENDAR.covered_until()
    # 00:00 in Shanghai the day after the last covered day is 16:00 UTC on that last day
    assert until(Settings()) == datetime(end.year, end.month, end.day, 16, tzinfo=timezone.utc).timestamp()
    overrides = tmp_path / "overrides.yaml"
    overrides.write_text(f"years:\n  {end.year + 1}:\n    published: true\n    source: fixture\n"
                         f"    holidays: [{end.year + 1}-01-01]\n", encoding="utf-8")
    next_year = (date(end.year + 2, 1, 1) - date(end.year + 1, 1, 1)).days
    assert until(Settings(calendar_overrides=overrides)) - until(Settings()) == next_year * 86400
