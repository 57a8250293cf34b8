import os
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from shared.workdays import (
    DEFAULT_OVERRIDES,
    CalendarFile,
    CalendarNotCovered,
    Due,
    OverrideFileError,
    WorkingCalendar,
    load_overrides,
    today_in_shanghai,
)

OVERRIDE_2027 = """
years:
  2027:
    published: true
    source: "test fixture, not the real notice"
    holidays: [2027-01-01, 2027-02-08, 2027-02-09]
    workdays: [2027-02-06]
"""


@pytest.fixture
def calendar() -> WorkingCalendar:
    return WorkingCalendar.from_file()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "overrides.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "start, n, expected",
    [
        (date(2026, 2, 13), 3, date(2026, 2, 25)),  # make-up Saturday, then Spring Festival
        (date(2026, 9, 24), 5, date(2026, 10, 9)),  # Mid-Autumn and National Day
        (date(2026, 4, 30), 1, date(2026, 5, 6)),  # Labour Day
        (date(2025, 9, 30), 5, date(2025, 10, 14)),  # Sat 2025-10-11 is a working day
    ],
)
def test_published_deadline_vectors(calendar, start, n, expected):
    assert calendar.add_workdays(start, n) == Due(expected, provisional=False)
    assert calendar.due(start, n, strict=True) == Due(expected, provisional=False)


def test_zero_days_is_the_start_day_even_on_a_holiday(calendar):
    assert calendar.add_workdays(date(2026, 10, 1), 0) == Due(date(2026, 10, 1), False)


def test_negative_days_are_rejected(calendar):
    with pytest.raises(ValueError):
        calendar.add_workdays(date(2026, 3, 2), -1)


def test_deadline_past_the_covered_range_is_provisional(calendar):
    assert calendar.due(date(2026, 12, 30), 3) == Due(date(2027, 1, 4), provisional=True)


def test_strict_deadline_past_the_covered_range_raises(calendar):
    with pytest.raises(CalendarNotCovered, match="2027.*calendar-overrides.yaml"):
        calendar.due(date(2026, 12, 30), 3, strict=True)


def test_deadline_inside_coverage_is_not_provisional_near_the_edge(calendar):
    assert calendar.due(date(2026, 12, 29), 2) == Due(date(2026, 12, 31), provisional=False)


@pytest.mark.parametrize("year, count", [(2024, 251), (2025, 248), (2026, 248)])
def test_working_days_per_year(calendar, year, count):
    assert calendar.workdays_between(date(year - 1, 12, 31), date(year, 12, 31)) == count


def test_workdays_between_excludes_start_and_includes_end(calendar):
    monday, friday = date(2026, 3, 2), date(2026, 3, 6)
    assert calendar.workdays_between(monday, friday) == 4
    assert calendar.workdays_between(friday, monday) == -4
    assert calendar.workdays_between(monday, monday) == 0


def test_workdays_between_inverts_add_workdays(calendar):
    start = date(2026, 9, 24)
    assert calendar.workdays_between(start, calendar.add_workdays(start, 5).date) == 5


def test_is_workday_knows_holidays_and_make_up_days(calendar):
    assert calendar.is_workday(date(2026, 2, 14))  # Saturday, 调休
    assert not calendar.is_workday(date(2026, 2, 16))  # Monday, Spring Festival
    assert not calendar.is_workday(date(2026, 3, 7))  # ordinary Saturday


@pytest.mark.parametrize("day", [date(2027, 3, 1), date(2003, 6, 2)])
def test_uncovered_year_raises_and_never_guesses(calendar, day):
    with pytest.raises(CalendarNotCovered) as caught:
        calendar.is_workday(day)
    assert caught.value.year == day.year
    assert str(day.year) in str(caught.value)


def test_workdays_between_into_an_uncovered_year_raises(calendar):
    with pytest.raises(CalendarNotCovered):
        calendar.workdays_between(date(2026, 12, 1), date(2027, 1, 10))


def test_override_file_makes_2027_official(tmp_path):
    calendar = WorkingCalendar.from_file(write(tmp_path, OVERRIDE_2027))
    assert calendar.due(date(2026, 12, 30), 3) == Due(date(2027, 1, 5), provisional=False)
    assert calendar.covered_until() == date(2027, 12, 31)
    assert calendar.is_workday(date(2027, 2, 6))  # Saturday listed as 调休
    assert not calendar.is_workday(date(2027, 2, 8))


def test_override_replaces_the_package_data_for_its_year(tmp_path):
    text = "years:\n  2026:\n    published: true\n    source: fixture\n    holidays: [2026-03-02]\n"
    calendar = WorkingCalendar.from_file(write(tmp_path, text))
    assert not calendar.is_workday(date(2026, 3, 2))
    assert not calendar.is_workday(date(2026, 2, 14))  # the package's 调休 no longer applies


def test_unpublished_draft_is_ignored(tmp_path):
    draft = OVERRIDE_2027.replace("published: true", "published: false")
    calendar = WorkingCalendar.from_file(write(tmp_path, draft))
    assert calendar.due(date(2026, 12, 30), 3).provisional
    assert calendar.covered_until() == date(2026, 12, 31)


def test_shipped_override_file_loads_and_invents_nothing():
    assert [o for o in load_overrides(DEFAULT_OVERRIDES) if o.published] == []


@pytest.mark.parametrize(
    "body, message",
    [
        ("years: [2027]", "'years' must map"),
        ("years:\n  2027:\n    holidays: [2027-01-01]", "'published' must be true or false"),
        ("years:\n  2027:\n    published: true\n    holidays: []", "needs its 'source'"),
        ("years:\n  2027:\n    published: false\n    holidays: [2028-01-01]", "another year"),
        ("years:\n  2027:\n    published: false\n    holidays: [not-a-date]", "not a YYYY-MM-DD"),
        ("years:\n  2027:\n    published: false\n    workdays: [2027-03-01]", "Monday–Friday"),
        (
            "years:\n  2027:\n    published: false\n    holidays: [2027-02-06]\n    workdays: [2027-02-06]",
            "both holiday and working day",
        ),
    ],
)
def test_malformed_override_file_is_rejected(tmp_path, body, message):
    with pytest.raises(OverrideFileError, match=message):
        load_overrides(write(tmp_path, body))


def test_coverage_warning_within_sixty_days(calendar):
    assert calendar.coverage_warning(date(2026, 10, 31)) is None
    warning = calendar.coverage_warning(date(2026, 11, 1))
    assert "2026-12-31" in warning and "60 days left" in warning and "2027" in warning
    assert "ended" in calendar.coverage_warning(date(2027, 1, 2))


def test_coverage_warning_custom_window(calendar):
    assert calendar.coverage_warning(date(2026, 11, 1), days=30) is None


@pytest.mark.parametrize(
    "instant, expected",
    [
        (datetime(2026, 3, 1, 15, 59, tzinfo=timezone.utc), date(2026, 3, 1)),
        (datetime(2026, 3, 1, 16, 0, tzinfo=timezone.utc), date(2026, 3, 2)),
        (datetime(2026, 3, 2, 1, 0, tzinfo=timezone(timedelta(hours=9))), date(2026, 3, 2)),
    ],
)
def test_today_in_shanghai(instant, expected):
    assert today_in_shanghai(instant) == expected


def test_today_in_shanghai_rejects_naive_datetimes():
    with pytest.raises(ValueError, match="aware"):
        today_in_shanghai(datetime(2026, 3, 1, 12, 0))


def test_today_in_shanghai_defaults_to_now():
    assert abs(today_in_shanghai() - datetime.now(timezone.utc).date()) <= timedelta(days=1)


def _bump(path: Path, text: str) -> None:
    """Rewrite the file with a modification time that surely differs (coarse file-system clocks)."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 2_000_000_000, before + 2_000_000_000))


def test_a_watched_override_file_is_reread_when_an_admin_edits_it(tmp_path):
    path = write(tmp_path, "years: {}\n")
    watched = CalendarFile(path)
    assert watched.current().covered_until() == date(2026, 12, 31)
    assert watched.current() is watched.current()  # unchanged file: not re-read
    _bump(path, OVERRIDE_2027)
    assert watched.current().covered_until() == date(2027, 12, 31)
    assert not watched.current().is_workday(date(2027, 2, 8))


def test_an_invalid_edit_keeps_the_last_good_calendar_and_says_so(tmp_path, capsys):
    path = write(tmp_path, OVERRIDE_2027)
    watched = CalendarFile(path)
    _bump(path, OVERRIDE_2027.replace("2027-02-09", "2027-13-09"))
    assert watched.current().covered_until() == date(2027, 12, 31)
    logged = capsys.readouterr()
    assert "calendar_overrides_invalid" in logged.out + logged.err and "month must be in 1..12" in logged.out + logged.err
    path.unlink()  # moved away for an edit: still the last good calendar
    assert watched.current().covered_until() == date(2027, 12, 31)


def test_an_invalid_file_at_start_is_refused(tmp_path):
    with pytest.raises(OverrideFileError):
        CalendarFile(write(tmp_path, "years:\n  2027:\n    published: yes please\n"))


def test_the_setting_names_the_file_and_a_bad_one_fails_the_start(tmp_path):
    from shared.config import ConfigError, Settings, load_settings
    assert Settings().calendar().covered_until() == date(2026, 12, 31)
    assert Settings(calendar_overrides=write(tmp_path, OVERRIDE_2027)).calendar().covered_until() == date(2027, 12, 31)
    for text, message in (("years: [1]\n", "'years' must map"), ("years: {2027: {published: true}}\n", "source")):
        bad = tmp_path / "bad-calendar.yaml"
        bad.write_text(text, encoding="utf-8")
        config = tmp_path / "yici.yaml"
        config.write_text(f"calendar_overrides: {bad}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match="calendar_overrides") as error:
            load_settings(config, env={})
        assert message in str(error.value)
    config.write_text(f"calendar_overrides: {tmp_path / 'missing.yaml'}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(config, env={})
